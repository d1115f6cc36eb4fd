// The compose pane's decisions, with no DOM and no network: what a new draft, the setter's typing, an
// autosave and its answer, approve / reject, a teammate's edit or a failed generation do to the pane's text.
//
// docs/ARCHITECTURE.md invariant 8: the compose pane replaces its text with a new draft only while the setter
// has not touched it. Once they typed (or the draft carries a human's edits), their text stays and a notice
// offers the new draft ("Replace / Keep mine"). Edits are saved with the draft's version; a stale version
// becomes a conflict, never a silent overwrite. Sending is held when the lead wrote again after the draft
// was written, until the setter chooses to send anyway.
//
// Without a pending draft, a channel the lead has used offers the same text box for the setter's own reply
// (POST /api/leads/{id}/messages). It is the same text: a draft arriving while they type is offered in the
// notice, as above; a refused send keeps the text and says why.
//
// reducePane(state, action) -> {state, effects}. The given state is never mutated; an action that changes
// nothing returns the very same state object (so the view need not re-render). Effects are plain objects
// that compose.js performs (timers, requests, toasts); the outcome of a request comes back as an action.

const SMS_SEGMENT = 160;
// Answers to a save (or approve / reject) that mean "the draft moved on without us": fetch the latest.
const STALE = new Set(['version_conflict', 'draft_not_pending']);
const SAVE_LABEL = { saving: 'Saving…', saved: 'Saved', error: 'Not saved' };
const CLOSED_BY_EVENT = { 'draft.approved': 'approved', 'draft.rejected': 'rejected', 'draft.superseded': 'superseded' };

export function initialPaneState(channel, label = channel) {
  return {
    channel,
    label, // for messages: "Sent on SMS."
    text: '', // what the textarea shows
    draft: null, // the pending draft this text belongs to
    saved: null, // {id, version, content}: what the server has
    inflight: null, // {id, fromVersion, content}: a save on its way
    saveAgain: false, // the text changed again while a save was on its way
    savePending: false, // a debounced save is scheduled
    touched: false, // the setter typed since the text was last set from a draft
    incoming: null, // a newer draft waiting for "Replace / Keep mine"
    conflict: null, // the server's newer version of our draft, edited elsewhere
    held: false, // approve answered newer_inbound_message
    gone: null, // 'approved' | 'rejected': a teammate closed our draft while we had text
    failure: null, // {reason}: the last generation failed
    generating: false,
    outcomes: 0, // drafts created or failed on this channel so far (see startGenerating)
    busy: null, // 'approve' | 'reject' | 'regenerate' | 'send'
    usable: false, // the lead has used this channel: the setter may write their own reply on it
    subject: '', // the subject of the setter's own email reply (optional)
    sendError: null, // why the last own reply was refused (shown until the next try or a dismissal)
    closing: null, // id of a draft we are approving or rejecting ourselves
    saveState: '', // '' | 'saving' | 'saved' | 'error'
  };
}

export function reducePane(state, action) {
  const handle = HANDLERS[action.type];
  if (!handle) throw new Error(`compose: unknown action ${action.type}`);
  const next = { ...state };
  const effects = [];
  handle(next, effects, action);
  const changed = Object.keys(next).some((key) => next[key] !== state[key]);
  return { state: changed ? next : state, effects };
}

/** A draft event from the lead's feed, as {channel, action} for that channel's pane (null: not for a pane). */
export function routeEvent(event) {
  const data = event.data || {};
  const draft = data.draft;
  const channel = draft ? draft.channel : data.channel;
  if (!channel) return null;
  if (event.type === 'draft.created') return draft ? { channel, action: { type: 'draftCreated', draft } } : null;
  if (event.type === 'draft.updated') return draft ? { channel, action: { type: 'draftUpdated', draft } } : null;
  if (event.type in CLOSED_BY_EVENT) return draft ? { channel, action: { type: 'draftClosed', draft, how: CLOSED_BY_EVENT[event.type] } } : null;
  if (event.type === 'draft.failed') return { channel, action: { type: 'draftFailed', reason: data.reason } };
  return null;
}

/** The channel's pending draft among a lead's drafts (GET /api/leads/{id}), or null. */
export function pendingDraft(drafts, channel) {
  return drafts.find((d) => d.channel === channel && d.status === 'pending') || null;
}

