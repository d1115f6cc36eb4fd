// The compose pane, one per channel: that channel's pending AI draft (approve / reject / regenerate), or,
// without one, a text box for the setter's own reply (send / generate draft) on a channel the lead used.
//
// What happens to the text (docs/ARCHITECTURE.md invariant 8: a new draft replaces it only while the setter
// has not touched it) is decided in compose_state.js, which has no DOM and is unit-tested under node. This
// file renders that state and performs what it asks for: timers, requests, toasts.

import { api, ApiError, paths } from './api.js';
import { h, replace, debounce, toast, leadName } from './dom.js';
import { icon, channelIcon, CHANNELS, CHANNEL_LABEL } from './icons.js';
import { initialPaneState, reducePane, routeEvent, pendingDraft, paneView, paneSnapshot } from './compose_state.js';

const SAVE_DEBOUNCE_MS = 700;
const GENERATING_TIMEOUT_MS = 90000;

export function providerLabel(draft) {
  if (!draft) return '';
  if (draft.provider === 'offline') return 'Offline AI (deterministic)';
  if (draft.provider === 'openai') return draft.model ? `OpenAI · ${draft.model}` : 'OpenAI';
  return draft.provider ? `AI · ${draft.provider}` : 'AI draft';
}

const SOURCE_LABEL = { inbound: 'after the latest reply', manual_sentiment: 'after a sentiment change', on_demand: 'on request' };

class ComposePane {
  constructor(composer, channel) {
    this.composer = composer;
    this.channel = channel;
    this.state = initialPaneState(channel, CHANNEL_LABEL[channel]);
    this.generatingTimer = null;
    this.flashTimer = null;
    this.saveLater = debounce(() => this.dispatch({ type: 'save' }), SAVE_DEBOUNCE_MS);
    this.build();
  }

  /** Apply an action to the pane's state (compose_state.js), perform its effects, show the result. */
  dispatch(action) {
    const previous = this.state;
    const { state, effects } = reducePane(previous, action);
    this.state = state;
    for (const effect of effects) this.perform(effect);
    if (state !== previous) this.render();
  }

  get draft() {
    return this.state.draft;
  }

  get outcomes() {
    return this.state.outcomes;
  }

  // --- DOM ----------------------------------------------------------------------------------------
  build() {
    const c = this.channel;
    this.textarea = h('textarea', {
      class: 'compose-text',
      rows: c === 'email' ? 7 : 4,
      spellcheck: 'true',
      placeholder: `Write your ${CHANNEL_LABEL[c]} reply…`,
      'aria-label': `${CHANNEL_LABEL[c]} reply`,
      'data-testid': `compose-text-${c}`,
    });
    this.textarea.addEventListener('input', () => {
      this.composer.presence.typing(c);
      this.dispatch({ type: 'input', text: this.textarea.value });
    });
    this.textarea.addEventListener('focus', () => this.composer.presence.typing(c));
    this.textarea.addEventListener('blur', () => {
      this.composer.presence.stopTyping();
      this.dispatch({ type: 'flush' });
    });
    this.subjectInput = h('input', {
      class: 'compose-subject-input',
      type: 'text',
      maxlength: '500',
      placeholder: 'Subject (optional: leave empty to reply in the same thread)',
      'aria-label': 'Email subject',
      'data-testid': `compose-subject-${c}`,
    });
    this.subjectInput.addEventListener('input', () => {
      this.composer.presence.typing(c);
      this.dispatch({ type: 'subjectInput', subject: this.subjectInput.value });
    });
    this.label = h('span', { class: 'compose-label' });
    this.saveEl = h('span', { class: 'save-state', 'data-testid': `save-state-${c}` });
    this.notices = h('div', { class: 'compose-notices' });
    this.subject = h('div', { class: 'compose-subject' });
    // "No pending AI draft" (or "writing one…") beside the title; the unused box below it explains a channel
    // the lead never wrote on, where only an AI draft can start the conversation.
    this.empty = h('span', { class: 'compose-status', 'data-testid': `compose-empty-${c}` });
    this.unused = h('div', { class: 'compose-unused', 'data-testid': `compose-unused-${c}` });
    this.counter = h('span', { class: 'counter' });
    this.approveBtn = h(
      'button',
      { class: 'btn btn-primary', 'data-testid': `approve-${c}`, title: 'Approve & send (Ctrl/⌘+Enter)', onclick: () => this.approve(false) },
      icon('send', { size: 14 }),
      'Approve & send',
      h('kbd', {}, '⌘↵'),
    );
    this.rejectBtn = h('button', { class: 'btn', 'data-testid': `reject-${c}`, onclick: () => this.dispatch({ type: 'reject' }) }, icon('x', { size: 14 }), 'Reject');
    this.regenBtn = h('button', { class: 'btn btn-ghost', 'data-testid': `regenerate-${c}`, onclick: () => this.regenerate() }, icon('refresh', { size: 14 }), 'Regenerate');
    this.sendBtn = h(
      'button',
      { class: 'btn btn-primary', 'data-testid': `send-${c}`, title: 'Send (Ctrl/⌘+Enter)', onclick: () => this.send() },
      icon('send', { size: 14 }),
      'Send',
      h('kbd', {}, '⌘↵'),
    );
    // One "Generate draft" button per pane, moved between the reply footer and the unused-channel box.
    this.generateBtn = h('button', { class: 'btn', 'data-testid': `generate-${c}`, onclick: () => this.regenerate() });
    this.draftActions = h('span', { class: 'compose-actions' }, this.approveBtn, this.rejectBtn, this.regenBtn);
    this.replyActions = h('span', { class: 'compose-actions' }, this.sendBtn);
    this.subjectRow = h('label', { class: 'compose-subject compose-subject-edit' }, h('span', { class: 'muted' }, 'Subject'), this.subjectInput);
    this.editor = h('div', { class: 'compose-editor' }, this.subject, this.subjectRow, this.textarea);
    this.footer = h('div', { class: 'compose-foot' }, this.draftActions, this.replyActions, h('span', { class: 'grow' }), this.counter);
    this.el = h(
      'section',
      { class: 'compose', 'data-channel': c, 'data-testid': `compose-${c}`, hidden: true, 'aria-label': `${CHANNEL_LABEL[c]} compose` },
      h('div', { class: 'compose-head' }, channelIcon(c, 14), h('span', { class: 'compose-title' }, `Reply on ${CHANNEL_LABEL[c]}`), this.label, this.empty, h('span', { class: 'grow' }), this.saveEl),
      this.notices,
      this.editor,
      this.unused,
      this.footer,
    );
  }

