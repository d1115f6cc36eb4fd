// The setter's own reply in the compose pane (web/js/compose_state.js): a channel the lead used always has a
// text box with "Send"; a draft never overwrites what they typed; a refused send keeps the text.
// Run: node --test web/tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { initialPaneState, reducePane, paneView } from '../js/compose_state.js';

const MINE = 'Hi Ben, Sam here. Thursday at 2pm works for me.';

function deepFreeze(value) {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function run(state, ...actions) {
  let effects = [];
  for (const action of actions) {
    const result = reducePane(deepFreeze(state), action);
    state = result.state;
    effects = effects.concat(result.effects);
  }
  return { state, effects };
}

const ofType = (effects, type) => effects.filter((e) => e.type === type);
const usable = (channel = 'sms', label = 'SMS') => run(initialPaneState(channel, label), { type: 'channelUsable', usable: true }).state;
const typed = (text) => ({ type: 'input', text });
const draft = (overrides = {}) => ({ id: 'd1', channel: 'sms', version: 1, status: 'pending', content: 'An AI draft.', ...overrides });

test('a channel the lead used shows an empty text box with Send (disabled until there is text) and Generate', () => {
  const view = paneView(usable());
  assert.equal(view.showEditor, true);
  assert.equal(view.mode, 'reply');
  assert.equal(view.canSend, false);
  assert.equal(view.canRegenerate, true);
  assert.equal(paneView(run(usable(), typed('   ')).state).canSend, false);
  assert.equal(paneView(run(usable(), typed(MINE)).state).canSend, true);
});

test('a channel the lead never used has no text box and cannot send', () => {
  const state = initialPaneState('linkedin', 'LinkedIn');
  assert.equal(paneView(state).showEditor, false);
  const { effects } = run(state, typed(MINE), { type: 'send' });
  assert.equal(ofType(effects, 'sendReply').length, 0);
});

test('send posts the text (and an email subject when given), then clears the box', () => {
  const email = usable('email', 'Email');
  assert.equal(paneView(email).showSubjectInput, true);
  assert.equal(paneView(usable()).showSubjectInput, false);
  const sending = run(email, typed(MINE), { type: 'subjectInput', subject: '  Next steps ' }, { type: 'send' });
  assert.deepEqual(ofType(sending.effects, 'sendReply'), [{ type: 'sendReply', content: MINE, subject: 'Next steps' }]);
  assert.equal(sending.state.busy, 'send');
  assert.equal(paneView(sending.state).canSend, false); // no double send
  assert.equal(ofType(run(sending.state, { type: 'send' }).effects, 'sendReply').length, 0);
  const message = { id: 'm1', channel: 'email' };
  const done = run(sending.state, { type: 'sendSucceeded', message, content: MINE });
  assert.equal(done.state.text, '');
  assert.equal(done.state.subject, '');
  assert.equal(done.state.touched, false);
  assert.equal(done.state.busy, null);
  assert.deepEqual(ofType(done.effects, 'sent'), [{ type: 'sent', message }]);
  // Without a subject, none is sent: the provider keeps the thread's own.
  assert.deepEqual(ofType(run(email, typed(MINE), { type: 'send' }).effects, 'sendReply')[0].subject, null);
});

test('a refused send keeps the text and says why until the next try', () => {
  const sending = run(usable(), typed(MINE), { type: 'send' }).state;
  const refused = run(sending, { type: 'sendFailed', code: 'channel_not_used', message: 'the lead has never used sms' }).state;
  assert.equal(refused.text, MINE);
  assert.equal(refused.busy, null);
  assert.deepEqual(paneView(refused).notices, ['send-error']);
  assert.equal(paneView(refused).canSend, true);
  const again = run(refused, { type: 'send' });
  assert.equal(again.state.sendError, null);
  assert.equal(ofType(again.effects, 'sendReply').length, 1);
  assert.equal(run(refused, { type: 'dismissSendError' }).state.sendError, null);
});

test('empty text asks for words and sends nothing', () => {
  const { effects } = run(usable(), typed('  '), { type: 'send' });
  assert.equal(ofType(effects, 'sendReply').length, 0);
  assert.equal(ofType(effects, 'toast').length, 1);
});

test('a draft arriving while the setter writes their own reply is offered, never put in its place', () => {
  const { state } = run(usable(), typed(MINE), { type: 'draftCreated', draft: draft() });
  assert.equal(state.text, MINE);
  assert.equal(state.incoming.id, 'd1');
  const view = paneView(state);
  assert.deepEqual(view.notices, ['new-draft']);
  assert.equal(view.canSend, false); // choose first: send neither by accident
  assert.equal(ofType(run(state, { type: 'send' }).effects, 'sendReply').length, 0);
});

test('an untouched reply box takes a new draft, and then shows the draft buttons', () => {
  const { state } = run(usable(), { type: 'draftCreated', draft: draft() });
  assert.equal(state.text, 'An AI draft.');
  const view = paneView(state);
  assert.equal(view.mode, 'draft');
  assert.equal(view.canApprove, true);
  assert.equal(view.canSend, false);
  assert.equal(ofType(run(state, { type: 'send' }).effects, 'sendReply').length, 0); // approving is the way
});

test('text typed during a send stays; a draft that waited for it then takes the empty box', () => {
  const sending = run(usable(), typed(MINE), { type: 'send' }).state;
  const more = run(sending, typed(`${MINE} See you then.`)).state;
  const kept = run(more, { type: 'sendSucceeded', message: { id: 'm1' }, content: MINE }).state;
  assert.equal(kept.text, `${MINE} See you then.`);
  const waited = run(sending, { type: 'draftCreated', draft: draft() }).state;
  assert.equal(waited.incoming.id, 'd1');
  const after = run(waited, { type: 'sendSucceeded', message: { id: 'm1' }, content: MINE }).state;
  assert.equal(after.text, 'An AI draft.');
  assert.equal(after.draft.id, 'd1');
  assert.equal(after.incoming, null);
});

test('text kept after a teammate sent the draft can go out as the setter\'s own reply', () => {
  const withDraft = run(usable(), { type: 'draftCreated', draft: draft() }, typed(MINE)).state;
  const gone = run(withDraft, { type: 'draftClosed', draft: draft({ status: 'approved' }), how: 'approved' }).state;
  assert.equal(gone.text, MINE);
  assert.equal(gone.gone, 'approved');
  assert.equal(paneView(gone).canSend, true);
  const sent = run(gone, { type: 'send' }, { type: 'sendSucceeded', message: { id: 'm2' }, content: MINE }).state;
  assert.equal(sent.gone, null);
  assert.equal(sent.text, '');
});