/** What the pane shows: which parts, which buttons work, which notices (in this order). */
export function paneView(s) {
  const d = s.draft;
  const notices = [];
  if (s.incoming) notices.push('new-draft');
  if (s.conflict) notices.push('conflict');
  if (s.held) notices.push('held');
  if (s.gone) notices.push('gone');
  if (s.failure && !d && !s.generating) notices.push('failed');
  if (s.saveState === 'error') notices.push('save-error');
  if (s.sendError) notices.push('send-error');
  const length = s.text.length;
  const replying = !d && s.usable;
  return {
    showEditor: Boolean(d) || s.usable || (s.touched && length > 0),
    mode: d ? 'draft' : 'reply', // which buttons the footer shows: approve/reject/regenerate or send/generate
    showSubjectInput: replying && s.channel === 'email',
    canApprove: Boolean(d) && !s.busy && !s.conflict && !s.incoming,
    canReject: Boolean(d) && !s.busy,
    canRegenerate: !s.busy && !s.generating,
    canSend: replying && !s.busy && !s.incoming && s.text.trim().length > 0,
    saveLabel: SAVE_LABEL[s.saveState] || (s.touched && d ? 'Edited' : ''),
    counter: s.channel === 'sms' ? `${length} chars · ${Math.max(1, Math.ceil(length / SMS_SEGMENT))} SMS` : length ? `${length} chars` : '',
    notices,
  };
}

/** What the browser tests read (window.__setterdesk.snapshot()). */
export function paneSnapshot(s) {
  return {
    draftId: s.draft ? s.draft.id : null,
    version: s.draft ? s.draft.version : null,
    text: s.text,
    touched: s.touched,
    incoming: s.incoming ? s.incoming.id : null,
    conflict: Boolean(s.conflict),
    held: s.held,
    usable: s.usable,
    sendError: s.sendError,
  };
}

// --- the handlers: each edits `s` (a copy) and lists effects in `fx` ---------------------------------------

