// A lead's history as sentences ("Dana set Interested", "AI drafted an email", "EmailBison reported a
// bounce"): GET /api/leads/{id}/activity items and live events in, timeline entries out. Pure (no DOM), so
// node --test covers it (web/tests/activity_text.test.js).
//
// lead.updated carries the whole lead and not what changed, so an entry for it comes from comparing it with
// the lead as the next older event left it (any event that carries a lead). Where that older state is not
// loaded yet (more pages to come) the entry is left out until it is.

export const PROVIDER_OF_CHANNEL = { email: 'EmailBison', sms: 'GoHighLevel', linkedin: 'Unipile' };
const PROVIDER_NAME = { emailbison: 'EmailBison', gohighlevel: 'GoHighLevel', unipile: 'Unipile' };
const WHAT = { email: 'an email', sms: 'an SMS', linkedin: 'a LinkedIn message' };
const DRAFT_OF = { email: 'email draft', sms: 'SMS draft', linkedin: 'LinkedIn draft' };
const BY = { email: 'by email', sms: 'by SMS', linkedin: 'on LinkedIn' };
const DETAIL_FIELDS = [
  ['first_name', 'first name'],
  ['last_name', 'last name'],
  ['title', 'title'],
  ['company', 'company'],
  ['email', 'email'],
  ['phone', 'phone'],
  ['linkedin_url', 'LinkedIn'],
];
// The same senders the server treats as delivery-status mail (server/sentiment/rules.py).
const BOUNCE_SENDER =
  /^(mailer[-_.]?daemon|mail[-_.]?daemon|postmaster|mail[-_.]?delivery(?:[-_.]?(?:subsystem|system))?|delivery[-_.]?(?:status|failure|notification)s?|bounces?|no-?reply[-_.]?bounces?)(?:[+\-_.][^@]*)?@/i;

export function isBounceSender(from) {
  if (!from) return false;
  const inside = /<([^<>]+)>\s*$/.exec(String(from));
  return BOUNCE_SENDER.test((inside ? inside[1] : String(from)).trim());
}

/** Who did it, as a sentence starts: a teammate's name, "AI", the provider's name, or "Setterdesk". */
export function actorLabel(actor, memberName = () => null) {
  const a = actor || { type: 'system' };
  if (a.type === 'user') return a.name || memberName(a.id) || 'A teammate';
  if (a.type === 'ai') return 'AI';
  if (a.type === 'provider') return a.name || 'The provider';
  return 'Setterdesk';
}

function providerOf(message) {
  const named = message && message.delivery && PROVIDER_NAME[message.delivery.provider];
  return named || PROVIDER_OF_CHANNEL[message && message.channel] || 'the provider';
}

function firstName(leadLabel) {
  return String(leadLabel || 'The lead').trim().split(/\s+/)[0] || 'The lead';
}

function messageEntry(message, who, leadLabel) {
  if (message.direction === 'inbound') {
    if (message.channel === 'email' && isBounceSender(message.from)) return { text: `${providerOf(message)} reported a bounce`, icon: 'alert', tone: 'bad' };
    return { text: `${firstName(leadLabel)} replied ${BY[message.channel] || ''}`.trim(), detail: `via ${providerOf(message)}`, icon: message.channel };
  }
  if (message.draft_id) return null; // draft.approved tells this one
  if (message.sent_by === 'provider') return { text: `${WHAT[message.channel] || 'A message'} was sent from ${providerOf(message)}`.replace(/^./, (c) => c.toUpperCase()), icon: message.channel };
  return { text: `${who} sent ${WHAT[message.channel] || 'a message'}`, detail: message.delivery ? `via ${providerOf(message)}` : null, icon: 'send' };
}

function deliveryEntry(message) {
  const delivery = message.delivery;
  if (!delivery) return null;
  const provider = providerOf(message);
  const what = WHAT[message.channel] || 'a message';
  const reason = delivery.error && (delivery.error.message || delivery.error.code);
  switch (delivery.status) {
    case 'sent':
      return { text: `${provider} accepted ${what}`, icon: 'check', tone: 'good' };
    case 'failed':
      return { text: `${provider} refused ${what}`, detail: reason, icon: 'alert', tone: 'bad' };
    case 'not_sent':
      return { text: `${what.replace(/^./, (c) => c.toUpperCase())} was not sent`, detail: reason, icon: 'alert', tone: 'bad' };
    case 'unknown':
      return { text: `No answer from ${provider}: ${what} may not have been sent`, detail: reason, icon: 'alert', tone: 'warn' };
    default:
      return null; // queued / sending: the steps in between are noise in a history
  }
}

function assignmentEntry(actor, who, before, after, memberName) {
  const name = (id) => memberName(id) || 'a former teammate';
  if (actor.type !== 'user') {
    return after ? { text: `Assigned to ${name(after)} automatically`, icon: 'user' } : { text: `Unassigned from ${name(before)}`, icon: 'user' };
  }
  if (!after) return { text: before === actor.id ? `${who} unassigned themselves` : `${who} unassigned ${name(before)}`, icon: 'user' };
  if (after === actor.id) return { text: `${who} took this lead`, icon: 'user' };
  return { text: `${who} assigned this lead to ${name(after)}`, icon: 'user' };
}

