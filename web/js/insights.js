// Insights: what booked conversations teach (GET /api/insights), newest first, a page at a time.

import { api, ApiError, paths } from './api.js';
import { h, replace, avatar, leadName, fullTime } from './dom.js';
import { icon } from './icons.js';

const OUTCOMES = [['', 'All outcomes'], ['BOOKED', 'Booked']];

export class InsightsPage {
  constructor(session, { navigate }) {
    this.session = session;
    this.navigate = navigate;
    this.items = [];
    this.cursor = null;
    this.outcome = '';
    this.loading = false;
    this.error = null;
    this.list = h('div', { class: 'insight-list', 'data-testid': 'insight-list' });
    this.more = h('div', { class: 'list-status' });
    this.filter = h(
      'select',
      { class: 'select', 'aria-label': 'Outcome', onchange: () => this.reload(this.filter.value) },
      OUTCOMES.map(([value, label]) => h('option', { value }, label)),
    );
    this.el = h(
      'section',
      { class: 'page insights-page', 'aria-label': 'Insights' },
      h(
        'header',
        { class: 'page-head' },
        h('div', {}, h('h1', {}, 'Insights'), h('p', { class: 'muted' }, 'Summaries of booked conversations: what worked, what did not, and what to test next.')),
        h('div', { class: 'filter-wrap' }, icon('filter', { size: 14 }), this.filter),
      ),
      this.list,
      this.more,
    );
  }

  show() {
    this.reload(this.outcome);
  }

  async reload(outcome) {
    this.outcome = outcome;
    this.items = [];
    this.cursor = null;
    this.error = null;
    await this.page();
  }

  async page() {
    if (this.loading) return;
    this.loading = true;
    this.render();
    const outcome = this.outcome;
    try {
      const data = await api.get(paths.insights({ outcome, limit: 20, cursor: this.cursor }));
      if (outcome !== this.outcome) return;
      const items = Array.isArray(data) ? data : data.items || [];
      this.items = [...this.items, ...items];
      this.cursor = Array.isArray(data) ? null : data.next_cursor || null;
    } catch (err) {
      this.error = err instanceof ApiError && err.status === 404 ? 'Insights are not available on this server yet.' : err.message || 'Insights could not be loaded.';
    } finally {
      this.loading = false;
      this.render();
    }
  }

  render() {
    if (this.error) {
      replace(this.list, h('div', { class: 'empty' }, icon('alert', { size: 28 }), h('p', {}, this.error)));
      replace(this.more);
      return;
    }
    if (!this.items.length) {
      replace(
        this.list,
        this.loading
          ? h('div', { class: 'thread-loading' }, h('span', { class: 'spinner' }), 'Loading insights…')
          : h(
              'div',
              { class: 'empty' },
              icon('insights', { size: 28 }),
              h('p', {}, 'No insights yet.'),
              h('p', { class: 'muted' }, 'When a lead books a meeting, a scheduled job summarises the conversation here.'),
            ),
      );
    } else replace(this.list, this.items.map((item) => this.card(item)));
    replace(
      this.more,
      this.cursor ? h('button', { class: 'btn btn-sm', disabled: this.loading, onclick: () => this.page() }, this.loading ? 'Loading…' : 'Load more') : null,
    );
  }

  card(item) {
    const insight = item.insight || {};
    const leadId = item.lead_id || (item.lead && item.lead.id);
    const person = item.lead || item;
    const name = person.first_name || person.last_name ? leadName(person) : item.lead_name || 'Lead';
    const section = (title, values) =>
      Array.isArray(values) && values.length ? h('div', { class: 'insight-block' }, h('h4', {}, title), h('ul', {}, values.slice(0, 4).map((v) => h('li', {}, typeof v === 'string' ? v : JSON.stringify(v))))) : null;
    const effectiveness = insight.follow_up && insight.follow_up.follow_up_effectiveness;
    const quote = Array.isArray(insight.evidence_quotes) && insight.evidence_quotes[0];
    return h(
      'article',
      { class: 'insight-card', 'data-testid': 'insight-card' },
      h(
        'header',
        {},
        avatar(name, 'md'),
        h(
          'div',
          { class: 'insight-who' },
          leadId ? h('a', { href: `/leads/${leadId}`, 'data-route': '', class: 'insight-lead' }, name) : h('span', { class: 'insight-lead' }, name),
          h('span', { class: 'muted' }, [person.company, item.appointment_booked_at ? `booked ${fullTime(item.appointment_booked_at)}` : null].filter(Boolean).join(' · ')),
        ),
        item.outcome ? h('span', { class: 'badge tone-best badge-sm' }, item.outcome) : null,
        h('span', { class: 'grow' }),
        effectiveness && typeof effectiveness.score === 'number'
          ? h('span', { class: 'score', title: effectiveness.notes || 'Follow-up effectiveness' }, h('strong', {}, String(effectiveness.score)), '/100 follow-up')
          : null,
      ),
      insight.summary ? h('p', { class: 'insight-summary' }, insight.summary) : null,
      h('div', { class: 'insight-grid' }, section('What worked', insight.what_worked), section('What did not', insight.what_failed), section('Try next', insight.recommended_tests)),
      quote ? h('blockquote', { class: 'insight-quote' }, `“${quote}”`) : null,
      h(
        'footer',
        {},
        Array.isArray(insight.key_phrases) && insight.key_phrases.length ? h('div', { class: 'chips' }, insight.key_phrases.slice(0, 8).map((p) => h('span', { class: 'chip' }, p))) : null,
        h('span', { class: 'grow' }),
        h('span', { class: 'muted' }, [item.model, item.computed_at ? fullTime(item.computed_at) : null].filter(Boolean).join(' · ')),
      ),
    );
  }
}
