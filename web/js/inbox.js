// The Master Inbox: the lead list, newest activity first, with search, sentiment filter, channel icons,
// pending-draft and unread markers and presence. It is loaded over REST and kept live by the inbox feed
// (subscribe_inbox): a new message moves its lead to the top, badges follow lead and draft events.

import { api, paths } from './api.js';
import { h, replace, avatar, leadName, shortTime, fullTime, debounce } from './dom.js';
import { icon, channelIcon, CHANNELS, CHANNEL_LABEL } from './icons.js';
import { Feed } from './realtime.js';
import { SENTIMENT_TAGS, sentimentBadge } from './sentiment.js';
import { presenceChip } from './presence.js';

const PAGE = 50;
const WATCH_ROWS = 30; // presence is followed for this many rows from the top
const NEW_LEAD_MS = 2 * 60 * 1000;

const at = (iso) => (iso ? Date.parse(iso) : 0);

class SeenStore {
  // When this user last read each lead (the lead's last inbound time then), in localStorage.
  constructor(userId) {
    this.key = `setterdesk.seen.${userId}`;
    try {
      this.map = JSON.parse(window.localStorage.getItem(this.key) || '{}') || {};
    } catch {
      this.map = {};
    }
  }

  unread(lead) {
    if (!lead.last_inbound_at) return false;
    const seen = this.map[lead.id];
    if (seen) return at(lead.last_inbound_at) > at(seen);
    // Never opened here: unread while the lead's message is the latest one (waiting for our reply).
    return at(lead.last_inbound_at) >= at(lead.last_message_at);
  }

  markSeen(lead) {
    if (!lead || !lead.last_inbound_at) return;
    if (this.map[lead.id] && at(this.map[lead.id]) >= at(lead.last_inbound_at)) return;
    this.map[lead.id] = lead.last_inbound_at;
    const ids = Object.keys(this.map);
    if (ids.length > 2000) delete this.map[ids[0]];
    try {
      window.localStorage.setItem(this.key, JSON.stringify(this.map));
    } catch {
      // Private mode or full storage: unread markers just do not persist.
    }
  }
}

export class Inbox {
  constructor(session, { navigate }) {
    this.session = session;
    this.me = session.me.user;
    this.navigate = navigate;
    this.realtime = session.realtime;
    this.leads = new Map();
    this.order = [];
    this.nextCursor = null;
    this.filter = { sentiment: '', q: '' };
    this.selectedId = null;
    this.recentActivity = new Map(); // lead id -> time of a message.created seen before its lead
    this.bumped = new Set(); // rows to flash once
    this.loadingMore = false;
    this.seen = new SeenStore(this.me.id);
    this.renderQueued = false;
    this.build();
    this.feed = new Feed('inbox', {
      load: () => this.load(),
      apply: (event) => this.apply(event),
      onPhase: (phase) => this.onPhase(phase),
    });
    this.realtime.setInboxFeed(this.feed);
    this.unlistenPresence = this.realtime.onPresence(() => this.scheduleRender());
    this.clock = setInterval(() => this.scheduleRender(), 60000);
  }

  build() {
    this.search = h('input', {
      class: 'input input-search',
      type: 'search',
      placeholder: 'Search name, email, company, phone',
      'aria-label': 'Search leads',
      'data-testid': 'inbox-search',
      oninput: debounce(() => this.setFilter({ q: this.search.value.trim() }), 250),
    });
    this.sentiment = h(
      'select',
      {
        class: 'select',
        'aria-label': 'Filter by sentiment',
        'data-testid': 'inbox-sentiment-filter',
        onchange: () => this.setFilter({ sentiment: this.sentiment.value }),
      },
      h('option', { value: '' }, 'All sentiments'),
      SENTIMENT_TAGS.map((tag) => h('option', { value: tag }, tag)),
    );
    this.count = h('span', { class: 'count' });
    this.list = h('div', { class: 'lead-list', role: 'listbox', 'aria-label': 'Leads', 'data-testid': 'lead-list' });
    this.list.addEventListener('scroll', () => {
      if (this.list.scrollTop + this.list.clientHeight > this.list.scrollHeight - 200) this.loadMore();
    });
    this.status = h('div', { class: 'list-status' });
    this.el = h(
      'section',
      { class: 'inbox', 'aria-label': 'Inbox' },
      h(
        'header',
        { class: 'inbox-head' },
        h('div', { class: 'inbox-title' }, h('h2', {}, 'Inbox'), this.count),
        h('div', { class: 'search-wrap' }, icon('search', { size: 14 }), this.search, h('kbd', { class: 'kbd-hint' }, '/')),
        h('div', { class: 'filter-wrap' }, icon('filter', { size: 14 }), this.sentiment),
      ),
      this.list,
      this.status,
    );
  }

