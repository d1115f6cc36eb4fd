// Settings › Integrations: the workspace's provider accounts (GET/PUT/DELETE /api/integrations), one card per
// provider with its state, a form to connect or replace its credentials, "Check connection" and
// "Disconnect". Owners and admins only: setters get a page that says so (the server refuses them anyway).
//
// Secrets go out once, in the PUT, from password inputs that are never filled in from the server (it only
// returns a 4-character hint). A refused form keeps what was typed.

import { api, ApiError, paths } from './api.js';
import { h, replace, fullTime } from './dom.js';
import { icon, channelIcon, CHANNEL_LABEL } from './icons.js';
import { canManageIntegrations } from './delivery.js';
import { PROVIDER_SPECS, connectionState, connectionDetails, initialValues, connectBody, connectErrorText } from './integration_forms.js';

export class IntegrationsPage {
  constructor(session) {
    this.session = session;
    this.cards = new Map(PROVIDER_SPECS.map((spec) => [spec.id, new IntegrationCard(spec, { reload: () => this.load() })]));
    this.body = h('div', { class: 'integration-list', 'data-testid': 'integration-list' });
    this.el = h(
      'section',
      { class: 'page settings-page', 'aria-label': 'Integrations' },
      h(
        'header',
        { class: 'page-head' },
        h(
          'div',
          {},
          h('h1', {}, 'Integrations'),
          h('p', { class: 'muted' }, 'The provider accounts Setterdesk sends replies through. Until a channel’s provider is connected, replies on it are recorded but not sent.'),
        ),
      ),
      this.body,
    );
  }

  show() {
    if (!canManageIntegrations(this.session.me.user.role)) {
      replace(
        this.body,
        h(
          'div',
          { class: 'empty', 'data-testid': 'integrations-forbidden' },
          icon('alert', { size: 28 }),
          h('p', {}, 'Only owners and admins can manage integrations.'),
          h('p', { class: 'muted' }, 'Ask an owner or admin of this workspace to connect or change a provider.'),
        ),
      );
      return;
    }
    replace(this.body, [...this.cards.values()].map((card) => card.el));
    this.load();
  }

  async load() {
    let items;
    try {
      items = await api.get(paths.integrations);
    } catch (err) {
      const text = err instanceof ApiError && err.status === 403 ? 'Only owners and admins can manage integrations.' : err.message;
      replace(this.body, h('div', { class: 'empty', 'data-testid': 'integrations-error' }, icon('alert', { size: 28 }), h('p', {}, text)));
      return;
    }
    if (!this.body.contains([...this.cards.values()][0].el)) replace(this.body, [...this.cards.values()].map((card) => card.el));
    for (const item of items) {
      const card = this.cards.get(item.provider);
      if (card) card.set(item);
    }
  }
}

class IntegrationCard {
  constructor(spec, { reload }) {
    this.spec = spec;
    this.reload = reload;
    this.integration = null;
    this.loaded = false;
    this.formOpen = false; // a connected provider's form opens on "Replace credentials"
    this.busy = null; // 'save' | 'check' | 'disconnect'
    this.confirmingDisconnect = false;
    this.check = null; // {ok, error}: the last check's answer
    this.formError = null;
    this.fieldErrors = {};
    this.inputs = {};
    this.el = h('article', { class: 'integration-card', 'data-testid': `integration-${spec.id}`, 'data-provider': spec.id });
    this.buildForm();
    this.render();
  }

  set(integration) {
    this.integration = integration;
    this.loaded = true;
    if (!integration.connected) this.formOpen = false;
    this.render();
  }

