import { describe, expect, it } from 'vitest';
import type { Node } from '../src/ui/rich';
import { fitsLength, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, mentions, parseRich, plainText } from '../src/ui/rich';

const t = (text: string): Node => ({ kind: 'text', text });
const link = (href: string, ...children: Node[]): Node => ({ kind: 'link', href, children: children.length ? children : [t(href)] });

describe('message formatting', () => {
  it('links http(s) addresses without the punctuation after them', () => {
    expect(parseRich('see https://example.com/a?b=1. and (http://x.org/y)!')).toEqual([
      t('see '),
      link('https://example.com/a?b=1'),
      t('. and ('),
      link('http://x.org/y'),
      t(')!'),
    ]);
    expect(parseRich('https://en.wikipedia.org/wiki/Foo_(bar)')).toEqual([link('https://en.wikipedia.org/wiki/Foo_(bar)')]);
  });

  it('never links other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<b>x</b>',
      'ftp://x.org',
      'xhttps://x.org',
      '[click](javascript:alert(1))',
      '[click](JAVASCRIPT:alert(1))',
      '[click](data:text/html,x)',
      '[click](//evil.org)',
    ]) {
      const links = JSON.stringify(parseRich(text)).includes('"link"');
      expect(links, text).toBe(false);
    }
  });

  it('keeps code as it is, inline and fenced, with nothing inside formatted', () => {
    expect(parseRich('run `npm ci` then\n```sh\n**not bold** https://x.org\n```')).toEqual([
      t('run '),
      { kind: 'code', text: 'npm ci' },
      t(' then\n'),
      { kind: 'pre', text: '**not bold** https://x.org' },
    ]);
    expect(parseRich('`__a__ \\*\\*`')).toEqual([{ kind: 'code', text: '__a__ \\*\\*' }]);
  });

  it('drops the line break after a code block, which ends its line by itself', () => {
    expect(parseRich('Some code:\n```\nx = 1\n```\nand more\n\nafter a blank line')).toEqual([
      t('Some code:\n'),
      { kind: 'pre', text: 'x = 1' },
      t('and more\n\nafter a blank line'),
    ]);
    expect(parseRich('```\na\n```\n\nb')).toEqual([{ kind: 'pre', text: 'a' }, t('\nb')]);
  });

  it('finds bold text and mentions, not e-mail addresses', () => {
    expect(parseRich('**Heads up** @alice_1, mail bob@example.com')).toEqual([
      { kind: 'bold', children: [t('Heads up')] },
      t(' '),
      { kind: 'mention', text: '@alice_1', username: 'alice_1' },
      t(', mail bob@example.com'),
    ]);
    expect(mentions('hi @Alice_1!', 'alice_1')).toBe(true);
    expect(mentions('hi @alice_10', 'alice_1')).toBe(false);
    expect(mentions('`@alice_1` in code', 'alice_1')).toBe(false);
    expect(mentions('**hey @alice_1**', 'alice_1')).toBe(true);
    expect(mentions('__hey @alice_1__', 'alice_1')).toBe(true);
    expect(mentions('||@alice_1||', 'alice_1')).toBe(true);
  });

  it('reads italic, strikethrough and spoilers', () => {
    expect(parseRich('__it__ ~~gone~~ ||secret||')).toEqual([
      { kind: 'italic', children: [t('it')] },
      t(' '),
      { kind: 'strike', children: [t('gone')] },
      t(' '),
      { kind: 'spoiler', children: [t('secret')] },
    ]);
  });

  it('nests spans as typed: bold in italic, a link and a mention in bold, a spoiler around all', () => {
    expect(parseRich('__a **b** c__')).toEqual([{ kind: 'italic', children: [t('a '), { kind: 'bold', children: [t('b')] }, t(' c')] }]);
    expect(parseRich('**see [the __docs__](https://x.org/a_(b)) and @alice_1**')).toEqual([
      {
        kind: 'bold',
        children: [
          t('see '),
          link('https://x.org/a_(b)', t('the '), { kind: 'italic', children: [t('docs')] }),
          t(' and '),
          { kind: 'mention', text: '@alice_1', username: 'alice_1' },
        ],
      },
    ]);
    expect(parseRich('||**__~~x~~__**||')).toEqual([
      { kind: 'spoiler', children: [{ kind: 'bold', children: [{ kind: 'italic', children: [{ kind: 'strike', children: [t('x')] }] }] }] },
    ]);
    expect(parseRich('**https://x.org/a**')).toEqual([{ kind: 'bold', children: [link('https://x.org/a')] }]);
  });

  it('makes [text](address) a link showing its text, and anything else about brackets stays text', () => {
    expect(parseRich('read [the guide](https://x.org/g?a=1) now')).toEqual([t('read '), link('https://x.org/g?a=1', t('the guide')), t(' now')]);
    expect(parseRich('[a] [b](https://x.org)')).toEqual([t('[a] '), link('https://x.org', t('b'))]);
    expect(parseRich('[a [b](https://x.org)')).toEqual([t('[a '), link('https://x.org', t('b'))]);
    expect(parseRich('[no](https://x.org')).toEqual([t('[no]('), link('https://x.org')]);
    expect(parseRich('[](https://x.org)')).toEqual([link('https://x.org')]);
    // Inside a link's text nothing else links: no mention buttons or addresses within an anchor.
    expect(parseRich('[@alice_1 https://y.org](https://x.org)')).toEqual([link('https://x.org', t('@alice_1 https://y.org'))]);
  });

  it('shows escaped markers as they are', () => {
    expect(parseRich('\\*\\*not bold\\*\\* \\_\\_ \\~\\~ \\|\\| \\` \\[x\\] \\\\ C:\\dir')).toEqual([
      t('**not bold** __ ~~ || ` [x] \\ C:\\dir'),
    ]);
    // An escaped bracket is no link; the address after it is still one, as any bare address.
    expect(parseRich('\\[x\\](https://x.org)')).toEqual([t('[x]('), link('https://x.org'), t(')')]);
    expect(parseRich('**a \\*\\* b**')).toEqual([{ kind: 'bold', children: [t('a ** b')] }]);
    expect(parseRich('\\@alice_1')).toEqual([t('@alice_1')]);
  });

  it('leaves markers that open or close nothing as text', () => {
    expect(parseRich('<img src=x onerror=alert(1)> * ** `')).toEqual([t('<img src=x onerror=alert(1)> * ** `')]);
    expect(parseRich('a ** b ** c')).toEqual([t('a ** b ** c')]);
    expect(parseRich('****')).toEqual([t('****')]);
    expect(parseRich('**open __never closed')).toEqual([t('**open __never closed')]);
    expect(parseRich('**a __b** c__')).toEqual([{ kind: 'bold', children: [t('a __b')] }, t(' c__')]);
    expect(parseRich('||x')).toEqual([t('||x')]);
  });

  it('never makes HTML: markup and tags inside spans stay text', () => {
    const nodes = parseRich('**<script>alert(1)</script>** [<b>x</b>](https://x.org/"><script>)');
    expect(nodes[0]).toEqual({ kind: 'bold', children: [t('<script>alert(1)</script>')] });
    expect(JSON.stringify(nodes)).not.toContain('"href":"https://x.org/\\"');
  });

  // Bounded by the test's timeout: linear, these take milliseconds; a quadratic parse of them takes minutes.
  it('parses long adversarial texts in linear time', () => {
    const n = 200_000;
    const inputs = [
      '**__~~||['.repeat(n / 9),
      '[](https://a'.repeat(n / 12),
      '`'.repeat(n),
      '``\n'.repeat(n / 3),
      '\\'.repeat(n),
      '@'.repeat(n) + 'a'.repeat(n),
      '**a '.repeat(n / 4),
      '[a'.repeat(n / 2) + ']',
      'https://x'.repeat(n / 9),
      '(' .repeat(n) + '[x](https://x.org/' + '('.repeat(n),
      '```' + 'a'.repeat(n),
      '__@' + 'a_'.repeat(n / 2),
      'https://x' + ')'.repeat(n),
      'https://x' + '.'.repeat(n) + 'a',
      'https://x' + '._'.repeat(n / 2),
      // Bare addresses the grammar keeps short or rejects, one after another in one run (once quadratic).
      'http://a,'.repeat(n / 9),
      'http://./'.repeat(n / 9),
      'http://a!'.repeat(n / 9),
      '**http://a!'.repeat(n / 11),
      '[' + 'http://a,'.repeat(n / 9),
      'https://a@'.repeat(n / 10),
      'http://a:/'.repeat(n / 10),
      'http://»?'.repeat(n / 9),
    ];
    for (const input of inputs) {
      const nodes = parseRich(input);
      expect(nodes.length).toBeGreaterThan(0);
      expect(plainText(input).length).toBeGreaterThan(0);
    }
  }, 20_000);
});

