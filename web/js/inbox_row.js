// One row of the inbox list: who, when, company, sentiment, channels, pending draft, presence, the
// assignee's avatar, this user's unread count (bold row + badge), and under a search the matching excerpt
// with the matched words marked (as text and <mark> elements: nothing from the server is parsed as HTML).

import { h, avatar, leadName, shortTime, fullTime } from './dom.js';
import { icon, channelIcon, CHANNELS, CHANNEL_LABEL } from './icons.js';
import { sentimentBadge } from './sentiment.js';
import { presenceChip } from './presence.js';
import { memberAvatar, unassignedAvatar } from './members.js';
import { snippetParts, isFiltered } from './inbox_filters.js';

export function snippetEl(snippet) {
  return h(
    'span',
    { class: 'row-snippet', 'data-testid': 'row-snippet' },
    snippetParts(snippet).map((part) => (part.mark ? h('mark', {}, part.text) : part.text)),
  );
}

function assigneeEl(lead, members) {
  if (!lead.assigned_to) return unassignedAvatar({ testid: 'row-unassigned' });
  return memberAvatar(members.get(lead.assigned_to) || { id: lead.assigned_to, name: 'a teammate' }, { testid: 'row-assignee' });
}

/** {lead, selected, unread (this user's count), bumped, members, viewers, me} → the row element */
export function leadRow({ lead, selected, unread, bumped, members, viewers, me }) {
  const name = leadName(lead);
  const contact = [lead.email, lead.phone].find((v) => v && v !== name);
  const sub = [lead.company, lead.title].filter(Boolean).join(' · ') || contact || '';
  const drafts = lead.pending_draft_channels || [];
  const failures = lead.draft_failures || [];
  const isUnread = unread > 0;
  const label = isUnread ? `${unread} unread ${unread === 1 ? 'reply' : 'replies'}` : null;
  return h(
    'a',
    {
      class: ['lead-row', selected && 'selected', isUnread && 'unread', bumped && 'bumped'],
      href: `/leads/${lead.id}`,
      'data-route': '',
      role: 'option',
      'aria-selected': String(selected),
      'data-lead-id': lead.id,
      'data-testid': 'lead-row',
      'data-unread': String(unread),
    },
    h('span', { class: 'unread-dot', title: label, 'data-testid': isUnread ? 'unread' : null }),
    avatar(name),
    h(
      'span',
      { class: 'row-main' },
      h(
        'span',
        { class: 'row-top' },
        h('span', { class: 'row-name' }, name),
        isUnread ? h('span', { class: 'unread-count', title: label, 'aria-label': label, 'data-testid': 'unread-count' }, unread > 99 ? '99+' : String(unread)) : null,
        h('time', { class: 'row-time', datetime: lead.last_message_at || '', title: fullTime(lead.last_message_at) }, shortTime(lead.last_message_at)),
      ),
      h('span', { class: 'row-sub-line' }, h('span', { class: 'row-sub' }, sub), assigneeEl(lead, members)),
      lead.match && lead.match.snippet ? snippetEl(lead.match.snippet) : null,
      h(
        'span',
        { class: 'row-meta' },
        sentimentBadge(lead.sentiment_tag, 'badge-sm'),
        h('span', { class: 'row-channels' }, CHANNELS.filter((c) => (lead.channels || []).includes(c)).map((c) => channelIcon(c, 13))),
        drafts.length
          ? h('span', { class: 'row-draft', 'data-testid': 'row-draft', title: `Pending AI draft: ${drafts.map((c) => CHANNEL_LABEL[c]).join(', ')}` }, icon('sparkle', { size: 12 }), 'Draft')
          : null,
        failures.length ? h('span', { class: 'row-failed', title: failures.map((f) => `${CHANNEL_LABEL[f.channel]}: ${f.reason}`).join('\n') }, icon('alert', { size: 12 })) : null,
        presenceChip(viewers, me),
      ),
    ),
  );
}

export function skeletonRows() {
  return Array.from({ length: 8 }, () => h('div', { class: 'lead-row skeleton' }, h('span', { class: 'avatar avatar-md' }), h('span', { class: 'row-main' }, h('span', { class: 'sk sk-1' }), h('span', { class: 'sk sk-2' }))));
}

/** What an empty list says, by what is filtered. */
export function emptyInbox(f) {
  let title = 'No leads yet.';
  let hint = 'Leads appear here as replies arrive through your email, SMS and LinkedIn webhooks.';
  if (f.q || f.sentiment) [title, hint] = ['No leads match these filters.', 'Try another search or sentiment.'];
  else if (f.unread) [title, hint] = ['All caught up.', 'Every reply here has been read.'];
  else if (f.segment === 'mine') [title, hint] = ['No leads assigned to you.', 'Take one from Unassigned, or ask a teammate to assign you.'];
  else if (f.segment === 'unassigned') [title, hint] = ['Every lead has an owner.', 'New leads show up here until someone takes them.'];
  return h('div', { class: 'empty', 'data-testid': 'inbox-empty' }, icon(isFiltered(f) ? 'search' : 'inbox', { size: 28 }), h('p', {}, title), h('p', { class: 'muted' }, hint));
}
