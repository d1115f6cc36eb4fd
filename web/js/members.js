// The workspace's teammates (GET /api/workspace/members): loaded once per session and again when a lead
// names a user not in the list (a teammate added since), at most every few seconds. Views listen for changes
// to redraw names and avatars.

import { api, paths } from './api.js';
import { h, avatar } from './dom.js';
import { icon } from './icons.js';

const REFRESH_GAP_MS = 5000;

export class Members {
  constructor() {
    this.byId = new Map();
    this.loaded = false;
    this.loading = null;
    this.lastFetch = 0;
    this.listeners = new Set();
  }

  load() {
    if (!this.loading) {
      this.lastFetch = Date.now();
      this.loading = api.get(paths.members).then(
        (list) => {
          this.byId = new Map(list.map((m) => [m.id, m]));
          this.loaded = true;
          for (const listener of this.listeners) listener();
          return this.list();
        },
        (err) => {
          this.loading = null; // the next ask tries again
          throw err;
        },
      );
    }
    return this.loading;
  }

  refresh() {
    this.loading = null;
    return this.load();
  }

  /** A user id seen on a lead: fetch the list again when it is not in it (throttled). */
  ensure(userId) {
    if (!userId || this.byId.has(userId) || Date.now() - this.lastFetch < REFRESH_GAP_MS) return;
    this.refresh().catch((err) => console.warn('[members] refresh failed', err));
  }

  list() {
    return [...this.byId.values()];
  }

  get(userId) {
    return (userId && this.byId.get(userId)) || null;
  }

  name(userId) {
    const member = this.get(userId);
    return member ? member.name : null;
  }

  onChange(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A teammate's avatar that says who it is to a screen reader and on hover. */
export function memberAvatar(member, { size = 'xs', prefix = 'Assigned to', testid = null } = {}) {
  const name = member ? member.name : 'a teammate';
  const label = prefix ? `${prefix} ${name}` : name;
  return h(
    'span',
    { class: 'member-avatar', role: 'img', title: label, 'aria-label': label, 'data-testid': testid, 'data-user-id': member ? member.id : null },
    avatar(name, size),
  );
}

/** The placeholder for a lead nobody has taken. */
export function unassignedAvatar({ size = 'xs', testid = null } = {}) {
  return h('span', { class: `member-avatar unassigned avatar avatar-${size}`, role: 'img', title: 'Unassigned', 'aria-label': 'Unassigned', 'data-testid': testid }, icon('user', { size: size === 'xs' ? 11 : 14 }));
}
