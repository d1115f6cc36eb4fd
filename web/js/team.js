// Settings › Team: the workspace's members with their roles; owners and admins add teammates
// (POST /api/workspace/members); the owner turns round-robin assignment of new leads on or off
// (PATCH /api/workspace). Setters see the list and the setting, read-only.

import { api, ApiError, paths } from './api.js';
import { h, replace, toast } from './dom.js';
import { icon } from './icons.js';
import { memberAvatar } from './members.js';
import { canAssignAnyone } from './assignment.js';

const ROLE_LABEL = { owner: 'Owner', admin: 'Admin', setter: 'Setter' };
const ROLE_ORDER = { owner: 0, admin: 1, setter: 2 };
const AUTO_ASSIGN_TEXT = {
  round_robin: 'New leads from replies are assigned to the setters in turn.',
  off: 'New leads stay unassigned until someone takes them.',
};

export class TeamPage {
  constructor(session) {
    this.session = session;
    this.me = session.me.user;
    this.members = session.members;
    this.busy = false;
    this.savingAutoAssign = false;
    this.list = h('div', { class: 'team-list', 'data-testid': 'team-list' });
    this.settings = h('section', { class: 'card team-card', 'data-testid': 'team-auto-assign' });
    this.formCard = canAssignAnyone(this.me.role) ? this.buildForm() : null;
    this.el = h(
      'section',
      { class: 'page settings-page', 'aria-label': 'Team' },
      h('header', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Team'), h('p', { class: 'muted' }, 'Who works in this workspace, and how new leads find an owner.'))),
      h('div', { class: 'team-grid' }, h('section', { class: 'card team-card' }, h('h2', {}, 'Members'), this.list), this.settings, this.formCard),
    );
    this.unlisten = this.members.onChange(() => this.renderList());
  }

  show() {
    this.renderList();
    this.renderSettings();
    this.members.refresh().catch((err) => replace(this.list, h('p', { class: 'failure' }, icon('alert', { size: 13 }), err.message)));
    // The workspace's settings as they are now (another owner tab may have changed them).
    api.get(paths.me).then(
      (me) => {
        this.session.me.workspace = me.workspace;
        this.renderSettings();
      },
      (err) => console.warn('[team] /api/me', err),
    );
  }

  renderList() {
    if (!this.members.loaded) {
      replace(this.list, h('p', { class: 'muted' }, h('span', { class: 'spinner spinner-sm' }), ' Loading members…'));
      return;
    }
    const sorted = this.members.list().sort((a, b) => (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || String(a.name).localeCompare(String(b.name)));
    replace(
      this.list,
      h(
        'ul',
        { class: 'member-rows' },
        sorted.map((member) =>
          h(
            'li',
            { class: 'member-row', 'data-testid': 'team-member', 'data-user-id': member.id },
            memberAvatar(member, { size: 'md', prefix: '' }),
            h('div', { class: 'member-who' }, h('strong', {}, member.name, member.id === this.me.id ? h('span', { class: 'muted' }, ' (you)') : null), h('span', { class: 'muted' }, member.email)),
            h('span', { class: `role role-${member.role}`, 'data-testid': 'team-role' }, ROLE_LABEL[member.role] || member.role),
          ),
        ),
      ),
    );
  }

  // --- round robin ----------------------------------------------------------------------------------
  renderSettings() {
    const mode = this.session.me.workspace.auto_assign;
    if (mode === undefined) {
      this.settings.hidden = true; // a server without the setting
      return;
    }
    this.settings.hidden = false;
    const isOwner = this.me.role === 'owner';
    const on = mode === 'round_robin';
    const toggle = h('input', {
      type: 'checkbox',
      class: 'switch',
      checked: on,
      disabled: !isOwner || this.savingAutoAssign,
      'data-testid': 'auto-assign-toggle',
      'aria-describedby': 'auto-assign-help',
      onchange: (event) => this.setAutoAssign(event.target.checked ? 'round_robin' : 'off'),
    });
    replace(
      this.settings,
      h('h2', {}, 'Assignment of new leads'),
      h('label', { class: 'switch-row' }, toggle, h('span', {}, 'Round robin: assign each new lead to the next setter')),
      h('p', { class: 'hint', id: 'auto-assign-help', 'data-testid': 'auto-assign-state' }, AUTO_ASSIGN_TEXT[mode] || mode),
      isOwner ? null : h('p', { class: 'hint' }, 'Only the workspace owner can change this.'),
    );
  }

  async setAutoAssign(mode) {
    const before = this.session.me.workspace.auto_assign;
    this.savingAutoAssign = true;
    this.session.me.workspace = { ...this.session.me.workspace, auto_assign: mode };
    this.renderSettings();
    try {
      const workspace = await api.patch(paths.workspace, { auto_assign: mode });
      this.session.me.workspace = { ...this.session.me.workspace, ...workspace };
      toast(mode === 'round_robin' ? 'New leads will be assigned to setters in turn.' : 'New leads will stay unassigned.', 'success');
    } catch (err) {
      this.session.me.workspace = { ...this.session.me.workspace, auto_assign: before };
      toast(err instanceof ApiError && err.status === 403 ? 'Only the workspace owner can change this.' : err.message, 'error', 5000);
    } finally {
      this.savingAutoAssign = false;
      this.renderSettings();
    }
  }

  // --- adding a teammate ----------------------------------------------------------------------------
  buildForm() {
    const field = (name, label, attrs) => {
      const input = h('input', { class: 'input', id: `member-${name}`, name, 'data-testid': `member-${name}`, required: true, ...attrs });
      return [input, h('label', { class: 'field', for: input.id }, h('span', { class: 'field-label' }, label), input)];
    };
    const [name, nameRow] = field('name', 'Name', { autocomplete: 'off' });
    const [email, emailRow] = field('email', 'Email', { type: 'email', autocomplete: 'off' });
    const [password, passwordRow] = field('password', 'Temporary password', { type: 'password', autocomplete: 'new-password', minlength: '8' });
    const role = h(
      'select',
      { class: 'select', id: 'member-role', 'data-testid': 'member-role' },
      h('option', { value: 'setter' }, 'Setter'),
      h('option', { value: 'admin' }, 'Admin'),
    );
    this.inputs = { name, email, password, role };
    this.formError = h('div', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'member-error' });
    this.submit = h('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'member-submit' }, 'Add member');
    const form = h(
      'form',
      { class: 'member-form', novalidate: true },
      nameRow,
      emailRow,
      passwordRow,
      h('label', { class: 'field', for: 'member-role' }, h('span', { class: 'field-label' }, 'Role'), role),
      this.formError,
      h('div', {}, this.submit),
      h('p', { class: 'hint' }, 'Setters work leads and take them for themselves; admins also assign leads to others and manage integrations. Share the email and password with them: they sign in with it.'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.addMember();
    });
    return h('section', { class: 'card team-card', 'data-testid': 'team-add' }, h('h2', {}, 'Add a member'), form);
  }

  async addMember() {
    if (this.busy) return;
    const body = Object.fromEntries(Object.entries(this.inputs).map(([key, input]) => [key, input.value.trim()]));
    body.password = this.inputs.password.value; // a password is taken as typed
    const missing = ['name', 'email', 'password'].filter((key) => !body[key]);
    if (missing.length) return this.showError(`Fill in the ${missing.join(', ')}.`);
    this.busy = true;
    this.submit.disabled = true;
    this.showError(null);
    try {
      const added = await api.post(paths.members, body);
      toast(`${added.user.name} was added as ${ROLE_LABEL[added.user.role] || added.user.role}.`, 'success');
      for (const key of ['name', 'email', 'password']) this.inputs[key].value = '';
      await this.members.refresh();
    } catch (err) {
      this.showError(err.message || 'Could not add the member.'); // what was typed stays
    } finally {
      this.busy = false;
      this.submit.disabled = false;
    }
  }

  showError(text) {
    this.formError.hidden = !text;
    this.formError.textContent = text || '';
  }
}
