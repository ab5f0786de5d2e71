import { cutAt } from './quotes';
import { ESCAPABLE, fitsLength, parseRich, SPACE, toEntities, type Entity, type Node } from './rich';

/**
 * A text too long for one message as several, as Telegram's clients send a pasted long text: each part at most `limit`
 * characters as the reader sees them, trimmed as the server counts them (and its markup within the server's bound,
 * {@link fitsLength}; a code line's indentation at its start is not counted, up to the limit, nor white space at its
 * end), cut at the last paragraph break that leaves the part at least half the limit, else a line break, else a
 * sentence's end, else a space (looked for in the whole part when its second half has none), else hard — on a
 * grapheme's boundary, never inside a surrogate pair, and before a mention, link or other span that the cut would land
 * in when that span starts in the part's second half. The white space at a cut goes with it, but code's: in a code
 * span or block only the one line break at the cut goes (a message ends its line), so a code line keeps its indentation
 * (the text's first one too) and its trailing spaces, and a long code line cut at a space keeps that white space at the
 * end of the one part; should only a code block's white space follow a cut (its last lines blank), it ends that part
 * rather than be one. So the parts show the whole exactly but for the white space at cuts outside code and one line
 * break at each cut inside it.
 * A span the cut goes through is closed at the end of the one part and opened again at the start of the next, so each
 * part keeps its bold, links and code: the parts are written anew from the parsed text (`toMarkup`), and each is
 * checked to read back as its share of the whole.
 *
 * A text that fits is one part, as typed (trimmed); an empty or blank one is none. Null when a part cannot be sent: its
 * characters would not read back as its share (no text is known to do it), or one character's markup is over the bound
 * (a link to an address longer than that): the text is then not offered in parts.
 */
export function splitMessage(text: string, limit: number): string[] | null {
  const typed = text.trim();
  if (fitsLength(typed, limit)) return typed ? [typed] : [];
  const nodes = parseRich(typed);
  const { text: shown, entities } = toEntities(nodes);
  const parts: string[] = [];
  const code = codeAt(shown, entities);
  let start = skipSpace(shown, code, 0);
  while (start < shown.length) {
    // A part's leading white space (a code line's indentation) is not counted, as the server counts a text trimmed; a
    // run longer than the limit (no one indents so deep) is cut like any text.
    const lead = Math.min(pastSpace(shown, start), start + limit);
    let budget = limit;
    for (;;) {
      const cut = shown.length - lead <= budget ? shown.length : cutPoint(shown, entities, lead, budget);
      let [end, next] = whiteSpaceAt(shown, code, start, cut);
      // Only a code block's white space after the cut (its last lines blank): it ends this part rather than be one.
      if (next < shown.length && pastSpace(shown, next) === shown.length) {
        [end, next] = [trimEnd(shown, code, start, shown.length), shown.length];
      }
      const part = writePart(sliceNodes(nodes, start, end));
      if (part === null) return null;
      if (fitsLength(part, limit)) {
        parts.push(part);
        start = next;
        break;
      }
      // The markup makes this part too long (links with long addresses, escapes): fewer characters of it. A character
      // whose markup alone is too long (a link to a longer address than the markup's bound) cannot be sent at all.
      if (end - lead <= 1 || budget === 1) return null;
      budget = Math.max(1, Math.min(budget - 1, Math.floor((end - lead) * 0.75)));
    }
  }
  return parts;
}

const isSpace = (c: string | undefined) => c !== undefined && SPACE.test(c);

/** Past the white space from `at` on, code's too. */
function pastSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text[at])) at++;
  return at;
}

const CODE = 1;
const CODE_START = 2;

/** Which characters of `text` are code's (a code span or block), whose white space is kept as typed: CODE, or
 * CODE_START for the first of a span or block. */
function codeAt(text: string, entities: Entity[]): Uint8Array {
  const code = new Uint8Array(text.length);
  for (const e of entities) {
    if (e.type !== 'code' && e.type !== 'pre') continue;
    code.fill(CODE, e.offset, e.offset + e.length);
    code[e.offset] = CODE_START;
  }
  return code;
}

/** Past the white space from `at` on that is not code's. */
function skipSpace(text: string, code: Uint8Array, at: number): number {
  while (at < text.length && isSpace(text[at]) && !code[at]) at++;
  return at;
}

