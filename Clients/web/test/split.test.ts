import { describe, expect, it } from 'vitest';
import { MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, fitsLength, parseRich, SPACE, toEntities } from '../src/ui/rich';
import { splitMessage } from '../src/ui/split';

const LIMIT = MAX_TEXT_LENGTH;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Each character the reader sees, but white space, with the formatting over it ("a bold link to x" as
 * `a|bold,link:https://x`): the parts must show the same sequence, so nothing is lost, doubled or unformatted. */
function styled(markup: string): string[] {
  const { text, entities } = toEntities(parseRich(markup.trim()));
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (SPACE.test(text[i])) continue;
    const over = entities
      .filter((e) => e.offset <= i && i < e.offset + e.length)
      .map((e) => (e.url ? `${e.type}:${e.url}` : e.type))
      .sort();
    out.push(`${text[i]}|${over.join(',')}`);
  }
  return out;
}

function split(text: string, limit = LIMIT): string[] {
  const parts = splitMessage(text, limit);
  expect(parts).not.toBeNull();
  for (const part of parts!) {
    expect(fitsLength(part, limit)).toBe(true);
    expect(part.trim()).not.toBe('');
    expect(LONE_SURROGATE.test(part)).toBe(false);
  }
  expect(parts!.flatMap(styled)).toEqual(styled(text));
  return parts!;
}

const shown = (markup: string) => toEntities(parseRich(markup.trim())).text;
const words = (n: number, word = 'word') => Array.from({ length: n }, () => word).join(' ');

