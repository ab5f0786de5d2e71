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

/** What a spoiler's words become wherever a message is shown in one line (previews, notifications, pushes). */
export const SPOILER_PREVIEW = '▒▒▒';

const MARKERS: Record<string, Style> = { '**': 'bold', __: 'italic', '~~': 'strike', '||': 'spoiler' };
/** Characters a backslash shows as they are: the markers' and itself. Before anything else it is a plain backslash. */
export const ESCAPABLE = '\\*_~|`[]@';
const TRAILING = `.,;:!?'"»”’`;
/** Where a bare address ends: a space, characters that never stand in one unencoded, and the markers' own. */
const URL_STOP = /[\s<>"`*|[\]]/;
/** Where a [link](…)'s address ends without its `)`: it is no address. */
const LINK_STOP = /[\s<>"`[\]]/;
const WORD = /\w/;
const SPACE = /\s/;
const LANGUAGE_LINE = /^[a-z0-9+#-]*\n/;

type Frame = { kind: Style | 'link' | 'root'; opener: string; children: Node[] };

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
  let i = 0;
  while (i < n) {
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
    if (c === '[') {
      flush();
      // A second [ before the first is closed: the first was no link.
      if (inLink) unwrapFrom(depthOf('link'));
      stack.push({ kind: 'link', opener: '[', children: [] });
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
      flush();
      unwrapFrom(depthOf('link'));
    }
    if (c === 'h' && !inLink && (i === 0 || !WORD.test(text[i - 1])) && /^https?:\/\//.test(text.slice(i, i + 8))) {
      let j = i;
      while (j < n && !URL_STOP.test(text[j])) j++;
      const url = trimUrl(text.slice(i, j));
      if (/^https?:\/\/./.test(url)) {
        flush();
        top().children.push({ kind: 'link', href: url, children: [{ kind: 'text', text: url }] });
        i = tokenEnd = i + url.length;
        continue;
      }
    }
    if (c === '@' && !inLink && (i === 0 || !/[\w@]/.test(text[i - 1]) || i === tokenEnd)) {
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

/** An http(s) address the browser reads as one (no other scheme, whatever the text says). */
export function safeHref(href: string): boolean {
  if (!/^https?:\/\/./.test(href)) return false;
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Punctuation that ends a sentence is not part of the address, nor a closing parenthesis it did not open, nor the
 * markers of a span it stands at the end of (`__https://x.org__`). Counts kept as it goes: a run of `)` costs its length. */
function trimUrl(url: string): string {
  let end = url.length;
  const opens = count(url, '(');
  let closes = count(url, ')');
  for (;;) {
    const before = end;
    while (end > 0 && TRAILING.includes(url[end - 1])) end--;
    if (end > 0 && url[end - 1] === ')' && opens < closes) {
      end--;
      closes--;
    }
    if (end >= 2 && url[end - 1] === url[end - 2] && (url[end - 1] === '_' || url[end - 1] === '~')) end -= 2;
    if (end === before) return url.slice(0, end);
  }
}

const count = (text: string, char: string) => text.split(char).length - 1;

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
  const plain = flatten(parseRich(text)).replace(/\s+/g, ' ').trim();
  // Markup around nothing (an empty code span or block) leaves no words: the text as typed says more than a blank row.
  return plain || text.replace(/\s+/g, ' ').trim();
}

/** Whether the text mentions `username` (case-insensitively, as usernames are unique). */
export function mentions(text: string, username: string): boolean {
  const wanted = username.toLowerCase();
  const found = (nodes: Node[]): boolean =>
    nodes.some((n) => (n.kind === 'mention' ? n.username.toLowerCase() === wanted : 'children' in n && found(n.children)));
  return found(parseRich(text));
}