  // --- the form ------------------------------------------------------------------------------------
  buildForm() {
    const id = this.spec.id;
    this.fieldEls = {};
    const rows = this.spec.fields.map((field) => {
      const input = h('input', {
        class: 'input',
        id: `integration-${id}-${field.name}`,
        name: field.name,
        type: field.kind === 'secret' ? 'password' : field.kind === 'url' ? 'url' : 'text',
        autocomplete: field.kind === 'secret' ? 'new-password' : 'off',
        spellcheck: 'false',
        placeholder: field.placeholder || '',
        'data-testid': `integration-${id}-${field.name}`,
      });
      this.inputs[field.name] = input;
      const error = h('span', { class: 'field-error', hidden: true });
      this.fieldEls[field.name] = error;
      return h(
        'label',
        { class: 'field', for: input.id },
        h('span', { class: 'field-label' }, field.label, field.required ? null : h('span', { class: 'muted' }, ' (optional)')),
        input,
        field.hint ? h('span', { class: 'hint' }, field.hint) : null,
        error,
      );
    });
    this.formErrorEl = h('div', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': `integration-error-${id}` });
    this.submitBtn = h('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': `integration-save-${id}` });
    this.cancelBtn = h('button', { class: 'btn', type: 'button', onclick: () => this.closeForm() }, 'Cancel');
    this.form = h(
      'form',
      { class: 'integration-form', novalidate: true, 'data-testid': `integration-form-${id}` },
      h('div', { class: 'integration-fields' }, rows),
      this.formErrorEl,
      h('div', { class: 'integration-form-foot' }, this.submitBtn, this.cancelBtn, h('span', { class: 'hint' }, 'Secrets are stored encrypted and never shown again.')),
    );
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
  }

  openForm() {
    // Fresh values each time: settings from the current connection, secrets empty.
    const values = initialValues(this.spec, this.integration);
    for (const [name, input] of Object.entries(this.inputs)) input.value = values[name];
    this.formOpen = true;
    this.formError = null;
    this.fieldErrors = {};
    this.render();
    const first = this.spec.fields.find((f) => f.kind === 'secret');
    if (first) this.inputs[first.name].focus();
  }

  closeForm() {
    this.formOpen = false;
    this.formError = null;
    this.fieldErrors = {};
    this.render();
  }

  async save() {
    if (this.busy) return;
    const values = Object.fromEntries(Object.entries(this.inputs).map(([name, input]) => [name, input.value]));
    const result = connectBody(this.spec, values);
    this.fieldErrors = result.ok ? {} : result.errors;
    this.formError = null;
    if (!result.ok) return this.render();
    this.busy = 'save';
    this.render();
    try {
      this.integration = await api.put(paths.integration(this.spec.id), result.body);
    } catch (err) {
      this.busy = null;
      this.formError = connectErrorText(err.code, err.message);
      this.render(); // the inputs keep what was typed
      return;
    }
    this.busy = null;
    this.formOpen = false;
    this.check = null;
    for (const field of this.spec.fields) if (field.kind === 'secret') this.inputs[field.name].value = '';
    this.render();
    this.runCheck(); // say at once whether the new credentials work
  }

  // --- check and disconnect --------------------------------------------------------------------------
  async runCheck() {
    if (this.busy) return;
    this.busy = 'check';
    this.check = null;
    this.render();
    try {
      this.check = await api.post(paths.checkIntegration(this.spec.id), {});
    } catch (err) {
      this.check = { ok: false, error: err.message };
    }
    this.busy = null;
    this.render();
    this.reload(); // a check moves the connection's status (ok / error with the provider's reason)
  }

  async disconnect() {
    if (this.busy) return;
    this.busy = 'disconnect';
    this.render();
    try {
      await api.delete(paths.integration(this.spec.id));
    } catch (err) {
      this.busy = null;
      this.confirmingDisconnect = false;
      this.check = { ok: false, error: `Not disconnected: ${err.message}` };
      this.render();
      return;
    }
    this.busy = null;
    this.confirmingDisconnect = false;
    this.check = null;
    this.integration = { ...this.integration, connected: false, status: 'ok', error: null, base_url: null, settings: {}, secret_hint: null };
    this.render();
    this.reload();
  }

