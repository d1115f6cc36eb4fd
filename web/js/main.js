// Boot: who is signed in, the router, the app shell (navigation rail, connection state), keyboard shortcuts.

import { api, ApiError, paths, setUnauthenticatedHandler } from './api.js';
import { renderSignIn, renderSignUp } from './auth.js';
import { h, replace, avatar, isEditable, toast } from './dom.js';
import { icon } from './icons.js';
import { Workspace } from './workspace.js';
import { InsightsPage } from './insights.js';
import { IntegrationsPage } from './integrations.js';
import { canManageIntegrations } from './delivery.js';
import { Realtime } from './realtime.js';
import { Members } from './members.js';
import { TeamPage } from './team.js';
import { setPageTitle, setUnreadCount, onUnreadCount } from './title.js';

const root = document.getElementById('app');

const session = {
  me: null, // {user, workspace}
  realtime: null,
  workspace: null, // the inbox + lead view, kept alive while signed in
  insights: null,
  integrations: null,
  team: null,
  members: null, // the workspace's teammates, loaded once per session (members.js)
  after: null, // the page asked for before signing in
};

// --- routing ---------------------------------------------------------------------------------------

export function navigate(path, { replace: replaceState = false } = {}) {
  if (window.location.pathname !== path) {
    if (replaceState) window.history.replaceState({}, '', path);
    else window.history.pushState({}, '', path);
  }
  route();
}

window.addEventListener('popstate', () => route());

document.addEventListener('click', (event) => {
  // In-app links (<a data-route href="/...">) change the page without a reload.
  const link = event.target instanceof Element ? event.target.closest('a[data-route]') : null;
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
});

function route() {
  const path = window.location.pathname;
  if (path === '/signin' || path === '/signup') {
    if (session.me) return navigate('/inbox', { replace: true });
    setPageTitle(path === '/signin' ? 'Sign in · Setterdesk' : 'Create a workspace · Setterdesk');
    const view = path === '/signin' ? renderSignIn({ onSignedIn, navigate }) : renderSignUp({ onSignedIn, navigate });
    replace(root, view);
    return;
  }
  if (!session.me) {
    session.after = path; // back here once signed in
    return navigate('/signin', { replace: true });
  }
  const shell = ensureShell();
  const lead = path.match(/^\/leads\/([^/]+)$/);
  if (path === '/insights') {
    setActiveNav('insights');
    session.workspace.hide();
    if (!session.insights) session.insights = new InsightsPage(session, { navigate });
    replace(shell.main, session.insights.el);
    session.insights.show();
    setPageTitle('Insights · Setterdesk');
    return;
  }
  if (path === '/settings' || path === '/settings/integrations') {
    if (path === '/settings') return navigate('/settings/integrations', { replace: true });
    setActiveNav('settings');
    session.workspace.hide();
    if (!session.integrations) session.integrations = new IntegrationsPage(session);
    replace(shell.main, session.integrations.el);
    session.integrations.show();
    setPageTitle('Integrations · Setterdesk');
    return;
  }
  if (path === '/settings/team') {
    setActiveNav('team');
    session.workspace.hide();
    if (!session.team) session.team = new TeamPage(session);
    replace(shell.main, session.team.el);
    session.team.show();
    setPageTitle('Team · Setterdesk');
    return;
  }
  if (path !== '/inbox' && !lead) return navigate('/inbox', { replace: true });
  setActiveNav('inbox');
  if (shell.main.firstChild !== session.workspace.el) replace(shell.main, session.workspace.el);
  session.workspace.show(lead ? decodeURIComponent(lead[1]) : null);
}

// --- session ---------------------------------------------------------------------------------------

async function boot() {
  setUnauthenticatedHandler(() => signedOut('Your session ended. Please sign in again.'));
  try {
    session.me = await api.get(paths.me, { quiet401: true });
  } catch (err) {
    session.me = null;
    if (!(err instanceof ApiError) || err.status !== 401) {
      replace(root, h('div', { class: 'boot' }, h('p', {}, 'Setterdesk cannot reach its server. '), h('p', { class: 'muted' }, err.message)));
      setTimeout(boot, 3000);
      return;
    }
  }
  route();
}

function onSignedIn(me) {
  session.me = me;
  const next = session.after && /^\/(inbox|insights|settings(\/(integrations|team))?|leads\/[^/]+)$/.test(session.after) ? session.after : '/inbox';
  session.after = null;
  navigate(next, { replace: true });
}

async function signOut() {
  try {
    await api.post(paths.logout, {}, { quiet401: true });
  } catch {
    // Signed out already, or the server is away: the cookie is dropped either way below.
  }
  teardown();
  window.location.assign('/signin');
}

function signedOut(message) {
  if (!session.me) return;
  teardown();
  toast(message, 'warn', 5000);
  navigate('/signin', { replace: true });
}

function teardown() {
  if (session.realtime) session.realtime.close();
  if (session.workspace) session.workspace.destroy();
  session.me = null;
  session.realtime = null;
  session.workspace = null;
  session.insights = null;
  session.integrations = null;
  session.team = null;
  session.members = null;
  if (unlistenUnread) unlistenUnread();
  unlistenUnread = null;
  setUnreadCount(0);
  shellEls = null;
}

// --- the shell -------------------------------------------------------------------------------------

let shellEls = null;
let unlistenUnread = null;