  render() {
    const c = this.channel;
    const s = this.state;
    const d = s.draft;
    const view = paneView(s);
    // Only a different text is written back: the caret stays where the setter left it.
    if (this.textarea.value !== s.text) this.textarea.value = s.text;
    if (this.subjectInput.value !== s.subject) this.subjectInput.value = s.subject;
    this.editor.hidden = !view.showEditor;
    this.textarea.readOnly = s.busy === 'send'; // what is on its way stays what the setter sees
    this.el.classList.toggle('has-draft', Boolean(d));
    this.el.dataset.draftId = d ? d.id : '';
    this.el.dataset.touched = String(s.touched);
    // Header: whose text this is.
    replace(
      this.label,
      d
        ? [
            h('span', { class: `provider ${d.provider === 'offline' ? 'provider-offline' : ''}`, 'data-testid': `provider-${c}`, title: d.provider === 'offline' ? 'Written by the built-in offline model: deterministic text, no AI service configured' : `Written by ${providerLabel(d)}` }, icon('sparkle', { size: 12 }), providerLabel(d)),
            h('span', { class: 'draft-meta' }, `AI draft ${SOURCE_LABEL[d.source] || ''}`.trim()),
          ]
        : [],
    );
    this.saveEl.textContent = view.saveLabel;
    this.saveEl.dataset.state = s.saveState;
    // Email subject (drafts carry one; it is sent as is).
    this.subject.hidden = !(d && d.subject);
    replace(this.subject, d && d.subject ? [h('span', { class: 'muted' }, 'Subject'), h('span', {}, d.subject)] : []);
    this.subjectRow.hidden = !view.showSubjectInput;
    // No draft (yet): say so beside the title, and why the box is missing on a channel the lead never used.
    this.empty.hidden = Boolean(d);
    replace(
      this.empty,
      s.generating ? [h('span', { class: 'spinner spinner-sm' }), `Writing an AI draft for ${CHANNEL_LABEL[c]}…`] : 'No pending AI draft',
    );
    this.unused.hidden = view.showEditor;
    const who = this.composer.lead ? leadName(this.composer.lead).split(' ')[0] : 'This lead';
    replace(
      this.unused,
      h('span', { class: 'muted' }, `${who} has not written on ${CHANNEL_LABEL[c]} yet: replies go out on the channels the lead used.`),
      view.showEditor ? null : this.generateBtn,
    );
    this.footer.hidden = !view.showEditor;
    this.draftActions.hidden = view.mode !== 'draft';
    this.replyActions.hidden = view.mode !== 'reply';
    if (view.showEditor && view.mode === 'reply') this.replyActions.appendChild(this.generateBtn);
    this.approveBtn.disabled = !view.canApprove;
    this.rejectBtn.disabled = !view.canReject;
    this.regenBtn.disabled = !view.canRegenerate;
    this.sendBtn.disabled = !view.canSend;
    this.generateBtn.disabled = !view.canRegenerate;
    replace(this.sendBtn, s.busy === 'send' ? h('span', { class: 'spinner spinner-sm' }) : icon('send', { size: 14 }), s.busy === 'send' ? 'Sending…' : 'Send', h('kbd', {}, '⌘↵'));
    replace(this.regenBtn, s.generating ? h('span', { class: 'spinner spinner-sm' }) : icon('refresh', { size: 14 }), s.generating ? 'Writing…' : 'Regenerate');
    replace(this.generateBtn, s.generating ? h('span', { class: 'spinner spinner-sm' }) : icon('sparkle', { size: 13 }), s.generating ? 'Writing…' : 'Generate draft');
    this.counter.textContent = view.counter;
    replace(this.notices, view.notices.map((kind) => this.notice(kind)));
    this.composer.paneChanged(this);
  }