/** Before the white space up to `end` that is not code's. */
function trimEnd(text: string, code: Uint8Array, start: number, end: number): number {
  while (end > start && isSpace(text[end - 1]) && !code[end - 1]) end--;
  return end;
}

/**
 * Where the part from `start` cut at `cut` ends, and where the next one starts: the white space there goes, but code's.
 * In a code span or block the white space at the cut up to its first line break (a line's trailing spaces) ends the
 * part, that line break goes (a message ends its line), and the rest (the next line's indentation) starts the next
 * part; with no line break (a long line cut at a space) it all ends the part. White space a code span or block starts
 * with (its first line's indentation) starts the next part.
 */
function whiteSpaceAt(text: string, code: Uint8Array, start: number, cut: number): [number, number] {
  let next = cut;
  if (code[cut] === CODE) {
    while (next < text.length && isSpace(text[next]) && code[next] && text[next] !== '\n') next++;
    if (text[next] === '\n' && code[next]) return [next, skipSpace(text, code, next + 1)];
  }
  return [trimEnd(text, code, start, next), skipSpace(text, code, next)];
}

/** Stronger breaks first: a paragraph, a line, a sentence's end, a space. */
const Break = { Space: 0, Sentence: 1, Line: 2, Paragraph: 3 } as const;

/** Sentence punctuation, then any closing quotes or brackets, before the white space that ends a sentence. */
const SENTENCE_END = /[.!?…。！？][)"'»”’\]]*$/;

function breakAt(text: string, from: number, to: number): number {
  const run = text.slice(from, to);
  const lines = run.split('\n').length - 1;
  if (lines >= 2) return Break.Paragraph;
  if (lines === 1) return Break.Line;
  return SENTENCE_END.test(text.slice(Math.max(0, from - 8), from)) ? Break.Sentence : Break.Space;
}

/** Where the part starting at `start` ends (the white space from there on goes with the cut, but code's:
 * `whiteSpaceAt`). */