function ensureShell() {
  if (shellEls) return shellEls;
  const realtime = new Realtime({
    onState: (state) => renderConnection(state),
    onAuthLost: async () => {
      try {
        await api.get(paths.me, { quiet401: true });
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) signedOut('Your session ended. Please sign in again.');
      }
    },
  });
  session.realtime = realtime;
  session.members = new Members();
  session.members.load().catch((err) => console.warn('[members] first load failed', err));
  const connection = h('div', { class: 'conn', 'data-testid': 'connection', title: 'Real-time connection' });
  const nav = {
    inbox: h('a', { class: 'rail-item', href: '/inbox', 'data-route': '', title: 'Inbox' }, icon('inbox', { size: 20 }), h('span', {}, 'Inbox')),
    insights: h('a', { class: 'rail-item', href: '/insights', 'data-route': '', title: 'Insights' }, icon('insights', { size: 20 }), h('span', {}, 'Insights')),
    team: h('a', { class: 'rail-item', href: '/settings/team', 'data-route': '', title: 'Team', 'data-testid': 'nav-team' }, icon('user', { size: 20 }), h('span', {}, 'Team')),
  };
  // Unread replies waiting for this user (assigned to them or to nobody), on the Inbox item.
  const inboxBadge = h('span', { class: 'rail-badge', hidden: true, 'data-testid': 'nav-inbox-unread' });
  nav.inbox.appendChild(inboxBadge);
  unlistenUnread = onUnreadCount((label) => {
    inboxBadge.textContent = label;
    inboxBadge.hidden = !label;
    nav.inbox.title = label ? `Inbox: ${label} unread` : 'Inbox';
  });
  // Setters cannot change integrations: they are not offered the page at all.
  if (canManageIntegrations(session.me.user.role)) {
    nav.settings = h(
      'a',
      { class: 'rail-item', href: '/settings/integrations', 'data-route': '', title: 'Settings: integrations', 'data-testid': 'nav-settings' },
      icon('settings', { size: 20 }),
      h('span', {}, 'Settings'),
    );
  }
  const user = session.me.user;
  const menu = h(
    'div',
    { class: 'rail-user' },
    h(
      'button',
      { class: 'rail-avatar', title: `${user.name} · ${user.email}`, 'aria-haspopup': 'true', onclick: () => userMenu.classList.toggle('open') },
      avatar(user.name, 'sm'),
    ),
  );
  const userMenu = h(
    'div',
    { class: 'user-menu', role: 'menu' },
    h('div', { class: 'user-menu-head' }, h('strong', {}, user.name), h('span', {}, user.email), h('span', { class: 'muted' }, `${session.me.workspace.name} · ${user.role}`)),
    h('button', { class: 'menu-item', role: 'menuitem', 'data-testid': 'sign-out', onclick: signOut }, icon('logout'), 'Sign out'),
  );
  menu.appendChild(userMenu);
  document.addEventListener('click', (event) => {
    if (!menu.contains(event.target)) userMenu.classList.remove('open');
  });
  const rail = h(
    'nav',
    { class: 'rail', 'aria-label': 'Main' },
    h('a', { class: 'rail-brand', href: '/inbox', 'data-route': '', title: 'Setterdesk' }, h('span', { class: 'brand-mark' })),
    nav.inbox,
    nav.insights,
    nav.team,
    nav.settings || null,
    h('div', { class: 'rail-spacer' }),
    connection,
    menu,
  );
  const banner = h('div', { class: 'conn-banner', hidden: true, 'data-testid': 'connection-banner' });
  const main = h('main', { class: 'main' });
  replace(root, h('div', { class: 'shell' }, rail, h('div', { class: 'shell-body' }, banner, main)));
  session.workspace = new Workspace(session, { navigate });
  shellEls = { main, nav, connection, banner };
  renderConnection(realtime.state);
  realtime.start();
  window.__setterdesk = testHooks();
  return shellEls;
}

function setActiveNav(name) {
  for (const [key, el] of Object.entries(shellEls.nav)) el.classList.toggle('active', key === name);
}

let bannerTimer = null;

function renderConnection(state) {
  if (!shellEls) return;
  const labels = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Offline', idle: 'Connecting…' };
  const { connection, banner } = shellEls;
  connection.dataset.state = state;
  replace(connection, h('span', { class: 'conn-dot' }), h('span', { class: 'conn-label' }, labels[state] || state));
  connection.title = `Real-time connection: ${labels[state] || state}`;
  clearTimeout(bannerTimer);
  if (state === 'live' || state === 'connecting' || state === 'idle') {
    banner.hidden = true;
    return;
  }
  // A short blip does not deserve a banner; a lasting one does, since drafts may be out of date meanwhile.
  bannerTimer = setTimeout(() => {
    replace(banner, icon('alert'), h('span', {}, 'Connection lost. Reconnecting… What you see may be out of date until it is back.'));
    banner.hidden = false;
  }, 1500);
}

function testHooks() {
  return {
    dropSocket: ({ hold = false } = {}) => session.realtime && session.realtime.drop({ hold }),
    resumeSocket: () => session.realtime && session.realtime.resume(),
    connectionState: () => (session.realtime ? session.realtime.state : 'closed'),
    snapshot: () => (session.workspace ? session.workspace.snapshot() : null),
  };
}

// --- keyboard ----------------------------------------------------------------------------------------

document.addEventListener('keydown', (event) => {
  if (!session.workspace || !shellEls || shellEls.main.firstChild !== session.workspace.el) return;
  if ((event.metaKey || event.ctrlKey) && event.key === 'Enter') {
    event.preventDefault();
    session.workspace.approveActive();
    return;
  }
  if (event.key === 'Escape' && isEditable(event.target)) {
    event.target.blur();
    return;
  }
  if (isEditable(event.target) || event.metaKey || event.ctrlKey || event.altKey) return;
  const handled = session.workspace.shortcut(event.key);
  if (handled) event.preventDefault();
});

boot();