  notice(kind) {
    const c = this.channel;
    const s = this.state;
    const act = (type) => () => this.dispatch({ type });
    switch (kind) {
      case 'new-draft':
        return notice(kind, 'info', [h('strong', {}, 'New AI draft'), ' — your text is kept until you choose.'], [
          h('button', { class: 'btn btn-sm btn-primary', 'data-testid': `replace-${c}`, onclick: act('replaceWithIncoming') }, 'Replace'),
          h('button', { class: 'btn btn-sm', 'data-testid': `keep-${c}`, onclick: act('keepMine') }, 'Keep mine'),
        ], s.incoming.content);
      case 'conflict':
        return notice(kind, 'warn', [h('strong', {}, 'Changed elsewhere.'), ' A teammate saved a different version of this draft. Your text is kept and was not saved.'], [
          h('button', { class: 'btn btn-sm', 'data-testid': `use-theirs-${c}`, onclick: act('useTheirs') }, 'Use theirs'),
          h('button', { class: 'btn btn-sm', 'data-testid': `keep-mine-conflict-${c}`, onclick: act('overwriteWithMine') }, 'Keep mine'),
        ], s.conflict.content);
      case 'held': {
        const who = this.composer.lead ? leadName(this.composer.lead).split(' ')[0] : 'The lead';
        return notice(kind, 'warn', [h('strong', {}, 'Held, not sent.'), ` ${who} wrote again on ${CHANNEL_LABEL[c]} after this draft was written. Read the new message first.`], [
          h('button', { class: 'btn btn-sm btn-danger', 'data-testid': `send-anyway-${c}`, onclick: () => this.approve(true) }, 'Send anyway'),
          h('button', { class: 'btn btn-sm', onclick: act('dismissHeld') }, 'Keep editing'),
        ]);
      }
      case 'gone': {
        const what = s.gone === 'approved' ? 'sent' : 'rejected';
        const next = s.usable ? 'send it as your own reply, or discard it' : 'generate a new draft to send it';
        return notice(kind, 'info', [h('strong', {}, `A teammate ${what} this draft.`), ` Your text is kept here; ${next}.`], [
          h('button', { class: 'btn btn-sm', onclick: act('dismissGone') }, 'Dismiss'),
          h('button', { class: 'btn btn-sm', onclick: act('discard') }, 'Discard my text'),
        ]);
      }
      case 'failed':
        return notice(kind, 'error', [h('strong', {}, 'The AI could not write a draft.'), ` ${s.failure.reason || ''}`], [
          h('button', { class: 'btn btn-sm', 'data-testid': `retry-${c}`, onclick: () => this.regenerate() }, 'Retry'),
        ]);
      case 'send-error':
        return notice(kind, 'error', [h('strong', {}, 'Not sent:'), ` ${sentence(s.sendError)} Your text is kept.`], [
          h('button', { class: 'btn btn-sm', 'data-testid': `send-retry-${c}`, onclick: () => this.send() }, 'Try again'),
          h('button', { class: 'btn btn-sm', onclick: act('dismissSendError') }, 'Dismiss'),
        ]);
      case 'save-error':
        return notice(kind, 'error', 'Your edit is not saved yet: the server did not answer.', [h('button', { class: 'btn btn-sm', onclick: act('save') }, 'Retry save')]);
      default:
        return null;
    }
  }

