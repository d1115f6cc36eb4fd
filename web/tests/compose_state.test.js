// The compose pane's rules (web/js/compose_state.js), checked without a browser: what the setter would
// see in the pane after drafts arrive, they type, saves answer, and teammates act.
// Run: node --test web/tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { initialPaneState, reducePane, routeEvent, pendingDraft, paneView, paneSnapshot } from '../js/compose_state.js';

const MINE = 'Hi Ben, Sam here: our plans start at $99/month. Would Thursday at 2pm work?';

function draft(overrides = {}) {
  return { id: 'd1', channel: 'sms', version: 1, status: 'pending', content: 'Hi Ben, thanks for asking about pricing.', provider: 'openai', ...overrides };
}

function deepFreeze(value) {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Apply actions in order; every state is frozen first, so a reducer that mutates its input throws. */
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
const created = (d) => ({ type: 'draftCreated', draft: d });
const updated = (d) => ({ type: 'draftUpdated', draft: d });
const closed = (d, how) => ({ type: 'draftClosed', draft: d, how });
const typed = (text) => ({ type: 'input', text });

/** A pane showing `first` as it arrived live. */
function paneWith(first = draft()) {
  return run(initialPaneState('sms', 'SMS'), created(first)).state;
}

// --- invariant 8: new drafts and the setter's text ------------------------------------------------------

test('an untouched pane takes a new draft at once', () => {
  const { state, effects } = run(initialPaneState('sms', 'SMS'), created(draft()));
  assert.equal(state.text, draft().content);
  assert.equal(paneSnapshot(state).draftId, 'd1');
  assert.equal(ofType(effects, 'flash').length, 1);
  const view = paneView(state);
  assert.equal(view.showEditor, true);
  assert.equal(view.canApprove, true);
  assert.deepEqual(view.notices, []);
});

test('a regenerated draft replaces an untouched one (superseded, then created)', () => {
  const second = draft({ id: 'd2', content: 'A fresh take.' });
  const { state } = run(paneWith(), closed(draft(), 'superseded'), created(second));
  assert.equal(state.text, 'A fresh take.');
  assert.equal(state.draft.id, 'd2');
  assert.deepEqual(paneView(state).notices, []);
});

test('a new draft never replaces text the setter typed: it is offered in a notice', () => {
  const second = draft({ id: 'd2', content: 'A fresh take.' });
  const { state } = run(paneWith(), typed(MINE), closed(draft(), 'superseded'), created(second), updated({ ...second, version: 2, content: 'Fresher.' }));
  assert.equal(state.text, MINE);
  assert.equal(state.touched, true);
  assert.equal(state.incoming.id, 'd2');
  assert.equal(state.incoming.content, 'Fresher.'); // the offer follows the new draft's edits
  const view = paneView(state);
  assert.deepEqual(view.notices, ['new-draft']);
  assert.equal(view.canApprove, false); // choose first: send neither by accident
  assert.equal(view.showEditor, true);
});

test('a draft a human edited counts as touched: its replacement asks first', () => {
  const edited = draft({ version: 3, content: 'Edited by Dana.' });
  const second = draft({ id: 'd2', content: 'A fresh take.' });
  const { state } = run(paneWith(), updated(edited), closed(edited, 'superseded'), created(second));
  assert.equal(state.text, 'Edited by Dana.');
  assert.deepEqual(paneView(state).notices, ['new-draft']);
});

test('"Replace" takes the new draft; the notice goes away', () => {
  const second = draft({ id: 'd2', content: 'A fresh take.' });
  const { state, effects } = run(paneWith(), typed(MINE), created(second), { type: 'replaceWithIncoming' });
  assert.equal(state.text, 'A fresh take.');
  assert.equal(state.draft.id, 'd2');
  assert.equal(state.touched, false);
  assert.deepEqual(paneView(state).notices, []);
  assert.equal(ofType(effects, 'flash').length, 1); // the replacement shows itself
});

test('"Keep mine" keeps the typed text and saves it into the new draft', () => {
  const second = draft({ id: 'd2', version: 1, content: 'A fresh take.' });
  const { state, effects } = run(paneWith(), typed(MINE), closed(draft(), 'superseded'), created(second), { type: 'keepMine' });
  assert.equal(state.text, MINE);
  assert.equal(state.draft.id, 'd2');
  assert.deepEqual(paneView(state).notices, []);
  assert.deepEqual(ofType(effects, 'saveDraft'), [{ type: 'saveDraft', draftId: 'd2', content: MINE, version: 1 }]);
  assert.equal(paneView(state).saveLabel, 'Saving…');
});

test('the same draft arriving twice (event and REST load) is taken once', () => {
  const { state, effects } = run(paneWith(), typed(MINE), created(draft()), { type: 'loaded', draft: draft() });
  assert.equal(state.text, MINE);
  assert.equal(state.incoming, null);
  assert.deepEqual(paneView(state).notices, []);
  assert.equal(ofType(effects, 'flash').length, 0);
});

// --- saving ---------------------------------------------------------------------------------------------

test('typing schedules a save; it sends the text with the draft version, then shows "Saved"', () => {
  let { state, effects } = run(paneWith(), typed(MINE));
  assert.equal(ofType(effects, 'scheduleSave').length, 1);
  assert.equal(paneView(state).saveLabel, 'Edited');
  ({ state, effects } = run(state, { type: 'save' }));
  assert.deepEqual(ofType(effects, 'saveDraft'), [{ type: 'saveDraft', draftId: 'd1', content: MINE, version: 1 }]);
  assert.equal(paneView(state).saveLabel, 'Saving…');
  // The server's answer and the feed's echo of our own save: no conflict, no change of text.
  const v2 = draft({ version: 2, content: MINE });
  ({ state } = run(state, updated(v2), { type: 'saveSucceeded', result: v2 }));
  assert.equal(state.text, MINE);
  assert.equal(state.draft.version, 2);
  assert.equal(paneView(state).saveLabel, 'Saved');
  assert.deepEqual(paneView(state).notices, []);
});

test('leaving the field saves at once only when a save is waiting', () => {
  assert.deepEqual(run(paneWith(), { type: 'flush' }).effects, []);
  const { effects } = run(paneWith(), typed(MINE), { type: 'flush' });
  assert.equal(ofType(effects, 'saveDraft').length, 1);
});

test('typing during a save sends the newer text after it, on the new version', () => {
  const v2 = draft({ version: 2, content: MINE });
  const { state, effects } = run(paneWith(), typed(MINE), { type: 'save' }, typed(`${MINE}!`), { type: 'save' }, { type: 'saveSucceeded', result: v2 });
  const saves = ofType(effects, 'saveDraft');
  assert.equal(saves.length, 2);
  assert.deepEqual(saves[1], { type: 'saveDraft', draftId: 'd1', content: `${MINE}!`, version: 2 });
  assert.equal(state.text, `${MINE}!`);
});

test('a save conflict keeps the typed text and shows the teammate\'s version', () => {
  const theirs = draft({ version: 2, content: 'Dana wrote this.' });
  let { state, effects } = run(paneWith(), typed(MINE), { type: 'save' }, { type: 'saveFailed', draftId: 'd1', code: 'version_conflict' });
  assert.deepEqual(ofType(effects, 'fetchDraft'), [{ type: 'fetchDraft', draftId: 'd1', after: 'save' }]);
  ({ state } = run(state, { type: 'latestFetched', draftId: 'd1', latest: theirs, after: 'save' }));
  assert.equal(state.text, MINE);
  const view = paneView(state);
  assert.deepEqual(view.notices, ['conflict']);
  assert.equal(view.canApprove, false);
  // More typing is not saved over their version while the conflict stands.
  ({ state, effects } = run(state, typed(`${MINE} Thanks!`), { type: 'save' }));
  assert.deepEqual(ofType(effects, 'saveDraft'), []);
  assert.equal(state.text, `${MINE} Thanks!`);
});

test('after a conflict, "Use theirs" shows their text and "Keep mine" saves mine over their version', () => {
  const theirs = draft({ version: 2, content: 'Dana wrote this.' });
  const conflicted = run(paneWith(), typed(MINE), { type: 'save' }, { type: 'saveFailed', draftId: 'd1', code: 'version_conflict' }, { type: 'latestFetched', draftId: 'd1', latest: theirs, after: 'save' }).state;

  const useTheirs = run(conflicted, { type: 'useTheirs' }).state;
  assert.equal(useTheirs.text, 'Dana wrote this.');
  assert.deepEqual(paneView(useTheirs).notices, []);

  const { state, effects } = run(conflicted, { type: 'overwriteWithMine' });
  assert.equal(state.text, MINE);
  assert.deepEqual(ofType(effects, 'saveDraft'), [{ type: 'saveDraft', draftId: 'd1', content: MINE, version: 2 }]);
  assert.deepEqual(paneView(state).notices, []);
});

test('a conflict whose latest version already has our text is no conflict', () => {
  const same = draft({ version: 2, content: MINE });
  const { state } = run(paneWith(), typed(MINE), { type: 'save' }, { type: 'saveFailed', draftId: 'd1', code: 'version_conflict' }, { type: 'latestFetched', draftId: 'd1', latest: same, after: 'save' });
  assert.equal(state.conflict, null);
  assert.equal(state.draft.version, 2);
  assert.deepEqual(paneView(state).notices, []);
});

test('a save the server did not answer says "Not saved" and offers a retry', () => {
  const { state } = run(paneWith(), typed(MINE), { type: 'save' }, { type: 'saveFailed', draftId: 'd1', code: 'network_error' });
  assert.equal(paneView(state).saveLabel, 'Not saved');
  assert.deepEqual(paneView(state).notices, ['save-error']);
  const retry = run(state, { type: 'save' });
  assert.deepEqual(ofType(retry.effects, 'saveDraft'), [{ type: 'saveDraft', draftId: 'd1', content: MINE, version: 1 }]);
});

// --- teammates ------------------------------------------------------------------------------------------

test("a teammate's edit shows at once in an untouched pane, and becomes a conflict in a touched one", () => {
  const theirs = draft({ version: 2, content: 'Dana wrote this.' });
  assert.equal(run(paneWith(), updated(theirs)).state.text, 'Dana wrote this.');
  const { state, effects } = run(paneWith(), typed(MINE), updated(theirs));
  assert.equal(state.text, MINE);
  assert.deepEqual(paneView(state).notices, ['conflict']);
  assert.equal(ofType(effects, 'cancelSave').length, 1); // the pending autosave would overwrite theirs
});

test('a teammate sending the draft clears an untouched pane, and keeps typed text with a notice', () => {
  const quiet = run(paneWith(), closed(draft(), 'approved'));
  assert.equal(quiet.state.text, '');
  assert.equal(paneView(quiet.state).showEditor, false);
  assert.deepEqual(ofType(quiet.effects, 'toast').map((t) => t.message), ['A teammate sent the SMS draft.']);

  const { state } = run(paneWith(), typed(MINE), closed(draft(), 'approved'));
  assert.equal(state.text, MINE);
  assert.deepEqual(paneView(state).notices, ['gone']);
  assert.equal(paneView(state).showEditor, true);
  assert.equal(run(state, { type: 'discard' }).state.text, '');
});

// --- approve, reject, regenerate ------------------------------------------------------------------------

test('approve sends the text on screen; success clears the pane without a "teammate" toast', () => {
  let { state, effects } = run(paneWith(), typed(MINE), { type: 'approve', force: false });
  assert.deepEqual(ofType(effects, 'approveDraft').map((e) => [e.draft.id, e.content, e.force]), [['d1', MINE, false]]);
  assert.equal(paneView(state).canReject, false); // busy
  const message = { id: 'm1' };
  ({ state, effects } = run(state, closed(draft(), 'approved'), { type: 'approveSucceeded', draft: draft(), result: { message, draft: { disposition: 'EDITED' } } }));
  assert.equal(state.text, '');
  assert.equal(state.gone, null);
  assert.deepEqual(ofType(effects, 'sent'), [{ type: 'sent', message }]);
  assert.deepEqual(ofType(effects, 'toast').map((t) => t.message), ['Sent on SMS (edited).']);
});

test('approve (Ctrl+Enter too) sends nothing while a new draft or a conflict waits for a choice', () => {
  const second = draft({ id: 'd2', content: 'A fresh take.' });
  const offered = run(paneWith(), typed(MINE), created(second), { type: 'approve', force: false });
  assert.deepEqual(ofType(offered.effects, 'approveDraft'), []);
  const theirs = draft({ version: 2, content: 'Dana wrote this.' });
  const conflicted = run(paneWith(), typed(MINE), updated(theirs), { type: 'approve', force: false });
  assert.deepEqual(ofType(conflicted.effects, 'approveDraft'), []);
});

test('approve with an empty text asks for text and sends nothing', () => {
  const { effects } = run(paneWith(), typed('   '), { type: 'approve', force: false });
  assert.deepEqual(ofType(effects, 'approveDraft'), []);
  assert.equal(ofType(effects, 'toast')[0].kind, 'warn');
});

test('a newer message from the lead holds the send until "Send anyway"', () => {
  let { state } = run(paneWith(), { type: 'approve', force: false }, { type: 'approveFailed', draft: draft(), code: 'newer_inbound_message' });
  let effects;
  assert.deepEqual(paneView(state).notices, ['held']);
  assert.equal(state.text, draft().content);
  ({ state, effects } = run(state, { type: 'approve', force: true }));
  assert.deepEqual(ofType(effects, 'approveDraft').map((e) => e.force), [true]);
  assert.deepEqual(paneView(state).notices, []);
});

test('approving a draft a teammate already rejected keeps the typed text and says so', () => {
  const rejected = draft({ status: 'rejected' });
  let { state, effects } = run(paneWith(), typed(MINE), { type: 'approve', force: false }, { type: 'approveFailed', draft: draft(), code: 'draft_not_pending' });
  assert.deepEqual(ofType(effects, 'fetchDraft'), [{ type: 'fetchDraft', draftId: 'd1', after: 'approve' }]);
  ({ state } = run(state, { type: 'latestFetched', draftId: 'd1', latest: rejected, after: 'approve' }));
  assert.equal(state.text, MINE);
  assert.deepEqual(paneView(state).notices, ['gone']);
  assert.equal(state.busy, null);
});

test('reject clears the pane', () => {
  const { state, effects } = run(paneWith(), { type: 'reject' }, { type: 'rejectSucceeded', draft: draft() });
  assert.deepEqual(ofType(effects, 'rejectDraft').map((e) => e.draft.id), ['d1']);
  assert.equal(state.text, '');
  assert.equal(paneView(state).showEditor, false);
});

test('"writing a draft" shows after regenerate, unless the draft already arrived', () => {
  let { state } = run(initialPaneState('sms', 'SMS'), { type: 'regenerate' }, { type: 'regenerateSucceeded', mark: 0 });
  assert.equal(state.generating, true);
  assert.equal(paneView(state).canRegenerate, false);
  ({ state } = run(state, created(draft())));
  assert.equal(state.generating, false);
  assert.equal(state.text, draft().content);
  // The event beat the HTTP answer: no spinner after the draft is there.
  ({ state } = run(initialPaneState('sms', 'SMS'), { type: 'regenerate' }, created(draft()), { type: 'regenerateSucceeded', mark: 0 }));
  assert.equal(state.generating, false);
});

test('a failed generation shows why, and regenerating hides it', () => {
  let { state } = run(initialPaneState('sms', 'SMS'), { type: 'expectDraft' }, { type: 'draftFailed', reason: 'The model timed out.' });
  assert.deepEqual(paneView(state).notices, ['failed']);
  ({ state } = run(state, { type: 'regenerate' }, { type: 'regenerateSucceeded', mark: 1 }));
  assert.deepEqual(paneView(state).notices, []);
});

test('a failure reported while a new draft is being written waits until the writing stops', () => {
  let { state } = run(initialPaneState('sms', 'SMS'), { type: 'expectDraft' }, { type: 'failureKnown', failure: { reason: 'Rate limited.' } });
  assert.deepEqual(paneView(state).notices, []);
  ({ state } = run(state, { type: 'generatingTimedOut' }));
  assert.deepEqual(paneView(state).notices, ['failed']);
});

// --- the lead's channels --------------------------------------------------------------------------------

test("each channel's draft goes to its own pane: switching channels finds each text as it was", () => {
  let panes = { email: initialPaneState('email', 'Email'), sms: initialPaneState('sms', 'SMS'), linkedin: initialPaneState('linkedin', 'LinkedIn') };
  const feed = (event) => {
    const routed = routeEvent(event);
    panes = { ...panes, [routed.channel]: run(panes[routed.channel], routed.action).state };
  };
  const email = draft({ id: 'e1', channel: 'email', content: 'Dear Ben,' });
  const sms = draft({ id: 's1', channel: 'sms', content: 'Hi Ben!' });
  feed({ type: 'draft.created', data: { draft: email } });
  panes.email = run(panes.email, typed('Dear Ben, my own words.')).state;
  feed({ type: 'draft.created', data: { draft: sms } });
  feed({ type: 'draft.failed', data: { channel: 'linkedin', reason: 'No profile.' } });
  assert.equal(panes.email.text, 'Dear Ben, my own words.');
  assert.deepEqual(paneView(panes.email).notices, []);
  assert.equal(panes.sms.text, 'Hi Ben!');
  assert.deepEqual(paneView(panes.linkedin).notices, ['failed']);
  assert.equal(routeEvent({ type: 'message.created', data: { message: {} } }), null);
});

test('a reload finds the drafts per channel and catches up with what changed meanwhile', () => {
  const drafts = [draft({ id: 'old', status: 'approved' }), draft({ id: 's1', version: 3, content: 'Edited while offline.' })];
  assert.equal(pendingDraft(drafts, 'sms').id, 's1');
  assert.equal(pendingDraft(drafts, 'email'), null);
  const untouched = run(paneWith(draft({ id: 's1' })), { type: 'loaded', draft: pendingDraft(drafts, 'sms') }).state;
  assert.equal(untouched.text, 'Edited while offline.');
  // The draft is gone after the reload while the setter had typed: their text stays.
  const typedThenGone = run(paneWith(), typed(MINE), { type: 'loaded', draft: null }).state;
  assert.equal(typedThenGone.text, MINE);
  assert.deepEqual(paneView(typedThenGone).notices, ['gone']);
});

test('an action that changes nothing returns the same state (no re-render)', () => {
  const state = paneWith();
  assert.equal(run(state, { type: 'flush' }).state, state);
  assert.equal(run(state, { type: 'replaceWithIncoming' }).state, state);
});
