import { describe, expect, it } from 'vitest';
import { MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, fitsLength, parseRich, SPACE, toEntities } from '../src/ui/rich';
import { splitMessage } from '../src/ui/split';

const LIMIT = MAX_TEXT_LENGTH;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Each character the reader sees, white space too, with the formatting over it ("a bold link to x" as
 * `a|bold,link:https://x`, or only the character when `formatting` is off), and whether it is code's (a code span or
 * block). */
function read(markup: string, formatting = true): { chars: string[]; code: boolean[] } {
  const { text, entities } = toEntities(parseRich(markup.trim()));
  const chars: string[] = [];
  const code: boolean[] = [];
  for (let i = 0; i < text.length; i++) {
    const over = entities.filter((e) => e.offset <= i && i < e.offset + e.length);
    const names = over.map((e) => (e.url ? `${e.type}:${e.url}` : e.type)).sort();
    chars.push(formatting ? `${text[i]}|${names.join(',')}` : text[i]);
    code.push(over.some((e) => e.type === 'code' || e.type === 'pre'));
  }
  return { chars, code };
}

/**
 * That the parts show the whole exactly, formatted alike (or only its characters, without `formatting`), but for the
 * white space at a cut: there every white-space character outside code goes, and inside a code span or block only the
 * one line break at the cut, so a code line keeps its indentation and its trailing spaces. No part starts or ends with
 * white space outside code, and before the first part and after the last only white space outside code is left out.
 */
function expectShares(text: string, parts: string[], formatting = true) {
  const whole = read(text, formatting);
  const isSpace = (i: number) => SPACE.test(whole.chars[i][0]);
  const mayGo = (from: number, to: number, lineBreaks: number) => {
    for (let i = from; i < to; i++) {
      if (!isSpace(i)) return false;
      if (whole.code[i] && (whole.chars[i][0] !== '\n' || --lineBreaks < 0)) return false;
    }
    return true;
  };
  let at = 0;
  parts.forEach((part, p) => {
    const { chars } = read(part, formatting);
    const lineBreaks = p === 0 ? 0 : 1;
    let from = at;
    while (from <= whole.chars.length - chars.length && !chars.every((c, i) => whole.chars[from + i] === c)) from++;
    const found = from <= whole.chars.length - chars.length && mayGo(at, from, lineBreaks);
    expect(found, `part ${p} is the whole's next share: ${JSON.stringify(part)}`).toBe(true);
    const last = from + chars.length - 1;
    const trimmed = chars.length > 0 && (!isSpace(from) || whole.code[from]) && (!isSpace(last) || whole.code[last]);
    expect(trimmed, `part ${p} trimmed outside code`).toBe(true);
    at = last + 1;
  });
  expect(mayGo(at, whole.chars.length, 0), 'nothing left out after the last part').toBe(true);
}

function split(text: string, limit = LIMIT): string[] {
  const parts = splitMessage(text, limit);
  expect(parts).not.toBeNull();
  for (const part of parts!) {
    expect(fitsLength(part, limit)).toBe(true);
    expect(part.trim()).not.toBe('');
    expect(LONE_SURROGATE.test(part)).toBe(false);
  }
  expectShares(text, parts!);
  return parts!;
}

const shown = (markup: string) => toEntities(parseRich(markup.trim())).text;
/** The characters of a text's code spans and blocks, one after the other. */
const codeOf = (markup: string) => {
  const { text, entities } = toEntities(parseRich(markup.trim()));
  const code = entities.filter((e) => e.type === 'code' || e.type === 'pre');
  return code.map((e) => text.slice(e.offset, e.offset + e.length)).join('');
};
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

  it('keeps a code line\'s indentation at a cut inside a code block, the first line\'s too: only the line break at the cut goes', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `    line ${i} of indented code`);
    const text = `\`\`\`\n${lines.join('\n')}\n\`\`\``;
    const parts = split(text, 300);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part).toMatch(/^```\n {4}line \d+ of indented code\n/);
    expect(parts.map(shown).join('\n')).toBe(shown(text));
    // Indentation is not counted (the server counts a text trimmed), so a deep one does not make a blank part.
    const deep = `\`\`\`\n${' '.repeat(90)}${'x'.repeat(30)}\n\`\`\``;
    expect(split(`${words(10)}\n${deep}`, 100)).toEqual([words(10), deep]);
    // A block right after a word, cut where it starts: its first line's indentation goes with that line.
    const block = `\`\`\`\n${' '.repeat(8)}${'x'.repeat(60)}\n\`\`\``;
    expect(split(`${words(10)}${block}`, 100)).toEqual([words(10), block]);
  });

  it('keeps the white space of code at a cut: a line\'s trailing spaces, blank lines, a space a long line is cut at', () => {
    const block = Array.from({ length: 30 }, (_, i) => `def f${i}():  \n\n\treturn ${i}   `).join('\n');
    const text = `Code:\n\`\`\`\n${block}\n\`\`\`\nend`;
    const parts = split(text, 200);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.slice(1).every((part) => /^```\n(\n?\treturn|def)/.test(part))).toBe(true);
    expect(parts.map(codeOf).join('\n')).toBe(codeOf(text));
    const long = `\`\`\`\n${Array.from({ length: 60 }, (_, i) => `x${i} = y`).join('  ')}\n\`\`\``;
    const cut = split(long, 200);
    expect(cut.length).toBeGreaterThan(1);
    expect(cut.map(shown).join('')).toBe(shown(long));
    const span = `${words(30)} \`${Array.from({ length: 30 }, () => 'a  b').join(' ')}\` ${words(30)}`;
    const spans = split(span, 100);
    expect(spans.filter((part) => part.includes('`'))).toHaveLength(2);
    expect(spans.map(codeOf).join('')).toBe(codeOf(span));
  });

  it('does not cut hard inside a mention or a link when it can cut before it', () => {
    const text = `${'x'.repeat(LIMIT - 10)}-@alice_smith-${'y'.repeat(100)}`;
    const parts = split(text);
    expect(parts[1].startsWith('@alice_smith')).toBe(true);
  });

  it('leaves the white space at a cut and at the end out of every part but a code block\'s: none is blank', () => {
    const text = `${words(800)}  \n \n\t ${words(800)}\n\n\`\`\`\n   \n\`\`\`\n   `;
    const parts = split(text);
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(part).toBe(part.trim());
    expect(parts[0].endsWith('word')).toBe(true);
    expect(parts[1].endsWith('word\n\n```\n   \n```')).toBe(true);
    const blankLines = `\`\`\`\n${'y'.repeat(90)}\n${' '.repeat(20)}\n\`\`\``;
    expect(split(`${words(20)}\n\n${blankLines}`, 100)).toEqual([words(20), blankLines]);
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
      '```\n    indented\n\tline  \n\n  more  \n```\n', '```py\n\n  if x:\n      y()\n```', '`a  b  c`', '** bold `co de` bold**',
    ];
    for (const text of randomTexts(pieces, 60, 900)) split(text, 200);
  });

  it('splits even markup no one types into parts with all its characters', () => {
    const pieces = ['**', '__', '~~', '||', '`', '```', '[', '](https://x.org/)', 'https://a.org/b', '@alice_1', '\\', '\\*', ' ', '  ', '\t', '\n', '\n\n', '\n    ', '. ', 'word', '😀', 'é', '*', '_'];
    for (const text of randomTexts(pieces, 300, 700)) {
      const parts = splitMessage(text, 200);
      expect(parts).not.toBeNull();
      for (const part of parts!) expect(fitsLength(part, 200)).toBe(true);
      expectShares(text, parts!, false);
    }
  });
});
