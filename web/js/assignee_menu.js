// The lead view's assignee control: the assignee's avatar as a button, opening a menu of what this user may
// do (assignment.js): "Assign to me", the teammates (owners and admins), "Unassign". The change shows at once
// and is reverted with a toast when the server refuses it; everyone else sees it through lead.updated.

import { api, ApiError, paths } from './api.js';
import { h, replace, toast } from './dom.js';
import { icon } from './icons.js';
import { memberAvatar, unassignedAvatar } from './members.js';
import { assignOptions } from './assignment.js';

export class AssigneeControl {
  constructor({ session, onAssigned }) {
    this.me = session.me.user;
    this.members = session.members;
    this.onAssigned = onAssigned;
    this.lead = null;
    this.open = false;
    this.busy = false;
    this.button = h('button', { type: 'button', class: 'assignee-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'data-testid': 'assignee-button', onclick: () => this.toggle() });
    this.menu = h('div', { class: 'assignee-menu', role: 'menu', hidden: true, 'data-testid': 'assignee-menu' });
    this.el = h('div', { class: 'assignee' }, this.button, this.menu);
    this.onDocumentClick = (event) => {
      // The path, not the target: the button redraws its content on the very click that opens the menu.
      if (this.open && !event.composedPath().includes(this.el)) this.close();
    };
    this.onKey = (event) => {
      if (this.open && event.key === 'Escape') {
        this.close();
        this.button.focus();
      }
    };
    document.addEventListener('click', this.onDocumentClick);
    document.addEventListener('keydown', this.onKey);
    this.unlisten = this.members.onChange(() => this.render());
  }

  setLead(lead) {
    if (!this.lead || this.lead.id !== lead.id) this.close();
    this.lead = lead;
    this.members.ensure(lead.assigned_to);
    this.render();
  }

  toggle() {
    if (this.open) this.close();
    else {
      this.open = true;
      this.members.load().catch(() => {}); // the first open may come before the list: it redraws when it lands
      this.render();
    }
  }

  close() {
    if (!this.open) return;
    this.open = false;
    this.render();
  }

  async assign(userId) {
    const lead = this.lead;
    if (!lead || this.busy) return;
    const before = lead.assigned_to || null;
    this.close();
    if (before === userId) return;
    this.busy = true;
    this.lead = { ...lead, assigned_to: userId };
    this.render();
    try {
      const updated = await api.patch(paths.lead(lead.id), { assigned_to: userId });
      if (this.lead && this.lead.id === lead.id) this.onAssigned(updated);
    } catch (err) {
      if (this.lead && this.lead.id === lead.id) this.lead = { ...this.lead, assigned_to: before };
      const text = err instanceof ApiError && err.status === 403 ? 'You can only assign leads to yourself, or unassign yourself.' : err.message || 'Could not change the assignee.';
      toast(text, 'error', 5000, { testid: 'assign-error' });
    } finally {
      this.busy = false;
      this.render();
    }
  }

  render() {
    const lead = this.lead;
    if (!lead) return;
    const assignee = lead.assigned_to ? this.members.get(lead.assigned_to) || { id: lead.assigned_to, name: 'A teammate' } : null;
    this.button.disabled = this.busy;
    this.button.setAttribute('aria-expanded', String(this.open));
    this.button.dataset.assignedTo = lead.assigned_to || '';
    this.button.title = assignee ? `Assigned to ${assignee.name}. Change` : 'Unassigned. Assign';
    replace(
      this.button,
      assignee ? memberAvatar(assignee, { size: 'sm', testid: 'assignee-avatar' }) : unassignedAvatar({ size: 'sm', testid: 'assignee-avatar' }),
      h('span', { class: 'assignee-name', 'data-testid': 'assignee-name' }, assignee ? assignee.name : 'Unassigned'),
      icon('chevronDown', { size: 12 }),
    );
    this.menu.hidden = !this.open;
    if (!this.open) return;
    const options = assignOptions({ me: this.me, members: this.members.list(), assignedTo: lead.assigned_to });
    replace(
      this.menu,
      options.length ? null : h('p', { class: 'menu-note' }, 'Only owners and admins can reassign this lead.'),
      options.map((option) =>
        h(
          'button',
          {
            type: 'button',
            class: ['menu-item', option.current && 'current'],
            role: 'menuitemradio',
            'aria-checked': String(option.current),
            'data-testid': option.kind === 'member' ? 'assign-member' : `assign-${option.kind}`,
            'data-user-id': option.userId || '',
            onclick: () => this.assign(option.userId),
          },
          option.kind === 'unassign' ? icon('x', { size: 14 }) : memberAvatar(this.members.get(option.userId) || { id: option.userId, name: this.me.name }, { size: 'xs', prefix: '' }),
          h('span', { class: 'grow' }, option.label),
          option.current ? icon('check', { size: 14 }) : null,
        ),
      ),
    );
  }

  destroy() {
    document.removeEventListener('click', this.onDocumentClick);
    document.removeEventListener('keydown', this.onKey);
    this.unlisten();
  }
}
