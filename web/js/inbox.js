// The Master Inbox: the lead list, newest activity first, with the Mine / Unassigned / All segment, "Unread
// only", search (names, contact fields and message text) and sentiment. It is loaded over REST and kept live
// by the inbox feed (subscribe_inbox): a new message moves its lead to the top, badges follow lead and draft
// events. Unread counts are the server's, per user (unread.js); opening a lead marks it read.

import { api, paths } from './api.js';
import { h, replace, debounce } from './dom.js';
import { icon } from './icons.js';
import { Feed } from './realtime.js';
import { SENTIMENT_TAGS } from './sentiment.js';
import { SEGMENTS, loadFilter, saveFilter, sameFilter, listQuery, matchesFilter } from './inbox_filters.js';
import { UnreadIndex, UNREAD_PAGE, countLabel } from './unread.js';
import { leadRow, skeletonRows, emptyInbox } from './inbox_row.js';
import { Notifier } from './notifications.js';
import { setUnreadCount } from './title.js';

const PAGE = 50;
const WATCH_ROWS = 30; // presence is followed for this many rows from the top
const NEW_LEAD_MS = 2 * 60 * 1000;
const SEARCH_REFRESH_MS = 800;

const at = (iso) => (iso ? Date.parse(iso) : 0);
const storage = () => window.localStorage;

export class Inbox {
  constructor(session, { navigate }) {
    this.session = session;
    this.me = session.me.user;
    this.members = session.members;
    this.navigate = navigate;
    this.realtime = session.realtime;
    this.leads = new Map();
    this.order = [];
    this.nextCursor = null;
    this.filter = loadFilter(storage(), this.me.id);
    this.selectedId = null;
    this.recentActivity = new Map(); // lead id -> time of a message.created seen before its lead
    this.assignees = new Map(); // lead id -> assigned_to, for every lead any event showed (unread totals, notifications)
    this.bumped = new Set(); // rows to flash once
    this.loadingMore = false;
    this.unread = new UnreadIndex(this.me.id);
    this.renderQueued = false;
    this.notifier = new Notifier(session, { navigate, isViewing: (leadId) => this.isViewing(leadId) });
    this.refreshSearch = debounce(() => this.mergeSearch(), SEARCH_REFRESH_MS);
    this.build();
    this.feed = new Feed('inbox', {
      load: () => this.load(),
      apply: (event) => this.apply(event),
      onPhase: (phase) => this.onPhase(phase),
    });
    this.realtime.setInboxFeed(this.feed);
    this.unlistenPresence = this.realtime.onPresence(() => this.scheduleRender());
    this.unlistenMembers = this.members.onChange(() => this.scheduleRender());
    this.onVisible = () => {
      // Back on the tab with the lead open: what arrived meanwhile is read now.
      if (document.visibilityState === 'visible' && this.selectedId && this.unread.count(this.selectedId) > 0) this.markRead(this.selectedId);
    };
    document.addEventListener('visibilitychange', this.onVisible);
    this.clock = setInterval(() => this.scheduleRender(), 60000);
  }

  build() {
    this.search = h('input', {
      class: 'input input-search',
      type: 'search',
      placeholder: 'Search names, companies and messages',
      'aria-label': 'Search leads and messages',
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
    this.segmentButtons = new Map(
      SEGMENTS.map((segment) => [
        segment.id,
        h(
          'button',
          { type: 'button', role: 'tab', 'data-testid': `segment-${segment.id}`, onclick: () => this.setFilter({ segment: segment.id }) },
          h('span', {}, segment.label),
          h('span', { class: 'segment-count', 'data-testid': `segment-unread-${segment.id}` }),
        ),
      ]),
    );
    this.unreadToggle = h(
      'button',
      { type: 'button', class: 'btn btn-sm toggle', 'aria-pressed': 'false', 'data-testid': 'inbox-unread-toggle', title: 'Only leads with replies you have not read', onclick: () => this.setFilter({ unread: !this.filter.unread }) },
      'Unread',
    );
    this.count = h('span', { class: 'count', 'data-testid': 'inbox-count' });
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
        h('div', { class: 'segmented segmented-wide', role: 'tablist', 'aria-label': 'Whose leads', 'data-testid': 'inbox-segments' }, [...this.segmentButtons.values()]),
        h('div', { class: 'search-wrap' }, icon('search', { size: 14 }), this.search, h('kbd', { class: 'kbd-hint' }, '/')),
        h('div', { class: 'filter-row' }, h('div', { class: 'filter-wrap' }, icon('filter', { size: 14 }), this.sentiment), this.unreadToggle),
        this.notifier.prompt,
      ),
      this.list,
      this.status,
    );
    this.renderFilters();
  }

