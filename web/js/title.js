// The tab's title: the page ("Inbox · Setterdesk", a lead's name) with this user's unread count in front,
// "(3) Inbox · Setterdesk", so a pinned tab tells at a glance. Listeners hear the count (the rail's badge).

import { titleWithCount, countLabel } from './unread.js';

let base = 'Setterdesk';
let count = 0;
let complete = true;
const listeners = new Set();

function apply() {
  document.title = titleWithCount(base, count, complete);
}

export function setPageTitle(title) {
  base = title;
  apply();
}

export function setUnreadCount(n, isComplete = true) {
  if (n === count && isComplete === complete) return;
  count = n;
  complete = isComplete;
  apply();
  for (const listener of listeners) listener(countLabel(count, complete));
}

export function onUnreadCount(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
