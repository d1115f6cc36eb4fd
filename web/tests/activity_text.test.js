// A lead's history as sentences (web/js/activity_text.js; API.md, "Team workflow"). Run: node --test web/tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { activityEntries, describeEvent, leadChangeEntries, actorLabel, relativeTime, isBounceSender } from '../js/activity_text.js';

const ANA = { type: 'user', id: 'u-ana', name: 'Ana Ruiz' };
const BO = { id: 'u-bo', name: 'Bo Lind' };
const members = { 'u-ana': 'Ana Ruiz', 'u-bo': 'Bo Lind' };
const memberName = (id) => members[id] || null;

let nextId = 100;
function event(type, data, actor = { type: 'system' }) {
  nextId -= 1;
  return { id: nextId, type, lead_id: 'l1', at: '2026-03-01T10:00:00+00:00', data, actor };
}

function lead(overrides = {}) {
  return { id: 'l1', first_name: 'Ava', last_name: 'Novak', email: 'ava@x.example', sentiment_tag: 'New', assigned_to: null, appointment_booked_at: null, ...overrides };
}

const texts = (entries) => entries.map((e) => e.text);

test('who did it: a teammate by name, the AI, the provider, the system', () => {
  assert.equal(actorLabel(ANA), 'Ana Ruiz');
  assert.equal(actorLabel({ type: 'user', id: 'u-bo' }, memberName), 'Bo Lind');
  assert.equal(actorLabel({ type: 'ai' }), 'AI');
  assert.equal(actorLabel({ type: 'provider', name: 'EmailBison' }), 'EmailBison');
  assert.equal(actorLabel({ type: 'system' }), 'Setterdesk');
  assert.equal(actorLabel(undefined), 'Setterdesk');
});

test('sentiment changes say who set what', () => {
  const byAna = describeEvent(event('lead.sentiment_changed', { lead: lead({ sentiment_tag: 'Interested' }), previous_sentiment_tag: 'New' }, ANA));
  assert.equal(byAna.text, 'Ana Ruiz set Interested');
  assert.equal(byAna.detail, 'was New');
  const byAi = describeEvent(event('lead.sentiment_changed', { lead: lead({ sentiment_tag: 'Objection' }), previous_sentiment_tag: 'New' }, { type: 'ai' }));
  assert.equal(byAi.text, 'AI set Objection');
  const optOut = describeEvent(event('lead.sentiment_changed', { lead: lead({ sentiment_tag: 'Blacklist' }), previous_sentiment_tag: 'New' }, { type: 'provider', name: 'EmailBison' }));
  assert.equal(optOut.text, 'EmailBison reported an opt-out');
});

test('drafts: written by the AI, approved and sent by a teammate through the provider', () => {
  assert.equal(describeEvent(event('draft.created', { draft: { id: 'd1', channel: 'email' } }, { type: 'ai' })).text, 'AI drafted an email');
  const approved = describeEvent(
    event('draft.approved', { draft: { id: 'd2', channel: 'sms', disposition: 'APPROVED' }, message: { channel: 'sms', delivery: { provider: 'gohighlevel', status: 'queued' } } }, ANA),
  );
  assert.equal(approved.text, 'Ana Ruiz approved and sent via GoHighLevel');
  const edited = describeEvent(event('draft.approved', { draft: { id: 'd3', channel: 'email', disposition: 'EDITED' }, message: { channel: 'email', delivery: null } }, ANA));
  assert.equal(edited.text, 'Ana Ruiz edited and sent via EmailBison');
  assert.equal(describeEvent(event('draft.rejected', { draft: { id: 'd4', channel: 'linkedin' } }, ANA)).text, 'Ana Ruiz rejected the LinkedIn draft');
  assert.match(describeEvent(event('draft.failed', { lead_id: 'l1', channel: 'email', reason: 'model timed out' }, { type: 'ai' })).detail, /timed out/);
});

test('messages: replies, bounces, a teammate’s own reply; the approved one is told once, by draft.approved', () => {
  const reply = describeEvent(event('message.created', { message: { id: 'm1', channel: 'sms', direction: 'inbound', from: '+1555' } }, { type: 'provider', name: 'GoHighLevel' }), { leadLabel: 'Ava Novak' });
  assert.equal(reply.text, 'Ava replied by SMS');
  assert.equal(reply.detail, 'via GoHighLevel');
  const bounce = describeEvent(event('message.created', { message: { id: 'm2', channel: 'email', direction: 'inbound', from: 'Mail Delivery Subsystem <MAILER-DAEMON@mx.example>' } }, { type: 'provider', name: 'EmailBison' }));
  assert.equal(bounce.text, 'EmailBison reported a bounce');
  const own = describeEvent(event('message.created', { message: { id: 'm3', channel: 'email', direction: 'outbound', sent_by: 'setter', draft_id: null, delivery: { provider: 'emailbison', status: 'queued' } } }, ANA));
  assert.equal(own.text, 'Ana Ruiz sent an email');
  assert.equal(describeEvent(event('message.created', { message: { id: 'm4', channel: 'email', direction: 'outbound', sent_by: 'ai', draft_id: 'd1' } }, ANA)), null);
});