const HANDLERS = {
  // The setter.
  input(s, fx, { text }) {
    s.text = text;
    s.touched = true;
    if (s.draft && !s.conflict) scheduleSave(s, fx);
    if (s.saveState === 'saved') s.saveState = '';
  },
  flush(s, fx) {
    // Blur, or leaving the lead: a debounced save goes out now.
    if (s.savePending) save(s, fx);
  },
  save,
  replaceWithIncoming(s, fx) {
    if (s.incoming) adopt(s, fx, s.incoming, { flash: true });
  },
  keepMine(s, fx) {
    // Keep the typed text, and put it into the new draft (the old one was superseded by it).
    const incoming = s.incoming;
    if (!incoming) return;
    s.incoming = null;
    setDraft(s, incoming);
    s.touched = true;
    s.gone = null;
    save(s, fx);
  },
  useTheirs(s, fx) {
    if (s.conflict) adopt(s, fx, s.conflict, { flash: true });
  },
  overwriteWithMine(s, fx) {
    const latest = s.conflict;
    if (!latest) return;
    s.conflict = null;
    setDraft(s, latest);
    save(s, fx);
  },
  discard(s) {
    s.gone = null;
    s.touched = false;
    s.text = '';
  },
  dismissHeld(s) {
    s.held = false;
  },
  dismissGone(s) {
    s.gone = null;
  },
  approve(s, fx, { force = false }) {
    const draft = s.draft;
    if (!draft || s.busy || s.conflict || s.incoming) return;
    if (!s.text.trim()) {
      fx.push({ type: 'toast', message: 'Write something before sending.', kind: 'warn' });
      return;
    }
    cancelSave(s, fx);
    s.busy = 'approve';
    s.closing = draft.id;
    s.held = false;
    fx.push({ type: 'approveDraft', draft, content: s.text, force });
  },
  reject(s, fx) {
    const draft = s.draft;
    if (!draft || s.busy) return;
    cancelSave(s, fx);
    s.busy = 'reject';
    s.closing = draft.id;
    fx.push({ type: 'rejectDraft', draft });
  },
  regenerate(s, fx) {
    if (s.busy) return;
    s.busy = 'regenerate';
    fx.push({ type: 'requestDraft', mark: s.outcomes });
  },
  subjectInput(s, fx, { subject }) {
    s.subject = subject;
  },
  send(s, fx) {
    // The setter's own reply; with a pending draft, approving it is the way to send.
    if (s.draft || s.busy || !s.usable) return;
    if (s.incoming) {
      fx.push({ type: 'toast', message: 'Choose first: keep your text, or replace it with the new AI draft.', kind: 'warn' });
      return;
    }
    if (!s.text.trim()) {
      fx.push({ type: 'toast', message: 'Write something before sending.', kind: 'warn' });
      return;
    }
    s.busy = 'send';
    s.sendError = null;
    const subject = s.channel === 'email' ? s.subject.trim() : '';
    fx.push({ type: 'sendReply', content: s.text, subject: subject || null });
  },
  dismissSendError(s) {
    s.sendError = null;
  },
  channelUsable(s, fx, { usable }) {
    s.usable = Boolean(usable);
  },

  // The server's state: the REST load, and the lead feed's events.
  loaded(s, fx, { draft }) {
    if (!draft) {
      if (s.draft) closeDraft(s, fx, s.draft, 'rejected', { quiet: !s.touched });
      return;
    }
    if (s.draft && s.draft.id === draft.id) {
      if (draft.version > s.draft.version) draftUpdated(s, fx, draft);
      return;
    }
    draftCreated(s, fx, draft, { flash: false });
  },
  draftCreated(s, fx, { draft }) {
    draftCreated(s, fx, draft, { flash: true });
  },
  draftUpdated(s, fx, { draft }) {
    draftUpdated(s, fx, draft);
  },
  draftClosed(s, fx, { draft, how }) {
    closeDraft(s, fx, draft, how);
  },
  draftFailed(s, fx, { reason }) {
    s.outcomes += 1;
    stopGenerating(s, fx);
    s.failure = { reason };
  },
  failureKnown(s, fx, { failure }) {
    s.failure = failure ? { reason: failure.reason } : null;
  },
  expectDraft(s, fx, { mark }) {
    startGenerating(s, fx, mark === undefined ? s.outcomes : mark);
  },
  generatingTimedOut(s) {
    s.generating = false;
  },

  // Outcomes of the requests compose.js made for an effect.
  saveSucceeded(s, fx, { result }) {
    if (s.draft && s.draft.id === result.id && result.version >= s.draft.version) setDraft(s, result);
    s.saveState = 'saved';
    saveFinished(s, fx);
  },
  saveFailed(s, fx, { draftId, code }) {
    s.saveState = '';
    if (STALE.has(code)) {
      fx.push({ type: 'fetchDraft', draftId, after: 'save' }); // the save stays in flight until the answer
      return;
    }
    s.saveState = 'error';
    saveFinished(s, fx);
  },
  latestFetched(s, fx, { draftId, latest, after }) {
    resolveStale(s, fx, draftId, latest);
    if (after === 'save') saveFinished(s, fx);
    else {
      s.busy = null;
      s.closing = null;
    }
  },
  approveSucceeded(s, fx, { draft, result }) {
    if (s.draft && s.draft.id === draft.id) closeDraft(s, fx, draft, 'approved');
    else if (!s.draft) {
      s.text = '';
      s.touched = false;
    }
    fx.push({ type: 'sent', message: result.message });
    const edited = result.draft && result.draft.disposition === 'EDITED' ? ' (edited)' : '';
    fx.push({ type: 'toast', message: `Sent on ${s.label}${edited}.`, kind: 'success' });
    s.busy = null;
    s.closing = null;
  },
  approveFailed(s, fx, { draft, code, message }) {
    if (code === 'newer_inbound_message') s.held = true;
    else if (code === 'draft_not_pending') return closedElsewhere(s, fx, draft, 'approve');
    else fx.push({ type: 'toast', message: message || 'Sending failed.', kind: 'error' });
    s.busy = null;
    s.closing = null;
  },
  rejectSucceeded(s, fx, { draft }) {
    if (s.draft && s.draft.id === draft.id) closeDraft(s, fx, draft, 'rejected');
    fx.push({ type: 'toast', message: `${s.label} draft rejected.`, kind: 'info' });
    s.busy = null;
    s.closing = null;
  },
  rejectFailed(s, fx, { draft, code, message }) {
    if (code === 'draft_not_pending') return closedElsewhere(s, fx, draft, 'reject');
    fx.push({ type: 'toast', message: message || 'Rejecting failed.', kind: 'error' });
    s.busy = null;
    s.closing = null;
  },
  regenerateSucceeded(s, fx, { mark }) {
    startGenerating(s, fx, mark);
    s.busy = null;
  },
  regenerateFailed(s, fx, { message }) {
    fx.push({ type: 'toast', message: message || 'Could not ask for a draft.', kind: 'error' });
    s.busy = null;
  },
  sendSucceeded(s, fx, { message, content }) {
    s.busy = null;
    s.sendError = null;
    s.gone = null;
    // Only the text that went out is cleared: what the setter typed since stays.
    if (s.text === content) {
      s.text = '';
      s.touched = false;
      s.subject = '';
      // A draft that arrived while sending waited for a choice about that text: with the text gone, it
      // takes the empty pane like any new draft.
      if (s.incoming) adopt(s, fx, s.incoming, { flash: true });
    }
    fx.push({ type: 'sent', message });
  },
  sendFailed(s, fx, { message }) {
    s.busy = null;
    s.sendError = message || 'The reply could not be sent.';
  },
};

// --- the rules ----------------------------------------------------------------------------------------

/** May a new draft replace the text without asking? Only when nobody touched it (invariant 8). */
export function replaceable(s) {
  if (s.touched) return false;
  if (s.draft && s.draft.version > 1) return false; // someone edited it and saved
  return true;
}

