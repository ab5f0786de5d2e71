/**
 * The little formatting a message's text gets when shown: links, `code`, ```code blocks```, **bold** and @mentions.
 * A parse into segments that the UI renders as text nodes and elements (never as HTML), so nothing in a message can
 * run or style the page. Only http(s) addresses become links.
 */
export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'code'; text: string }
  | { kind: 'pre'; text: string }
  | { kind: 'bold'; text: string }
  | { kind: 'mention'; text: string; username: string };

const FENCE = /```(?:[a-z0-9+#-]*\n)?([\s\S]*?)```/g;
const INLINE_CODE = /`([^`\n]+)`/g;
// A URL, a @mention (usernames are 5–32 letters, digits, underscores) or **bold**, whichever comes first.
const INLINE = /(\bhttps?:\/\/[^\s<>"]+)|(^|[^\w@])@([A-Za-z0-9_]{5,32})\b|\*\*([^*\n]+?)\*\*/g;
const TRAILING = /[.,;:!?'"»”’]+$/;

export function parseRich(text: string): Segment[] {
  const out: Segment[] = [];
  // A code block is a block: it ends its line, so the line break typed after its closing ``` would show as an empty line.
  splitBy(text, FENCE, (body) => out.push({ kind: 'pre', text: body.replace(/\n$/, '') }), (rest, afterMatch) =>
    splitBy(afterMatch ? rest.replace(/^\n/, '') : rest, INLINE_CODE, (code) => out.push({ kind: 'code', text: code }), (plain) => inline(plain, out)),
  );
  return merge(out);
}

/** `afterMatch`: the rest comes right after a match (not at the start of the text). */
function splitBy(text: string, pattern: RegExp, onMatch: (body: string) => void, onRest: (rest: string, afterMatch: boolean) => void): void {
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > at) onRest(text.slice(at, match.index), at > 0);
    onMatch(match[1]);
    at = match.index + match[0].length;
  }
  if (at < text.length) onRest(text.slice(at), at > 0);
}

function inline(text: string, out: Segment[]): void {
  let at = 0;
  for (const match of text.matchAll(INLINE)) {
    let start = match.index;
    let segment: Segment;
    let end = start + match[0].length;
    if (match[1]) {
      const url = trimUrl(match[1]);
      end = start + url.length;
      segment = { kind: 'link', text: url, href: url };
    } else if (match[3]) {
      start += match[2].length;
      segment = { kind: 'mention', text: `@${match[3]}`, username: match[3] };
    } else {
      segment = { kind: 'bold', text: match[4] };
    }
    if (start > at) out.push({ kind: 'text', text: text.slice(at, start) });
    out.push(segment);
    at = end;
  }
  if (at < text.length) out.push({ kind: 'text', text: text.slice(at) });
}

/** Punctuation that ends a sentence is not part of the address, nor a closing parenthesis it did not open. */
function trimUrl(url: string): string {
  let trimmed = url.replace(TRAILING, '');
  while (trimmed.endsWith(')') && count(trimmed, '(') < count(trimmed, ')')) trimmed = trimmed.slice(0, -1).replace(TRAILING, '');
  return trimmed;
}

const count = (text: string, char: string) => text.split(char).length - 1;

function merge(segments: Segment[]): Segment[] {
  const merged: Segment[] = [];
  for (const segment of segments) {
    const last = merged[merged.length - 1];
    if (segment.kind === 'text' && last?.kind === 'text') last.text += segment.text;
    else if (segment.text.length > 0) merged.push({ ...segment });
  }
  return merged;
}

/**
 * A message's text as one line of plain text, for wherever a message is shown in a line (the chat list, the pinned bar
 * and list, a reply's header, a notification, a "pinned …" service message): the markup the bubble renders is taken
 * away (**bold** and `code` keep their words, a ```block``` its content), @mentions and addresses stay as written, and
 * line breaks and runs of spaces become one space, so a preview never shows asterisks or backticks.
 */
export function plainText(text: string): string {
  const plain = parseRich(text)
    // A block stands on lines of its own: a space keeps its first and last words apart from the text around it.
    .map((s) => (s.kind === 'pre' ? ` ${s.text} ` : s.text))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  // Markup around nothing (an empty code span or block) leaves no words: the text as typed says more than a blank row.
  return plain || text.replace(/\s+/g, ' ').trim();
}

/** Whether the text mentions `username` (case-insensitively, as usernames are unique). */
export function mentions(text: string, username: string): boolean {
  const wanted = username.toLowerCase();
  return parseRich(text).some((s) => s.kind === 'mention' && s.username.toLowerCase() === wanted);
}
