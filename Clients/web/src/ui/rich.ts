/**
 * The formatting a message's text gets when shown, Telegram's: `**bold**`, `__italic__`, `~~strikethrough~~`,
 * `||spoiler||`, `[text](https://address)`, bare http(s) addresses, `code`, ```code blocks``` and @mentions, nested as
 * typed (`**bold __and italic__**`, a link or mention inside bold), with `\` before a marker showing it as it is
 * (`\*\*`). A parse into a tree the UI renders as text nodes and elements (never as HTML), so nothing in a message can
 * run or style the page; only http(s) addresses become links.
 *
 * One pass from left to right with a stack of open spans (at most one of each kind, so at most five deep): every
 * character is looked at a bounded number of times, so no text, however it is built, makes the parse slow. The server
 * reads the same markup (Kernel's MessageMarkup, for the Bot API's entities and the push notifications' text); the
 * two must agree.
 */
export type Style = 'bold' | 'italic' | 'strike' | 'spoiler';

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'pre'; text: string }
  | { kind: 'mention'; text: string; username: string }
  | { kind: 'link'; href: string; children: Node[] }
  | { kind: Style; children: Node[] };

/** The server's limits (SendMessageValidator): a message's text may show at most this many characters, a caption at
 * most MAX_CAPTION_LENGTH, counted trimmed and without markup; the markup itself may be MARKUP_FACTOR times as long. */
export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;
export const MARKUP_FACTOR = 4;

/** Whether `text` fits `limit` as the server counts (its Fits): the markup at most MARKUP_FACTOR times the limit, the
 * text the reader sees, trimmed, at most the limit. */
export function fitsLength(text: string, limit: number): boolean {
  return text.length <= limit * MARKUP_FACTOR && toEntities(parseRich(text.trim())).text.trim().length <= limit;
}

/** How far `text` is over `limit` as the server counts ({@link fitsLength}), said while it is typed: null when it fits,
 * else the count the reader would see against the limit ("4,996 / 4,096 characters: 900 too many"). Cheap while the
 * text is shorter than the limit, which the text the reader sees never outgrows. */
export function overLength(text: string, limit: number): string | null {
  if (text.length <= limit) return null;
  const count = (n: number) => n.toLocaleString('en-US');
  if (text.length > limit * MARKUP_FACTOR) return `Too long with its formatting: at most ${count(limit * MARKUP_FACTOR)} characters as typed`;
  const shown = toEntities(parseRich(text.trim())).text.trim().length;
  return shown > limit ? `${count(shown)} / ${count(limit)} characters: ${count(shown - limit)} too many` : null;
}

/** What a spoiler's words become wherever a message is shown in one line (previews, notifications, pushes). */
export const SPOILER_PREVIEW = '▒▒▒';

const MARKERS: Record<string, Style> = { '**': 'bold', __: 'italic', '~~': 'strike', '||': 'spoiler' };
/** Characters a backslash shows as they are: the markers' and itself. Before anything else it is a plain backslash. */
export const ESCAPABLE = '\\*_~|`[]@';
const TRAILING = `.,;:!?'"»”’`;
/** White space: Unicode's White_Space, the same set as the server's `char.IsWhiteSpace` (not JS's `\s`, which adds
 * U+FEFF and leaves out U+0085). */
