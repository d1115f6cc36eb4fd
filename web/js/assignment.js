// Who may assign a lead to whom (API.md, "Team workflow"): owners and admins assign anyone in the workspace;
// a setter assigns a lead to themselves, or unassigns themselves. The server refuses the rest with 403; the
// menu only offers what will work. Pure: web/tests/assignment.test.js.

export function canAssignAnyone(role) {
  return role === 'owner' || role === 'admin';
}

/**
 * The assignee menu's options for this user on a lead assigned to `assignedTo` (a user id or null):
 * [{kind: 'me' | 'member' | 'unassign', userId, label, current}] in the order shown.
 */
export function assignOptions({ me, members, assignedTo }) {
  const current = assignedTo || null;
  const options = [];
  if (current !== me.id) options.push({ kind: 'me', userId: me.id, label: 'Assign to me', current: false });
  if (canAssignAnyone(me.role)) {
    // Oneself appears as "Assign to me", or in the list (checked) while one is the assignee.
    const others = members.filter((m) => m.id !== me.id || current === me.id);
    const sorted = others.sort((a, b) => (a.id === me.id ? -1 : b.id === me.id ? 1 : String(a.name).localeCompare(String(b.name))));
    for (const member of sorted) {
      options.push({ kind: 'member', userId: member.id, label: member.id === me.id ? `${member.name} (you)` : member.name, current: member.id === current });
    }
  }
  if (current && (canAssignAnyone(me.role) || current === me.id)) options.push({ kind: 'unassign', userId: null, label: 'Unassign', current: false });
  return options;
}
