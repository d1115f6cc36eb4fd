// One message of the conversation as the lead view shows it: who sent it (the lead, a setter, an approved AI
// draft, the campaign tool), on which channel and when, the email's subject and recipients, its text or its
// sanitized HTML in a sandboxed frame, and the delivery footer the caller passes in.

import { h, avatar, leadName, fullTime, messageTime } from './dom.js';
import { icon, channelIcon, CHANNEL_LABEL } from './icons.js';

const SENT_BY = { lead: 'Lead', setter: 'Setter', ai: 'AI', provider: 'Campaign' };

/** Sanitized email HTML in a sandboxed srcdoc frame: no scripts run (no allow-scripts, and the page's CSP
 *  is inherited), remote images were already removed by the server, links open in a new tab. */
export function emailFrame(html, onFit) {
  const frame = h('iframe', {
    class: 'email-frame',
    sandbox: 'allow-same-origin',
    referrerpolicy: 'no-referrer',
    loading: 'lazy',
    title: 'Email message',
    'data-testid': 'email-frame',
  });
  frame.srcdoc = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/static/css/email-frame.css"></head><body>${html}</body></html>`;
  const fit = () => {
    const doc = frame.contentDocument;
    if (!doc || !doc.body) return;
    // The body's own height: the document's would never shrink below the frame's current height.
    frame.style.height = `${Math.min(2400, Math.ceil(doc.body.getBoundingClientRect().height) + 4)}px`;
    if (onFit) onFit();
  };
  frame.addEventListener('load', () => {
    fit();
    setTimeout(fit, 250);
    const doc = frame.contentDocument;
    if (!doc) return;
    doc.addEventListener('click', (event) => {
      const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
      if (!link) return;
      event.preventDefault();
      const href = link.getAttribute('href') || '';
      if (/^(https?:|mailto:)/i.test(href)) window.open(href, '_blank', 'noopener,noreferrer');
    });
  });
  return frame;
}

/** {lead, workspaceName, footer, onFrameFit} → the message's <article> */
export function messageElement(m, { lead, workspaceName, footer, onFrameFit }) {
  const inbound = m.direction === 'inbound';
  const who = inbound ? leadName(lead) : m.sent_by === 'ai' ? 'AI draft, approved' : m.sent_by === 'setter' ? workspaceName : m.from || workspaceName;
  const body = m.channel === 'email' && m.html ? emailFrame(m.html, onFrameFit) : h('div', { class: 'msg-text' }, m.body || h('span', { class: 'muted' }, '(no text)'));
  return h(
    'article',
    { class: ['msg', inbound ? 'inbound' : 'outbound', `ch-${m.channel}`], 'data-message-id': m.id, 'data-testid': 'message' },
    h(
      'header',
      { class: 'msg-head' },
      inbound ? avatar(who, 'sm') : h('span', { class: `avatar avatar-sm sender-${m.sent_by}` }, m.sent_by === 'ai' ? icon('sparkle', { size: 12 }) : icon('user', { size: 12 })),
      h('span', { class: 'msg-who' }, who),
      h('span', { class: `sent-by sent-by-${m.sent_by}`, 'data-testid': 'sent-by' }, SENT_BY[m.sent_by] || m.sent_by),
      h('span', { class: 'msg-channel' }, channelIcon(m.channel, 12), CHANNEL_LABEL[m.channel]),
      h('span', { class: 'grow' }),
      h('time', { datetime: m.sent_at, title: fullTime(m.sent_at) }, messageTime(m.sent_at)),
    ),
    m.channel === 'email' && m.subject ? h('div', { class: 'msg-subject' }, m.subject) : null,
    m.channel === 'email' && (m.to || []).length && !inbound ? h('div', { class: 'msg-to muted' }, `to ${m.to.join(', ')}`) : null,
    body,
    footer,
  );
}
