// The Integrations page's rules (web/js/integration_forms.js): each provider's form, what a card says, and
// that secrets are never put back into a form. Run: node --test web/tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  PROVIDER_SPECS,
  providerSpec,
  maskedHint,
  connectionState,
  connectionDetails,
  initialValues,
  connectBody,
  connectErrorText,
} from '../js/integration_forms.js';

const connected = (overrides = {}) => ({
  provider: 'gohighlevel',
  connected: true,
  status: 'ok',
  error: null,
  base_url: 'https://services.leadconnectorhq.com',
  settings: { location_id: 'loc-42' },
  secret_hint: 'wxyz',
  updated_at: '2025-03-01T10:00:00+00:00',
  ...overrides,
});

test('one spec per provider, with the fields API.md names', () => {
  assert.deepEqual(PROVIDER_SPECS.map((s) => s.id), ['emailbison', 'gohighlevel', 'unipile']);
  const names = (id) => providerSpec(id).fields.map((f) => f.name).sort();
  assert.deepEqual(names('emailbison'), ['api_key', 'base_url']);
  assert.deepEqual(names('gohighlevel'), ['base_url', 'location_id', 'private_integration_token']);
  assert.deepEqual(names('unipile'), ['account_id', 'api_key', 'base_url']);
  assert.equal(providerSpec('nope'), null);
});

test('a card says not connected, connected, or error with the reason', () => {
  assert.deepEqual(connectionState({ connected: false, status: 'ok' }), { state: 'not_connected', label: 'Not connected', tone: 'muted', reason: null });
  assert.equal(connectionState(null).state, 'not_connected');
  assert.equal(connectionState(connected()).label, 'Connected');
  const failing = connectionState(connected({ status: 'error', error: 'Invalid JWT' }));
  assert.equal(failing.state, 'error');
  assert.equal(failing.reason, 'Invalid JWT');
});

test('details show the base URL, the settings and the masked hint, never more', () => {
  const rows = connectionDetails(providerSpec('gohighlevel'), connected());
  assert.deepEqual(rows, [
    ['Base URL', 'https://services.leadconnectorhq.com'],
    ['Location ID', 'loc-42'],
    ['Secret', '••••wxyz'],
  ]);
  assert.deepEqual(connectionDetails(providerSpec('gohighlevel'), { connected: false }), []);
  assert.equal(maskedHint(null), null);
});

test('a form starts from the connection but never with a secret in it', () => {
  const values = initialValues(providerSpec('gohighlevel'), connected());
  assert.deepEqual(values, { base_url: 'https://services.leadconnectorhq.com', location_id: 'loc-42', private_integration_token: '' });
  assert.deepEqual(initialValues(providerSpec('emailbison'), null), { base_url: '', api_key: '' });
});

test('the PUT body holds the trimmed fields; GoHighLevel may leave its base URL out', () => {
  const emailbison = connectBody(providerSpec('emailbison'), { base_url: ' https://mail.example.com/ ', api_key: ' key-1234 ' });
  assert.deepEqual(emailbison, { ok: true, body: { base_url: 'https://mail.example.com/', api_key: 'key-1234' } });
  const ghl = connectBody(providerSpec('gohighlevel'), { base_url: '', location_id: 'loc-1', private_integration_token: 'pit-1' });
  assert.deepEqual(ghl, { ok: true, body: { location_id: 'loc-1', private_integration_token: 'pit-1' } });
});

test('missing fields and non-http addresses are named before any request', () => {
  const result = connectBody(providerSpec('unipile'), { base_url: 'ftp://files.example.com', api_key: '  ', account_id: '' });
  assert.equal(result.ok, false);
  assert.deepEqual(Object.keys(result.errors).sort(), ['account_id', 'api_key', 'base_url']);
  assert.match(result.errors.base_url, /http/);
  assert.match(result.errors.api_key, /required/);
  assert.equal(connectBody(providerSpec('emailbison'), { base_url: 'https://x.example.com?a=1', api_key: 'k' }).ok, false);
});

test("the server's refusals read as what to do next", () => {
  assert.match(connectErrorText('secret_key_missing', 'set SETTERDESK_SECRET_KEY'), /secret key/);
  assert.equal(connectErrorText('invalid_integration', 'base_url must be an http(s) URL'), 'base_url must be an http(s) URL');
  assert.match(connectErrorText('forbidden', 'only owners'), /owners and admins/);
});