  // --- drawing -----------------------------------------------------------------------------------------
  render() {
    const spec = this.spec;
    const id = spec.id;
    const state = connectionState(this.integration);
    const connected = state.state !== 'not_connected';
    this.el.dataset.state = this.loaded ? state.state : 'loading';
    const formShown = this.loaded && (!connected || this.formOpen);
    this.submitBtn.disabled = this.busy === 'save';
    replace(this.submitBtn, this.busy === 'save' ? h('span', { class: 'spinner spinner-sm' }) : null, this.busy === 'save' ? 'Saving…' : connected ? 'Save new credentials' : `Connect ${spec.name}`);
    this.cancelBtn.hidden = !connected;
    this.formErrorEl.hidden = !this.formError;
    this.formErrorEl.textContent = this.formError || '';
    for (const [name, el] of Object.entries(this.fieldEls)) {
      el.hidden = !this.fieldErrors[name];
      el.textContent = this.fieldErrors[name] || '';
      this.inputs[name].setAttribute('aria-invalid', String(Boolean(this.fieldErrors[name])));
    }
    replace(
      this.el,
      h(
        'header',
        { class: 'integration-head' },
        h('span', { class: 'integration-icon' }, channelIcon(spec.channel, 18)),
        h('div', { class: 'integration-title' }, h('h2', {}, spec.name), h('span', { class: 'muted' }, `${CHANNEL_LABEL[spec.channel]} · ${spec.purpose}`)),
        h('span', { class: 'grow' }),
        this.loaded
          ? h('span', { class: `badge integration-state state-${state.state}`, 'data-testid': `integration-state-${id}` }, state.label)
          : h('span', { class: 'spinner spinner-sm' }),
      ),
      state.reason ? h('div', { class: 'notice notice-error', role: 'alert', 'data-testid': `integration-reason-${id}` }, icon('alert', { size: 14 }), h('div', { class: 'notice-body' }, h('strong', {}, `${spec.name} answered: `), state.reason)) : null,
      connected ? this.details() : null,
      this.checkLine(state),
      connected && !this.formOpen ? this.actions() : null,
      formShown ? this.form : null,
    );
  }

  details() {
    const rows = connectionDetails(this.spec, this.integration);
    const updated = this.integration.updated_at ? [['Updated', fullTime(this.integration.updated_at)]] : [];
    return h(
      'dl',
      { class: 'kv integration-details' },
      [...rows, ...updated].map(([label, value]) =>
        h('div', {}, h('dt', {}, label), h('dd', { 'data-testid': label === 'Secret' ? `integration-hint-${this.spec.id}` : null }, value)),
      ),
    );
  }

  checkLine(state) {
    const id = this.spec.id;
    if (this.busy === 'check') return h('div', { class: 'check-line', 'data-testid': `check-result-${id}` }, h('span', { class: 'spinner spinner-sm' }), 'Checking the connection…');
    if (!this.check) return null;
    // A failed check already shows as the connection's error, with the same reason.
    if (!this.check.ok && state.reason && state.reason === this.check.error) return null;
    return this.check.ok
      ? h('div', { class: 'check-line check-ok', 'data-testid': `check-result-${id}`, 'data-ok': 'true' }, icon('check', { size: 14 }), `Connection works: ${this.spec.name} accepted the credentials.`)
      : h('div', { class: 'check-line check-bad', 'data-testid': `check-result-${id}`, 'data-ok': 'false' }, icon('alert', { size: 14 }), `Check failed — ${this.check.error || 'no reason given'}`);
  }

  actions() {
    const id = this.spec.id;
    if (this.confirmingDisconnect) {
      return h(
        'div',
        { class: 'notice notice-warn', role: 'alert', 'data-testid': `disconnect-confirm-${id}` },
        icon('alert', { size: 14 }),
        h('div', { class: 'notice-body' }, h('strong', {}, `Disconnect ${this.spec.name}?`), ` Replies on ${CHANNEL_LABEL[this.spec.channel]} will be recorded but not sent until it is connected again.`),
        h(
          'div',
          { class: 'notice-actions' },
          h('button', { class: 'btn btn-sm btn-danger', disabled: this.busy === 'disconnect', 'data-testid': `disconnect-yes-${id}`, onclick: () => this.disconnect() }, this.busy === 'disconnect' ? 'Disconnecting…' : 'Disconnect'),
          h('button', { class: 'btn btn-sm', disabled: this.busy === 'disconnect', onclick: () => this.setConfirming(false) }, 'Cancel'),
        ),
      );
    }
    return h(
      'div',
      { class: 'integration-actions' },
      h('button', { class: 'btn', disabled: Boolean(this.busy), 'data-testid': `check-${id}`, onclick: () => this.runCheck() }, icon('refresh', { size: 14 }), 'Check connection'),
      h('button', { class: 'btn', disabled: Boolean(this.busy), 'data-testid': `replace-credentials-${id}`, onclick: () => this.openForm() }, icon('pen', { size: 14 }), 'Replace credentials'),
      h('span', { class: 'grow' }),
      h('button', { class: 'btn btn-ghost btn-danger-text', disabled: Boolean(this.busy), 'data-testid': `disconnect-${id}`, onclick: () => this.setConfirming(true) }, icon('x', { size: 14 }), 'Disconnect'),
    );
  }

  setConfirming(value) {
    this.confirmingDisconnect = value;
    this.render();
  }
}