/** What one lead.updated changed, against the lead before it; null when nothing a person cares about. */
export function leadChangeEntries(event, previous, memberName = () => null) {
  const lead = (event.data && event.data.lead) || {};
  const before = previous || { assigned_to: null, appointment_booked_at: null };
  const actor = event.actor || { type: 'system' };
  const who = actorLabel(actor, memberName);
  const entries = [];
  if ((lead.assigned_to || null) !== (before.assigned_to || null)) {
    entries.push(assignmentEntry(actor, who, before.assigned_to || null, lead.assigned_to || null, memberName));
  }
  if ((lead.appointment_booked_at || null) !== (before.appointment_booked_at || null)) {
    entries.push(
      lead.appointment_booked_at
        ? { text: `${who} marked a meeting booked`, appointment: lead.appointment_booked_at, icon: 'calendar', tone: 'good' }
        : { text: `${who} cleared the appointment`, icon: 'calendar' },
    );
  }
  if (previous) {
    const edited = DETAIL_FIELDS.filter(([key]) => key in lead && key in previous && (lead[key] || null) !== (previous[key] || null)).map(([, label]) => label);
    if (edited.length && actor.type === 'user') entries.push({ text: `${who} edited the lead’s ${edited.join(', ')}`, icon: 'pen' });
  }
  return entries;
}

/** One event (not lead.updated) as an entry, or null when it is not worth a line. */
export function describeEvent(event, { memberName = () => null, leadLabel = 'The lead' } = {}) {
  const data = event.data || {};
  const actor = event.actor || { type: 'system' };
  const who = actorLabel(actor, memberName);
  const draft = data.draft || {};
  switch (event.type) {
    case 'message.created':
      return data.message ? messageEntry(data.message, who, leadLabel) : null;
    case 'message.updated':
      return data.message ? deliveryEntry(data.message) : null;
    case 'lead.sentiment_changed': {
      const tag = data.lead && data.lead.sentiment_tag;
      if (actor.type === 'provider' && tag === 'Blacklist') return { text: `${who} reported an opt-out`, detail: 'Blacklist', icon: 'alert', tone: 'bad' };
      const from = data.previous_sentiment_tag ? `was ${data.previous_sentiment_tag}` : null;
      return { text: `${who} set ${tag}`, detail: from, icon: actor.type === 'ai' ? 'sparkle' : 'filter', sentiment: tag };
    }
    case 'draft.created':
      return { text: `${who} drafted ${WHAT[draft.channel] || 'a reply'}`, icon: 'sparkle' };
    case 'draft.updated':
      return { text: `${who} edited the ${DRAFT_OF[draft.channel] || 'draft'}`, icon: 'pen' };
    case 'draft.rejected':
      return { text: actor.type === 'user' ? `${who} rejected the ${DRAFT_OF[draft.channel] || 'draft'}` : `The ${DRAFT_OF[draft.channel] || 'draft'} was withdrawn`, icon: 'x' };
    case 'draft.approved': {
      const how = draft.disposition === 'EDITED' ? 'edited and sent' : 'approved and sent';
      return { text: `${who} ${how} via ${providerOf(data.message || { channel: draft.channel })}`, detail: `the AI’s ${DRAFT_OF[draft.channel] || 'draft'}`, icon: 'send', tone: 'good' };
    }
    case 'draft.superseded':
      return { text: `A newer reply replaced the ${DRAFT_OF[draft.channel] || 'draft'}`, icon: 'refresh' };
    case 'draft.failed':
      return { text: `AI could not write ${WHAT[data.channel] || 'a reply'}`, detail: data.reason, icon: 'alert', tone: 'bad' };
    case 'insight.updated':
      return { text: 'AI summarised the conversation', detail: data.insight && data.insight.outcome, icon: 'insights' };
    default:
      return null; // lead.read (whose screen it was on is nobody's business), presence, types to come
  }
}

/**
 * The timeline: items newest first (as the API lists them) → [{key, eventId, at, actor, text, detail, icon,
 * tone}]. Consecutive edits of one draft by one person (autosave) fold into one line.
 */
export function activityEntries(items, { memberName = () => null, leadLabel = 'The lead', hasMore = false } = {}) {
  const entries = [];
  for (let i = 0; i < items.length; i += 1) {
    const event = items[i];
    let made;
    if (event.type === 'lead.updated') {
      const older = items.slice(i + 1).find((e) => e.data && e.data.lead);
      if (!older && hasMore) continue; // its "before" is on a page not loaded yet
      made = leadChangeEntries(event, older ? older.data.lead : null, memberName);
    } else {
      const one = describeEvent(event, { memberName, leadLabel });
      made = one ? [one] : [];
    }
    const previous = entries[entries.length - 1];
    if (event.type === 'draft.updated' && previous && previous.foldKey === foldKey(event)) {
      previous.count += 1;
      previous.detail = `${previous.count} edits`;
      continue;
    }
    made.forEach((entry, n) =>
      entries.push({
        key: `${event.id}:${n}`,
        eventId: event.id,
        at: event.at,
        actor: event.actor || { type: 'system' },
        detail: null,
        tone: null,
        count: 1,
        foldKey: event.type === 'draft.updated' ? foldKey(event) : null,
        ...entry,
      }),
    );
  }
  return entries;
}

function foldKey(event) {
  const actor = event.actor || {};
  return `${event.data && event.data.draft && event.data.draft.id}:${actor.type}:${actor.id || ''}`;
}

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then the date. */
export function relativeTime(iso, now = Date.now()) {
  if (!iso) return '';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const age = Math.max(0, now - at);
  if (age < MINUTE) return 'just now';
  if (age < HOUR) return `${Math.floor(age / MINUTE)} min ago`;
  if (age < DAY) return `${Math.floor(age / HOUR)} h ago`;
  if (age < 2 * DAY) return 'yesterday';
  if (age < 7 * DAY) return `${Math.floor(age / DAY)} days ago`;
  const date = new Date(at);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString('en-US', sameYear ? { month: 'short', day: 'numeric' } : { month: 'short', day: 'numeric', year: 'numeric' });
}