const SPACE_CLASS = '\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
export const SPACE = new RegExp(`[${SPACE_CLASS}]`);
/** Where a [link](…)'s address ends without its `)`: it is no address; a bare address ends there too. */
const LINK_STOP = new RegExp(`[${SPACE_CLASS}<>"\`[\\]]`);
const WORD = /[A-Za-z0-9_]/;
const LANGUAGE_LINE = /^[a-z0-9+#-]*\n/;

/** An open span; a link's also remembers where its `[` was and the state before it, to read the text after it again
 * should it be no link. */
type Frame = { kind: Style | 'link' | 'root'; opener: string; children: Node[]; start?: number; tokenEnd?: number; noFence?: boolean };

export function parseRich(text: string): Node[] {
  const stack: Frame[] = [{ kind: 'root', opener: '', children: [] }];
  const top = () => stack[stack.length - 1];
  const depthOf = (kind: Frame['kind']) => stack.findIndex((f) => f.kind === kind);
  let pending = '';
  const flush = () => {
    if (pending) top().children.push({ kind: 'text', text: pending });
    pending = '';
  };
  /** An open span that turned out not to be one: its marker is text again, its content stays. */
  const unwrap = () => {
    const frame = stack.pop()!;
    top().children.push({ kind: 'text', text: frame.opener }, ...frame.children);
  };
  const unwrapFrom = (depth: number) => {
    while (stack.length > depth) unwrap();
  };
  const closeTo = (depth: number, closer: string, href = '') => {
    flush();
    while (stack.length - 1 > depth) unwrap();
    const frame = stack.pop()!;
    const parent = top();
    if (frame.kind === 'link') parent.children.push({ kind: 'link', href, children: frame.children.length ? frame.children : [{ kind: 'text', text: href }] });
    else if (frame.children.length === 0) parent.children.push({ kind: 'text', text: frame.opener + closer });
    else parent.children.push({ kind: frame.kind as Style, children: frame.children });
  };

  const n = text.length;
  // Where the last markup token ended: a mention may start right after one (`__@alice__`).
  let tokenEnd = 0;
  // Once a search for a closing ``` fails, every later one would too.
  let noFence = false;
  // A [ found to be no link (never closed by ](address)) is read again as text, and so is all after it: inside a link
  // nothing is an address or a mention, outside it they are. Each [ is read again at most once, and what is read again
  // holds no other [ that opens a link, so the parse stays linear.
  let literalAt = -1;
  let addressEnd = -1;
  const runs: RunCache = { from: 0, end: -1, bold: false, spoiler: false };
  const restart = () => {
    const depth = depthOf('link');
    const link = stack[depth];
    stack.length = depth;
    pending = '';
    tokenEnd = link.tokenEnd!;
    noFence = link.noFence!;
    literalAt = link.start!;
    return link.start!;
  };
  let i = 0;
  for (;;) {
    if (i >= n) {
      if (depthOf('link') > 0) {
        i = restart();
        continue;
      }
      break;
    }
    const c = text[i];
    if (c === '\\' && i + 1 < n && ESCAPABLE.includes(text[i + 1])) {
      pending += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      if (!noFence && text.startsWith('```', i)) {
        const close = text.indexOf('```', i + 3);
        if (close >= 0) {
          flush();
          top().children.push({ kind: 'pre', text: text.slice(i + 3, close).replace(LANGUAGE_LINE, '').replace(/\n$/, '') });
          i = close + 3;
          // A code block is a block: it ends its line, so the line break typed after its closing ``` would show as an empty line.
          if (text[i] === '\n') i++;
          tokenEnd = i;
          continue;
        }
        noFence = true;
      }
      let j = i + 1;
      while (j < n && text[j] !== '`' && text[j] !== '\n') j++;
      if (j < n && text[j] === '`' && j > i + 1) {
        flush();
        top().children.push({ kind: 'code', text: text.slice(i + 1, j) });
        i = tokenEnd = j + 1;
        continue;
      }
      pending += c;
      i++;
      continue;
    }
    const style = MARKERS[text.slice(i, i + 2)];
    if (style) {
      const marker = text.slice(i, i + 2);
      const open = depthOf(style);
      if (open > 0 && i > 0 && !SPACE.test(text[i - 1])) {
        if (depthOf('link') > open) {
          i = restart();
          continue;
        }
        closeTo(open, marker);
        i = tokenEnd = i + 2;
        continue;
      }
      if (open < 0 && i + 2 < n && !SPACE.test(text[i + 2])) {
        flush();
        stack.push({ kind: style, opener: marker, children: [] });
        i = tokenEnd = i + 2;
        continue;
      }
      pending += marker;
      i += 2;
      continue;
    }
    const inLink = depthOf('link') > 0;
    if (c === '[' && i !== literalAt) {
      // A second [ before the first is closed: the first was no link.
      if (inLink) {
        i = restart();
        continue;
      }
      flush();
      stack.push({ kind: 'link', opener: '[', children: [], start: i, tokenEnd, noFence });
      i = tokenEnd = i + 1;
      continue;
    }
    if (c === ']' && inLink) {
      const target = linkTarget(text, i + 1);
      if (target) {
        closeTo(depthOf('link'), '', target.href);
        i = tokenEnd = target.end;
        continue;
      }
      i = restart();
      continue;
    }
    if (c === 'h' && !inLink && (i === 0 || !WORD.test(text[i - 1]) || i === tokenEnd) && /^https?:\/\//.test(text.slice(i, i + 8))) {
      const length = addressAt(text, i, depthOf('bold') > 0, depthOf('spoiler') > 0, depthOf('italic') > 0, depthOf('strike') > 0, runs);
      if (length > 0) {
        const url = text.slice(i, i + length);
        flush();
        top().children.push({ kind: 'link', href: url, children: [{ kind: 'text', text: url }] });
        i = tokenEnd = addressEnd = i + length;
        continue;
      }
    }
    // Never right where an address ends: http://x.org@alice is no address and a mention.
    if (c === '@' && !inLink && i !== addressEnd && (i === 0 || !/[\w@]/.test(text[i - 1]) || i === tokenEnd)) {
      let j = i + 1;
      while (j < n && WORD.test(text[j])) j++;
      // The __ that closes an italic span is not part of the name before it.
      if (j - i > 3 && text.startsWith('__', j - 2) && depthOf('italic') > 0) j -= 2;
      const name = text.slice(i + 1, j);
      if (name.length >= 5 && name.length <= 32) {
        flush();
        top().children.push({ kind: 'mention', text: `@${name}`, username: name });
        i = tokenEnd = j;
        continue;
      }
    }
    pending += c;
    i++;
  }
  flush();
  unwrapFrom(1);
  return merge(stack[0].children);
}

/** `(https://…)` right after a link's `]`: the address up to the `)` that closes it (parentheses inside must pair). */
function linkTarget(text: string, at: number): { href: string; end: number } | null {
  if (text[at] !== '(' || !/^https?:\/\//.test(text.slice(at + 1, at + 9))) return null;
  let depth = 0;
  for (let j = at + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) {
      const href = text.slice(at + 1, j);
      return safeHref(href) ? { href, end: j + 1 } : null;
    } else if (LINK_STOP.test(c)) return null;
  }
  return null;
}

/** Where a bare address ends: white space, `< > " \` [ ]`, an escape, and `**` or `||` only when they would close an
 * open bold or spoiler. */
function urlStopsAt(text: string, at: number, bold: boolean, spoiler: boolean): boolean {
  const c = text[at];
  const next = text[at + 1];
  return (
    LINK_STOP.test(c) ||
    (c === '\\' && next !== undefined && ESCAPABLE.includes(next)) ||
    (bold && c === '*' && next === '*') ||
    (spoiler && c === '|' && next === '|')
  );
}

const HOST_CHAR = /[A-Za-z0-9._-]/;
const USER_CHAR = /[A-Za-z0-9._+%:-]/;

/** The address grammar both parsers share (no URL library on either side, so they cannot disagree): `http://` or
 * `https://`, optionally user information (letters, digits, `. _ - + % :`) and `@`, a host of letters, digits, `. - _`
 * or non-ASCII characters with at least one letter or digit, an optional `:port`, then nothing or `/ ? #` and anything. */
export function isAddress(url: string): boolean {
  const [end, open] = hostEnd(url, 0, url.length);
  return end > 0 && (end === url.length || (open && '/?#'.includes(url[end])));
}

/** Where the scheme, user information, host and port of the address at `from` end (as an offset from `from`; 0 when
 * none starts there), reading no further than `limit`, and whether a path may follow (not after a bad port:
 * `http://x.org:/a` is `http://x.org`). Looks no further than the host and port, so a caller never pays for the rest of
 * a run. */
function hostEnd(text: string, from: number, limit: number): [number, boolean] {
  const scheme = text.startsWith('https://', from) ? 8 : text.startsWith('http://', from) ? 7 : -1;
  if (scheme < 0 || from + scheme > limit) return [0, false];
  const at = from + scheme;
  let user = at;
  while (user < limit && USER_CHAR.test(text[user])) user++;
  // user@host: the whole is the address (https://alice@host/repo.git is no link to https://alice and a mention).
  if (user > at && user < limit && text[user] === '@') {
    const withUser = hostPortEnd(text, user + 1, limit);
    if (withUser[0] > 0) return [withUser[0] - from, withUser[1]];
  }
  const plain = hostPortEnd(text, at, limit);
  return plain[0] > 0 ? [plain[0] - from, plain[1]] : [0, false];
}

function hostPortEnd(text: string, at: number, limit: number): [number, boolean] {
  let named = false;
  while (at < limit && (HOST_CHAR.test(text[at]) || (text.charCodeAt(at) >= 0x80 && !SPACE.test(text[at])))) {
    if (!'.-_'.includes(text[at])) named = true;
    at++;
  }
  if (!named) return [0, false];
  if (at < limit && text[at] === ':') {
    const port = at + 1;
    let end = port;
    while (end < limit && text[end] >= '0' && text[end] <= '9') end++;
    if (end === port || end - port > 5) return [at, false];
    at = end;
  }
  return [at, true];
}

/** Where the last run scanned ended (runs end where `urlStopsAt` says, which depends only on the position and the open
 * bold and spoiler): a later address in the same run reuses its end instead of scanning it again, so all the scanning of
 * a text costs at most its length. */
type RunCache = { from: number; end: number; bold: boolean; spoiler: boolean };

/** The length of the bare address at `at` (0 when there is none): the grammar's host and port read on the text itself,
 * the run scanned to its stop only when a path follows, then trimmed. */
function addressAt(text: string, at: number, bold: boolean, spoiler: boolean, italic: boolean, strike: boolean, runs: RunCache): number {
  const [host, open] = hostEnd(text, at, text.length);
  if (host === 0) return 0;
  let end = at + host;
  if (open && end < text.length && '/?#'.includes(text[end])) {
    if (!(runs.bold === bold && runs.spoiler === spoiler && runs.from <= end && end <= runs.end)) {
      let stop = end;
      while (stop < text.length && !urlStopsAt(text, stop, bold, spoiler)) stop++;
      Object.assign(runs, { from: end, end: stop, bold, spoiler });
    }
    end = runs.end;
  }
  const length = trimUrl(text, at, end, italic, strike);
  const [kept, keptOpen] = hostEnd(text, at, at + length);
  return kept > 0 && (kept === length || (keptOpen && '/?#'.includes(text[at + kept]))) ? length : 0;
}

/** An http(s) address a link may point to (the shared grammar: no other scheme, whatever the text says). */
export function safeHref(href: string): boolean {
  return isAddress(href);
}

/** Punctuation that ends a sentence is not part of the address, nor a closing parenthesis it did not open, nor the
 * `__` or `~~` that closes an italic or strikethrough span open around it (once each: `__https://x.org__`). Counts kept
 * as it goes: a run of `)` costs its length. The address is `text` from `from` to `to`; its trimmed length is returned. */
function trimUrl(text: string, from: number, to: number, italic: boolean, strike: boolean): number {
  let end = to;
  let opens = 0;
  let closes = 0;
  for (let k = from; k < to; k++) {
    if (text[k] === '(') opens++;
    else if (text[k] === ')') closes++;
  }
  for (;;) {
    const before = end;
    while (end > from && TRAILING.includes(text[end - 1])) end--;
    if (end > from && text[end - 1] === ')' && opens < closes) {
      end--;
      closes--;
    }
    if (end - from >= 2 && text[end - 1] === text[end - 2] && ((text[end - 1] === '_' && italic) || (text[end - 1] === '~' && strike))) {
      if (text[end - 1] === '_') italic = false;
      else strike = false;
      end -= 2;
    }
    if (end === before) return end - from;
  }
}

const SPACES = new RegExp(`[${SPACE_CLASS}]+`, 'g');
/** Runs of white space as one space, none at the ends (as the server's Preview). */
const oneLine = (text: string) => text.replace(SPACES, ' ').replace(/^ | $/g, '');

/** Neighbouring text nodes as one, empty ones gone. */
function merge(nodes: Node[]): Node[] {
  const merged: Node[] = [];
  for (const node of nodes) {
    const last = merged[merged.length - 1];
    if (node.kind === 'text') {
      if (node.text.length === 0) continue;
      if (last?.kind === 'text') last.text += node.text;
      else merged.push({ ...node });
    } else if ('children' in node) merged.push({ ...node, children: merge(node.children) });
    else if (node.text.length > 0) merged.push({ ...node });
  }
  return merged;
}

/** The words of nodes as a line shows them: markers away, a spoiler's words hidden, a block set apart by spaces. */
function flatten(nodes: Node[]): string {
  return nodes
    .map((node) => {
      switch (node.kind) {
        case 'spoiler':
          return SPOILER_PREVIEW;
        case 'pre':
          // A block stands on lines of its own: a space keeps its first and last words apart from the text around it.
          return ` ${node.text} `;
        case 'text':
        case 'code':
        case 'mention':
          return node.text;
        default:
          return flatten(node.children);
      }
    })
    .join('');
}

/**
 * A message's text as one line of plain text, for wherever a message is shown in a line (the chat list, the pinned bar
 * and list, a reply's header, a notification, a "pinned …" service message): the markup the bubble renders is taken
 * away (bold, italic, strikethrough and code keep their words, a ```block``` its content, a [link](…) its text), a
 * spoiler's words become ▒▒▒, @mentions and bare addresses stay as written, and line breaks and runs of spaces become
 * one space, so a preview never shows asterisks or backticks, nor what a spoiler hides.
 */
export function plainText(text: string): string {
  const plain = oneLine(flatten(parseRich(text)));
  // Markup around nothing (an empty code span or block) leaves no words: the text as typed says more than a blank row.
  return plain || oneLine(text);
}

/** Whether the text mentions `username` (case-insensitively, as usernames are unique). */
export function mentions(text: string, username: string): boolean {
  const wanted = username.toLowerCase();
  const found = (nodes: Node[]): boolean =>
    nodes.some((n) => (n.kind === 'mention' ? n.username.toLowerCase() === wanted : 'children' in n && found(n.children)));
  return found(parseRich(text));
}

export type Entity = { type: string; offset: number; length: number; url?: string };

/** A parse as the server's MessageMarkup.Parse gives it: the text without markup and Telegram-style entities (outer
 * before inner, offsets in UTF-16 units; a bare address and a [text](url) are both `link` here). For the shared fixtures
 * that keep the two parsers in step. */
export function toEntities(nodes: Node[]): { text: string; entities: Entity[] } {
  let text = '';
  const entities: Entity[] = [];
  const names: Record<string, string> = { strike: 'strikethrough' };
  const walk = (list: Node[]) => {
    for (const node of list) {
      const start = text.length;
      if (node.kind === 'text') {
        text += node.text;
        continue;
      }
      const entity: Entity = { type: names[node.kind] ?? node.kind, offset: start, length: 0 };
      if (node.kind === 'link') entity.url = node.href;
      entities.push(entity);
      if ('children' in node) walk(node.children);
      else text += node.text;
      entity.length = text.length - start;
      if (entity.length === 0) entities.splice(entities.indexOf(entity), 1);
    }
  };
  walk(nodes);
  return { text, entities };
}
