// This user's unread leads, the way the server counts them (API.md, "Team workflow"): loaded with
// GET /api/leads?unread=true beside the list, then kept by the inbox feed. Events carry unread_count null
// (every teammate gets the same event), so the count moves here: +1 per inbound message.created, 0 on this
// user's own lead.read or a POST read. Pure (no DOM): web/tests/unread.test.js.

export const UNREAD_PAGE = 200; // the largest page GET /api/leads gives; more unread leads than that shows "200+"

export class UnreadIndex {
  constructor(meId) {
    this.meId = meId;
    this.leads = new Map(); // lead id -> {count, assignedTo}
    this.complete = true; // false: the server had more unread leads than one page
  }

  /** From GET /api/leads?unread=true (items with unread_count) and whether it had a next page. */
  reset(items, { complete = true } = {}) {
    this.leads = new Map();
    this.complete = complete;
    for (const lead of items) this.fromServer(lead);
  }

  /** A lead as the server answered this user (REST): its unread_count is this user's own. */
  fromServer(lead) {
    if (!lead || typeof lead.unread_count !== 'number') return;
    if (lead.unread_count > 0) this.leads.set(lead.id, { count: lead.unread_count, assignedTo: lead.assigned_to || null });
    else this.leads.delete(lead.id);
  }

  /** An inbound message landed on the lead (assignedTo: as far as we know it). */
  inbound(leadId, assignedTo) {
    const known = this.leads.get(leadId);
    this.leads.set(leadId, { count: (known ? known.count : 0) + 1, assignedTo: known && assignedTo === undefined ? known.assignedTo : assignedTo || null });
  }

  /** Any lead event: keep who it is assigned to, for the per-segment totals. */
  assigned(leadId, assignedTo) {
    const known = this.leads.get(leadId);
    if (known) known.assignedTo = assignedTo || null;
  }

  read(leadId) {
    this.leads.delete(leadId);
  }

  count(leadId) {
    const known = this.leads.get(leadId);
    return known ? known.count : 0;
  }

  /** Unread leads per inbox segment; `waiting` (mine + unassigned) is what the page title counts. */
  totals() {
    let mine = 0;
    let unassigned = 0;
    for (const { assignedTo } of this.leads.values()) {
      if (assignedTo === this.meId) mine += 1;
      else if (!assignedTo) unassigned += 1;
    }
    return { mine, unassigned, all: this.leads.size, waiting: mine + unassigned, complete: this.complete };
  }
}

/** "3", or "200+" when the index could not hold every unread lead. */
export function countLabel(n, complete = true) {
  if (!n && complete) return '';
  return complete ? String(n) : `${n}+`;
}

/** The tab title: "(3) Inbox · Setterdesk". */
export function titleWithCount(title, n, complete = true) {
  const label = countLabel(n, complete);
  return label ? `(${label}) ${title}` : title;
}
