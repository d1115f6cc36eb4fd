// Which live events notify this user, and the per-lead limit shared by all of the user's tabs. Pure (the
// storage, clock and timer are passed in): web/tests/notify_rules.test.js.
//
// Notified: a new inbound reply on a lead assigned to me; an unassigned lead turning Interested (someone
// should grab it). Never what I did myself, never a reply on the lead I am looking at.

import { leadName } from './dom.js';

export const NOTIFY_INTERVAL_MS = 60 * 1000;
const STALE_MS = 5 * 60 * 1000; // events replayed after a long time offline are history, not news
const CLAIM_SETTLE_MS = 120; // how long a tab waits for a competing tab's claim to land before trusting its own
const HIDDEN_TAB_HEADSTART_MS = 250; // a visible tab claims first, so the user gets the in-page toast

const CHANNEL_WORD = { email: 'email', sms: 'SMS', linkedin: 'LinkedIn message' };

function excerpt(text, max = 140) {
  const flat = String(text || '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A notification for this event, or null.
 *   event: an inbox feed event; lead: the lead as this tab knows it now (after the event);
 *   meId: this user; viewing: the lead open in a visible tab of this page; now: for events replayed late.
 * A reply is judged when its lead is known (message.created comes just before its lead.updated).
 */
export function notificationFor(event, { lead, meId, viewing = false, now = Date.now() }) {
  const data = event.data || {};
  const actor = event.actor || {};
  if (actor.type === 'user' && actor.id === meId) return null;
  if (event.at && now - Date.parse(event.at) > STALE_MS) return null;
  if (event.type === 'message.created') {
    const message = data.message;
    if (!message || message.direction !== 'inbound' || !lead || lead.assigned_to !== meId || viewing) return null;
    return {
      leadId: lead.id,
      kind: 'reply',
      title: `${leadName(lead, 'A lead')} replied`,
      body: excerpt(message.subject && !message.body ? message.subject : message.body) || `New ${CHANNEL_WORD[message.channel] || 'message'}`,
    };
  }
  if (event.type === 'lead.sentiment_changed') {
    const changed = data.lead;
    if (!changed || changed.sentiment_tag !== 'Interested' || data.previous_sentiment_tag === 'Interested' || changed.assigned_to) return null;
    return {
      leadId: changed.id,
      kind: 'interested',
      title: `${leadName(changed, 'A lead')} is Interested`,
      body: 'Unassigned — open it to take it.',
    };
  }
  return null;
}

/**
 * At most one notification per lead per minute across the user's tabs. Each tab claims the lead in
 * localStorage (time and tab id), waits for a racing tab's claim to land, and notifies only when its own
 * claim is the one that stayed.
 */
export class NotifyLimiter {
  constructor({ storage, userId, tabId, now = () => Date.now(), sleep = (ms) => new Promise((r) => setTimeout(r, ms)), interval = NOTIFY_INTERVAL_MS }) {
    this.storage = storage;
    this.prefix = `setterdesk.notified.${userId}.`;
    this.tabId = tabId;
    this.now = now;
    this.sleep = sleep;
    this.interval = interval;
  }

  read(leadId) {
    try {
      const value = JSON.parse(this.storage.getItem(this.prefix + leadId) || 'null');
      return value && typeof value.at === 'number' ? value : null;
    } catch {
      return null;
    }
  }

  async claim(leadId, { visible = true } = {}) {
    if (!visible) await this.sleep(HIDDEN_TAB_HEADSTART_MS);
    const now = this.now();
    const last = this.read(leadId);
    if (last && now - last.at < this.interval) return false;
    const mine = { at: now, tab: this.tabId };
    try {
      this.storage.setItem(this.prefix + leadId, JSON.stringify(mine));
    } catch {
      return true; // no storage: each tab keeps its own limit (see below), better than none
    }
    await this.sleep(CLAIM_SETTLE_MS);
    const kept = this.read(leadId);
    return Boolean(kept && kept.tab === this.tabId && kept.at === now);
  }

  /** Forget claims older than the interval (called now and then; keys are per lead). */
  prune(keys) {
    const now = this.now();
    for (const key of keys) {
      if (!key.startsWith(this.prefix)) continue;
      const leadId = key.slice(this.prefix.length);
      const last = this.read(leadId);
      if (!last || now - last.at >= this.interval) this.storage.removeItem(key);
    }
  }
}
