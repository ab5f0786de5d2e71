/** Line icons drawn as SVG (no icon font or emoji font needed). Decorative: the button around one carries the name. */
const paths = {
  menu: 'M4 6h16M4 12h16M4 18h16',
  lock: 'M6 11h12v9H6zM8 11V8a4 4 0 018 0v3',
  key: 'M8 15a4 4 0 100-8 4 4 0 000 8zM11.5 11H21M18 11v3M15 11v2',
  userPlus: 'M15 20a6 6 0 00-12 0M9 12a4 4 0 100-8 4 4 0 000 8zM19 8v6M16 11h6',
  back: 'M15 5l-7 7 7 7',
  next: 'M9 5l7 7-7 7',
  // Three dots one above the other: more of what there is no room for.
  more: 'M12 4a1 1 0 100 2 1 1 0 000-2zM12 11a1 1 0 100 2 1 1 0 000-2zM12 18a1 1 0 100 2 1 1 0 000-2z',
  close: 'M6 6l12 12M18 6L6 18',
  attach: 'M20 11.5l-8.1 8.1a5 5 0 01-7.1-7.1l8.5-8.5a3.5 3.5 0 015 5l-8.5 8.5a2 2 0 01-2.9-2.9l7.8-7.8',
  send: 'M4 12l16-8-6 16-2.5-6.5L4 12z',
  forward: 'M14 8V4l7 7-7 7v-4c-5 0-8.5 1.5-11 5 1-5 4-10 11-11z',
  reply: 'M10 8V4l-7 7 7 7v-4c5 0 8.5 1.5 11 5-1-5-4-10-11-11z',
  edit: 'M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4',
  trash: 'M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  check: 'M5 12.5l4.5 4.5L19 7',
  flag: 'M6 21V4M6 4h11l-2 4 2 4H6',
  down: 'M6 9l6 6 6-6',
  clock: 'M12 7v5l3 2M12 3a9 9 0 100 18 9 9 0 000-18z',
  timer: 'M10 2h4M12 9v4l2.5 1.5M12 5a8 8 0 100 16 8 8 0 000-16zM18.5 6.5l1.5-1.5',
  smile: 'M12 3a9 9 0 100 18 9 9 0 000-18zM8.5 14a4 4 0 007 0M9 9.5h.01M15 9.5h.01',
  pin: 'M9 4h6l-1 6 3 3H7l3-3-1-6zM12 13v7',
  folder: 'M3 6h6l2 2h10v11H3z',
  link: 'M10 14a4 4 0 005.7 0l3-3a4 4 0 00-5.7-5.7l-1 1M14 10a4 4 0 00-5.7 0l-3 3a4 4 0 005.7 5.7l1-1',
  eye: 'M2 12s3.5-6 10-6 10 6 10 6-3.5 6-10 6S2 12 2 12zM12 9.5a2.5 2.5 0 100 5 2.5 2.5 0 000-5z',
  search: 'M11 4a7 7 0 100 14 7 7 0 000-14zM16 16l4 4',
  // A speech bubble with an unread badge at its corner, as the chat list marks a chat left unread.
  markUnread: 'M13 4H6a2 2 0 00-2 2v9a2 2 0 002 2h2v4l4-4h6a2 2 0 002-2v-5M19 2.5a2.5 2.5 0 100 5 2.5 2.5 0 000-5z',
  archive: 'M4 5h16v4H4zM5 9v10h14V9M10 13h4',
  mic: 'M12 3a3 3 0 00-3 3v6a3 3 0 006 0V6a3 3 0 00-3-3zM5 11a7 7 0 0014 0M12 18v3',
  phone: 'M5 4h4l2 5-2.5 1.5a11 11 0 005 5L15 13l5 2v4a2 2 0 01-2 2A16 16 0 013 6a2 2 0 012-2z',
  camera: 'M3 7h12v10H3zM15 10l6-3v10l-6-3',
  play: 'M7 5l12 7-12 7V5z',
  poll: 'M5 20V11M12 20V4M19 20v-6',
  location: 'M12 21s-7-6.2-7-11.5a7 7 0 0114 0C19 14.8 12 21 12 21zM12 7a2.5 2.5 0 100 5 2.5 2.5 0 000-5z',
  bell: 'M6 16V11a6 6 0 0112 0v5l1.5 2h-15L6 16zM10 20a2 2 0 004 0',
  bellOff: 'M6 16V11a6 6 0 0112 0v5l1.5 2h-15L6 16zM10 20a2 2 0 004 0M4 4l16 16',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
      <path d={paths[name]} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
