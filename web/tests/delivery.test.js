// What an outbound message's delivery shows under its bubble, and when "Send again" is allowed
// (web/js/delivery.js; API.md, "Sending"). Run: node --test web/tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  deliveryView,
  sentByLine,
  sendAgainPlan,
  isNewerDelivery,
  canManageIntegrations,
  providerOf,
  SETTINGS_PATH,
} from '../js/delivery.js';

function message(delivery, overrides = {}) {
  return {
    id: 'm1',
    lead_id: 'l1',
    channel: 'email',
    direction: 'outbound',
    sent_by: 'setter',
    sent_by_user: { id: 'u1', name: 'Sam Park' },
    delivery: delivery === null ? null : { status: 'queued', provider: 'emailbison', provider_message_id: null, error: null, attempts: 0, updated_at: '2025-03-01T10:00:00+00:00', ...delivery },
    ...overrides,
  };
}

test('queued and sending both read "Sending…", with nothing to click', () => {
  for (const status of ['queued', 'sending']) {
    const view = deliveryView(message({ status }));
    assert.equal(view.label, 'Sending…');
    assert.equal(view.tone, 'pending');
    assert.equal(view.sendAgain, null);
  }
});

test('sent reads "Sent ✓"', () => {
  const view = deliveryView(message({ status: 'sent', provider_message_id: 'x1' }));
  assert.equal(view.label, 'Sent ✓');
  assert.equal(view.tone, 'good');
  assert.equal(view.sendAgain, null);
});

test("failed shows the provider's reason and offers to send again at once", () => {
  const view = deliveryView(message({ status: 'failed', attempts: 3, error: { code: 'provider_rejected', message: 'the recipient address is invalid' } }));
  assert.equal(view.label, 'Failed — the recipient address is invalid');
  assert.equal(view.sendAgain, 'now');
  assert.match(view.detail, /3 attempts/);
  assert.deepEqual(sendAgainPlan(message({ status: 'failed' })), { request: {} });
});

test('a failure without a message still says something', () => {
  assert.equal(deliveryView(message({ status: 'failed', error: { code: 'http_500', message: '' } })).label, 'Failed — http_500');
  assert.equal(deliveryView(message({ status: 'failed', error: null })).label, 'Failed — no reason given');
});

test('unknown reads "May have been sent" and sends again only once confirmed', () => {
  const unknown = message({ status: 'unknown', error: { code: 'interrupted', message: 'no answer' } });
  const view = deliveryView(unknown);
  assert.equal(view.label, 'May have been sent');
  assert.equal(view.tone, 'warn');
  assert.equal(view.sendAgain, 'confirm');
  assert.match(view.detail, /EmailBison/);
  assert.deepEqual(sendAgainPlan(unknown), { confirm: true });
  assert.deepEqual(sendAgainPlan(unknown, { confirmed: true }), { request: { confirm_unknown: true } });
});

test('not connected: "Not sent — connect <Provider>", a link to the settings for owners and admins only', () => {
  const notSent = (channel, provider) =>
    message({ status: 'not_sent', provider, error: { code: 'integration_not_connected', message: `${provider} is not connected` } }, { channel });
  for (const [channel, provider, name] of [['email', 'emailbison', 'EmailBison'], ['sms', 'gohighlevel', 'GoHighLevel'], ['linkedin', 'unipile', 'Unipile']]) {
    for (const role of ['owner', 'admin']) {
      const view = deliveryView(notSent(channel, provider), { role });
      assert.equal(view.label, `Not sent — connect ${name}`);
      assert.deepEqual(view.connect, { provider, name, href: SETTINGS_PATH });
      assert.equal(view.detail, null);
    }
    const setter = deliveryView(notSent(channel, provider), { role: 'setter' });
    assert.equal(setter.label, `Not sent — connect ${name}`);
    assert.equal(setter.connect.href, null);
    assert.match(setter.detail, /owner or admin/);
    assert.equal(setter.sendAgain, null);
  }
});

test('not sent for another reason shows that reason, and cannot be sent again', () => {
  const missing = message({ status: 'not_sent', error: { code: 'missing_thread', message: 'no EmailBison reply to answer' } });
  const view = deliveryView(missing, { role: 'owner' });
  assert.equal(view.label, 'Not sent — no EmailBison reply to answer');
  assert.equal(view.connect, null);
  assert.equal(view.sendAgain, null);
  assert.ok(sendAgainPlan(missing).refuse);
  assert.equal(deliveryView(message({ status: 'not_sent', error: { code: 'missing_thread', message: '' } })).label, 'Not sent — there is no conversation with the lead to answer yet');
});

test('nothing to show for messages without a delivery; nothing to send again for sent or sending ones', () => {
  assert.equal(deliveryView(message(null)), null);
  assert.equal(deliveryView({ id: 'x', direction: 'inbound', delivery: null }), null);
  for (const status of ['queued', 'sending', 'sent', 'not_sent']) assert.ok(sendAgainPlan(message({ status })).refuse);
});

test('"Sent by <name> · via <Provider>" under outbound messages a teammate sent', () => {
  assert.equal(sentByLine(message({ status: 'sent' })), 'Sent by Sam Park · via EmailBison');
  assert.equal(sentByLine(message({ status: 'queued', provider: null }, { channel: 'sms' })), 'Sent by Sam Park · via GoHighLevel');
  assert.equal(sentByLine(message(null)), 'Sent by Sam Park');
  assert.equal(sentByLine(message({ status: 'sent' }, { sent_by_user: null })), null);
  assert.equal(sentByLine(message({ status: 'sent' }, { direction: 'inbound' })), null);
  assert.equal(providerOf(message({ provider: null }, { channel: 'linkedin' })), 'unipile');
});

test('an older copy never takes a delivery back (a slow HTTP answer after a newer event)', () => {
  const queued = message({ status: 'queued', updated_at: '2025-03-01T10:00:00.100+00:00' });
  const sending = message({ status: 'sending', attempts: 1, updated_at: '2025-03-01T10:00:00.200+00:00' });
  const sent = message({ status: 'sent', attempts: 1, updated_at: '2025-03-01T10:00:01+00:00' });
  assert.equal(isNewerDelivery(queued, sending), true);
  assert.equal(isNewerDelivery(sending, sent), true);
  assert.equal(isNewerDelivery(sent, queued), false);
  assert.equal(isNewerDelivery(sent, { ...sent }), true); // the same copy again is harmless
  assert.equal(isNewerDelivery(sent, message(null)), false);
});

test('owners and admins manage integrations; setters do not', () => {
  assert.equal(canManageIntegrations('owner'), true);
  assert.equal(canManageIntegrations('admin'), true);
  assert.equal(canManageIntegrations('setter'), false);
  assert.equal(canManageIntegrations(undefined), false);
});
