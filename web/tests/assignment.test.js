// Who may assign a lead to whom (web/js/assignment.js). Run: node --test web/tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { assignOptions } from '../js/assignment.js';

const members = [
  { id: 'dana', name: 'Dana Reyes', role: 'owner' },
  { id: 'sam', name: 'Sam Park', role: 'setter' },
  { id: 'ann', name: 'Ann Bell', role: 'setter' },
];
const kinds = (options) => options.map((o) => `${o.kind}:${o.userId}${o.current ? '*' : ''}`);

test('an owner assigns anyone and unassigns anyone', () => {
  const me = members[0];
  assert.deepEqual(kinds(assignOptions({ me, members, assignedTo: 'sam' })), ['me:dana', 'member:ann', 'member:sam*', 'unassign:null']);
  assert.deepEqual(kinds(assignOptions({ me, members, assignedTo: null })), ['me:dana', 'member:ann', 'member:sam']);
  assert.deepEqual(kinds(assignOptions({ me, members, assignedTo: 'dana' })), ['member:dana*', 'member:ann', 'member:sam', 'unassign:null']);
});

test('a setter only takes a lead or lets go of their own', () => {
  const me = { id: 'sam', role: 'setter' };
  assert.deepEqual(kinds(assignOptions({ me, members, assignedTo: null })), ['me:sam']);
  assert.deepEqual(kinds(assignOptions({ me, members, assignedTo: 'sam' })), ['unassign:null']);
  assert.deepEqual(kinds(assignOptions({ me, members, assignedTo: 'ann' })), ['me:sam']);
});
