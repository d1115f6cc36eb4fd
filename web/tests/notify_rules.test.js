// Which events notify, and one notification per lead per minute across tabs (web/js/notify_rules.js).
// Run: node --test web/tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { notificationFor, NotifyLimiter } from '../js/notify_rules.js';

const lead = (overrides = {}) => ({ id: 'l1', first_name: 'Ava', last_name: 'Novak', assigned_to: 'me', sentiment_tag: 'New', ...overrides });
const inbound = (body = 'Can we talk Thursday?') => ({
  type: 'message.created',
  actor: { type: 'provider', name: 'EmailBison' },
  data: { message: { id: 'm1', lead_id: 'l1', direction: 'inbound', channel: 'email', body } },
});

test('a reply on a lead assigned to me notifies, with who and what', () => {
  const note = notificationFor(inbound(), { lead: lead(), meId: 'me' });
  assert.deepEqual(note, { leadId: 'l1', kind: 'reply', title: 'Ava Novak replied', body: 'Can we talk Thursday?' });
});

test('not: someone else’s lead, an unassigned one, one I am looking at, our own outbound', () => {
  assert.equal(notificationFor(inbound(), { lead: lead({ assigned_to: 'bo' }), meId: 'me' }), null);
  assert.equal(notificationFor(inbound(), { lead: lead({ assigned_to: null }), meId: 'me' }), null);
  assert.equal(notificationFor(inbound(), { lead: lead(), meId: 'me', viewing: true }), null);
  assert.equal(notificationFor(inbound(), { lead: null, meId: 'me' }), null);
  const outbound = inbound();
  outbound.data.message.direction = 'outbound';
  assert.equal(notificationFor(outbound, { lead: lead(), meId: 'me' }), null);
});

test('an event replayed long after it happened (back from offline) is not news', () => {
  const old = { ...inbound(), at: '2026-03-01T10:00:00Z' };
  assert.equal(notificationFor(old, { lead: lead(), meId: 'me', now: Date.parse('2026-03-01T10:06:00Z') }), null);
  assert.equal(notificationFor(old, { lead: lead(), meId: 'me', now: Date.parse('2026-03-01T10:01:00Z') }).kind, 'reply');
});

test('an unassigned lead turning Interested notifies, unless I did it or it was already', () => {
  const changed = (l, previous = 'New', actor = { type: 'ai' }) => ({ type: 'lead.sentiment_changed', actor, data: { lead: l, previous_sentiment_tag: previous } });
  const note = notificationFor(changed(lead({ assigned_to: null, sentiment_tag: 'Interested' })), { meId: 'me' });
  assert.equal(note.kind, 'interested');
  assert.equal(note.title, 'Ava Novak is Interested');
  assert.equal(notificationFor(changed(lead({ assigned_to: 'bo', sentiment_tag: 'Interested' })), { meId: 'me' }), null);
  assert.equal(notificationFor(changed(lead({ assigned_to: null, sentiment_tag: 'Objection' })), { meId: 'me' }), null);
  assert.equal(notificationFor(changed(lead({ assigned_to: null, sentiment_tag: 'Interested' }), 'Interested'), { meId: 'me' }), null);
  assert.equal(notificationFor(changed(lead({ assigned_to: null, sentiment_tag: 'Interested' }), 'New', { type: 'user', id: 'me' }), { meId: 'me' }), null);
});

function memoryStorage() {
  const map = new Map();
  return { map, getItem: (k) => (map.has(k) ? map.get(k) : null), setItem: (k, v) => map.set(k, String(v)), removeItem: (k) => map.delete(k) };
}

test('one notification per lead per minute, shared by the tabs', async () => {
  const storage = memoryStorage();
  let clock = 1_000_000;
  const sleep = async () => {};
  const a = new NotifyLimiter({ storage, userId: 'me', tabId: 'A', now: () => clock, sleep });
  const b = new NotifyLimiter({ storage, userId: 'me', tabId: 'B', now: () => clock, sleep });
  assert.equal(await a.claim('l1'), true);
  assert.equal(await b.claim('l1'), false); // the other tab saw A's claim
  assert.equal(await a.claim('l1'), false); // and A itself does not repeat within the minute
  assert.equal(await b.claim('l2'), true); // another lead is another matter
  clock += 60_001;
  assert.equal(await b.claim('l1'), true);
});

test('two tabs racing for one event: only the claim that stayed notifies', async () => {
  const storage = memoryStorage();
  const clock = 5_000_000;
  let settle = null;
  const sleep = () => new Promise((resolve) => (settle = resolve));
  const a = new NotifyLimiter({ storage, userId: 'me', tabId: 'A', now: () => clock, sleep });
  const claim = a.claim('l1');
  await new Promise((r) => setImmediate(r));
  // Tab B read "nothing yet" before A's claim landed, and wrote its own after it.
  storage.setItem('setterdesk.notified.me.l1', JSON.stringify({ at: clock, tab: 'B' }));
  settle();
  assert.equal(await claim, false);
});

test('old claims are pruned', () => {
  const storage = memoryStorage();
  let clock = 0;
  const limiter = new NotifyLimiter({ storage, userId: 'me', tabId: 'A', now: () => clock, sleep: async () => {} });
  storage.setItem('setterdesk.notified.me.old', JSON.stringify({ at: 0, tab: 'A' }));
  storage.setItem('setterdesk.notified.me.new', JSON.stringify({ at: 59_000, tab: 'A' }));
  storage.setItem('other', 'x');
  clock = 60_500;
  limiter.prune([...storage.map.keys()]);
  assert.deepEqual([...storage.map.keys()].sort(), ['other', 'setterdesk.notified.me.new']);
});
