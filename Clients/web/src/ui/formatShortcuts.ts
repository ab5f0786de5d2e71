/**
 * The composer's formatting shortcuts, as Telegram's: with text selected, Ctrl/Cmd+B wraps it in `**` (bold), +I in
 * `__` (italic), +Shift+X in `~~` (strikethrough), +Shift+P in `||` (spoiler), and +K asks for an address and makes
 * `[selection](address)`. The same keys on a selection already wrapped take the wrapping away. Pure text work here; the
 * composer applies the result to its box.
 */
import { safeHref as safe } from './rich';

export type Shortcut = { kind: 'wrap'; marker: string } | { kind: 'link' };

/** The formatting a key press asks for, or null. Letters by the key typed, or by the key's place on a keyboard whose
 * letters are not Latin (a Cyrillic layout's B key gives "и"). */
export function shortcutOf(event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): Shortcut | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const letter = /^[a-z]$/i.test(event.key) ? event.key.toLowerCase() : /^Key[A-Z]$/.test(event.code) ? event.code.slice(3).toLowerCase() : '';
  if (!event.shiftKey) {
    if (letter === 'b') return { kind: 'wrap', marker: '**' };
    if (letter === 'i') return { kind: 'wrap', marker: '__' };
    if (letter === 'k') return { kind: 'link' };
  } else {
    if (letter === 'x') return { kind: 'wrap', marker: '~~' };
    if (letter === 'p') return { kind: 'wrap', marker: '||' };
  }
  return null;
}

/** A change to the box: replace `from`–`to` with `insert`, then select `selectFrom`–`selectTo` of the new text. */
export interface Edit {
  from: number;
  to: number;
  insert: string;
  selectFrom: number;
  selectTo: number;
}

/** The selection without the spaces at its ends (a double-click takes the space after a word), since a marker must
 * touch the words it formats. Null when nothing but spaces is selected. */
function trimmed(text: string, start: number, end: number): [number, number] | null {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return start < end ? [start, end] : null;
}

/** Wraps the selection in `marker`, or unwraps it when the marker already stands at both its ends, inside or out. */
export function toggleWrap(text: string, start: number, end: number, marker: string): Edit | null {
  const range = trimmed(text, start, end);
  if (!range) return null;
  const [from, to] = range;
  const m = marker.length;
  const selected = text.slice(from, to);
  if (selected.length > 2 * m && selected.startsWith(marker) && selected.endsWith(marker)) {
    const inner = selected.slice(m, -m);
    return { from, to, insert: inner, selectFrom: from, selectTo: from + inner.length };
  }
  if (text.slice(from - m, from) === marker && text.slice(to, to + m) === marker && from >= m) {
    return { from: from - m, to: to + m, insert: selected, selectFrom: from - m, selectTo: to - m };
  }
  return { from, to, insert: marker + selected + marker, selectFrom: from + m, selectTo: to + m };
}

const LINK = /^\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)$/;

/** `[selection](address)`, or the selection's text back when it is a link already (the address is not asked for then). */
export function linkEdit(text: string, start: number, end: number): { unlink: Edit } | { wrap: (href: string) => Edit | null } | null {
  const range = trimmed(text, start, end);
  if (!range) return null;
  const [from, to] = range;
  const selected = text.slice(from, to);
  const whole = LINK.exec(selected);
  if (whole) return { unlink: { from, to, insert: whole[1], selectFrom: from, selectTo: from + whole[1].length } };
  // The link's text alone selected: `[` before it and `](…)` after.
  const after = LINK.exec(`[${selected}${text.slice(to, text.indexOf(')', to) + 1)}`);
  if (text[from - 1] === '[' && after && after[1] === selected) {
    const close = text.indexOf(')', to) + 1;
    return { unlink: { from: from - 1, to: close, insert: selected, selectFrom: from - 1, selectTo: from - 1 + selected.length } };
  }
  return {
    wrap: (href) => {
      // Characters that would end the address early are written as the browser would send them anyway.
      const address = href.trim().replace(/^https?:/i, (scheme) => scheme.toLowerCase()).replace(/[()[\]<>"`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
      if (!/^https?:\/\/\S+$/.test(address) || !safe(address)) return null;
      let label = selected.replace(/[[\]]/g, '\\$&');
      // A lone backslash at its end would escape the `]` that closes the label: it is doubled to read as itself.
      if ((/\\+$/.exec(label)?.[0].length ?? 0) % 2 === 1) label += '\\';
      return { from, to, insert: `[${label}](${address})`, selectFrom: from + 1, selectTo: from + 1 + label.length };
    },
  };
}

/**
 * Applies the shortcut `event` asks for to the box's selection: true when it did (the key is then the shortcut's
 * alone). The change goes in as typing would, so Ctrl+Z takes it back; `changed` hears the new text as from typing.
 */
export function applyFormatShortcut(event: KeyboardEvent, box: HTMLTextAreaElement, changed: (text: string) => void): boolean {
  const shortcut = shortcutOf(event);
  if (!shortcut || event.isComposing) return false;
  const { value, selectionStart: start, selectionEnd: end } = box;
  let edit: Edit | null;
  if (shortcut.kind === 'wrap') edit = toggleWrap(value, start, end, shortcut.marker);
  else {
    const link = linkEdit(value, start, end);
    if (!link) return false;
    event.preventDefault();
    edit = 'unlink' in link ? link.unlink : link.wrap(window.prompt('Link address', 'https://') ?? '');
    box.focus();
  }
  if (!edit) return false;
  event.preventDefault();
  box.setSelectionRange(edit.from, edit.to);
  // insertText keeps the browser's undo history; where it is not offered the text is set directly.
  if (!document.execCommand?.('insertText', false, edit.insert)) {
    box.setRangeText(edit.insert, edit.from, edit.to);
    changed(box.value);
  }
  box.setSelectionRange(edit.selectFrom, edit.selectTo);
  return true;
}