describe('length limits as the server counts them', () => {
  it('counts the visible text, trimmed, and lets markup be four times the limit', () => {
    expect(fitsLength('**' + 'x'.repeat(4096) + '**', MAX_TEXT_LENGTH)).toBe(true);
    expect(fitsLength('x'.repeat(4097), MAX_TEXT_LENGTH)).toBe(false);
    expect(fitsLength('  ' + 'x'.repeat(4096) + '\n', MAX_TEXT_LENGTH)).toBe(true);
    expect(fitsLength('[a](https://x.org/' + 'p'.repeat(16000) + ')', MAX_TEXT_LENGTH)).toBe(true);
    expect(fitsLength('[a](https://x.org/' + 'p'.repeat(16400) + ')', MAX_TEXT_LENGTH)).toBe(false);
    expect(fitsLength('x'.repeat(1025), MAX_CAPTION_LENGTH)).toBe(false);
  });
});

describe('plain text of a message (one-line previews)', () => {
  it('takes the markers away and keeps the words', () => {
    expect(plainText('Bring water. **Lots** of water.')).toBe('Bring water. Lots of water.');
    expect(plainText('**Lots**, __really__ ~~not~~ [this](https://x.org)')).toBe('Lots, really not this');
    // Markup around nothing leaves the text as typed rather than a blank preview.
    expect(plainText('` `')).toBe('` `');
    expect(plainText('``````')).toBe('``````');
  });

  it('hides what a spoiler hides', () => {
    expect(plainText('The butler did it: ||the butler **Jeeves**||!')).toBe('The butler did it: ▒▒▒!');
    expect(plainText('||secret||')).toBe('▒▒▒');
    expect(plainText('||secret||')).not.toContain('secret');
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