  flash() {
    this.el.classList.remove('flash');
    void this.el.offsetWidth; // restart the animation
    this.el.classList.add('flash');
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => this.el.classList.remove('flash'), 1600);
  }

  // --- effects: what the state asks for -----------------------------------------------------------
  perform(effect) {
    switch (effect.type) {
      case 'scheduleSave':
        this.saveLater();
        break;
      case 'cancelSave':
        this.saveLater.cancel();
        break;
      case 'startGeneratingTimer':
        clearTimeout(this.generatingTimer);
        this.generatingTimer = setTimeout(() => this.dispatch({ type: 'generatingTimedOut' }), GENERATING_TIMEOUT_MS);
        break;
      case 'stopGeneratingTimer':
        clearTimeout(this.generatingTimer);
        break;
      case 'flash':
        this.flash();
        break;
      case 'toast':
        toast(effect.message, effect.kind);
        break;
      case 'sent':
        this.composer.sent(effect.message);
        break;
      case 'saveDraft':
        this.request(api.patch(paths.draft(effect.draftId), { content: effect.content, version: effect.version }), {
          ok: (result) => ({ type: 'saveSucceeded', result }),
          failed: (err) => ({ type: 'saveFailed', draftId: effect.draftId, code: errorCode(err) }),
        });
        break;
      case 'fetchDraft':
        this.request(api.get(paths.draft(effect.draftId)), {
          ok: (latest) => ({ type: 'latestFetched', draftId: effect.draftId, latest, after: effect.after }),
          failed: () => ({ type: 'latestFetched', draftId: effect.draftId, latest: null, after: effect.after }),
        });
        break;
      case 'approveDraft': {
        const { draft, content, force } = effect;
        this.request(api.post(paths.approve(draft.id), force ? { content, force: true } : { content }), {
          ok: (result) => ({ type: 'approveSucceeded', draft, result }),
          failed: (err) => ({ type: 'approveFailed', draft, code: errorCode(err), message: err.message }),
        });
        break;
      }
      case 'rejectDraft':
        this.request(api.post(paths.reject(effect.draft.id), {}), {
          ok: () => ({ type: 'rejectSucceeded', draft: effect.draft }),
          failed: (err) => ({ type: 'rejectFailed', draft: effect.draft, code: errorCode(err), message: err.message }),
        });
        break;
      case 'sendReply': {
        const body = { channel: this.channel, content: effect.content };
        if (effect.subject) body.subject = effect.subject;
        this.request(api.post(paths.leadMessages(this.composer.lead.id), body), {
          ok: (message) => ({ type: 'sendSucceeded', message, content: effect.content }),
          failed: (err) => ({ type: 'sendFailed', code: errorCode(err), message: err.message }),
        });
        break;
      }
      case 'requestDraft':
        this.request(api.post(paths.leadDrafts(this.composer.lead.id), { channel: this.channel }), {
          ok: () => ({ type: 'regenerateSucceeded', mark: effect.mark }),
          failed: (err) => ({ type: 'regenerateFailed', message: err.message }),
        });
        break;
      default:
        throw new Error(`compose: unknown effect ${effect.type}`);
    }
  }

  /** Wait for a request, then dispatch its outcome (outside the try: a bug there is not a failed request). */
  async request(promise, { ok, failed }) {
    let result;
    try {
      result = await promise;
    } catch (err) {
      this.dispatch(failed(err));
      return;
    }
    this.dispatch(ok(result));
  }

  // --- the setter's and the composer's commands -----------------------------------------------------
  approve(force) {
    this.dispatch({ type: 'approve', force });
  }

  regenerate() {
    if (this.composer.lead) this.dispatch({ type: 'regenerate' });
  }

  /** The setter's own reply (no pending draft on this channel). */
  send() {
    if (this.composer.lead) this.dispatch({ type: 'send' });
  }

  /** The pending draft from a (re)load over REST. */
  sync(draft) {
    this.dispatch({ type: 'loaded', draft });
  }

  /** Show "writing a draft" unless the outcome already arrived since `mark` (see Composer.mark). */
  startGenerating(mark) {
    this.dispatch({ type: 'expectDraft', mark });
  }

  /** Save pending edits now (leaving the lead). */
  flush() {
    this.dispatch({ type: 'flush' });
  }

  snapshot() {
    return paneSnapshot(this.state);
  }
}