test('deliveries: only the outcomes, not the steps in between', () => {
  const message = (status, error = null) => ({ message: { id: 'm', channel: 'sms', direction: 'outbound', delivery: { provider: 'gohighlevel', status, error } } });
  assert.equal(describeEvent(event('message.updated', message('sending'))), null);
  assert.equal(describeEvent(event('message.updated', message('sent'))).text, 'GoHighLevel accepted an SMS');
  const failed = describeEvent(event('message.updated', message('failed', { code: 'provider_rejected', message: 'invalid number' })));
  assert.equal(failed.text, 'GoHighLevel refused an SMS');
  assert.equal(failed.detail, 'invalid number');
});

test('assignment is read off consecutive lead states', () => {
  const before = lead();
  assert.deepEqual(texts(leadChangeEntries(event('lead.updated', { lead: lead({ assigned_to: 'u-bo' }) }, ANA), before, memberName)), ['Ana Ruiz assigned this lead to Bo Lind']);
  assert.deepEqual(texts(leadChangeEntries(event('lead.updated', { lead: lead({ assigned_to: 'u-ana' }) }, ANA), before, memberName)), ['Ana Ruiz took this lead']);
  assert.deepEqual(texts(leadChangeEntries(event('lead.updated', { lead: lead() }, ANA), lead({ assigned_to: 'u-bo' }), memberName)), ['Ana Ruiz unassigned Bo Lind']);
  assert.deepEqual(texts(leadChangeEntries(event('lead.updated', { lead: lead({ assigned_to: BO.id }) }), null, memberName)), ['Assigned to Bo Lind automatically']);
  // A lead.updated that only moved timestamps or draft markers says nothing.
  assert.deepEqual(leadChangeEntries(event('lead.updated', { lead: lead({ last_message_at: 'x' }) }, ANA), before, memberName), []);
});

test('the timeline: newest first, lead.updated against the older state, autosaves folded', () => {
  nextId = 100;
  const items = [
    event('lead.updated', { lead: lead({ assigned_to: 'u-bo', sentiment_tag: 'Interested' }) }, ANA),
    event('draft.updated', { draft: { id: 'd1', channel: 'email' } }, ANA),
    event('draft.updated', { draft: { id: 'd1', channel: 'email' } }, ANA),
    event('draft.updated', { draft: { id: 'd1', channel: 'email' } }, ANA),
    event('lead.read', { lead_id: 'l1', user_id: 'u-ana', read_at: 'x' }, ANA),
    event('lead.sentiment_changed', { lead: lead({ sentiment_tag: 'Interested' }), previous_sentiment_tag: 'New' }, ANA),
    event('lead.updated', { lead: lead() }, { type: 'provider', name: 'EmailBison' }),
  ];
  const entries = activityEntries(items, { memberName, hasMore: false });
  assert.deepEqual(texts(entries), ['Ana Ruiz assigned this lead to Bo Lind', 'Ana Ruiz edited the email draft', 'Ana Ruiz set Interested']);
  assert.equal(entries[1].detail, '3 edits');
  assert.equal(entries[0].eventId, items[0].id);
  // With more pages to come, the oldest lead.updated waits for its "before" rather than guess.
  const partial = activityEntries([items[0]], { memberName, hasMore: true });
  assert.deepEqual(partial, []);
});

test('relative times', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  assert.equal(relativeTime('2026-03-10T11:59:30Z', now), 'just now');
  assert.equal(relativeTime('2026-03-10T11:55:00Z', now), '5 min ago');
  assert.equal(relativeTime('2026-03-10T09:00:00Z', now), '3 h ago');
  assert.equal(relativeTime('2026-03-09T08:00:00Z', now), 'yesterday');
  assert.equal(relativeTime('2026-03-06T12:00:00Z', now), '4 days ago');
  assert.equal(relativeTime('2026-01-02T12:00:00Z', now), 'Jan 2');
  assert.equal(relativeTime(null, now), '');
});

test('bounce senders', () => {
  assert.ok(isBounceSender('postmaster@mx.example'));
  assert.ok(isBounceSender('bounces+123@mail.example'));
  assert.ok(!isBounceSender('ava@prospect.example'));
});