function cutPoint(text: string, entities: Entity[], start: number, budget: number): number {
  const last = start + budget;
  const inside = (at: number) => entities.some((e) => e.offset < at && at < e.offset + e.length);
  for (const from of [start + Math.floor(budget / 2), start + 1]) {
    let best: { at: number; rank: number } | null = null;
    for (let at = Math.max(from, start + 1); at <= last && at < text.length; at++) {
      if (!isSpace(text[at]) || isSpace(text[at - 1])) continue;
      let runEnd = at;
      while (runEnd < text.length && isSpace(text[runEnd])) runEnd++;
      // A break outside any span before one inside, of the same kind.
      const rank = breakAt(text, at, runEnd) * 2 + (inside(at) ? 0 : 1);
      if (!best || rank >= best.rank) best = { at, rank };
      at = runEnd - 1;
    }
    if (best) return best.at;
  }
  let at = start + cutAt(text.slice(start, last + 16), budget).length;
  if (at === start) at = last - (isHighSurrogate(text.charCodeAt(last - 1)) ? 1 : 0);
  const spanStart = Math.min(at, ...entities.filter((e) => e.offset < at && at < e.offset + e.length).map((e) => e.offset));
  return spanStart >= start + Math.floor(budget / 2) ? spanStart : at;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

function nodeLength(node: Node): number {
  return 'children' in node ? node.children.reduce((sum, child) => sum + nodeLength(child), 0) : node.text.length;
}

/** The nodes that show the characters `from` to `to` of what `nodes` show: a span cut keeps its kind (a link its
 * address) around what is left of it; a mention cut is no mention, its characters plain text. */
export function sliceNodes(nodes: Node[], from: number, to: number): Node[] {
  const out: Node[] = [];
  let at = 0;
  for (const node of nodes) {
    const length = nodeLength(node);
    const start = at;
    at += length;
    if (at <= from || start >= to) continue;
    const a = Math.max(0, from - start);
    const b = Math.min(length, to - start);
    if ('children' in node) {
      const children = sliceNodes(node.children, a, b);
      if (children.length) out.push({ ...node, children });
    } else if (node.kind === 'mention' && (a > 0 || b < length)) {
      out.push({ kind: 'text', text: node.text.slice(a, b) });
    } else {
      out.push({ ...node, text: node.text.slice(a, b) });
    }
  }
  return out;
}

/** A part's markup: written with the fewest escapes, else with every marker character escaped, whichever reads back as
 * the nodes it was written from. Markup no one types can leave a part no way to be written so (an empty code block
 * between a mention and a word, which then run together): it then goes with every marker escaped, its characters all
 * there and the formatting as near as the markup can say; null should even its characters differ. */
function writePart(nodes: Node[]): string | null {
  const wanted = toEntities(nodes);
  let nearest = '';
  for (const escapeAll of [false, true]) {
    nearest = toMarkup(nodes, escapeAll);
    const read = toEntities(parseRich(nearest.trim()));
    if (readAs(read) === readAs(wanted)) return nearest;
    if (escapeAll && read.text === wanted.text) return nearest;
  }
  return null;
}

/** What a part shows, to compare: an address's parentheses as {@link linkAddress} may write them. */
const readAs = (shown: { text: string; entities: Entity[] }) =>
  JSON.stringify(shown, (key, value) => (key === 'url' ? encodeParentheses(value) : value));

const encodeParentheses = (href: string) => href.replaceAll('(', '%28').replaceAll(')', '%29');

const WORD_CHAR = /[A-Za-z0-9_]/;

/** Markup that reads as `nodes` (what {@link parseRich} gives). A bare address stays bare, unless `escapeAll`; a code
 * block is fenced on lines of its own. */
export function toMarkup(nodes: Node[], escapeAll = false, inLink = false): string {
  return nodes
    .map((node, i) => {
      switch (node.kind) {
        case 'text':
          return escapeText(node.text, escapeAll, inLink);
        case 'code':
          return `\`${node.text}\``;
        case 'pre':
          // The line break after the closing fence is not shown (a block ends its line): one goes there when more follows.
          return `\`\`\`\n${node.text}\n\`\`\`${i < nodes.length - 1 ? '\n' : ''}`;
        case 'mention':
          return node.text;
        case 'link': {
          const only = node.children[0];
          if (!escapeAll && !inLink && node.children.length === 1 && only.kind === 'text' && only.text === node.href) return node.href;
          return `[${toMarkup(node.children, escapeAll, true)}](${linkAddress(node.href)})`;
        }
        default: {
          // A marker opens only before a non-space and closes only after one: white space at a span's edge (only markup
          // no one types leaves any there) goes outside it.
          const [, before, inner, after] = EDGE_SPACE.exec(toMarkup(node.children, escapeAll, inLink))!;
          const marker = MARKER_OF[node.kind];
          return inner ? before + marker + inner + marker + after : before + after;
        }
      }
    })
    .join('');
}

/** An address as a `[text](address)` link's: a bare address may hold a `)` it did not open (`https://x.org/a)b`), which
 * would end the link there; its parentheses are then written as %28 and %29, which address the same. */
function linkAddress(href: string): string {
  let depth = 0;
  for (const c of href) {
    if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) return encodeParentheses(href);
  }
  return depth === 0 ? href : encodeParentheses(href);
}

const EDGE_SPACE = new RegExp(`^(${SPACE.source}*)([^]*?)(${SPACE.source}*)$`);

const MARKER_OF = { bold: '**', italic: '__', strike: '~~', spoiler: '||' } as const;

/** Plain text as markup: a backslash before what would read as markup (a doubled marker character, or one at the text's
 * edge where a span's marker may touch it; every backtick; a bracket inside a link's text; an @ that would start a
 * mention; a backslash that would escape what follows), or before every character the markup reacts to. */
function escapeText(text: string, escapeAll: boolean, inLink: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const before = text[i - 1];
    const after = text[i + 1];
    let escape = false;
    if (escapeAll) escape = ESCAPABLE.includes(c);
    else if (c === '\\') escape = after === undefined || ESCAPABLE.includes(after);
    else if ('*_~|'.includes(c)) escape = before === undefined || after === undefined || before === c || after === c;
    else if (c === '`') escape = true;
    else if (c === '[' || c === ']') escape = inLink;
    else if (c === '@') escape = after !== undefined && WORD_CHAR.test(after) && (before === undefined || !/[\w@]/.test(before));
    out += escape ? `\\${c}` : c;
  }
  return out;
}
