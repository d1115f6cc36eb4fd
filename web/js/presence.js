// Presence: who else has a lead open ("Dana is viewing", "Sam is composing on email"), and telling the
// others what we do. The server keeps it per connection and drops it when the socket closes.

import { h, avatar } from './dom.js';
import { CHANNEL_LABEL } from './icons.js';

const COMPOSING_IDLE_MS = 8000;

function firstName(name) {
  return String(name || 'Someone').trim().split(/\s+/)[0];
}

/** Teammates only: our own other tabs are not news. */
export function others(viewers, me) {
  return (viewers || []).filter((v) => v.user_id !== me.id);
}

export function describe(viewer, { short = false } = {}) {
  const who = short ? firstName(viewer.name) : viewer.name;
  if (viewer.state === 'composing') {
    const where = viewer.channel ? ` on ${CHANNEL_LABEL[viewer.channel] || viewer.channel}` : '';
    return short ? `${who} composing${where}` : `${who} is composing${where}`;
  }
  if (viewer.state === 'idle') return short ? `${who} idle` : `${who} is idle`;
  return short ? `${who} viewing` : `${who} is viewing`;
}

/** The presence line in the lead header. */
export function presenceBar(viewers, me) {
  const list = others(viewers, me);
  if (!list.length) return null;
  return h(
    'div',
    { class: 'presence', 'data-testid': 'presence' },
    h('span', { class: 'presence-avatars' }, list.slice(0, 4).map((v) => avatar(v.name, 'xs'))),
    h(
      'span',
      { class: 'presence-text' },
      list.map((v, i) => h('span', { class: `presence-item state-${v.state}`, 'data-user': v.user_id }, i ? ', ' : '', describe(v))),
    ),
  );
}

/** The compact presence marker of a list row. */
export function presenceChip(viewers, me) {
  const list = others(viewers, me);
  if (!list.length) return null;
  const composing = list.find((v) => v.state === 'composing');
  const lead = composing || list[0];
  const more = list.length > 1 ? ` +${list.length - 1}` : '';
  return h(
    'span',
    { class: `row-presence ${composing ? 'composing' : ''}`, 'data-testid': 'row-presence', title: list.map((v) => describe(v)).join('\n') },
    h('span', { class: 'pulse' }),
    describe(lead, { short: true }) + more,
  );
}

/**
 * Our own state on the open lead: viewing while it is open; composing (with the channel) while typing
 * in a compose pane, falling back to viewing a few seconds after the last keystroke; idle when hidden.
 */
export class PresenceReporter {
  constructor(realtime) {
    this.realtime = realtime;
    this.leadId = null;
    this.channel = null;
    this.composingTimer = null;
    this.onVisibility = () => this.report(this.composingTimer ? 'composing' : 'viewing');
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  open(leadId) {
    this.leadId = leadId;
    clearTimeout(this.composingTimer);
    this.composingTimer = null;
    this.report('viewing');
  }

  close() {
    this.leadId = null;
    clearTimeout(this.composingTimer);
    this.composingTimer = null;
  }

  typing(channel) {
    this.channel = channel;
    clearTimeout(this.composingTimer);
    this.composingTimer = setTimeout(() => {
      this.composingTimer = null;
      this.report('viewing');
    }, COMPOSING_IDLE_MS);
    this.report('composing');
  }

  stopTyping() {
    clearTimeout(this.composingTimer);
    this.composingTimer = null;
    this.report('viewing');
  }

  report(state) {
    if (!this.leadId) return;
    const effective = document.visibilityState === 'hidden' ? 'idle' : state;
    this.realtime.setPresence(this.leadId, effective, effective === 'composing' ? this.channel : null);
  }

  destroy() {
    this.close();
    document.removeEventListener('visibilitychange', this.onVisibility);
  }
}
