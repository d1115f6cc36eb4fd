// The footer under an outbound message: who sent it and through which provider, and its delivery as it
// changes ("Sending…", "Sent ✓", "Failed — why" with "Send again", ...). The wording and the rules are in
// delivery.js; this file draws them and performs "Send again" (POST /api/messages/{id}/send).
//
// A footer is one element per message, kept while the message is shown: update() redraws it in place, so
// an email's frame above it is never reloaded when only the delivery changed.

import { api, paths } from './api.js';
import { h, replace, fullTime } from './dom.js';
import { icon } from './icons.js';
import { deliveryView, sentByLine, sendAgainPlan } from './delivery.js';

const TONE_ICON = { pending: null, good: 'check', bad: 'alert', warn: 'alert', muted: 'info' };

export class DeliveryFooters {
  /** role: the signed-in user's (decides the "connect" link); onMessage: the server's newer copy of one. */
  constructor({ role, onMessage }) {
    this.role = role;
    this.onMessage = onMessage;
    this.footers = new Map(); // message id -> {el, message, ui: {confirming, busy, error}}
  }

  /** Forget every footer (another lead opened). */
  clear() {
    this.footers = new Map();
  }

  /** The footer element of an outbound message (null for inbound ones). */
  footer(message) {
    if (message.direction !== 'outbound') return null;
    const el = h('footer', { class: 'msg-foot', 'data-testid': 'message-foot' });
    const previous = this.footers.get(message.id);
    this.footers.set(message.id, { el, message, ui: previous ? previous.ui : idle() });
    this.draw(message.id);
    return el;
  }

  /** A newer copy of a shown message (message.updated, or the answer to "Send again"). */
  update(message) {
    const entry = this.footers.get(message.id);
    if (!entry) return;
    const before = entry.message.delivery ? entry.message.delivery.status : null;
    entry.message = message;
    // A confirmation asked about the state it was asked in: once the state moved on, it no longer applies.
    if (message.delivery && message.delivery.status !== before) entry.ui = idle();
    this.draw(message.id);
  }

  draw(messageId) {
    const entry = this.footers.get(messageId);
    if (!entry) return;
    const { el, message, ui } = entry;
    const view = deliveryView(message, { role: this.role });
    const byLine = sentByLine(message);
    el.hidden = !view && !byLine;
    el.dataset.status = view ? view.status : '';
    replace(
      el,
      h(
        'div',
        { class: 'msg-foot-row' },
        byLine ? h('span', { class: 'msg-sent-by-user', 'data-testid': 'sent-by-user' }, byLine) : null,
        h('span', { class: 'grow' }),
        view ? this.status(message, view) : null,
        view && view.sendAgain && !ui.confirming ? this.sendAgainButton(message, view, ui) : null,
      ),
      view && view.detail ? h('div', { class: 'delivery-detail muted' }, view.detail) : null,
      ui.confirming ? this.confirmStep(message, ui) : null,
      ui.error ? h('div', { class: 'delivery-error', role: 'alert', 'data-testid': 'send-again-error' }, ui.error) : null,
    );
  }

  status(message, view) {
    const d = message.delivery;
    const when = d.updated_at ? `Updated ${fullTime(d.updated_at)}` : '';
    const mark = view.tone === 'pending' ? h('span', { class: 'spinner spinner-xs' }) : icon(TONE_ICON[view.tone] || 'info', { size: 12 });
    let label = view.label;
    if (view.connect && view.connect.href) {
      // "Not sent — connect EmailBison", the last words a link to the settings page.
      const lead = view.label.slice(0, view.label.length - `connect ${view.connect.name}`.length);
      label = [lead, h('a', { href: view.connect.href, 'data-route': '', 'data-testid': 'connect-provider' }, `connect ${view.connect.name}`)];
    }
    return h('span', { class: `delivery delivery-${view.tone}`, 'data-testid': 'delivery', 'data-status': view.status, title: when }, mark, h('span', {}, label));
  }

  sendAgainButton(message, view, ui) {
    return h(
      'button',
      {
        class: 'btn btn-sm',
        'data-testid': 'send-again',
        disabled: ui.busy,
        onclick: () => this.sendAgain(message.id, { confirmed: false }),
      },
      ui.busy ? h('span', { class: 'spinner spinner-xs' }) : icon('refresh', { size: 12 }),
      ui.busy ? 'Sending…' : 'Send again',
    );
  }

  confirmStep(message, ui) {
    return h(
      'div',
      { class: 'notice notice-warn delivery-confirm', role: 'alert', 'data-testid': 'send-again-confirm' },
      icon('alert', { size: 14 }),
      h('div', { class: 'notice-body' }, h('strong', {}, 'The lead may already have this message.'), ' Send it again anyway? They could get it twice.'),
      h(
        'div',
        { class: 'notice-actions' },
        h('button', { class: 'btn btn-sm btn-danger', disabled: ui.busy, 'data-testid': 'send-again-confirm-yes', onclick: () => this.sendAgain(message.id, { confirmed: true }) }, ui.busy ? 'Sending…' : 'Send again anyway'),
        h('button', { class: 'btn btn-sm', disabled: ui.busy, onclick: () => this.setUi(message.id, idle()) }, 'Cancel'),
      ),
    );
  }

  setUi(messageId, ui) {
    const entry = this.footers.get(messageId);
    if (!entry) return;
    entry.ui = ui;
    this.draw(messageId);
  }

  async sendAgain(messageId, { confirmed }) {
    const entry = this.footers.get(messageId);
    if (!entry || entry.ui.busy) return;
    const plan = sendAgainPlan(entry.message, { confirmed });
    if (plan.confirm) return this.setUi(messageId, { ...idle(), confirming: true });
    if (plan.refuse) return this.setUi(messageId, { ...idle(), error: plan.refuse });
    this.setUi(messageId, { ...entry.ui, busy: true, error: null });
    let answer;
    try {
      answer = await api.post(paths.sendAgain(messageId), plan.request);
    } catch (err) {
      const text = err.code === 'not_retryable' ? 'It cannot be sent again in its current state.' : err.message;
      const current = this.footers.get(messageId);
      // An open confirmation stays open: "Send again anyway" can be tried once more.
      const confirming = Boolean(current && current.ui.confirming);
      this.setUi(messageId, { ...idle(), confirming, error: `Not sent again: ${text}` });
      return;
    }
    this.setUi(messageId, idle());
    if (answer && this.onMessage) this.onMessage(answer);
  }
}

function idle() {
  return { confirming: false, busy: false, error: null };
}
