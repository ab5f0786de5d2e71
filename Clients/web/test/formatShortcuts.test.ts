import { describe, expect, it } from 'vitest';
import type { Edit } from '../src/ui/formatShortcuts';
import { linkEdit, shortcutOf, toggleWrap } from '../src/ui/formatShortcuts';
import { parseRich } from '../src/ui/rich';

const apply = (text: string, edit: Edit | null) => {
  if (!edit) return null;
  const next = text.slice(0, edit.from) + edit.insert + text.slice(edit.to);
  return { text: next, selected: next.slice(edit.selectFrom, edit.selectTo) };
};
const key = (k: string, mods: Partial<KeyboardEvent> = {}) =>
  ({ key: k, code: `Key${k.toUpperCase()}`, ctrlKey: true, metaKey: false, shiftKey: false, altKey: false, ...mods }) as KeyboardEvent;

describe('formatting shortcuts', () => {
  it('reads Telegram’s keys, with Ctrl or Cmd, by letter or by the key’s place on another layout', () => {
    expect(shortcutOf(key('b'))).toEqual({ kind: 'wrap', marker: '**' });
    expect(shortcutOf(key('i', { ctrlKey: false, metaKey: true }))).toEqual({ kind: 'wrap', marker: '__' });
    expect(shortcutOf(key('X', { shiftKey: true }))).toEqual({ kind: 'wrap', marker: '~~' });
    expect(shortcutOf(key('P', { shiftKey: true }))).toEqual({ kind: 'wrap', marker: '||' });
    expect(shortcutOf(key('k'))).toEqual({ kind: 'link' });
    expect(shortcutOf({ ...key('и'), code: 'KeyB' })).toEqual({ kind: 'wrap', marker: '**' });
    expect(shortcutOf(key('b', { ctrlKey: false }))).toBeNull();
    expect(shortcutOf(key('b', { altKey: true }))).toBeNull();
    expect(shortcutOf(key('x'))).toBeNull();
    expect(shortcutOf({ ...key('Enter'), code: 'Enter' })).toBeNull();
  });

  it('wraps the selection, leaving the spaces at its ends outside', () => {
    expect(apply('say hello now', toggleWrap('say hello now', 4, 9, '**'))).toEqual({ text: 'say **hello** now', selected: 'hello' });
    expect(apply('say hello now', toggleWrap('say hello now', 3, 10, '__'))).toEqual({ text: 'say __hello__ now', selected: 'hello' });
    expect(toggleWrap('a   b', 1, 4, '**')).toBeNull();
    expect(toggleWrap('ab', 1, 1, '**')).toBeNull();
  });

  it('unwraps a selection already wrapped, markers selected or not', () => {
    expect(apply('say **hello** now', toggleWrap('say **hello** now', 6, 11, '**'))).toEqual({ text: 'say hello now', selected: 'hello' });
    expect(apply('say **hello** now', toggleWrap('say **hello** now', 4, 13, '**'))).toEqual({ text: 'say hello now', selected: 'hello' });
    // Another marker is no reason to unwrap: the selection gains this one too.
    expect(apply('say **hello** now', toggleWrap('say **hello** now', 6, 11, '||'))!.text).toBe('say **||hello||** now');
  });

  it('wraps each marker so the parser reads the span', () => {
    let state = { text: 'the end', start: 4, end: 7 };
    for (const marker of ['**', '__', '~~', '||']) {
      const edit = toggleWrap(state.text, state.start, state.end, marker)!;
      const next = apply(state.text, edit)!;
      state = { text: next.text, start: edit.selectFrom, end: edit.selectTo };
    }
    expect(state.text).toBe('the **__~~||end||~~__**');
    expect(parseRich(state.text)[1]).toEqual({
      kind: 'bold',
      children: [{ kind: 'italic', children: [{ kind: 'strike', children: [{ kind: 'spoiler', children: [{ kind: 'text', text: 'end' }] }] }] }],
    });
  });

  it('makes a link of a selection ending in a backslash that keeps it', () => {
    const link = linkEdit('see C:\\dir\\', 4, 11) as { wrap: (href: string) => Edit | null };
    const made = apply('see C:\\dir\\', link.wrap('https://x.org')!)!;
    expect(made.text).toBe('see [C:\\dir\\\\](https://x.org)');
    expect(parseRich(made.text)[1]).toEqual({ kind: 'link', href: 'https://x.org', children: [{ kind: 'text', text: 'C:\\dir\\' }] });
  });

  it('makes a link of the selection with the address given, and takes it away again', () => {
    const link = linkEdit('read the docs', 5, 13);
    expect(link && 'wrap' in link).toBe(true);
    const wrap = (link as { wrap: (href: string) => Edit | null }).wrap;
    expect(apply('read the docs', wrap(' https://x.org/a_(b) '))).toEqual({ text: 'read [the docs](https://x.org/a_%28b%29)', selected: 'the docs' });
    expect(wrap('javascript:alert(1)')).toBeNull();
    expect(wrap('')).toBeNull();
    expect(wrap('https://')).toBeNull();
    const linked = 'read [the docs](https://x.org)';
    expect(parseRich(linked)[1]).toMatchObject({ kind: 'link', href: 'https://x.org' });
    for (const [start, end] of [
      [5, linked.length],
      [6, 14],
    ]) {
      const again = linkEdit(linked, start, end);
      expect(again && 'unlink' in again && apply(linked, again.unlink)).toEqual({ text: 'read the docs', selected: 'the docs' });
    }
  });
});
