// Line icons drawn as inline SVG elements (24×24 grid, stroked), so nothing is fetched from elsewhere.

import { svg } from './dom.js';

const PATHS = {
  email: ['M3 6.5A1.5 1.5 0 0 1 4.5 5h15A1.5 1.5 0 0 1 21 6.5v11a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z', 'm3.5 6.5 8.5 6.5 8.5-6.5'],
  sms: ['M4 5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9l-5 4v-4H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z', 'M8 10h8', 'M8 13h5'],
  linkedin: ['M4 4h16v16H4z', 'M8 10.5V16', 'M8 7.6v.1', 'M11.5 16v-5.5', 'M11.5 13c0-1.6 1-2.7 2.4-2.7S16 11.3 16 13v3'],
  inbox: ['M3 13h5l1.5 2.5h5L16 13h5', 'M5.5 5h13L21 13v5a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-5z'],
  insights: ['M4 20V10', 'M10 20V4', 'M16 20v-7', 'M22 20H2'],
  search: ['M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z', 'm20 20-4-4'],
  send: ['M21 3 10 14', 'm21 3-7 18-4-7-7-4z'],
  refresh: ['M20 11a8 8 0 0 0-14.3-4.9L4 8', 'M4 4v4h4', 'M4 13a8 8 0 0 0 14.3 4.9L20 16', 'M20 20v-4h-4'],
  x: ['M6 6l12 12', 'M18 6 6 18'],
  check: ['m5 12.5 4.5 4.5L19 7'],
  sparkle: ['M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8z', 'M19 16l.7 2.3L22 19l-2.3.7L19 22l-.7-2.3L16 19l2.3-.7z'],
  calendar: ['M4 6h16v14H4z', 'M4 10h16', 'M8 3v4', 'M16 3v4'],
  eye: ['M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z', 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z'],
  pen: ['M4 20h4L19 9l-4-4L4 16z', 'm13.5 6.5 4 4'],
  logout: ['M9 21H5a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h4', 'm16 17 5-5-5-5', 'M21 12H9'],
  alert: ['M12 3 2 20h20z', 'M12 10v4', 'M12 17v.1'],
  info: ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z', 'M12 11v5', 'M12 8v.1'],
  user: ['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4 21a8 8 0 0 1 16 0'],
  phone: ['M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a1 1 0 0 1-1 1A16 16 0 0 1 4 5a1 1 0 0 1 1-1z'],
  building: ['M4 21V4h10v17', 'M14 9h6v12', 'M8 8h2', 'M8 12h2', 'M8 16h2', 'M2 21h20'],
  link: ['M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1', 'M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1'],
  keyboard: ['M3 6h18v12H3z', 'M7 10h.1', 'M11 10h.1', 'M15 10h.1', 'M8 14h8'],
  chevronDown: ['m6 9 6 6 6-6'],
  dot: ['M12 12h.01'],
  filter: ['M3 5h18l-7 8v6l-4-2v-4z'],
  clock: ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z', 'M12 7v5l3 2'],
  settings: ['M4 6h9', 'M17 6h3', 'M15 8a2 2 0 1 0 0-4 2 2 0 0 0 0 4z', 'M4 12h3', 'M11 12h9', 'M9 14a2 2 0 1 0 0-4 2 2 0 0 0 0 4z', 'M4 18h11', 'M19 18h1', 'M17 20a2 2 0 1 0 0-4 2 2 0 0 0 0 4z'],
};

export function icon(name, { size = 16, label = null, cls = '' } = {}) {
  const paths = PATHS[name] || PATHS.dot;
  const el = svg(
    'svg',
    {
      viewBox: '0 0 24 24',
      width: size,
      height: size,
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': 1.8,
      'stroke-linecap': 'round',
      'stroke-linejoin': 'round',
      class: `icon icon-${name} ${cls}`.trim(),
      'aria-hidden': label ? null : 'true',
      role: label ? 'img' : null,
      'aria-label': label,
    },
    ...paths.map((d) => svg('path', { d })),
  );
  return el;
}

export const CHANNEL_LABEL = { email: 'Email', sms: 'SMS', linkedin: 'LinkedIn' };
export const CHANNELS = ['email', 'sms', 'linkedin'];

export function channelIcon(channel, size = 14) {
  return icon(channel, { size, label: CHANNEL_LABEL[channel] || channel, cls: `channel-${channel}` });
}
