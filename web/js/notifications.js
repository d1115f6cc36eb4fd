// Telling the user about what needs them (notify_rules.js decides what): a toast they can click while the
// tab is in front, the browser's Notification while it is hidden. Permission is asked once, from a click on
// the inbox's "Enable desktop notifications" prompt, and a "Not now" or a refusal is remembered.

import { h, toast } from './dom.js';
import { icon } from './icons.js';
import { notificationFor, NotifyLimiter } from './notify_rules.js';

const TOAST_MS = 8000;
const PRUNE_MS = 10 * 60 * 1000;

function promptKey(userId) {
  return `setterdesk.notify-prompt.${userId}`;
}

function supported() {
  return typeof window.Notification === 'function';
}

export class Notifier {
  constructor(session, { navigate, isViewing }) {
    this.me = session.me.user;
    this.navigate = navigate;
    this.isViewing = isViewing;
    this.pending = new Map(); // lead id -> its message.created, judged when its lead.updated (same commit) says whose it is
    this.limiter = new NotifyLimiter({ storage: window.localStorage, userId: this.me.id, tabId: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}` });
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_MS);
    this.prompt = h('div', { class: 'notify-prompt', hidden: true, 'data-testid': 'notify-prompt' });
    this.renderPrompt();
  }

  /** Each inbox event, with the lead as the inbox knows it after the event (null when it does not). */
  consider(event, lead) {
    const data = event.data || {};
    // Known only by id (not listed under the current filter): its lead.updated, right behind, says whose and who.
    if (event.type === 'message.created' && data.message && data.message.direction === 'inbound' && !(lead && 'first_name' in lead)) {
      this.pending.set(data.message.lead_id, event);
      return;
    }
    if ((event.type === 'lead.updated' || event.type === 'lead.sentiment_changed') && data.lead && this.pending.has(data.lead.id)) {
      const message = this.pending.get(data.lead.id);
      this.pending.delete(data.lead.id);
      this.decide(message, data.lead);
    }
    this.decide(event, lead);
  }

  decide(event, lead) {
    const leadId = (lead && lead.id) || event.lead_id;
    const note = notificationFor(event, { lead, meId: this.me.id, viewing: this.isViewing(leadId) });
    if (note) this.deliver(note);
  }

  async deliver(note) {
    const visible = document.visibilityState === 'visible';
    if (!(await this.limiter.claim(note.leadId, { visible }))) return; // this or another tab told already
    if (!visible && supported() && window.Notification.permission === 'granted') {
      this.desktop(note);
      return;
    }
    toast(`${note.title}: ${note.body}`, note.kind === 'reply' ? 'info' : 'success', TOAST_MS, {
      testid: 'notify-toast',
      onclick: () => this.navigate(`/leads/${note.leadId}`),
    });
  }

  desktop(note) {
    try {
      const shown = new window.Notification(note.title, { body: note.body, tag: `setterdesk-lead-${note.leadId}`, icon: '/static/img/favicon.svg' });
      shown.onclick = () => {
        window.focus();
        this.navigate(`/leads/${note.leadId}`);
        shown.close();
      };
    } catch (err) {
      console.warn('[notify] desktop notification failed', err);
    }
  }

  // --- asking for permission ------------------------------------------------------------------------
  shouldPrompt() {
    if (!supported() || window.Notification.permission !== 'default') return false;
    try {
      return !window.localStorage.getItem(promptKey(this.me.id));
    } catch {
      return false;
    }
  }

  remember(answer) {
    try {
      window.localStorage.setItem(promptKey(this.me.id), answer);
    } catch {
      // Storage off: the prompt comes back next visit, which is the best we can do.
    }
  }

  renderPrompt() {
    this.prompt.hidden = !this.shouldPrompt();
    if (this.prompt.hidden) return;
    this.prompt.replaceChildren(
      icon('info', { size: 14 }),
      h('span', { class: 'grow' }, 'Get a desktop notification when your leads reply.'),
      h('button', { type: 'button', class: 'btn btn-sm btn-primary', 'data-testid': 'notify-enable', onclick: () => this.ask() }, 'Enable'),
      h('button', { type: 'button', class: 'btn btn-sm btn-ghost', 'data-testid': 'notify-dismiss', onclick: () => this.dismiss() }, 'Not now'),
    );
  }

  async ask() {
    this.remember('asked'); // one ask, whatever the answer: a refusal is never asked again
    let answer = 'default';
    try {
      answer = await window.Notification.requestPermission();
    } catch (err) {
      console.warn('[notify] permission request failed', err);
    }
    this.renderPrompt();
    if (answer === 'granted') toast('Desktop notifications are on.', 'success');
    else if (answer === 'denied') toast('Desktop notifications are off. Replies still show here while Setterdesk is open.', 'info', 5000);
  }

  dismiss() {
    this.remember('dismissed');
    this.renderPrompt();
  }

  prune() {
    try {
      const keys = Array.from({ length: window.localStorage.length }, (_, i) => window.localStorage.key(i)).filter(Boolean);
      this.limiter.prune(keys);
    } catch {
      // Storage off: nothing to prune.
    }
  }

  destroy() {
    clearInterval(this.pruneTimer);
  }
}