  // --- loading ------------------------------------------------------------------------------------
  async load() {
    // The list and this user's unread leads from one moment, so the feed's events apply to both.
    const [page, unread] = await Promise.all([api.get(paths.leads({ ...listQuery(this.filter), limit: PAGE })), api.get(paths.leads({ unread: 'true', limit: UNREAD_PAGE }))]);
    this.unread.reset(unread.items, { complete: !unread.next_cursor });
    for (const lead of [...unread.items, ...page.items]) this.know(lead);
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
      const page = await api.get(paths.leads({ ...listQuery(this.filter), limit: PAGE, cursor }));
      if (cursor !== this.nextCursor) return; // the list was reloaded meanwhile
      for (const lead of page.items) {
        if (this.leads.has(lead.id)) continue;
        this.know(lead);
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

  /** Under a search, a lead that is not listed may have just matched by its message text: ask the server. */
  async mergeSearch() {
    const q = this.filter.q;
    if (!q || this.feed.phase !== 'live') return;
    try {
      const page = await api.get(paths.leads({ ...listQuery(this.filter), limit: PAGE }));
      if (q !== this.filter.q) return;
      for (const lead of page.items) {
        this.know(lead);
        const listed = this.leads.get(lead.id);
        if (listed) listed.match = lead.match;
        else this.upsert(lead, { listed: true });
      }
      this.scheduleRender();
    } catch (err) {
      console.warn('[inbox] search refresh failed', err);
    }
  }

  setFilter(change) {
    const next = { ...this.filter, ...change };
    if (sameFilter(next, this.filter)) return;
    this.filter = next;
    saveFilter(storage(), this.me.id, next);
    this.loaded = false;
    this.refreshSearch.cancel();
    this.renderFilters();
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
        this.know(data.lead);
        this.upsert(data.lead);
        break;
      case 'message.created':
        this.onMessage(data.message);
        break;
      case 'lead.read':
        // The server sends a read to its reader's sockets; checking the user keeps a teammate's read from ever clearing ours.
        if (data.user_id === this.me.id) this.onRead(data.lead_id);
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
    const leadId = event.lead_id || (data.lead && data.lead.id);
    this.notifier.consider(event, this.leads.get(leadId) || (data.lead && data.lead.id === leadId ? data.lead : null) || this.knownLead(leadId));
    this.scheduleRender();
  }

  /** Remember who a lead is assigned to (events carry no unread count: ours stays in this.unread). */
  know(lead) {
    if (!lead) return;
    this.assignees.set(lead.id, lead.assigned_to || null);
    this.unread.assigned(lead.id, lead.assigned_to);
    this.unread.fromServer(lead); // a REST copy carries this user's count; an event's (null) is ignored
    this.members.ensure(lead.assigned_to);
  }

  knownLead(leadId) {
    return this.assignees.has(leadId) ? { id: leadId, assigned_to: this.assignees.get(leadId) } : null;
  }

  matches(lead, { listed = this.leads.has(lead.id) } = {}) {
    return matchesFilter(lead, this.filter, { meId: this.me.id, listed, unreadCount: this.unread.count(lead.id), selected: lead.id === this.selectedId });
  }

  upsert(lead, { listed } = {}) {
    if (!lead) return;
    const known = this.leads.get(lead.id);
    // A REST copy (with this user's count) or an event's; `match` only comes from a search answer.
    const merged = { ...(known || {}), ...lead, unread_count: undefined, match: lead.match !== undefined ? lead.match : known && known.match };
    if (!this.matches(merged, { listed: listed ?? Boolean(known) })) {
      this.remove(lead.id);
      return;
    }
    this.leads.set(lead.id, merged);
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
    if (message.direction === 'inbound') {
      if (this.isViewing(message.lead_id)) this.markRead(message.lead_id);
      else this.unread.inbound(message.lead_id, this.assignees.has(message.lead_id) ? this.assignees.get(message.lead_id) : undefined);
    }
    const lead = this.leads.get(message.lead_id);
    if (!lead) {
      this.recentActivity.set(message.lead_id, Date.now());
      if (this.filter.q && message.direction === 'inbound') this.refreshSearch();
      return;
    }
    if (at(message.sent_at) >= at(lead.last_message_at)) lead.last_message_at = message.sent_at;
    if (message.direction === 'inbound' && at(message.sent_at) >= at(lead.last_inbound_at)) lead.last_inbound_at = message.sent_at;
    if (!lead.channels.includes(message.channel)) lead.channels = [...lead.channels, message.channel].sort();
    if (this.filter.q && message.direction === 'inbound') this.refreshSearch(); // its best match may be this one now
    this.toTop(message.lead_id);
  }

  onRead(leadId) {
    this.unread.read(leadId);
    const lead = this.leads.get(leadId);
    if (lead && this.filter.unread && !this.matches(lead)) this.remove(leadId);
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

  // --- reading ------------------------------------------------------------------------------------
  /** The lead is open in this tab and the tab is in front: what arrives on it is read as it lands. */
  isViewing(leadId) {
    return Boolean(leadId) && leadId === this.selectedId && document.visibilityState === 'visible';
  }

  async markRead(leadId) {
    this.onRead(leadId); // at once: the row is not bold while the answer is on its way
    this.scheduleRender();
    try {
      const lead = await api.post(paths.leadRead(leadId), {});
      // A 0 settles a reply whose event came in after the optimistic clear but was read by this POST. A
      // non-zero answer is a reply newer than the read: its own message.created counts it, so not twice.
      if (lead.unread_count === 0) this.unread.fromServer(lead);
    } catch (err) {
      console.warn('[inbox] marking read failed', err);
    }
  }

  // --- selection and keyboard ---------------------------------------------------------------------
  select(leadId) {
    const changed = leadId !== this.selectedId;
    if (changed) this.scrollSelected = true; // opened from elsewhere: show its row
    this.selectedId = leadId;
    if (leadId && document.visibilityState === 'visible' && (changed || this.unread.count(leadId) > 0)) this.markRead(leadId);
    this.scheduleRender();
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

  renderFilters() {
    for (const [id, button] of this.segmentButtons) {
      button.classList.toggle('active', id === this.filter.segment);
      button.setAttribute('aria-selected', String(id === this.filter.segment));
    }
    this.unreadToggle.classList.toggle('active', this.filter.unread);
    this.unreadToggle.setAttribute('aria-pressed', String(this.filter.unread));
  }

  renderUnread() {
    const totals = this.unread.totals();
    for (const [id, button] of this.segmentButtons) {
      const n = totals[id];
      const badge = button.querySelector('.segment-count');
      badge.textContent = this.loaded ? countLabel(n, totals.complete) : '';
      button.title = n ? `${countLabel(n, totals.complete)} unread` : '';
    }
    setUnreadCount(totals.waiting, totals.complete);
  }

  render() {
    this.count.textContent = this.loaded ? String(this.order.length) + (this.nextCursor ? '+' : '') : '';
    this.renderUnread();
    if (!this.loaded) {
      replace(this.list, skeletonRows());
      this.status.textContent = '';
      return;
    }
    if (!this.order.length) {
      replace(this.list, emptyInbox(this.filter));
    } else {
      const rows = this.order.map((id) => {
        const lead = this.leads.get(id);
        const selected = id === this.selectedId;
        return leadRow({
          lead,
          selected,
          unread: selected && document.visibilityState === 'visible' ? 0 : this.unread.count(id),
          bumped: this.bumped.has(id),
          members: this.members,
          viewers: this.realtime.viewers(id),
          me: this.me,
        });
      });
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

  snapshot() {
    return { order: [...this.order], phase: this.feed.phase, lastEventId: this.feed.lastId, filter: { ...this.filter }, unread: this.unread.totals() };
  }

  destroy() {
    clearInterval(this.clock);
    this.refreshSearch.cancel();
    document.removeEventListener('visibilitychange', this.onVisible);
    this.unlistenPresence();
    this.unlistenMembers();
    this.notifier.destroy();
  }
}