  // --- loading ------------------------------------------------------------------------------------
  async load() {
    const page = await api.get(paths.leads({ ...this.filter, limit: PAGE }));
    this.leads = new Map(page.items.map((lead) => [lead.id, lead]));
    this.order = page.items.map((lead) => lead.id);
    this.nextCursor = page.next_cursor;
    this.recentActivity.clear();
    this.loaded = true;
    this.render();
  }

  async loadMore() {
    if (!this.nextCursor || this.loadingMore || this.feed.phase !== 'live') return;
    this.loadingMore = true;
    const cursor = this.nextCursor;
    try {
      const page = await api.get(paths.leads({ ...this.filter, limit: PAGE, cursor }));
      if (cursor !== this.nextCursor) return; // the list was reloaded meanwhile
      for (const lead of page.items) {
        if (this.leads.has(lead.id)) continue;
        this.leads.set(lead.id, lead);
        this.order.push(lead.id);
      }
      this.nextCursor = page.next_cursor;
      this.render();
    } catch (err) {
      console.warn('[inbox] more leads failed', err);
    } finally {
      this.loadingMore = false;
    }
  }

  setFilter(change) {
    const next = { ...this.filter, ...change };
    if (next.q === this.filter.q && next.sentiment === this.filter.sentiment) return;
    this.filter = next;
    this.loaded = false;
    this.render();
    this.realtime.reloadInbox();
  }

  onPhase(phase) {
    this.phase = phase;
    this.scheduleRender();
  }

  // --- events -------------------------------------------------------------------------------------
  apply(event) {
    const data = event.data || {};
    switch (event.type) {
      case 'lead.updated':
      case 'lead.sentiment_changed':
        this.upsert(data.lead);
        break;
      case 'message.created':
        this.onMessage(data.message);
        break;
      case 'draft.created':
        this.patchLead(data.draft.lead_id, (lead) => {
          if (!lead.pending_draft_channels.includes(data.draft.channel)) {
            lead.pending_draft_channels = [...lead.pending_draft_channels, data.draft.channel].sort();
          }
        });
        break;
      case 'draft.approved':
      case 'draft.rejected':
        this.patchLead(data.draft.lead_id, (lead) => {
          lead.pending_draft_channels = lead.pending_draft_channels.filter((c) => c !== data.draft.channel);
        });
        break;
      default:
        break;
    }
    this.scheduleRender();
  }

  matches(lead) {
    if (this.filter.sentiment && lead.sentiment_tag !== this.filter.sentiment) return false;
    const q = this.filter.q.toLowerCase();
    if (!q) return true;
    return [lead.first_name, lead.last_name, lead.email, lead.company, lead.phone].some((v) => v && v.toLowerCase().includes(q));
  }

  upsert(lead) {
    if (!lead) return;
    if (!this.matches(lead)) {
      this.remove(lead.id);
      return;
    }
    const known = this.leads.has(lead.id);
    this.leads.set(lead.id, { ...(this.leads.get(lead.id) || {}), ...lead });
    if (known) return;
    const recent = this.recentActivity.get(lead.id);
    this.recentActivity.delete(lead.id);
    const isNew = Date.now() - at(lead.created_at) < NEW_LEAD_MS;
    if (recent || isNew) this.toTop(lead.id);
    else this.insertByActivity(lead);
  }

  insertByActivity(lead) {
    // Best effort for a lead that starts matching the filter: place it by its last message time. When
    // more pages exist and it is older than everything loaded, it shows up with those pages instead.
    const time = at(lead.last_message_at || lead.created_at);
    const index = this.order.findIndex((id) => {
      const other = this.leads.get(id);
      return at(other.last_message_at || other.created_at) < time;
    });
    if (index === -1) {
      if (this.nextCursor) this.leads.delete(lead.id);
      else this.order.push(lead.id);
    } else this.order.splice(index, 0, lead.id);
  }

  onMessage(message) {
    const lead = this.leads.get(message.lead_id);
    if (!lead) {
      this.recentActivity.set(message.lead_id, Date.now());
      return;
    }
    if (at(message.sent_at) >= at(lead.last_message_at)) lead.last_message_at = message.sent_at;
    if (message.direction === 'inbound' && at(message.sent_at) >= at(lead.last_inbound_at)) lead.last_inbound_at = message.sent_at;
    if (!lead.channels.includes(message.channel)) lead.channels = [...lead.channels, message.channel].sort();
    if (message.direction === 'inbound' && message.lead_id === this.selectedId) this.seen.markSeen(lead);
    this.toTop(message.lead_id);
  }

  patchLead(leadId, change) {
    const lead = this.leads.get(leadId);
    if (lead) change(lead);
  }

  toTop(leadId) {
    const index = this.order.indexOf(leadId);
    if (index === 0) return;
    if (index > 0) this.order.splice(index, 1);
    this.order.unshift(leadId);
    this.bumped.add(leadId);
  }

  remove(leadId) {
    if (!this.leads.has(leadId)) return;
    this.leads.delete(leadId);
    this.order = this.order.filter((id) => id !== leadId);
  }

