// The lead view: header with the assignee and presence, channel tabs, the conversation across channels (older pages on
// scroll, email HTML in a sandboxed frame, each outbound message's delivery), the compose pane of the active
// channel, and the CRM drawer. Its state comes from GET /api/leads/{id} and is kept live by the lead's own
// feed (message.updated moves a delivery along in every teammate's browser).

import { api, ApiError, paths } from './api.js';
import { h, replace, avatar, leadName } from './dom.js';
import { icon, channelIcon, CHANNELS, CHANNEL_LABEL } from './icons.js';
import { sentimentBadge } from './sentiment.js';
import { presenceBar, PresenceReporter } from './presence.js';
import { Composer } from './compose.js';
import { Drawer } from './drawer.js';
import { DeliveryFooters } from './message_delivery.js';
import { isNewerDelivery } from './delivery.js';
import { AssigneeControl } from './assignee_menu.js';
import { setPageTitle } from './title.js';
import { messageElement } from './message_view.js';

const PAGE = 50;
const FIRST_PAGE = 80; // GET /api/leads/{id} returns the last 80 messages
const NEAR_BOTTOM_PX = 140;

const byTime = (a, b) => (a.sent_at < b.sent_at ? -1 : a.sent_at > b.sent_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class LeadView {
  constructor(session, { inbox, navigate }) {
    this.session = session;
    this.me = session.me.user;
    this.workspaceName = session.me.workspace.name;
    this.realtime = session.realtime;
    this.inbox = inbox;
    this.navigate = navigate;
    this.leadId = null;
    this.lead = null;
    this.messages = [];
    this.messageEls = new Map();
    this.viewers = [];
    this.activeChannel = 'email';
    this.showAll = true;
    this.hasOlder = false;
    this.loadingOlder = false;
    this.presence = new PresenceReporter(this.realtime);
    this.composer = new Composer({
      presence: this.presence,
      onSent: (message) => this.addMessage(message, { scroll: true }),
      onPaneChanged: () => this.renderTabs(),
    });
    this.drawer = new Drawer({ composer: this.composer, members: session.members });
    this.assignee = new AssigneeControl({ session, onAssigned: (lead) => this.setLead(lead) });
    this.footers = new DeliveryFooters({ role: this.me.role, onMessage: (message) => this.updateMessage(message) });
    this.build();
    this.renderEmpty();
  }

  build() {
    this.header = h('header', { class: 'lead-head' });
    this.tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Channels' });
    this.threadInner = h('div', { class: 'thread-inner' });
    this.threadTop = h('div', { class: 'thread-top' });
    this.thread = h('div', { class: 'thread', 'data-testid': 'thread' }, this.threadTop, this.threadInner);
    this.stick = true; // keep the newest message in view while frames above it grow
    this.thread.addEventListener('scroll', () => {
      if (this.thread.scrollTop < 120) this.loadOlder();
      this.stick = this.nearBottom();
      if (this.stick) this.newPill.hidden = true;
    });
    this.newPill = h('button', { class: 'new-pill', hidden: true, onclick: () => this.scrollToBottom() }, 'New message ↓');
    this.conversation = h(
      'section',
      { class: 'conversation', 'aria-label': 'Conversation' },
      this.header,
      this.tabs,
      h('div', { class: 'thread-wrap' }, this.thread, this.newPill),
      this.composer.el,
    );
    this.el = h('div', { class: 'lead-pane', 'data-testid': 'lead-view' }, this.conversation, this.drawer.el);
  }

  // --- opening a lead -------------------------------------------------------------------------------
  open(leadId) {
    if (leadId === this.leadId) return;
    this.composer.flush();
    this.leadId = leadId;
    this.lead = null;
    this.messages = [];
    this.messageEls = new Map();
    this.footers.clear();
    this.viewers = [];
    this.hasOlder = false;
    this.firstLoad = true;
    this.composer.reset();
    this.drawer.clear();
    if (!leadId) {
      this.realtime.closeLeadFeed();
      this.presence.close();
      this.renderEmpty();
      return;
    }
    this.renderLoading();
    this.feed = this.realtime.openLeadFeed(leadId, {
      load: () => this.load(leadId),
      apply: (event) => this.apply(event),
      onPresence: (viewers) => {
        this.viewers = viewers;
        this.renderHeader();
      },
      onNotFound: () => this.renderNotFound(),
    });
    this.presence.open(leadId);
  }

  async load(leadId) {
    let detail;
    try {
      detail = await api.get(paths.lead(leadId));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && this.leadId === leadId) {
        this.renderNotFound();
        return;
      }
      throw err;
    }
    if (this.leadId !== leadId) return;
    this.lead = detail.lead;
    this.messages = [...detail.messages].sort(byTime);
    this.hasOlder = detail.messages.length >= FIRST_PAGE;
    if (this.firstLoad) {
      this.activeChannel = this.initialChannel(detail);
      this.firstLoad = false;
    }
    this.el.classList.remove('is-empty');
    this.renderHeader();
    this.renderTabs();
    this.renderThread();
    this.composer.setActive(this.activeChannel);
    this.composer.load(this.lead, detail.drafts);
    this.composer.el.hidden = false;
    this.drawer.setLead(this.lead, { reload: true });
    this.assignee.setLead(this.lead);
    this.scrollToBottom();
    setPageTitle(`${leadName(this.lead)} · Setterdesk`);
  }

  initialChannel(detail) {
    const drafted = new Set(detail.drafts.map((d) => d.channel));
    const inbound = [...detail.messages].reverse().filter((m) => m.direction === 'inbound');
    const withDraft = inbound.find((m) => drafted.has(m.channel));
    if (withDraft) return withDraft.channel;
    if (detail.drafts.length) return detail.drafts[0].channel;
    if (inbound.length) return inbound[0].channel;
    const last = detail.messages[detail.messages.length - 1];
    return last ? last.channel : detail.lead.channels[0] || 'email';
  }

  // --- live events ----------------------------------------------------------------------------------
  apply(event) {
    const data = event.data || {};
    this.drawer.event(event);
    switch (event.type) {
      case 'message.created':
        this.addMessage(data.message);
        break;
      case 'message.updated':
        this.updateMessage(data.message);
        break;
      case 'lead.updated':
      case 'lead.sentiment_changed':
        this.setLead(data.lead);
        break;
      case 'draft.approved':
        this.composer.event(event);
        if (data.message) this.addMessage(data.message);
        break;
      case 'draft.created':
      case 'draft.updated':
      case 'draft.rejected':
      case 'draft.superseded':
      case 'draft.failed':
        this.composer.event(event);
        break;
      case 'insight.updated':
        this.drawer.loadInsight();
        break;
      default:
        break;
    }
  }

  setLead(lead) {
    if (!lead || lead.id !== this.leadId) return;
    this.lead = { ...(this.lead || {}), ...lead };
    this.renderHeader();
    this.renderTabs();
    this.composer.setLead(this.lead);
    this.drawer.setLead(this.lead);
    this.assignee.setLead(this.lead);
  }

  addMessage(message, { scroll = false } = {}) {
    if (!message || message.lead_id !== this.leadId || this.messageEls.has(message.id)) return;
    const stick = scroll || this.nearBottom();
    let index = this.messages.length;
    while (index > 0 && byTime(this.messages[index - 1], message) > 0) index -= 1;
    this.messages.splice(index, 0, message);
    const el = this.messageEl(message);
    const next = this.messages[index + 1];
    this.threadInner.insertBefore(el, next ? this.messageEls.get(next.id) : null);
    this.messageEls.set(message.id, el);
    el.classList.add('arrived');
    this.renderTabs();
    if (stick) this.scrollToBottom();
    else this.newPill.hidden = false;
  }

  /** A newer copy of a shown message (its delivery moved on): only its footer is redrawn. */
  updateMessage(message) {
    if (!message || message.lead_id !== this.leadId) return;
    const index = this.messages.findIndex((m) => m.id === message.id);
    if (index === -1) {
      // Not shown yet (its message.created is still on its way, or it is on an older page not loaded).
      return;
    }
    if (!isNewerDelivery(this.messages[index], message)) return;
    this.messages[index] = message;
    this.footers.update(message);
  }

  // --- older pages ----------------------------------------------------------------------------------
  async loadOlder() {
    if (!this.hasOlder || this.loadingOlder || !this.messages.length) return;
    const leadId = this.leadId;
    this.loadingOlder = true;
    this.renderThreadTop();
    try {
      const page = await api.get(paths.leadMessages(leadId, { before: this.messages[0].id, limit: PAGE }));
      if (this.leadId !== leadId) return;
      const before = this.thread.scrollHeight;
      const fresh = page.filter((m) => !this.messageEls.has(m.id)).sort(byTime);
      const first = this.threadInner.firstChild;
      for (const message of fresh) {
        const el = this.messageEl(message);
        this.threadInner.insertBefore(el, first);
        this.messageEls.set(message.id, el);
      }
      this.messages = [...fresh, ...this.messages];
      this.hasOlder = page.length >= PAGE;
      this.thread.scrollTop += this.thread.scrollHeight - before;
      this.renderTabs();
    } catch (err) {
      console.warn('[lead] older messages', err);
    } finally {
      this.loadingOlder = false;
      this.renderThreadTop();
    }
  }

  // --- channels -------------------------------------------------------------------------------------
  setChannel(channel) {
    if (!CHANNELS.includes(channel) || !this.lead) return;
    this.activeChannel = channel;
    this.composer.setActive(channel);
    this.renderTabs();
    this.applyFilter();
  }

  applyFilter() {
    this.threadInner.dataset.only = this.showAll ? '' : this.activeChannel;
  }

  // --- rendering ------------------------------------------------------------------------------------
  renderEmpty() {
    this.el.classList.add('is-empty');
    replace(
      this.header,
      h(
        'div',
        { class: 'empty empty-lead' },
        icon('inbox', { size: 32 }),
        h('p', {}, 'Pick a lead to read the conversation and its AI drafts.'),
        h(
          'dl',
          { class: 'shortcuts' },
          shortcut('j / k', 'next / previous lead'),
          shortcut('1 2 3', 'email, SMS, LinkedIn'),
          shortcut('c', 'focus the compose pane'),
          shortcut('⌘/Ctrl + Enter', 'approve & send'),
          shortcut('/', 'search'),
        ),
      ),
    );
    replace(this.tabs);
    replace(this.threadInner);
    replace(this.threadTop);
    setPageTitle('Inbox · Setterdesk');
  }

  renderLoading() {
    this.el.classList.remove('is-empty');
    this.composer.el.hidden = true; // until the lead's drafts are known
    replace(this.header, h('div', { class: 'lead-title' }, h('span', { class: 'sk sk-title' })));
    replace(this.tabs);
    replace(this.threadTop);
    replace(this.threadInner, h('div', { class: 'thread-loading' }, h('span', { class: 'spinner' }), 'Loading conversation…'));
  }

  renderNotFound() {
    this.el.classList.add('is-empty');
    replace(this.header, h('div', { class: 'empty empty-lead' }, icon('alert', { size: 28 }), h('p', {}, 'This lead does not exist, or it belongs to another workspace.')));
    replace(this.tabs);
    replace(this.threadInner);
  }

  renderHeader() {
    const lead = this.lead;
    if (!lead) return;
    const name = leadName(lead);
    replace(
      this.header,
      avatar(name, 'lg'),
      h(
        'div',
        { class: 'lead-title' },
        h('h1', { 'data-testid': 'lead-name' }, name),
        h('p', { class: 'muted' }, [lead.title, lead.company].filter(Boolean).join(' · ') || [lead.email, lead.phone].find((v) => v && v !== name) || ''),
      ),
      h('div', { class: 'lead-head-meta' }, sentimentBadge(lead.sentiment_tag), presenceBar(this.viewers, this.me), this.assignee.el),
    );
  }

  renderTabs() {
    if (!this.lead) return;
    const counts = Object.fromEntries(CHANNELS.map((c) => [c, 0]));
    for (const m of this.messages) counts[m.channel] = (counts[m.channel] || 0) + 1;
    const tabs = CHANNELS.map((c, i) =>
      h(
        'button',
        {
          class: ['tab', c === this.activeChannel && 'active', !counts[c] && !this.composer.hasDraft(c) && 'dim'],
          role: 'tab',
          'aria-selected': String(c === this.activeChannel),
          'data-testid': `tab-${c}`,
          title: `${CHANNEL_LABEL[c]} — press ${i + 1}`,
          onclick: () => this.setChannel(c),
        },
        channelIcon(c, 14),
        CHANNEL_LABEL[c],
        counts[c] ? h('span', { class: 'tab-count' }, String(counts[c])) : null,
        this.composer.hasDraft(c) ? h('span', { class: 'tab-draft', title: 'Pending AI draft', 'data-testid': `tab-draft-${c}` }) : null,
      ),
    );
    const toggle = h(
      'div',
      { class: 'segmented', role: 'group', 'aria-label': 'Messages shown' },
      h('button', { class: this.showAll ? 'active' : '', onclick: () => this.setShowAll(true) }, 'All channels'),
      h('button', { class: this.showAll ? '' : 'active', onclick: () => this.setShowAll(false) }, `${CHANNEL_LABEL[this.activeChannel]} only`),
    );
    replace(this.tabs, tabs, h('span', { class: 'grow' }), toggle);
  }

  setShowAll(value) {
    this.showAll = value;
    this.renderTabs();
    this.applyFilter();
    this.scrollToBottom();
  }

  renderThread() {
    this.messageEls = new Map();
    const els = this.messages.map((m) => {
      const el = this.messageEl(m);
      this.messageEls.set(m.id, el);
      return el;
    });
    replace(this.threadInner, els.length ? els : h('div', { class: 'empty' }, h('p', { class: 'muted' }, 'No messages yet.')));
    this.applyFilter();
    this.renderThreadTop();
  }

  renderThreadTop() {
    if (this.loadingOlder) replace(this.threadTop, h('span', { class: 'spinner spinner-sm' }), 'Loading older messages…');
    else if (this.hasOlder) replace(this.threadTop, h('button', { class: 'btn btn-ghost btn-sm', onclick: () => this.loadOlder() }, 'Load older messages'));
    else replace(this.threadTop, this.messages.length ? h('span', { class: 'muted' }, 'Start of the conversation') : null);
  }

  messageEl(m) {
    return messageElement(m, {
      lead: this.lead || {},
      workspaceName: this.workspaceName,
      footer: this.footers.footer(m),
      onFrameFit: () => {
        if (this.stick) this.thread.scrollTop = this.thread.scrollHeight;
      },
    });
  }

  nearBottom() {
    return this.thread.scrollHeight - this.thread.scrollTop - this.thread.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToBottom() {
    this.newPill.hidden = true;
    this.stick = true;
    window.requestAnimationFrame(() => {
      this.thread.scrollTop = this.thread.scrollHeight;
    });
  }

  // --- keyboard and tests ---------------------------------------------------------------------------
  focusCompose() {
    if (this.lead) this.composer.focus();
  }

  approveActive() {
    if (this.lead) this.composer.approveActive();
  }

  snapshot() {
    return {
      leadId: this.leadId,
      phase: this.feed && this.leadId ? this.feed.phase : null,
      lastEventId: this.feed && this.leadId ? this.feed.lastId : null,
      sentiment: this.lead ? this.lead.sentiment_tag : null,
      messageIds: this.messages.map((m) => m.id),
      deliveries: Object.fromEntries(this.messages.filter((m) => m.delivery).map((m) => [m.id, m.delivery.status])),
      domMessageIds: [...this.threadInner.querySelectorAll('[data-message-id]')].map((el) => el.dataset.messageId),
      compose: this.composer.snapshot(),
      viewers: this.viewers,
    };
  }

  destroy() {
    this.composer.flush();
    this.presence.destroy();
    this.assignee.destroy();
    this.drawer.destroy();
  }
}

function shortcut(keys, what) {
  return h('div', {}, h('dt', {}, h('kbd', {}, keys)), h('dd', {}, what));
}