function setDraft(s, draft) {
  s.draft = draft;
  s.saved = { id: draft.id, version: draft.version, content: draft.content };
}

/** Make `draft` the pane's draft, and its text the pane's text. */
function adopt(s, fx, draft, { flash }) {
  cancelSave(s, fx);
  setDraft(s, draft);
  s.text = draft.content;
  s.touched = false;
  s.incoming = null;
  s.conflict = null;
  s.held = false;
  s.gone = null;
  s.failure = null;
  s.saveState = '';
  stopGenerating(s, fx);
  if (flash) fx.push({ type: 'flash' });
}

function draftCreated(s, fx, draft, { flash }) {
  s.outcomes += 1;
  stopGenerating(s, fx);
  s.failure = null;
  if (s.draft && s.draft.id === draft.id) return;
  if (s.incoming && s.incoming.id === draft.id) return;
  if (replaceable(s)) adopt(s, fx, draft, { flash });
  else s.incoming = draft; // the setter's text stays; a notice offers the new draft
}

function draftUpdated(s, fx, draft) {
  if (s.incoming && s.incoming.id === draft.id) {
    s.incoming = draft;
    return;
  }
  if (!s.draft || s.draft.id !== draft.id || draft.version <= s.draft.version) return;
  const inflight = s.inflight;
  const own = inflight && inflight.id === draft.id && draft.version === inflight.fromVersion + 1 && draft.content === inflight.content;
  if (own || draft.content === s.text) {
    setDraft(s, draft);
    return;
  }
  if (!s.touched) {
    // A teammate's edit, and we have not typed: show it.
    setDraft(s, draft);
    s.text = draft.content;
    fx.push({ type: 'flash' });
    return;
  }
  cancelSave(s, fx);
  s.conflict = draft;
}

function closeDraft(s, fx, draft, how, { quiet = false } = {}) {
  if (s.incoming && s.incoming.id === draft.id) s.incoming = null;
  if (!s.draft || s.draft.id !== draft.id) return;
  const ours = s.closing === draft.id;
  // A draft someone edited by hand counts as touched: its replacement must ask before taking its place.
  if (how === 'superseded' && Math.max(draft.version, s.draft.version) > 1) s.touched = true;
  cancelSave(s, fx);
  s.draft = null;
  s.saved = null;
  s.conflict = null;
  s.held = false;
  if (how === 'superseded') {
    // Its replacement follows in the same transaction (draft.created): it decides what the text becomes.
    if (!s.touched) s.text = '';
    return;
  }
  if (ours || quiet || !s.touched || !s.text.trim()) {
    s.text = '';
    s.touched = false;
    s.gone = null;
    if (!ours && how === 'approved') fx.push({ type: 'toast', message: `A teammate sent the ${s.label} draft.`, kind: 'info' });
  } else {
    s.gone = how; // keep the typed text, and say why it has no draft any more
  }
}

/** The latest version of a draft a save or approve found stale: adopt it, or show a conflict. */
function resolveStale(s, fx, draftId, latest) {
  if (!s.draft || s.draft.id !== draftId || !latest) return;
  if (latest.status !== 'pending') closeDraft(s, fx, latest, latest.status);
  else if (latest.content === s.text) setDraft(s, latest);
  else s.conflict = latest;
}

function closedElsewhere(s, fx, draft, after) {
  s.closing = null; // not ours any more: a teammate closed it first
  fx.push({ type: 'fetchDraft', draftId: draft.id, after }); // busy until the answer
}

function save(s, fx) {
  cancelSave(s, fx);
  const draft = s.draft;
  if (!draft || s.conflict) return;
  if (s.inflight) {
    s.saveAgain = true;
    return;
  }
  if (s.saved && s.saved.id === draft.id && s.saved.content === s.text) return;
  s.inflight = { id: draft.id, fromVersion: draft.version, content: s.text };
  s.saveState = 'saving';
  fx.push({ type: 'saveDraft', draftId: draft.id, content: s.text, version: draft.version });
}

function saveFinished(s, fx) {
  s.inflight = null;
  if (s.saveAgain) {
    s.saveAgain = false;
    save(s, fx);
  }
}

function scheduleSave(s, fx) {
  s.savePending = true;
  fx.push({ type: 'scheduleSave' });
}

function cancelSave(s, fx) {
  s.savePending = false;
  fx.push({ type: 'cancelSave' });
}

/** Show "writing a draft" unless the outcome already arrived (events can beat the HTTP answer). */
function startGenerating(s, fx, mark) {
  if (s.outcomes !== mark) return;
  s.generating = true;
  s.failure = null;
  fx.push({ type: 'startGeneratingTimer' });
}

function stopGenerating(s, fx) {
  s.generating = false;
  fx.push({ type: 'stopGeneratingTimer' });
}