  // --- selection and keyboard ---------------------------------------------------------------------
  select(leadId) {
    if (leadId !== this.selectedId) this.scrollSelected = true; // opened from elsewhere: show its row
    this.selectedId = leadId;
    const lead = leadId && this.leads.get(leadId);
    if (lead) this.seen.markSeen(lead);
    this.scheduleRender();
  }

  /** The lead view saw the lead change (its own feed): keep the unread marker in step. */
  leadSeen(lead) {
    if (lead && lead.id === this.selectedId) this.seen.markSeen(lead);
  }

  neighbour(delta) {
    if (!this.order.length) return null;
    const index = this.order.indexOf(this.selectedId);
    if (index === -1) return this.order[0];
    const next = Math.min(this.order.length - 1, Math.max(0, index + delta));
    return this.order[next];
  }

  focusSearch() {
    this.search.focus();
    this.search.select();
  }

  // --- rendering ----------------------------------------------------------------------------------
  scheduleRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    window.requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  render() {
    this.count.textContent = this.loaded ? String(this.order.length) + (this.nextCursor ? '+' : '') : '';
    if (!this.loaded) {
      replace(this.list, this.skeleton());
      this.status.textContent = '';
      return;
    }
    if (!this.order.length) {
      const filtered = this.filter.q || this.filter.sentiment;
      replace(
        this.list,
        h(
          'div',
          { class: 'empty' },
          icon(filtered ? 'search' : 'inbox', { size: 28 }),
          h('p', {}, filtered ? 'No leads match these filters.' : 'No leads yet.'),
          h('p', { class: 'muted' }, filtered ? 'Try another search or sentiment.' : 'Leads appear here as replies arrive through your email, SMS and LinkedIn webhooks.'),
        ),
      );
    } else {
      const rows = this.order.map((id) => this.row(this.leads.get(id)));
      replace(this.list, rows);
      this.bumped.clear();
      const selected = this.list.querySelector('.lead-row.selected');
      if (selected && this.scrollSelected) {
        selected.scrollIntoView({ block: 'nearest' });
        this.scrollSelected = false;
      }
    }
    this.status.textContent = this.nextCursor ? 'Scroll for more' : '';
    this.realtime.watch(this.order.slice(0, WATCH_ROWS));
  }

  row(lead) {
    const unread = lead.id !== this.selectedId && this.seen.unread(lead);
    const name = leadName(lead);
    const contact = [lead.email, lead.phone].find((v) => v && v !== name);
    const sub = [lead.company, lead.title].filter(Boolean).join(' · ') || contact || '';
    const drafts = lead.pending_draft_channels || [];
    const failures = lead.draft_failures || [];
    const classes = ['lead-row', lead.id === this.selectedId && 'selected', unread && 'unread', this.bumped.has(lead.id) && 'bumped'];
    return h(
      'a',
      {
        class: classes,
        href: `/leads/${lead.id}`,
        'data-route': '',
        role: 'option',
        'aria-selected': String(lead.id === this.selectedId),
        'data-lead-id': lead.id,
        'data-testid': 'lead-row',
      },
      h('span', { class: 'unread-dot', title: unread ? 'Unread reply' : null, 'data-testid': unread ? 'unread' : null }),
      avatar(name),
      h(
        'span',
        { class: 'row-main' },
        h('span', { class: 'row-top' }, h('span', { class: 'row-name' }, name), h('time', { class: 'row-time', datetime: lead.last_message_at || '', title: fullTime(lead.last_message_at) }, shortTime(lead.last_message_at))),
        h('span', { class: 'row-sub' }, sub),
        h(
          'span',
          { class: 'row-meta' },
          sentimentBadge(lead.sentiment_tag, 'badge-sm'),
          h('span', { class: 'row-channels' }, CHANNELS.filter((c) => lead.channels.includes(c)).map((c) => channelIcon(c, 13))),
          drafts.length
            ? h('span', { class: 'row-draft', 'data-testid': 'row-draft', title: `Pending AI draft: ${drafts.map((c) => CHANNEL_LABEL[c]).join(', ')}` }, icon('sparkle', { size: 12 }), 'Draft')
            : null,
          failures.length ? h('span', { class: 'row-failed', title: failures.map((f) => `${CHANNEL_LABEL[f.channel]}: ${f.reason}`).join('\n') }, icon('alert', { size: 12 })) : null,
          presenceChip(this.realtime.viewers(lead.id), this.me),
        ),
      ),
    );
  }

  skeleton() {
    return Array.from({ length: 8 }, () => h('div', { class: 'lead-row skeleton' }, h('span', { class: 'avatar avatar-md' }), h('span', { class: 'row-main' }, h('span', { class: 'sk sk-1' }), h('span', { class: 'sk sk-2' }))));
  }

  snapshot() {
    return { order: [...this.order], phase: this.feed.phase, lastEventId: this.feed.lastId };
  }

  destroy() {
    clearInterval(this.clock);
    this.unlistenPresence();
  }
}
