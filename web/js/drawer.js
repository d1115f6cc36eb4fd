// The CRM drawer, in two tabs. Details: who the lead is, the sentiment dropdown (all 14 tags), the lead status
// it implies, the appointment, draft failures and, when the lead has one, the conversation insight. Activity:
// the lead's history with who did what (activity.js).

import { api, ApiError, paths } from './api.js';
import { h, replace, leadName, fullTime, toast } from './dom.js';
import { icon, CHANNEL_LABEL, channelIcon, CHANNELS } from './icons.js';
import { SENTIMENT_TAGS, DRAFT_ELIGIBLE, STATUS_LABEL, sentimentBadge } from './sentiment.js';
import { ActivityTimeline } from './activity.js';

const TABS = [
  ['details', 'Details'],
  ['activity', 'Activity'],
];

function toLocalInput(iso) {
  const date = iso ? new Date(iso) : new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export class Drawer {
  constructor({ composer, members }) {
    this.composer = composer;
    this.lead = null;
    this.insight = null;
    this.insightFor = null;
    this.busy = false;
    this.tab = 'details';
    this.timeline = new ActivityTimeline({ members });
    this.tabButtons = TABS.map(([id, label]) =>
      h('button', { type: 'button', role: 'tab', class: 'drawer-tab', 'data-tab': id, 'data-testid': `drawer-tab-${id}`, onclick: () => this.setTab(id) }, label),
    );
    this.tabBar = h('div', { class: 'drawer-tabs', role: 'tablist', 'aria-label': 'Lead panels' }, this.tabButtons);
    this.body = h('div', { class: 'drawer-body', role: 'tabpanel' });
    this.el = h('aside', { class: 'drawer', 'aria-label': 'Lead details', 'data-testid': 'drawer' });
  }

  /** `reload`: the lead was fetched again (first open, or a resync), so its history is fetched again too. */
  setLead(lead, { reload = false } = {}) {
    const changed = !this.lead || this.lead.id !== lead.id;
    this.lead = lead;
    this.timeline.setLead(lead);
    if (changed) {
      this.insight = null;
      this.insightFor = lead.id;
      this.loadInsight();
    }
    if (this.tab === 'activity') this.timeline.show(lead, { reload: reload && !changed });
    this.render();
  }

  setTab(tab) {
    if (tab === this.tab) return;
    this.tab = tab;
    if (tab === 'activity' && this.lead) this.timeline.show(this.lead);
    this.render();
  }

  /** A live event of the open lead: the timeline puts it on top. */
  event(event) {
    this.timeline.event(event);
  }

  clear() {
    this.lead = null;
    this.insight = null;
    this.insightFor = null;
    this.timeline.clear();
    replace(this.el);
  }

  async loadInsight() {
    const leadId = this.lead && this.lead.id;
    if (!leadId) return;
    try {
      const insight = await api.get(paths.leadInsight(leadId));
      if (this.insightFor === leadId) {
        this.insight = insight;
        this.render();
      }
    } catch (err) {
      // 404: no insight yet (the usual case). Anything else: the panel just stays hidden.
      if (!(err instanceof ApiError) || err.status !== 404) console.warn('[drawer] insight', err);
    }
  }

  // --- changes ------------------------------------------------------------------------------------
  async setSentiment(tag) {
    const lead = this.lead;
    if (!lead || tag === lead.sentiment_tag) return;
    this.busy = true;
    this.render();
    const mark = this.composer.mark();
    try {
      const result = await api.patch(paths.leadSentiment(lead.id), { sentiment_tag: tag });
      if (this.lead && this.lead.id === lead.id) {
        this.lead = { ...this.lead, ...result.lead };
        const plan = result.drafts;
        this.composer.expect(plan.enqueued, mark);
        if (plan.enqueued.length) toast(`${tag}: writing drafts for ${plan.enqueued.map((c) => CHANNEL_LABEL[c]).join(' and ')}.`, 'success');
        else if (plan.rejected) toast(`${tag}: ${plan.rejected} pending draft${plan.rejected > 1 ? 's' : ''} rejected.`, 'info');
        else toast(`Sentiment set to ${tag}.`, 'success');
      }
    } catch (err) {
      toast(err.message || 'Could not change the sentiment.', 'error');
    } finally {
      this.busy = false;
      this.render();
    }
  }

  async setAppointment(iso) {
    const lead = this.lead;
    if (!lead) return;
    this.busy = true;
    this.render();
    try {
      const updated = await api.patch(paths.lead(lead.id), { appointment_booked_at: iso });
      if (this.lead && this.lead.id === lead.id) this.lead = { ...this.lead, ...updated };
      toast(iso ? 'Appointment saved.' : 'Appointment cleared.', 'success');
    } catch (err) {
      toast(err.message || 'Could not save the appointment.', 'error');
    } finally {
      this.busy = false;
      this.render();
    }
  }

  // --- rendering ----------------------------------------------------------------------------------
  render() {
    const lead = this.lead;
    if (!lead) return;
    for (const button of this.tabButtons) {
      const active = button.dataset.tab === this.tab;
      button.classList.toggle('active', active);
      button.setAttribute('aria-selected', String(active));
    }
    if (this.el.firstChild !== this.tabBar) replace(this.el, this.tabBar, this.body);
    if (this.tab === 'activity') {
      if (this.body.firstChild !== this.timeline.el) replace(this.body, this.timeline.el);
      return;
    }
    this.renderDetails(lead);
  }

  renderDetails(lead) {
    const select = h(
      'select',
      {
        class: 'select select-block',
        'aria-label': 'Sentiment',
        'data-testid': 'sentiment-select',
        disabled: this.busy,
        onchange: (event) => this.setSentiment(event.target.value),
      },
      SENTIMENT_TAGS.map((tag) => h('option', { value: tag, selected: tag === lead.sentiment_tag }, DRAFT_ELIGIBLE.has(tag) ? `${tag}  ·  AI drafts` : tag)),
    );
    replace(
      this.body,
      h(
        'div',
        { class: 'drawer-section drawer-lead' },
        h('h3', { class: 'drawer-name' }, leadName(lead)),
        lead.title || lead.company ? h('p', { class: 'muted' }, [lead.title, lead.company].filter(Boolean).join(' at ')) : null,
        h(
          'dl',
          { class: 'facts' },
          fact('email', 'Email', lead.email),
          fact('phone', 'Phone', lead.phone),
          lead.linkedin_url
            ? fact('linkedin', 'LinkedIn', h('a', { href: lead.linkedin_url, target: '_blank', rel: 'noopener noreferrer' }, lead.linkedin_url.replace(/^https?:\/\/(www\.)?/, '')))
            : fact('linkedin', 'LinkedIn', null),
          fact('building', 'Company', lead.company),
        ),
      ),
      h(
        'div',
        { class: 'drawer-section' },
        h('span', { class: 'drawer-label' }, 'Sentiment'),
        select,
        h('p', { class: 'hint' }, DRAFT_ELIGIBLE.has(lead.sentiment_tag) ? 'AI drafts are written for every channel this lead replied on.' : 'No AI drafts for this sentiment.'),
      ),
      h(
        'div',
        { class: 'drawer-section drawer-row' },
        h('span', { class: 'drawer-label' }, 'Lead status'),
        h('span', { class: `status status-${lead.status}`, 'data-testid': 'lead-status' }, STATUS_LABEL[lead.status] || lead.status),
      ),
      this.appointment(lead),
      h(
        'div',
        { class: 'drawer-section' },
        h('span', { class: 'drawer-label' }, 'Activity'),
        h(
          'dl',
          { class: 'kv' },
          kv('Last reply', lead.last_inbound_at ? fullTime(lead.last_inbound_at) : '—'),
          kv('Last message', lead.last_message_at ? fullTime(lead.last_message_at) : '—'),
          kv('Lead since', fullTime(lead.created_at)),
        ),
        h('div', { class: 'drawer-channels' }, CHANNELS.filter((c) => lead.channels.includes(c)).map((c) => h('span', { class: 'chip' }, channelIcon(c, 12), CHANNEL_LABEL[c]))),
      ),
      (lead.draft_failures || []).length
        ? h(
            'div',
            { class: 'drawer-section' },
            h('span', { class: 'drawer-label' }, 'Draft failures'),
            lead.draft_failures.map((f) => h('p', { class: 'failure' }, icon('alert', { size: 13 }), `${CHANNEL_LABEL[f.channel]}: ${f.reason}`)),
          )
        : null,
      this.insightPanel(),
    );
  }

  destroy() {
    this.timeline.destroy();
  }

  appointment(lead) {
    const booked = lead.appointment_booked_at;
    const input = h('input', { class: 'input', type: 'datetime-local', value: toLocalInput(booked), 'aria-label': 'Appointment time', 'data-testid': 'appointment-input' });
    const save = () => {
      if (input.value) this.setAppointment(new Date(input.value).toISOString());
    };
    return h(
      'div',
      { class: 'drawer-section' },
      h('span', { class: 'drawer-label' }, 'Appointment'),
      booked
        ? h(
            'div',
            { class: 'appointment booked', 'data-testid': 'appointment' },
            icon('calendar', { size: 14 }),
            h('span', {}, 'Booked for ', h('strong', {}, fullTime(booked))),
            h('button', { class: 'btn btn-sm btn-ghost', disabled: this.busy, onclick: () => this.setAppointment(null) }, 'Clear'),
          )
        : h(
            'div',
            { class: 'appointment', 'data-testid': 'appointment' },
            input,
            h(
              'button',
              { class: 'btn btn-sm', disabled: this.busy, 'data-testid': 'appointment-save', onclick: save },
              icon('calendar', { size: 13 }),
              'Mark booked',
            ),
          ),
    );
  }

  insightPanel() {
    const found = this.insight;
    if (!found) return null;
    const data = found.insight || {};
    const list = (title, items) =>
      Array.isArray(items) && items.length ? h('div', { class: 'insight-block' }, h('h4', {}, title), h('ul', {}, items.map((t) => h('li', {}, typeof t === 'string' ? t : JSON.stringify(t))))) : null;
    const score = data.follow_up && data.follow_up.follow_up_effectiveness;
    return h(
      'div',
      { class: 'drawer-section insight', 'data-testid': 'insight' },
      h('div', { class: 'insight-head' }, h('span', { class: 'drawer-label' }, 'Conversation insight'), found.outcome ? sentimentBadge(found.outcome === 'BOOKED' ? 'Meeting Booked' : found.outcome, 'badge-sm') : null),
      data.summary ? h('p', { class: 'insight-summary' }, data.summary) : null,
      list('What worked', data.what_worked),
      list('What did not', data.what_failed),
      Array.isArray(data.key_phrases) && data.key_phrases.length ? h('div', { class: 'chips' }, data.key_phrases.map((p) => h('span', { class: 'chip' }, p))) : null,
      score && typeof score.score === 'number' ? h('p', { class: 'hint' }, `Follow-up effectiveness ${score.score}/100`) : null,
      h('p', { class: 'hint' }, [found.model, found.computed_at ? fullTime(found.computed_at) : null].filter(Boolean).join(' · ')),
    );
  }
}

function kv(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

function fact(iconName, label, value) {
  return h(
    'div',
    { class: 'fact' },
    h('dt', { title: label }, icon(iconName, { size: 13 }), h('span', { class: 'sr-only' }, label)),
    h('dd', { class: value ? '' : 'muted' }, value || '—'),
  );
}
