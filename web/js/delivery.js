// What an outbound message's delivery looks like under its bubble, and which "Send again" it allows.
// No DOM and no network (unit-tested under node: web/tests/delivery.test.js); message_delivery.js renders it.
//
// The rules follow API.md, "Sending": a `failed` message may be sent again; an `unknown` one only after the
// setter confirms (the lead may already have it, and must never get the same reply twice by accident);
// `not_sent` and everything else may not (the server answers 409 not_retryable).

export const PROVIDER_LABEL = { emailbison: 'EmailBison', gohighlevel: 'GoHighLevel', unipile: 'Unipile' };
// The provider that carries each channel (server/integrations/service.py, PROVIDER_OF_CHANNEL).
export const CHANNEL_PROVIDER = { email: 'emailbison', sms: 'gohighlevel', linkedin: 'unipile' };
export const SETTINGS_PATH = '/settings/integrations';

// Said when the server gave no reason of its own.
const FALLBACK_REASON = {
  integration_not_connected: 'the provider is not connected',
  missing_thread: 'there is no conversation with the lead to answer yet',
  interrupted: 'the send was interrupted during the provider call',
};

/** Owners and admins manage the workspace's provider accounts; setters do not. */
export function canManageIntegrations(role) {
  return role === 'owner' || role === 'admin';
}

/** The provider a message goes through: the one the server recorded, else the channel's. */
export function providerOf(message) {
  const recorded = message.delivery && message.delivery.provider;
  return recorded || CHANNEL_PROVIDER[message.channel] || null;
}

export function providerName(provider) {
  return PROVIDER_LABEL[provider] || provider || 'the provider';
}

function reasonOf(error) {
  if (!error) return 'no reason given';
  const text = String(error.message || '').trim();
  return text || FALLBACK_REASON[error.code] || error.code || 'no reason given';
}

/**
 * The delivery line of a message, or null when it has none (inbound, or reported by a provider):
 *   {status, tone: 'pending'|'good'|'bad'|'warn'|'muted', label, detail, sendAgain: null|'now'|'confirm',
 *    connect: null | {provider, name, href}}
 * `connect` is set when the channel's provider is not connected; its href (the settings page) only for
 * people who may connect it.
 */
export function deliveryView(message, { role = null } = {}) {
  const delivery = message && message.delivery;
  if (!delivery) return null;
  const provider = providerOf(message);
  const name = providerName(provider);
  const base = { status: delivery.status, tone: 'muted', label: '', detail: null, sendAgain: null, connect: null };
  switch (delivery.status) {
    case 'queued':
    case 'sending':
      return { ...base, tone: 'pending', label: 'Sending…' };
    case 'sent':
      return { ...base, tone: 'good', label: 'Sent ✓' };
    case 'failed': {
      const attempts = delivery.attempts > 1 ? `${name} refused it after ${delivery.attempts} attempts.` : null;
      return { ...base, tone: 'bad', label: `Failed — ${reasonOf(delivery.error)}`, detail: attempts, sendAgain: 'now' };
    }
    case 'unknown':
      return {
        ...base,
        tone: 'warn',
        label: 'May have been sent',
        detail: `No answer came back from ${name}: the lead may already have this message.`,
        sendAgain: 'confirm',
      };
    case 'not_sent':
      if (delivery.error && delivery.error.code === 'integration_not_connected') {
        const manages = canManageIntegrations(role);
        return {
          ...base,
          tone: 'bad',
          label: `Not sent — connect ${name}`,
          detail: manages ? null : `Ask an owner or admin to connect ${name} in Settings.`,
          connect: { provider, name, href: manages ? SETTINGS_PATH : null },
        };
      }
      return { ...base, tone: 'bad', label: `Not sent — ${reasonOf(delivery.error)}` };
    default:
      return { ...base, label: String(delivery.status || 'Unknown state') };
  }
}

/** "Sent by Dana Reyes · via EmailBison" under an outbound message a teammate sent, else null. */
export function sentByLine(message) {
  if (!message || message.direction !== 'outbound' || !message.sent_by_user) return null;
  const who = message.sent_by_user.name || 'a teammate';
  const provider = message.delivery ? providerOf(message) : null;
  return provider ? `Sent by ${who} · via ${providerName(provider)}` : `Sent by ${who}`;
}

/**
 * What clicking "Send again" does:
 *   {request: body}  POST /api/messages/{id}/send with this body
 *   {confirm: true}  ask first (an unknown delivery), then call again with {confirmed: true}
 *   {refuse: text}   nothing to send again (the state moved on meanwhile)
 */
export function sendAgainPlan(message, { confirmed = false } = {}) {
  const status = message && message.delivery ? message.delivery.status : null;
  if (status === 'failed') return { request: {} };
  if (status === 'unknown') return confirmed ? { request: { confirm_unknown: true } } : { confirm: true };
  return { refuse: 'This message cannot be sent again.' };
}

const time = (iso) => (iso ? Date.parse(iso) || 0 : 0);

/**
 * Whether `incoming` (an event, or a POST answer) should replace `current`, the same message as shown.
 * An HTTP answer may arrive after a newer event about the same delivery: it must not take the state back.
 */
export function isNewerDelivery(current, incoming) {
  if (!current) return true;
  if (!incoming || !incoming.delivery) return false;
  if (!current.delivery) return true;
  const was = time(current.delivery.updated_at);
  const now = time(incoming.delivery.updated_at);
  if (now !== was) return now > was;
  return (incoming.delivery.attempts || 0) >= (current.delivery.attempts || 0);
}