describe('a text too long for one message, as several', () => {
  it('leaves a text at the limit whole, as typed', () => {
    const text = `**${'a'.repeat(LIMIT - 1)}**b`;
    expect(split(text)).toEqual([text]);
    expect(splitMessage(`  ${'a'.repeat(LIMIT)}\n`, LIMIT)).toEqual(['a'.repeat(LIMIT)]);
    expect(splitMessage('   ', LIMIT)).toEqual([]);
  });

  it('makes one character over two parts, cut at the last space', () => {
    const text = `${'a'.repeat(2500)} ${'b'.repeat(LIMIT - 2500)}`;
    expect(shown(text).length).toBe(LIMIT + 1);
    expect(split(text)).toEqual(['a'.repeat(2500), 'b'.repeat(LIMIT - 2500)]);
  });

  it('cuts at the last paragraph break in the second half of the limit, before a line break, a sentence end or a space', () => {
    const first = `${words(300)}.\n${words(200)}`;
    const text = `${first}\n\n${words(300)}. ${words(300)}\n${words(100)}`;
    const parts = split(text);
    expect(parts[0]).toBe(first);
    expect(parts).toHaveLength(2);
  });

  it('takes a line break over a sentence end, a sentence end over a space', () => {
    const line = `${words(500)}. ${words(200)}\n${words(50)} ${words(600)}`;
    expect(split(line)[0]).toBe(`${words(500)}. ${words(200)}`);
    const sentence = `${words(500)}! ${words(200)} ${words(600)}`;
    expect(split(sentence)[0]).toBe(`${words(500)}!`);
    const quoted = `${words(500)}.» ${words(600)}`;
    expect(split(quoted)[0]).toBe(`${words(500)}.»`);
  });

  it('does not cut so early that a part is less than half the limit: a paragraph break at the start is passed over', () => {
    const text = `Hi\n\n${words(1000)}`;
    const parts = split(text);
    expect(parts[0].length).toBeGreaterThan(LIMIT / 2);
    expect(parts[0].startsWith('Hi\n\nword')).toBe(true);
  });

  it('cuts hard where there is no space, at the limit', () => {
    const parts = split('x'.repeat(LIMIT * 2 + 10));
    expect(parts.map((p) => p.length)).toEqual([LIMIT, LIMIT, 10]);
  });

  it('never cuts an emoji in half, nor a flag or a family', () => {
    for (const emoji of ['😀', '🇫🇷', '👨‍👩‍👧']) {
      const parts = split(emoji.repeat(Math.ceil((LIMIT * 1.5) / emoji.length)));
      for (const part of parts) expect(part.replaceAll(emoji, '')).toBe('');
    }
    const odd = `a${'😀'.repeat(LIMIT)}`;
    const parts = split(odd);
    expect(parts[0]).toBe(`a${'😀'.repeat((LIMIT - 2) / 2)}`);
  });

  it('keeps bold, italic, spoilers and strikethrough over a cut: closed before it, opened again after it', () => {
    const text = `**${words(1000)}** __${words(300)}__ ~~a b~~ ||${words(200)}||`;
    const parts = split(text);
    expect(parts.length).toBe(2);
    expect(parts[0]).toMatch(/^\*\*word( word)*\*\*$/);
    expect(parts[1]).toMatch(/^\*\*word( word)*\*\* __word/);
  });

  it('keeps a link over a cut: both halves of its text link to its address', () => {
    const text = `see [${words(1000)}](https://example.org/a_(b)) and https://example.org/x`;
    const parts = split(text);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^see \[word.*word\]\(https:\/\/example\.org\/a_\(b\)\)$/);
    expect(parts[1]).toMatch(/^\[word.*word\]\(https:\/\/example\.org\/a_\(b\)\) and https:\/\/example\.org\/x$/);
  });

  it('keeps a code block over a cut as two blocks, and code spans, mentions and escapes as typed', () => {
    const code = Array.from({ length: 400 }, (_, i) => `line ${i} = x;`).join('\n');
    const text = `Look:\n\`\`\`\n${code}\n\`\`\`\nand \`a**b\` @alice_b \\*\\*not bold\\*\\* snake_case 2*3 \\@nobody ${words(10)}`;
    const parts = split(text);
    expect(parts).toHaveLength(2);
    expect(parts[0].startsWith('Look:\n```\nline 0')).toBe(true);
    expect(parts[0].endsWith('\n```')).toBe(true);
    expect(parts[1].startsWith('```\nline')).toBe(true);
    expect(parts[1]).toContain('```\nand `a**b` @alice_b \\*\\*not bold\\*\\* snake_case 2*3 \\@nobody');
  });

  it('does not cut hard inside a mention or a link when it can cut before it', () => {
    const text = `${'x'.repeat(LIMIT - 10)}-@alice_smith-${'y'.repeat(100)}`;
    const parts = split(text);
    expect(parts[1].startsWith('@alice_smith')).toBe(true);
  });

  it('leaves the white space at a cut and at the end out of every part: none is blank', () => {
    const text = `${words(800)}  \n \n\t ${words(800)}\n\n\`\`\`\n   \n\`\`\`\n   `;
    const parts = split(text);
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(part).toBe(part.trim());
    expect(parts[1].endsWith('word')).toBe(true);
  });

  it('keeps each part within the markup bound when long addresses make the markup longer than the text', () => {
    const address = `https://example.org/${'p'.repeat(150)}`;
    const text = Array.from({ length: 200 }, (_, i) => `[l${i}](${address})`).join(' ');
    expect(fitsLength(text, MAX_CAPTION_LENGTH)).toBe(false);
    const parts = split(text, MAX_CAPTION_LENGTH);
    expect(parts.length).toBeGreaterThan(1);
  });

  it('offers no parts when the markup of one character alone is over the bound: a link to a too-long address', () => {
    const text = `[x](https://example.org/${'p'.repeat(MAX_CAPTION_LENGTH * 4)}) ${'y'.repeat(MAX_CAPTION_LENGTH)}`;
    expect(splitMessage(text, MAX_CAPTION_LENGTH)).toBeNull();
  });

  const randomTexts = (pieces: string[], count: number, length: number) => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    return Array.from({ length: count }, () => {
      let text = '';
      while (text.length < length) text += pieces[random(pieces.length)];
      return text;
    });
  };

  it('splits any mix of typed formatting so that the parts show the whole, formatted alike', () => {
    const pieces = [
      '**bold words here**', '__italic__', '~~gone~~', '||a secret||', '`code`', '```\nblock\nof code\n```\n', '[a link text](https://x.org/a_(b))',
      'https://a.org/b?q=1', '@alice_1', '\\*\\*', 'snake_case', '2*3', '**bold __and italic__ [link](https://y.org) @bob_22**', ' ', ' ',
      '\n', '\n\n', '. ', 'word', 'words', '😀', '🇫🇷', 'é', '||**spoiled bold** `code`||',
    ];
    for (const text of randomTexts(pieces, 60, 900)) split(text, 200);
  });

  it('splits even markup no one types into parts with all its characters', () => {
    const pieces = ['**', '__', '~~', '||', '`', '```', '[', '](https://x.org/)', 'https://a.org/b', '@alice_1', '\\', '\\*', ' ', '\n', '\n\n', '. ', 'word', '😀', 'é', '*', '_'];
    const visible = (markup: string) => toEntities(parseRich(markup.trim())).text.replace(/\s+/g, '');
    for (const text of randomTexts(pieces, 300, 700)) {
      const parts = splitMessage(text, 200);
      expect(parts).not.toBeNull();
      for (const part of parts!) expect(fitsLength(part, 200)).toBe(true);
      expect(parts!.map(visible).join('')).toBe(visible(text));
    }
  });
});
