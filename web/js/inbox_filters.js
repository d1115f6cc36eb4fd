// The inbox's filters: the Mine / Unassigned / All segment, "Unread only", sentiment and search; the query
// they make for GET /api/leads, which of them a live event can be checked against here, and the segment and
// unread choice remembered per user. Pure (no DOM): web/tests/inbox_filters.test.js.

export const SEGMENTS = [
  { id: 'mine', label: 'Mine', assigned: 'me' },
  { id: 'unassigned', label: 'Unassigned', assigned: 'none' },
  { id: 'all', label: 'All', assigned: '' },
];

export const DEFAULT_FILTER = { segment: 'all', unread: false, sentiment: '', q: '' };

const storageKey = (userId) => `setterdesk.inbox.${userId}`;

/** The remembered segment and unread toggle (search and sentiment start empty on each visit). */
export function loadFilter(storage, userId) {
  try {
    const saved = JSON.parse(storage.getItem(storageKey(userId)) || 'null') || {};
    return {
      ...DEFAULT_FILTER,
      segment: SEGMENTS.some((s) => s.id === saved.segment) ? saved.segment : DEFAULT_FILTER.segment,
      unread: saved.unread === true,
    };
  } catch {
    return { ...DEFAULT_FILTER };
  }
}

export function saveFilter(storage, userId, filter) {
  try {
    storage.setItem(storageKey(userId), JSON.stringify({ segment: filter.segment, unread: filter.unread }));
  } catch {
    // Private mode or full storage: the choice just does not outlive the page.
  }
}

export function sameFilter(a, b) {
  return a.segment === b.segment && a.unread === b.unread && a.sentiment === b.sentiment && a.q === b.q;
}

export function isFiltered(filter) {
  return filter.segment !== 'all' || filter.unread || Boolean(filter.sentiment) || Boolean(filter.q);
}

/** Query parameters for GET /api/leads. */
export function listQuery(filter) {
  const segment = SEGMENTS.find((s) => s.id === filter.segment) || SEGMENTS[2];
  return { assigned: segment.assigned, unread: filter.unread ? 'true' : '', sentiment: filter.sentiment, q: filter.q };
}

function contactMatches(lead, q) {
  const needle = q.toLowerCase();
  return [lead.first_name, lead.last_name, lead.email, lead.company, lead.phone].some((v) => v && String(v).toLowerCase().includes(needle));
}

/**
 * Whether a lead, as a live event shows it, belongs in the list. Search also matches message text (on the
 * server, with stemming), so it cannot be decided here: a listed lead stays, an unlisted one comes in when its
 * contact fields match (the inbox asks the server about the others). `unreadCount` is this user's count.
 */
export function matchesFilter(lead, filter, { meId, listed = false, unreadCount = 0, selected = false }) {
  if (filter.sentiment && lead.sentiment_tag !== filter.sentiment) return false;
  if (filter.segment === 'mine' && lead.assigned_to !== meId) return false;
  if (filter.segment === 'unassigned' && lead.assigned_to) return false;
  // The open lead was just read: it stays until the list reloads rather than vanish under the pointer.
  if (filter.unread && unreadCount <= 0 && !selected) return false;
  if (filter.q && !listed && !contactMatches(lead, filter.q)) return false;
  return true;
}

/** "…can we do «Thursday» at 3…" → [{text: '…can we do ', mark: false}, {text: 'Thursday', mark: true}, …] */
export function snippetParts(snippet) {
  const parts = [];
  const text = String(snippet || '');
  let rest = text;
  while (rest) {
    const open = rest.indexOf('«');
    const close = open === -1 ? -1 : rest.indexOf('»', open + 1);
    if (open === -1 || close === -1) {
      parts.push({ text: rest, mark: false });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open), mark: false });
    if (close > open + 1) parts.push({ text: rest.slice(open + 1, close), mark: true });
    rest = rest.slice(close + 1);
  }
  // Adjacent marks ("«call» «Friday»" share a space between them) stay separate: each is its own match.
  return parts.filter((p) => p.text);
}
