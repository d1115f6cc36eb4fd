// The sentiment tags (server/sentiment/rules.py), how they look, and what they imply.

import { h } from './dom.js';

export const SENTIMENT_TAGS = [
  'New',
  'Meeting Booked',
  'Meeting Requested',
  'Call Requested',
  'Information Requested',
  'Objection',
  'Not Interested',
  'Blacklist',
  'Follow Up',
  'Out of Office',
  'Automated Reply',
  'Interested',
  'Neutral',
  'Snoozed',
];

export const DRAFT_ELIGIBLE = new Set([
  'Interested',
  'Meeting Requested',
  'Call Requested',
  'Information Requested',
  'Meeting Booked',
  'Follow Up',
]);

const TONE = {
  Interested: 'good',
  'Meeting Booked': 'best',
  'Meeting Requested': 'good',
  'Call Requested': 'good',
  'Information Requested': 'info',
  'Follow Up': 'info',
  Objection: 'warn',
  'Not Interested': 'bad',
  Blacklist: 'worst',
  'Out of Office': 'muted',
  'Automated Reply': 'muted',
  Snoozed: 'muted',
  Neutral: 'muted',
  New: 'new',
};

export const STATUS_LABEL = {
  new: 'New',
  qualified: 'Qualified',
  'meeting-booked': 'Meeting booked',
  'meeting-requested': 'Meeting requested',
  'not-interested': 'Not interested',
  blacklisted: 'Blacklisted',
};

export function sentimentBadge(tag, extra = '') {
  return h('span', { class: `badge tone-${TONE[tag] || 'muted'} ${extra}`.trim(), 'data-sentiment': tag }, tag);
}
