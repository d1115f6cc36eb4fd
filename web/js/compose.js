// The compose pane, one per channel, showing that channel's pending AI draft.
//
// The rule that matters (DESIGN.md invariant 8): a new draft replaces the text at once only while the
// setter has not touched it. Once they typed (or the draft carries a human's edits), their text stays and a
// notice offers "New AI draft — Replace / Keep mine". Edits are saved (debounced) with the draft's version;
// a stale version is shown as a conflict and never overwritten silently. Sending is held when the lead
// wrote again after the draft was written, until the setter chooses to send anyway.

import { api, ApiError, paths } from './api.js';
import { h, replace, debounce, toast, leadName } from './dom.js';
import { icon, channelIcon, CHANNELS, CHANNEL_LABEL } from './icons.js';

const SAVE_DEBOUNCE_MS = 700;
const GENERATING_TIMEOUT_MS = 90000;
const SMS_SEGMENT = 160;

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
    this.draft = null; // the pending draft this text belongs to
    this.saved = null; // {id, version, content}: what the server has
    this.inflight = null; // {id, fromVersion, content}: a save on its way
    this.touched = false; // the setter typed since the text was last set from a draft
    this.incoming = null; // a newer draft waiting for "Replace / Keep mine"
    this.conflict = null; // the server's newer version of our draft, edited elsewhere
    this.held = false; // approve answered newer_inbound_message
    this.gone = null; // 'approved' | 'rejected': our draft was closed by a teammate while we had text
    this.failure = null; // {reason}: the last generation failed
    this.generating = false;
    this.generatingTimer = null;
    this.outcomes = 0; // drafts created or failed on this channel so far (see startGenerating)
    this.busy = null; // 'approve' | 'reject' | 'regenerate'
    this.closing = null; // id of a draft we are approving or rejecting ourselves
    this.saveState = ''; // '' | 'saving' | 'saved' | 'error'
    this.flashTimer = null;
    this.saveLater = debounce(() => this.save(), SAVE_DEBOUNCE_MS);
    this.build();
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
    this.textarea.addEventListener('input', () => this.onInput());
    this.textarea.addEventListener('focus', () => this.composer.presence.typing(c));
    this.textarea.addEventListener('blur', () => {
      this.composer.presence.stopTyping();
      if (this.saveLater.pending()) {
        this.saveLater.cancel();
        this.save();
      }
    });
    this.label = h('span', { class: 'compose-label' });
    this.saveEl = h('span', { class: 'save-state', 'data-testid': `save-state-${c}` });
    this.notices = h('div', { class: 'compose-notices' });
    this.subject = h('div', { class: 'compose-subject' });
    this.empty = h('div', { class: 'compose-empty', 'data-testid': `compose-empty-${c}` });
    this.counter = h('span', { class: 'counter' });
    this.approveBtn = h(
      'button',
      { class: 'btn btn-primary', 'data-testid': `approve-${c}`, title: 'Approve & send (Ctrl/⌘+Enter)', onclick: () => this.approve(false) },
      icon('send', { size: 14 }),
      'Approve & send',
      h('kbd', {}, '⌘↵'),
    );
    this.rejectBtn = h('button', { class: 'btn', 'data-testid': `reject-${c}`, onclick: () => this.reject() }, icon('x', { size: 14 }), 'Reject');
    this.regenBtn = h('button', { class: 'btn btn-ghost', 'data-testid': `regenerate-${c}`, onclick: () => this.regenerate() }, icon('refresh', { size: 14 }), 'Regenerate');
    this.editor = h('div', { class: 'compose-editor' }, this.subject, this.textarea);
    this.footer = h('div', { class: 'compose-foot' }, this.approveBtn, this.rejectBtn, this.regenBtn, h('span', { class: 'grow' }), this.counter);
    this.el = h(
      'section',
      { class: 'compose', 'data-channel': c, 'data-testid': `compose-${c}`, hidden: true, 'aria-label': `${CHANNEL_LABEL[c]} compose` },
      h('div', { class: 'compose-head' }, channelIcon(c, 14), h('span', { class: 'compose-title' }, `Reply on ${CHANNEL_LABEL[c]}`), this.label, h('span', { class: 'grow' }), this.saveEl),
      this.notices,
      this.editor,
      this.empty,
      this.footer,
    );
  }

  render() {
    const c = this.channel;
    const d = this.draft;
    const hasText = this.textarea.value.length > 0;
    const showEditor = Boolean(d) || (this.touched && hasText);
    this.editor.hidden = !showEditor;
    this.el.classList.toggle('has-draft', Boolean(d));
    this.el.dataset.draftId = d ? d.id : '';
    this.el.dataset.touched = String(this.touched);
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
    const saveText = { saving: 'Saving…', saved: 'Saved', error: 'Not saved' }[this.saveState] || (this.touched && d ? 'Edited' : '');
    this.saveEl.textContent = saveText;
    this.saveEl.dataset.state = this.saveState;
    // Email subject (drafts carry one; it is sent as is).
    this.subject.hidden = !(d && d.subject);
    replace(this.subject, d && d.subject ? [h('span', { class: 'muted' }, 'Subject'), h('span', {}, d.subject)] : []);
    // Empty state: no draft (yet).
    this.empty.hidden = showEditor;
    if (!showEditor) {
      if (this.generating) {
        replace(this.empty, h('span', { class: 'spinner' }), h('span', {}, `Writing an AI draft for ${CHANNEL_LABEL[c]}…`));
      } else {
        replace(
          this.empty,
          h('span', { class: 'muted' }, `No pending draft on ${CHANNEL_LABEL[c]}.`),
          h('button', { class: 'btn btn-sm', 'data-testid': `generate-${c}`, onclick: () => this.regenerate() }, icon('sparkle', { size: 13 }), 'Generate draft'),
        );
      }
    }
    this.footer.hidden = !showEditor;
    const busy = Boolean(this.busy);
    this.approveBtn.disabled = !d || busy || Boolean(this.conflict) || Boolean(this.incoming);
    this.rejectBtn.disabled = !d || busy;
    this.regenBtn.disabled = busy || this.generating;
    replace(this.regenBtn, this.generating ? h('span', { class: 'spinner spinner-sm' }) : icon('refresh', { size: 14 }), this.generating ? 'Writing…' : 'Regenerate');
    const length = this.textarea.value.length;
    this.counter.textContent = c === 'sms' ? `${length} chars · ${Math.max(1, Math.ceil(length / SMS_SEGMENT))} SMS` : length ? `${length} chars` : '';
    this.renderNotices();
    this.composer.paneChanged(this);
  }

  renderNotices() {
    const c = this.channel;
    const items = [];
    if (this.incoming) {
      items.push(
        notice('new-draft', 'info', [h('strong', {}, 'New AI draft'), ' — your text is kept until you choose.'], [
          h('button', { class: 'btn btn-sm btn-primary', 'data-testid': `replace-${c}`, onclick: () => this.replaceWithIncoming() }, 'Replace'),
          h('button', { class: 'btn btn-sm', 'data-testid': `keep-${c}`, onclick: () => this.keepMine() }, 'Keep mine'),
        ], this.incoming.content),
      );
    }
    if (this.conflict) {
      items.push(
        notice('conflict', 'warn', [h('strong', {}, 'Changed elsewhere.'), ' A teammate saved a different version of this draft. Your text is kept and was not saved.'], [
          h('button', { class: 'btn btn-sm', 'data-testid': `use-theirs-${c}`, onclick: () => this.useTheirs() }, 'Use theirs'),
          h('button', { class: 'btn btn-sm', 'data-testid': `keep-mine-conflict-${c}`, onclick: () => this.overwriteWithMine() }, 'Keep mine'),
        ], this.conflict.content),
      );
    }
    if (this.held) {
      const who = this.composer.lead ? leadName(this.composer.lead).split(' ')[0] : 'The lead';
      items.push(
        notice('held', 'warn', [h('strong', {}, 'Held, not sent.'), ` ${who} wrote again on ${CHANNEL_LABEL[c]} after this draft was written. Read the new message first.`], [
          h('button', { class: 'btn btn-sm btn-danger', 'data-testid': `send-anyway-${c}`, onclick: () => this.approve(true) }, 'Send anyway'),
          h('button', { class: 'btn btn-sm', onclick: () => { this.held = false; this.render(); } }, 'Keep editing'),
        ]),
      );
    }
    if (this.gone) {
      const what = this.gone === 'approved' ? 'sent' : 'rejected';
      items.push(
        notice('gone', 'info', [h('strong', {}, `A teammate ${what} this draft.`), ' Your text is kept here; generate a new draft to send it.'], [
          h('button', { class: 'btn btn-sm', onclick: () => { this.gone = null; this.render(); } }, 'Dismiss'),
          h('button', { class: 'btn btn-sm', onclick: () => this.discard() }, 'Discard my text'),
        ]),
      );
    }
    if (this.failure && !this.draft && !this.generating) {
      items.push(
        notice('failed', 'error', [h('strong', {}, 'The AI could not write a draft.'), ` ${this.failure.reason || ''}`], [
          h('button', { class: 'btn btn-sm', 'data-testid': `retry-${c}`, onclick: () => this.regenerate() }, 'Retry'),
        ]),
      );
    }
    if (this.saveState === 'error') {
      items.push(notice('save-error', 'error', 'Your edit is not saved yet: the server did not answer.', [h('button', { class: 'btn btn-sm', onclick: () => this.save() }, 'Retry save')]));
    }
    replace(this.notices, items);
  }

  // --- text ---------------------------------------------------------------------------------------
  setText(text) {
    this.textarea.value = text;
  }

  onInput() {
    this.touched = true;
    this.composer.presence.typing(this.channel);
    if (this.draft && !this.conflict) this.saveLater();
    if (this.saveState === 'saved') this.saveState = '';
    this.render();
  }

  /** Make `draft` this pane's draft, and its text the pane's text. */
  adopt(draft, { flash = false } = {}) {
    this.saveLater.cancel();
    this.draft = draft;
    this.saved = { id: draft.id, version: draft.version, content: draft.content };
    this.setText(draft.content);
    this.touched = false;
    this.incoming = null;
    this.conflict = null;
    this.held = false;
    this.gone = null;
    this.failure = null;
    this.saveState = '';
    this.stopGenerating();
    if (flash) this.flash();
    this.render();
  }

  flash() {
    this.el.classList.remove('flash');
    void this.el.offsetWidth; // restart the animation
    this.el.classList.add('flash');
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => this.el.classList.remove('flash'), 1600);
  }

  /** May a new draft replace the text without asking? Only when nobody touched it. */
  replaceable() {
    if (this.touched) return false;
    if (this.draft && this.draft.version > 1) return false; // someone edited it and saved
    return true;
  }

  // --- the server's state ------------------------------------------------------------------------
  /** The pending draft from a (re)load over REST. */
  sync(draft) {
    if (!draft) {
      if (this.draft) this.closed(this.draft, 'rejected', { quiet: !this.touched });
      this.render();
      return;
    }
    if (this.draft && this.draft.id === draft.id) {
      if (draft.version > this.draft.version) this.updated(draft);
      return;
    }
    this.created(draft, { flash: false });
  }

  created(draft, { flash = true } = {}) {
    this.outcomes += 1;
    this.stopGenerating();
    this.failure = null;
    if (this.draft && this.draft.id === draft.id) return;
    if (this.incoming && this.incoming.id === draft.id) return;
    if (this.replaceable()) {
      this.adopt(draft, { flash });
      return;
    }
    this.incoming = draft;
    this.render();
  }

  updated(draft) {
    if (this.incoming && this.incoming.id === draft.id) {
      this.incoming = draft;
      this.render();
      return;
    }
    if (!this.draft || this.draft.id !== draft.id || draft.version <= this.draft.version) return;
    const own = this.inflight && this.inflight.id === draft.id && draft.version === this.inflight.fromVersion + 1 && draft.content === this.inflight.content;
    if (own || draft.content === this.textarea.value) {
      this.draft = draft;
      this.saved = { id: draft.id, version: draft.version, content: draft.content };
      this.render();
      return;
    }
    if (!this.touched) {
      // A teammate's edit, and we have not typed: show it.
      this.draft = draft;
      this.saved = { id: draft.id, version: draft.version, content: draft.content };
      this.setText(draft.content);
      this.flash();
      this.render();
      return;
    }
    this.saveLater.cancel();
    this.conflict = draft;
    this.render();
  }

  closed(draft, how, { quiet = false } = {}) {
    if (this.incoming && this.incoming.id === draft.id) {
      this.incoming = null;
      this.render();
    }
    if (!this.draft || this.draft.id !== draft.id) return;
    const ours = this.closing === draft.id;
    // A draft someone edited by hand counts as touched: its replacement must ask before taking its place.
    if (how === 'superseded' && Math.max(draft.version, this.draft.version) > 1) this.touched = true;
    this.saveLater.cancel();
    this.draft = null;
    this.saved = null;
    this.conflict = null;
    this.held = false;
    if (how === 'superseded') {
      // Its replacement follows in the same transaction (draft.created): it decides what the text becomes.
      if (!this.touched) this.setText('');
      this.render();
      return;
    }
    if (ours || quiet || !this.touched || !this.textarea.value.trim()) {
      this.setText('');
      this.touched = false;
      this.gone = null;
      if (!ours && how === 'approved') toast(`A teammate sent the ${CHANNEL_LABEL[this.channel]} draft.`, 'info');
    } else {
      this.gone = how;
    }
    this.render();
  }

  failed(reason) {
    this.outcomes += 1;
    this.stopGenerating();
    this.failure = { reason };
    this.render();
  }

  /** Show "writing a draft" unless the outcome already arrived (events can beat the HTTP answer). */
  startGenerating(mark = this.outcomes) {
    if (this.outcomes !== mark) return;
    this.generating = true;
    this.failure = null;
    clearTimeout(this.generatingTimer);
    this.generatingTimer = setTimeout(() => {
      this.generating = false;
      this.render();
    }, GENERATING_TIMEOUT_MS);
    this.render();
  }

  stopGenerating() {
    this.generating = false;
    clearTimeout(this.generatingTimer);
  }

  // --- the setter's choices ----------------------------------------------------------------------
  replaceWithIncoming() {
    if (this.incoming) this.adopt(this.incoming, { flash: true });
  }

  /** Keep the typed text, and put it into the new draft (the old one was superseded by it). */
  keepMine() {
    const incoming = this.incoming;
    if (!incoming) return;
    this.incoming = null;
    this.draft = incoming;
    this.saved = { id: incoming.id, version: incoming.version, content: incoming.content };
    this.touched = true;
    this.gone = null;
    this.render();
    this.save();
  }

  useTheirs() {
    if (this.conflict) this.adopt(this.conflict, { flash: true });
  }

  overwriteWithMine() {
    const latest = this.conflict;
    if (!latest) return;
    this.conflict = null;
    this.draft = latest;
    this.saved = { id: latest.id, version: latest.version, content: latest.content };
    this.render();
    this.save();
  }

  discard() {
    this.gone = null;
    this.touched = false;
    this.setText('');
    this.render();
  }

  // --- server actions -----------------------------------------------------------------------------
  async save() {
    this.saveLater.cancel();
    const draft = this.draft;
    if (!draft || this.conflict) return;
    if (this.inflight) {
      this.saveAgain = true;
      return;
    }
    const content = this.textarea.value;
    if (this.saved && this.saved.id === draft.id && this.saved.content === content) return;
    this.inflight = { id: draft.id, fromVersion: draft.version, content };
    this.saveState = 'saving';
    this.render();
    try {
      const result = await api.patch(paths.draft(draft.id), { content, version: draft.version });
      if (this.draft && this.draft.id === result.id && result.version >= this.draft.version) {
        this.draft = result;
        this.saved = { id: result.id, version: result.version, content: result.content };
      }
      this.saveState = 'saved';
    } catch (err) {
      this.saveState = '';
      await this.saveFailed(draft, err);
    } finally {
      this.inflight = null;
      this.render();
      if (this.saveAgain) {
        this.saveAgain = false;
        this.save();
      }
    }
  }

  async saveFailed(draft, err) {
    if (err instanceof ApiError && (err.code === 'version_conflict' || err.code === 'draft_not_pending')) {
      let latest = null;
      try {
        latest = await api.get(paths.draft(draft.id));
      } catch {
        latest = null;
      }
      if (!this.draft || this.draft.id !== draft.id) return;
      if (latest && latest.status === 'pending') {
        if (latest.content === this.textarea.value) {
          this.draft = latest;
          this.saved = { id: latest.id, version: latest.version, content: latest.content };
        } else this.conflict = latest;
      } else if (latest) this.closed(latest, latest.status);
      return;
    }
    this.saveState = 'error';
  }

  async approve(force) {
    const draft = this.draft;
    if (!draft || this.busy || this.conflict || this.incoming) return;
    const content = this.textarea.value;
    if (!content.trim()) {
      toast('Write something before sending.', 'warn');
      return;
    }
    this.saveLater.cancel();
    this.busy = 'approve';
    this.closing = draft.id;
    this.held = false;
    this.render();
    try {
      const result = await api.post(paths.approve(draft.id), force ? { content, force: true } : { content });
      if (this.draft && this.draft.id === draft.id) this.closed(draft, 'approved');
      else if (!this.draft) {
        this.setText('');
        this.touched = false;
      }
      this.composer.sent(result.message);
      toast(`Sent on ${CHANNEL_LABEL[this.channel]}${result.draft.disposition === 'EDITED' ? ' (edited)' : ''}.`, 'success');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'newer_inbound_message') this.held = true;
      else if (err instanceof ApiError && err.code === 'draft_not_pending') {
        this.closing = null;
        await this.saveFailed(draft, err);
      } else toast(err.message || 'Sending failed.', 'error');
    } finally {
      this.busy = null;
      this.closing = null;
      this.render();
    }
  }

  async reject() {
    const draft = this.draft;
    if (!draft || this.busy) return;
    this.saveLater.cancel();
    this.busy = 'reject';
    this.closing = draft.id;
    this.render();
    try {
      await api.post(paths.reject(draft.id), {});
      if (this.draft && this.draft.id === draft.id) this.closed(draft, 'rejected');
      toast(`${CHANNEL_LABEL[this.channel]} draft rejected.`, 'info');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'draft_not_pending') {
        this.closing = null;
        await this.saveFailed(draft, err);
      } else toast(err.message || 'Rejecting failed.', 'error');
    } finally {
      this.busy = null;
      this.closing = null;
      this.render();
    }
  }

  async regenerate() {
    const lead = this.composer.lead;
    if (!lead || this.busy) return;
    this.busy = 'regenerate';
    this.render();
    const mark = this.outcomes;
    try {
      await api.post(paths.leadDrafts(lead.id), { channel: this.channel });
      this.startGenerating(mark);
    } catch (err) {
      toast(err.message || 'Could not ask for a draft.', 'error');
    } finally {
      this.busy = null;
      this.render();
    }
  }

  /** Save pending edits now (leaving the lead). */
  flush() {
    if (this.saveLater.pending()) this.save();
  }

  snapshot() {
    return {
      draftId: this.draft ? this.draft.id : null,
      version: this.draft ? this.draft.version : null,
      text: this.textarea.value,
      touched: this.touched,
      incoming: this.incoming ? this.incoming.id : null,
      conflict: Boolean(this.conflict),
      held: this.held,
    };
  }
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
    for (const c of CHANNELS) this.panes[c].sync(drafts.find((d) => d.channel === c && d.status === 'pending') || null);
  }

  setLead(lead) {
    this.lead = lead;
    const failures = new Map((lead.draft_failures || []).map((f) => [f.channel, f]));
    for (const c of CHANNELS) {
      const pane = this.panes[c];
      const failure = failures.get(c);
      const had = pane.failure;
      pane.failure = failure ? { reason: failure.reason } : null;
      if (Boolean(had) !== Boolean(pane.failure) || failure) pane.render();
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
    const data = event.data || {};
    const draft = data.draft;
    const pane = draft ? this.panes[draft.channel] : data.channel ? this.panes[data.channel] : null;
    if (!pane) return;
    switch (event.type) {
      case 'draft.created':
        pane.created(draft);
        break;
      case 'draft.updated':
        pane.updated(draft);
        break;
      case 'draft.approved':
        pane.closed(draft, 'approved');
        break;
      case 'draft.rejected':
        pane.closed(draft, 'rejected');
        break;
      case 'draft.superseded':
        pane.closed(draft, 'superseded');
        break;
      case 'draft.failed':
        pane.failed(data.reason);
        break;
      default:
        break;
    }
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
    const button = pane.empty.querySelector('button');
    if (button) button.focus();
  }

  approveActive() {
    this.panes[this.active].approve(false);
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
