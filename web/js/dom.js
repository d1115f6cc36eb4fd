// Small DOM helpers. Text always goes in as text nodes: nothing from the server is parsed as HTML here.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('button', {class: 'btn', onclick: fn, dataset: {id: 1}}, 'Label', child, [more])
 * Event handlers are attached with addEventListener (the page's CSP forbids inline handlers).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined && value !== false) el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) if (child) el.appendChild(child);
  return el;
}

function applyAttrs(el, attrs) {
  if (!attrs) return;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'disabled' || key === 'selected' || key === 'hidden') el[key] = Boolean(value);
    else if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

export function isEditable(target) {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

// --- people and time -------------------------------------------------------------------------------

export function leadName(lead, fallback = 'Unknown lead') {
  const name = [lead.first_name, lead.last_name].filter(Boolean).join(' ').trim();
  return name || lead.email || lead.phone || fallback;
}

export function initials(text) {
  // Words that start with a letter: "Dana Lee" -> "DL"; a phone number has none -> "#".
  const words = String(text || '').split(/\s+/).filter((w) => /^\p{L}/u.test(w));
  if (!words.length) return '#';
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : words[0].slice(0, 2);
  return letters.toUpperCase();
}

const AVATAR_HUES = [232, 262, 200, 170, 145, 25, 340, 290, 210, 12];

export function avatar(text, size = 'md') {
  let hash = 0;
  for (const ch of String(text)) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  const el = h('span', { class: `avatar avatar-${size} hue-${hash % AVATAR_HUES.length}`, 'aria-hidden': 'true' });
  el.textContent = initials(text);
  return el;
}

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "now", "5m", "3h", "Tue", "Feb 5", "Feb 5, 2024" — list-style relative times. */
export function shortTime(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  const age = Date.now() - at.getTime();
  if (age < MINUTE) return 'now';
  if (age < HOUR) return `${Math.floor(age / MINUTE)}m`;
  if (age < DAY) return `${Math.floor(age / HOUR)}h`;
  if (age < 6 * DAY) return at.toLocaleDateString(undefined, { weekday: 'short' });
  const sameYear = at.getFullYear() === new Date().getFullYear();
  return at.toLocaleDateString(undefined, sameYear ? { month: 'short', day: 'numeric' } : { dateStyle: 'medium' });
}

/** "10:16 AM" today, "Tue 10:16 AM" this week, "Nov 17, 10:16 AM" before. */
export function messageTime(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  const time = at.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
  const now = new Date();
  if (at.toDateString() === now.toDateString()) return time;
  if (now.getTime() - at.getTime() < 6 * DAY) return `${at.toLocaleDateString(undefined, { weekday: 'short' })} ${time}`;
  const sameYear = at.getFullYear() === now.getFullYear();
  return `${at.toLocaleDateString(undefined, sameYear ? { month: 'short', day: 'numeric' } : { dateStyle: 'medium' })}, ${time}`;
}

export function fullTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
  wrapped.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  wrapped.pending = () => timer !== null;
  return wrapped;
}

// --- toasts ----------------------------------------------------------------------------------------

export function toast(message, kind = 'info', ms = 3500, { onclick = null, testid = null } = {}) {
  const host = document.getElementById('toasts');
  if (!host) return null;
  // A toast with an action is a button (it takes the pointer); the others let clicks through.
  const el = onclick
    ? h('button', { type: 'button', class: `toast toast-${kind} toast-action`, 'data-testid': testid, onclick: () => { el.remove(); onclick(); } }, message)
    : h('div', { class: `toast toast-${kind}`, 'data-testid': testid }, message);
  host.appendChild(el);
  setTimeout(() => el.classList.add('leaving'), ms);
  setTimeout(() => el.remove(), ms + 300);
  return el;
}
