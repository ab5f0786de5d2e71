import { describe, expect, it } from 'vitest';
import { mentions, parseRich, plainText } from '../src/ui/rich';

describe('message formatting', () => {
  it('links http(s) addresses without the punctuation after them', () => {
    expect(parseRich('see https://example.com/a?b=1. and (http://x.org/y)!')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. and (' },
      { kind: 'link', text: 'http://x.org/y', href: 'http://x.org/y' },
      { kind: 'text', text: ')!' },
    ]);
    expect(parseRich('https://en.wikipedia.org/wiki/Foo_(bar)')).toEqual([
      { kind: 'link', text: 'https://en.wikipedia.org/wiki/Foo_(bar)', href: 'https://en.wikipedia.org/wiki/Foo_(bar)' },
    ]);
  });

  it('never links other schemes', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://x.org', 'xhttps://x.org']) {
      expect(parseRich(text).some((s) => s.kind === 'link')).toBe(false);
    }
  });

  it('keeps code as it is, inline and fenced, with nothing inside formatted', () => {
    expect(parseRich('run `npm ci` then\n```sh\n**not bold** https://x.org\n```')).toEqual([
      { kind: 'text', text: 'run ' },
      { kind: 'code', text: 'npm ci' },
      { kind: 'text', text: ' then\n' },
      { kind: 'pre', text: '**not bold** https://x.org' },
    ]);
  });

  it('drops the line break after a code block, which ends its line by itself', () => {
    expect(parseRich('Some code:\n```\nx = 1\n```\nand more\n\nafter a blank line')).toEqual([
      { kind: 'text', text: 'Some code:\n' },
      { kind: 'pre', text: 'x = 1' },
      { kind: 'text', text: 'and more\n\nafter a blank line' },
    ]);
    expect(parseRich('```\na\n```\n\nb')).toEqual([
      { kind: 'pre', text: 'a' },
      { kind: 'text', text: '\nb' },
    ]);
  });

  it('finds bold text and mentions, not e-mail addresses', () => {
    expect(parseRich('**Heads up** @alice_1, mail bob@example.com')).toEqual([
      { kind: 'bold', text: 'Heads up' },
      { kind: 'text', text: ' ' },
      { kind: 'mention', text: '@alice_1', username: 'alice_1' },
      { kind: 'text', text: ', mail bob@example.com' },
    ]);
    expect(mentions('hi @Alice_1!', 'alice_1')).toBe(true);
    expect(mentions('hi @alice_10', 'alice_1')).toBe(false);
    expect(mentions('`@alice_1` in code', 'alice_1')).toBe(false);
  });

  it('leaves plain text alone, markup included', () => {
    expect(parseRich('<img src=x onerror=alert(1)> * ** `')).toEqual([{ kind: 'text', text: '<img src=x onerror=alert(1)> * ** `' }]);
  });
});

describe('plain text of a message (one-line previews)', () => {
  it('takes the bold markers away and keeps the words', () => {
    expect(plainText('Bring water. **Lots** of water.')).toBe('Bring water. Lots of water.');
    expect(plainText('**Lots**, really')).toBe('Lots, really');
    // Markup around nothing leaves the text as typed rather than a blank preview.
    expect(plainText('` `')).toBe('` `');
    expect(plainText('``````')).toBe('``````');
  });

  it('keeps inline code and a fenced block as their content, on one line', () => {
    expect(plainText('run `npm ci` then\n```sh\nnpm test\nnpm run build\n```\ndone')).toBe('run npm ci then npm test npm run build done');
    expect(plainText('```\n**not bold**\n```')).toBe('**not bold**');
  });

  it('keeps mentions and addresses as written', () => {
    expect(plainText('ask @alice_1 about https://example.com/a?b=1.')).toBe('ask @alice_1 about https://example.com/a?b=1.');
  });

  it('leaves text without markup alone but for its line breaks and runs of spaces', () => {
    expect(plainText('first line\n\n  second * ** `')).toBe('first line second * ** `');
    expect(plainText('')).toBe('');
  });
});
