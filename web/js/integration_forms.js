// The Integrations page's rules, with no DOM and no network (unit-tested: web/tests/integration_forms.test.js):
// which fields each provider needs (API.md, "Integrations"), what a card says about a connection, and the
// PUT body a form turns into. integrations.js renders them.

export const PROVIDER_SPECS = [
  {
    id: 'emailbison',
    name: 'EmailBison',
    channel: 'email',
    purpose: 'Sends email replies in the lead’s own thread.',
    fields: [
      { name: 'base_url', label: 'Base URL', kind: 'url', required: true, placeholder: 'https://dedi.emailbison.com' },
      { name: 'api_key', label: 'API key', kind: 'secret', required: true },
    ],
  },
  {
    id: 'gohighlevel',
    name: 'GoHighLevel',
    channel: 'sms',
    purpose: 'Sends SMS replies to the lead’s contact.',
    fields: [
      {
        name: 'base_url',
        label: 'Base URL',
        kind: 'url',
        required: false,
        placeholder: 'https://services.leadconnectorhq.com',
        hint: 'Leave empty for https://services.leadconnectorhq.com.',
      },
      { name: 'location_id', label: 'Location ID', kind: 'setting', required: true },
      { name: 'private_integration_token', label: 'Private integration token', kind: 'secret', required: true },
    ],
  },
  {
    id: 'unipile',
    name: 'Unipile',
    channel: 'linkedin',
    purpose: 'Sends LinkedIn messages from the connected account.',
    fields: [
      {
        name: 'base_url',
        label: 'DSN (base URL)',
        kind: 'url',
        required: true,
        placeholder: 'https://api1.unipile.com:13111',
        hint: 'The DSN shown in your Unipile dashboard.',
      },
      { name: 'api_key', label: 'API key', kind: 'secret', required: true },
      { name: 'account_id', label: 'Account ID', kind: 'setting', required: true },
    ],
  },
];

export function providerSpec(id) {
  return PROVIDER_SPECS.find((spec) => spec.id === id) || null;
}

/** "••••abcd": the last characters of a stored secret, never the secret. */
export function maskedHint(hint) {
  return hint ? `••••${hint}` : null;
}

/** What a card says about a connection: {state: 'not_connected'|'ok'|'error', label, tone, reason}. */
export function connectionState(integration) {
  if (!integration || !integration.connected) return { state: 'not_connected', label: 'Not connected', tone: 'muted', reason: null };
  if (integration.status === 'error') {
    return { state: 'error', label: 'Error', tone: 'bad', reason: integration.error || 'The provider refused the credentials.' };
  }
  return { state: 'ok', label: 'Connected', tone: 'good', reason: null };
}

/** The connection's non-secret details, as [label, value] rows for the card. */
export function connectionDetails(spec, integration) {
  if (!integration || !integration.connected) return [];
  const rows = [];
  if (integration.base_url) rows.push(['Base URL', integration.base_url]);
  const settings = integration.settings || {};
  for (const field of spec.fields) {
    if (field.kind === 'setting' && settings[field.name]) rows.push([field.label, String(settings[field.name])]);
  }
  // Settings the server added that this page has no label for still show.
  const known = new Set(spec.fields.map((f) => f.name));
  for (const [name, value] of Object.entries(settings)) {
    if (!known.has(name) && value !== null && value !== '') rows.push([name, String(value)]);
  }
  const hint = maskedHint(integration.secret_hint);
  if (hint) rows.push(['Secret', hint]);
  return rows;
}

/** The form's starting values: non-secret fields from the current connection, secrets always empty. */
export function initialValues(spec, integration) {
  const values = {};
  const settings = (integration && integration.settings) || {};
  for (const field of spec.fields) {
    if (field.kind === 'secret') values[field.name] = '';
    else if (field.name === 'base_url') values[field.name] = (integration && integration.base_url) || '';
    else values[field.name] = settings[field.name] ? String(settings[field.name]) : '';
  }
  return values;
}

function isHttpUrl(text) {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && Boolean(url.host) && !url.search && !url.hash;
  } catch {
    return false;
  }
}

/**
 * The PUT body for the form's values, or the errors to show beside the fields:
 *   {ok: true, body} | {ok: false, errors: {field name: message}}
 * The server checks the same again; this only spares a round trip for the obvious mistakes.
 */
export function connectBody(spec, values) {
  const body = {};
  const errors = {};
  for (const field of spec.fields) {
    const raw = values[field.name];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (!value) {
      if (field.required) errors[field.name] = `${field.label} is required.`;
      continue;
    }
    if (field.kind === 'url' && !isHttpUrl(value)) {
      errors[field.name] = 'Enter an http(s) address such as https://api.example.com.';
      continue;
    }
    body[field.name] = value;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, body };
}

/** What the server's refusal of a PUT means for the person filling the form. */
export function connectErrorText(code, message) {
  if (code === 'secret_key_missing') {
    return 'This server cannot store credentials: it has no secret key (SETTERDESK_SECRET_KEY). Ask whoever runs it to set one.';
  }
  if (code === 'forbidden') return 'Only owners and admins can connect providers.';
  return message || 'The credentials could not be saved.';
}
