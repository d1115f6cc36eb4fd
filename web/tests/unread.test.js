// This user's unread leads, counted the way the server counts them (web/js/unread.js). Run: node --test web/tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { UnreadIndex, countLabel, titleWithCount } from '../js/unread.js';

test('loaded from the server, then moved by inbound messages and reads', () => {
  const index = new UnreadIndex('me');
  index.reset([
    { id: 'a', unread_count: 2, assigned_to: 'me' },
    { id: 'b', unread_count: 1, assigned_to: null },
    { id: 'c', unread_count: 0, assigned_to: null },
    { id: 'd', unread_count: 4, assigned_to: 'bo' },
  ]);
  assert.deepEqual(index.totals(), { mine: 1, unassigned: 1, all: 3, waiting: 2, complete: true });
  index.inbound('a', 'me');
  index.inbound('c', null);
  assert.equal(index.count('a'), 3);
  assert.equal(index.count('c'), 1);
  index.read('a');
  assert.equal(index.count('a'), 0);
  assert.deepEqual(index.totals(), { mine: 0, unassigned: 2, all: 3, waiting: 2, complete: true });
});

test('assignment moves a lead between the segment totals', () => {
  const index = new UnreadIndex('me');
  index.reset([{ id: 'b', unread_count: 1, assigned_to: null }]);
  index.assigned('b', 'me');
  assert.equal(index.totals().mine, 1);
  index.assigned('zzz', 'me'); // not unread: nothing to move
  assert.equal(index.totals().all, 1);
  index.inbound('b', undefined); // assignee unknown at the time: keeps what it had
  assert.equal(index.totals().mine, 1);
});

test('a REST answer for this user wins over the counting (0 after POST read)', () => {
  const index = new UnreadIndex('me');
  index.inbound('x', null);
  index.fromServer({ id: 'x', unread_count: 0, assigned_to: null });
  assert.equal(index.count('x'), 0);
  index.fromServer({ id: 'x', unread_count: null }); // an event's copy: says nothing about this user
  assert.equal(index.count('x'), 0);
});

test('labels and the page title', () => {
  assert.equal(countLabel(0), '');
  assert.equal(countLabel(3), '3');
  assert.equal(countLabel(200, false), '200+');
  assert.equal(titleWithCount('Inbox · Setterdesk', 3), '(3) Inbox · Setterdesk');
  assert.equal(titleWithCount('Inbox · Setterdesk', 0), 'Inbox · Setterdesk');
});