/** "the lead has never used sms" -> "The lead has never used sms." */
function sentence(text) {
  const trimmed = String(text || '').trim().replace(/[.\s]+$/, '');
  return trimmed ? `${trimmed[0].toUpperCase()}${trimmed.slice(1)}.` : '';
}

function errorCode(err) {
  return err instanceof ApiError ? err.code : null;
}

function notice(kind, tone, message, actions = [], preview = null) {
  return h(
    'div',
    { class: `notice notice-${tone}`, 'data-testid': `notice-${kind}`, role: tone === 'error' || tone === 'warn' ? 'alert' : 'status' },
    icon(tone === 'info' ? 'sparkle' : 'alert', { size: 14 }),
    h('div', { class: 'notice-body' }, h('div', {}, message), preview ? h('div', { class: 'notice-preview' }, preview) : null),
    h('div', { class: 'notice-actions' }, actions),
  );
}

/** The three panes of the open lead; one is visible: the active channel's. */
export class Composer {
  constructor({ presence, onSent, onPaneChanged }) {
    this.presence = presence;
    this.onSent = onSent;
    this.onPaneChanged = onPaneChanged;
    this.lead = null;
    this.active = 'email';
    this.panes = Object.fromEntries(CHANNELS.map((c) => [c, new ComposePane(this, c)]));
    this.el = h('div', { class: 'composer', 'data-testid': 'composer' }, CHANNELS.map((c) => this.panes[c].el));
  }

  reset() {
    for (const pane of Object.values(this.panes)) {
      pane.flush();
      pane.el.remove();
    }
    this.panes = Object.fromEntries(CHANNELS.map((c) => [c, new ComposePane(this, c)]));
    replace(this.el, CHANNELS.map((c) => this.panes[c].el));
    this.lead = null;
    this.setActive(this.active);
  }

  /** The lead's state over REST: its pending drafts and failures. */
  load(lead, drafts) {
    this.setLead(lead);
    for (const c of CHANNELS) this.panes[c].sync(pendingDraft(drafts, c));
  }

  setLead(lead) {
    this.lead = lead;
    const failures = new Map((lead.draft_failures || []).map((f) => [f.channel, f]));
    const used = new Set(lead.channels || []);
    for (const c of CHANNELS) {
      this.panes[c].dispatch({ type: 'failureKnown', failure: failures.get(c) || null });
      this.panes[c].dispatch({ type: 'channelUsable', usable: used.has(c) });
      this.panes[c].render(); // the lead's name shows in the pane
    }
  }

  setActive(channel) {
    this.active = channel;
    for (const c of CHANNELS) this.panes[c].el.hidden = c !== channel;
    this.panes[channel].render();
  }

  /** Where each pane stands, before asking the server for drafts (see expect). */
  mark() {
    return Object.fromEntries(CHANNELS.map((c) => [c, this.panes[c].outcomes]));
  }

  /** After a sentiment change: show "writing a draft" on the channels the server enqueued. */
  expect(channels, mark) {
    for (const c of channels) if (this.panes[c]) this.panes[c].startGenerating(mark ? mark[c] : undefined);
  }

  event(event) {
    const routed = routeEvent(event);
    const pane = routed ? this.panes[routed.channel] : null;
    if (pane) pane.dispatch(routed.action);
  }

  sent(message) {
    if (this.onSent && message) this.onSent(message);
  }

  paneChanged(pane) {
    if (this.onPaneChanged) this.onPaneChanged(pane.channel);
  }

  focus() {
    const pane = this.panes[this.active];
    if (!pane.editor.hidden) {
      pane.textarea.focus();
      return;
    }
    const button = pane.unused.querySelector('button');
    if (button) button.focus();
  }

  /** Ctrl/⌘+Enter: approve the pending draft, or send the setter's own reply when there is none. */
  approveActive() {
    const pane = this.panes[this.active];
    if (pane.draft) pane.approve(false);
    else pane.send();
  }

  hasDraft(channel) {
    return Boolean(this.panes[channel].draft);
  }

  flush() {
    for (const pane of Object.values(this.panes)) pane.flush();
  }

  snapshot() {
    return Object.fromEntries(CHANNELS.map((c) => [c, this.panes[c].snapshot()]));
  }
}
