// The inbox's filters (web/js/inbox_filters.js). Run: node --test web/tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { loadFilter, saveFilter, listQuery, matchesFilter, snippetParts, DEFAULT_FILTER } from '../js/inbox_filters.js';

function memoryStorage() {
  const map = new Map();
  return { getItem: (k) => (map.has(k) ? map.get(k) : null), setItem: (k, v) => map.set(k, String(v)), removeItem: (k) => map.delete(k) };
}

test('the segment and the unread toggle are remembered per user', () => {
  const storage = memoryStorage();
  assert.deepEqual(loadFilter(storage, 'u1'), DEFAULT_FILTER);
  saveFilter(storage, 'u1', { segment: 'mine', unread: true, sentiment: 'Interested', q: 'x' });
  assert.deepEqual(loadFilter(storage, 'u1'), { segment: 'mine', unread: true, sentiment: '', q: '' });
  assert.deepEqual(loadFilter(storage, 'u2'), DEFAULT_FILTER);
  storage.setItem('setterdesk.inbox.u3', '{not json');
  assert.deepEqual(loadFilter(storage, 'u3'), DEFAULT_FILTER);
  storage.setItem('setterdesk.inbox.u4', '{"segment":"bogus"}');
  assert.equal(loadFilter(storage, 'u4').segment, 'all');
});

test('the list query', () => {
  assert.deepEqual(listQuery({ segment: 'mine', unread: true, sentiment: 'Interested', q: 'thursday' }), { assigned: 'me', unread: 'true', sentiment: 'Interested', q: 'thursday' });
  assert.deepEqual(listQuery({ segment: 'unassigned', unread: false, sentiment: '', q: '' }), { assigned: 'none', unread: '', sentiment: '', q: '' });
  assert.equal(listQuery(DEFAULT_FILTER).assigned, '');
});

test('live events are checked against the filters that can be checked here', () => {
  const lead = { id: 'l', first_name: 'Ava', last_name: 'Novak', email: 'ava@x.example', sentiment_tag: 'Interested', assigned_to: 'me' };
  const f = (change) => ({ ...DEFAULT_FILTER, ...change });
  assert.ok(matchesFilter(lead, f({ segment: 'mine' }), { meId: 'me' }));
  assert.ok(!matchesFilter(lead, f({ segment: 'mine' }), { meId: 'bo' }));
  assert.ok(!matchesFilter(lead, f({ segment: 'unassigned' }), { meId: 'me' }));
  assert.ok(matchesFilter({ ...lead, assigned_to: null }, f({ segment: 'unassigned' }), { meId: 'me' }));
  assert.ok(!matchesFilter(lead, f({ sentiment: 'Objection' }), { meId: 'me' }));
  assert.ok(!matchesFilter(lead, f({ unread: true }), { meId: 'me', unreadCount: 0 }));
  assert.ok(matchesFilter(lead, f({ unread: true }), { meId: 'me', unreadCount: 0, selected: true }));
  assert.ok(matchesFilter(lead, f({ unread: true }), { meId: 'me', unreadCount: 2 }));
  // Search: contact fields here; message text only on the server, so a listed lead stays.
  assert.ok(matchesFilter(lead, f({ q: 'nov' }), { meId: 'me' }));
  assert.ok(!matchesFilter(lead, f({ q: 'thursday' }), { meId: 'me' }));
  assert.ok(matchesFilter(lead, f({ q: 'thursday' }), { meId: 'me', listed: true }));
  assert.ok(!matchesFilter(lead, f({ q: 'thursday', sentiment: 'Objection' }), { meId: 'me', listed: true }));
});

test('search snippets: the «marked» words apart, everything else as text', () => {
  assert.deepEqual(snippetParts('…can we do «Thursday» at 3…'), [
    { text: '…can we do ', mark: false },
    { text: 'Thursday', mark: true },
    { text: ' at 3…', mark: false },
  ]);
  assert.deepEqual(snippetParts('«call» «Friday»'), [
    { text: 'call', mark: true },
    { text: ' ', mark: false },
    { text: 'Friday', mark: true },
  ]);
  assert.deepEqual(snippetParts('<b>no html</b> «x'), [{ text: '<b>no html</b> «x', mark: false }]);
  assert.deepEqual(snippetParts(null), []);
});
