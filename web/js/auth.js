// Sign in and sign up (a new workspace). Both end with the session cookie set by the server.

import { api, ApiError, paths } from './api.js';
import { h } from './dom.js';

function field(label, attrs) {
  const input = h('input', { class: 'input', required: true, ...attrs });
  return { input, el: h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input) };
}

function authCard(title, subtitle, form, footer) {
  return h(
    'div',
    { class: 'auth' },
    h(
      'div',
      { class: 'auth-card' },
      h('div', { class: 'auth-brand' }, h('span', { class: 'brand-mark' }), h('span', { class: 'brand-name' }, 'Setterdesk')),
      h('h1', {}, title),
      h('p', { class: 'muted' }, subtitle),
      form,
      h('div', { class: 'auth-footer' }, footer),
    ),
    h('p', { class: 'auth-note muted' }, 'One shared inbox for email, SMS and LinkedIn replies, with AI drafts your team reviews.'),
  );
}

function wireForm(form, button, error, submit) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    const label = button.textContent;
    button.textContent = 'Please wait…';
    try {
      await submit();
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : 'Something went wrong. Try again.';
      error.hidden = false;
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
}

export function renderSignIn({ onSignedIn, navigate }) {
  const email = field('Email', { type: 'email', name: 'email', autocomplete: 'username', autofocus: true, 'data-testid': 'signin-email' });
  const password = field('Password', { type: 'password', name: 'password', autocomplete: 'current-password', 'data-testid': 'signin-password' });
  const error = h('p', { class: 'form-error', hidden: true, role: 'alert', 'data-testid': 'auth-error' });
  const button = h('button', { class: 'btn btn-primary btn-block', type: 'submit', 'data-testid': 'signin-submit' }, 'Sign in');
  const form = h('form', { class: 'auth-form', novalidate: false }, email.el, password.el, error, button);
  wireForm(form, button, error, async () => {
    const data = await api.post(paths.login, { email: email.input.value.trim(), password: password.input.value }, { quiet401: true });
    onSignedIn({ user: data.user, workspace: data.workspace });
  });
  const toSignUp = h('a', { href: '/signup', 'data-route': '' }, 'Create a workspace');
  toSignUp.addEventListener('click', (event) => {
    event.preventDefault();
    navigate('/signup');
  });
  return authCard('Sign in', 'Welcome back. Your leads are waiting.', form, ['New here? ', toSignUp]);
}

export function renderSignUp({ onSignedIn, navigate }) {
  const workspace = field('Workspace name', { name: 'workspace_name', autocomplete: 'organization', autofocus: true, 'data-testid': 'signup-workspace' });
  const name = field('Your name', { name: 'name', autocomplete: 'name', 'data-testid': 'signup-name' });
  const email = field('Work email', { type: 'email', name: 'email', autocomplete: 'email', 'data-testid': 'signup-email' });
  const password = field('Password', { type: 'password', name: 'password', autocomplete: 'new-password', minlength: 8, 'data-testid': 'signup-password' });
  const error = h('p', { class: 'form-error', hidden: true, role: 'alert', 'data-testid': 'auth-error' });
  const button = h('button', { class: 'btn btn-primary btn-block', type: 'submit', 'data-testid': 'signup-submit' }, 'Create workspace');
  const form = h('form', { class: 'auth-form' }, workspace.el, name.el, email.el, password.el, error, button);
  wireForm(form, button, error, async () => {
    const data = await api.post(
      paths.signup,
      {
        workspace_name: workspace.input.value.trim(),
        name: name.input.value.trim(),
        email: email.input.value.trim(),
        password: password.input.value,
      },
      { quiet401: true },
    );
    onSignedIn({ user: data.user, workspace: data.workspace });
  });
  const toSignIn = h('a', { href: '/signin', 'data-route': '' }, 'Sign in');
  toSignIn.addEventListener('click', (event) => {
    event.preventDefault();
    navigate('/signin');
  });
  return authCard('Create your workspace', 'You become its owner; invite setters afterwards.', form, ['Already have an account? ', toSignIn]);
}
