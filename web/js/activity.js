// The lead's activity timeline in the drawer: GET /api/leads/{id}/activity, newest first, paged with
// "Load more", and the open lead's live events put on top as they come (they carry their actor too). The
// sentences come from activity_text.js.

import { api, paths } from './api.js';
import { h, replace, fullTime, leadName } from './dom.js';
import { icon } from './icons.js';
import { memberAvatar } from './members.js';
import { activityEntries, relativeTime } from './activity_text.js';

const PAGE = 30;

export class ActivityTimeline {
  constructor({ members }) {
    this.members = members;
    this.lead = null;
    this.items = new Map(); // event id -> event
    this.nextCursor = null;
    this.loaded = false;
    this.loading = false;
    this.failed = null;
    this.list = h('ol', { class: 'timeline', 'data-testid': 'activity-list' });
    this.foot = h('div', { class: 'timeline-foot' });
    this.el = h('div', { class: 'activity', 'data-testid': 'activity' }, this.list, this.foot);
    this.unlisten = members.onChange(() => this.render());
    this.clock = setInterval(() => this.loaded && this.render(), 60000); // "5 min ago" moves on
  }

  /** Show this lead's history (loads it the first time; `reload` after a resync of the lead feed). */
  show(lead, { reload = false } = {}) {
    const changed = !this.lead || this.lead.id !== lead.id;
    this.lead = lead;
    if (changed || reload) {
      this.items = new Map();
      this.nextCursor = null;
      this.loaded = false;
      this.failed = null;
      this.fetch(null);
    }
    this.render();
  }

  setLead(lead) {
    if (this.lead && this.lead.id === lead.id) this.lead = lead;
  }

  clear() {
    this.lead = null;
    this.items = new Map();
    this.loaded = false;
    replace(this.list);
    replace(this.foot);
  }

  async fetch(cursor) {
    const leadId = this.lead.id;
    this.loading = true;
    this.render();
    try {
      const page = await api.get(paths.leadActivity(leadId, { limit: PAGE, cursor }));
      if (!this.lead || this.lead.id !== leadId) return;
      for (const item of page.items) this.items.set(item.id, item);
      this.nextCursor = page.next_cursor;
      this.loaded = true;
      this.failed = null;
    } catch (err) {
      if (this.lead && this.lead.id === leadId) this.failed = err.message || 'Could not load the activity.';
    } finally {
      this.loading = false;
      this.render();
    }
  }

  /** A live event of the open lead (ids dedupe against what the page already brought). */
  event(event) {
    if (!this.lead || event.lead_id !== this.lead.id || typeof event.id !== 'number' || this.items.has(event.id)) return;
    this.items.set(event.id, event);
    if (this.loaded) this.render();
  }

  render() {
    if (!this.lead) return;
    const items = [...this.items.values()].sort((a, b) => b.id - a.id);
    const entries = activityEntries(items, { memberName: (id) => this.members.name(id), leadLabel: leadName(this.lead), hasMore: Boolean(this.nextCursor) });
    if (!this.loaded && !this.failed) replace(this.list, h('li', { class: 'timeline-note' }, h('span', { class: 'spinner spinner-sm' }), 'Loading activity…'));
    else if (!entries.length && !this.nextCursor) replace(this.list, h('li', { class: 'timeline-note muted' }, 'Nothing has happened on this lead yet.'));
    else replace(this.list, entries.map((entry) => this.row(entry)));
    if (this.failed) replace(this.foot, h('p', { class: 'failure' }, icon('alert', { size: 13 }), this.failed), this.moreButton('Try again'));
    else if (this.nextCursor) replace(this.foot, this.moreButton('Load more'));
    else replace(this.foot, this.loaded && entries.length ? h('span', { class: 'muted' }, 'Start of this lead’s history') : null);
  }

  moreButton(label) {
    return h(
      'button',
      { type: 'button', class: 'btn btn-sm btn-ghost', disabled: this.loading, 'data-testid': 'activity-more', onclick: () => this.fetch(this.loaded ? this.nextCursor : null) },
      this.loading ? h('span', { class: 'spinner spinner-xs' }) : null,
      this.loading ? 'Loading…' : label,
    );
  }

  row(entry) {
    const actor = entry.actor;
    const who =
      actor.type === 'user'
        ? memberAvatar(this.members.get(actor.id) || { id: actor.id, name: actor.name || 'A teammate' }, { size: 'xs', prefix: 'By' })
        : h('span', { class: `timeline-icon actor-${actor.type}` }, icon(actor.type === 'ai' ? 'sparkle' : entry.icon || 'dot', { size: 12 }));
    return h(
      'li',
      { class: ['timeline-item', entry.tone && `tone-${entry.tone}`], 'data-testid': 'activity-item', 'data-event-id': String(entry.eventId) },
      who,
      h(
        'div',
        { class: 'timeline-body' },
        h('span', { class: 'timeline-text' }, entry.text),
        entry.appointment ? h('span', { class: 'timeline-detail' }, `for ${fullTime(entry.appointment)}`) : null,
        entry.detail ? h('span', { class: 'timeline-detail' }, entry.detail) : null,
        h('time', { class: 'timeline-time', datetime: entry.at, title: fullTime(entry.at) }, relativeTime(entry.at)),
      ),
    );
  }

  destroy() {
    clearInterval(this.clock);
    this.unlisten();
  }
}
