// The inbox page: the lead list beside the open lead (conversation, compose, drawer), and its shortcuts.

import { h, leadName } from './dom.js';
import { setPageTitle } from './title.js';
import { Inbox } from './inbox.js';
import { LeadView } from './lead.js';

export class Workspace {
  constructor(session, { navigate }) {
    this.navigate = navigate;
    this.inbox = new Inbox(session, { navigate });
    this.lead = new LeadView(session, { inbox: this.inbox, navigate });
    this.el = h('div', { class: 'workspace' }, this.inbox.el, this.lead.el);
  }

  show(leadId) {
    this.inbox.select(leadId);
    this.lead.open(leadId);
    // Back from another page on the same lead (or none): the lead view keeps its state, the title follows.
    if (!leadId) setPageTitle('Inbox · Setterdesk');
    else if (this.lead.lead && this.lead.lead.id === leadId) setPageTitle(`${leadName(this.lead.lead)} · Setterdesk`);
    this.lead.presence.report('viewing');
  }

  /** Another page took the screen: teammates see us idle on the open lead, not viewing it. */
  hide() {
    this.lead.presence.report('idle');
  }

  /** One-key shortcuts (not while typing). Returns true when the key was used. */
  shortcut(key) {
    switch (key) {
      case 'j':
      case 'ArrowDown':
        return this.step(1);
      case 'k':
      case 'ArrowUp':
        return this.step(-1);
      case '1':
      case '2':
      case '3':
        this.lead.setChannel(['email', 'sms', 'linkedin'][Number(key) - 1]);
        return true;
      case 'c':
        this.lead.focusCompose();
        return true;
      case '/':
        this.inbox.focusSearch();
        return true;
      default:
        return false;
    }
  }

  step(delta) {
    const next = this.inbox.neighbour(delta);
    if (!next) return false;
    this.inbox.scrollSelected = true;
    this.navigate(`/leads/${next}`);
    return true;
  }

  approveActive() {
    this.lead.approveActive();
  }

  snapshot() {
    return { inbox: this.inbox.snapshot(), lead: this.lead.snapshot() };
  }

  destroy() {
    this.lead.destroy();
    this.inbox.destroy();
  }
}
