import type { Message, ReplyQuote } from '../api/types';
import { RpcError } from '../api/types';

/** The longest quote the server keeps (ReplyQuote.MaxLength). */
export const QUOTE_MAX_LENGTH = 1024;

/**
 * The quote a selection of `selected` (as rendered, starting `at` characters into the rendered text) makes of a message
 * whose text is `text`: the ends' whitespace trimmed (the server trims it too), cut to the first 1024 characters, at the
 * place in the text nearest to where it was selected (formatting marks the rendering leaves out can move it). Null when
 * it is empty or does not stand in the text as written (a selection across formatting marks): then a plain reply.
 */
export function quoteOf(text: string, selected: string, at: number): ReplyQuote | null {
  const lead = selected.length - selected.trimStart().length;
  let quote = selected.trim();
  if (quote.length > QUOTE_MAX_LENGTH) quote = cutAt(quote, QUOTE_MAX_LENGTH).trimEnd();
  if (!quote) return null;
  const wanted = at + lead;
  let best = -1;
  for (let i = text.indexOf(quote); i >= 0; i = text.indexOf(quote, i + 1)) {
    if (best < 0 || Math.abs(i - wanted) < Math.abs(best - wanted)) best = i;
  }
  return best < 0 ? null : { text: quote, offset: best };
}

/** What of `message`'s text (or caption) is selected inside its bubble's text element, as a quote; null when the page's
 * selection is empty or does not touch that element. A selection reaching outside the element counts only inside it. */
export function selectedQuote(textElement: Element | null | undefined, message: Message): ReplyQuote | null {
  const selection = window.getSelection();
  if (!textElement || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(textElement)) return null;
  const inside = document.createRange();
  inside.selectNodeContents(textElement);
  if (range.compareBoundaryPoints(Range.START_TO_START, inside) > 0) inside.setStart(range.startContainer, range.startOffset);
  if (range.compareBoundaryPoints(Range.END_TO_END, inside) < 0) inside.setEnd(range.endContainer, range.endOffset);
  const before = document.createRange();
  before.selectNodeContents(textElement);
  before.setEnd(inside.startContainer, inside.startOffset);
  return quoteOf(message.text, inside.toString(), before.toString().length);
}

/** The longest start of `text` of at most `max` UTF-16 code units that ends on a grapheme's boundary (an emoji, a
 * letter with its accents, a flag stay whole or go whole), or, without Intl.Segmenter, at least not inside a surrogate
 * pair: half an emoji would be a lone surrogate, which the server's UTF-8 cannot carry. */
export function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) {
    let end = 0;
    for (const { index, segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
      if (index + segment.length > max) break;
      end = index + segment.length;
    }
    return text.slice(0, end);
  }
  const high = text.charCodeAt(max - 1);
  return text.slice(0, high >= 0xd800 && high <= 0xdbff ? max - 1 : max);
}

/** Errors about the quote alone: the reply can still go, as a plain reply. */
const QUOTE_ERRORS = new Set(['QUOTE_TEXT_INVALID', 'QUOTE_OFFSET_INVALID']);

/**
 * Sends with `quote`, and when the server refuses the quote alone (the original was edited so that the words are gone,
 * or it became a message without text) sends once more at once without it — same random id, so still one message — as
 * a plain reply, rather than leaving the whole message failed over its decoration.
 */
export async function sendQuoting<T>(quote: ReplyQuote | null | undefined, send: (quote: ReplyQuote | null) => Promise<T>): Promise<T> {
  try {
    return await send(quote ?? null);
  } catch (error) {
    if (!quote || !(error instanceof RpcError) || !QUOTE_ERRORS.has(error.name)) throw error;
    return await send(null);
  }
}

/** `messages` after messages `gone` were deleted for everyone: the replies' quotes of them go with them, as the server
 * erases them (the reply itself stays a reply). The same array when nothing changed. */
export function withoutQuotesOf<M extends Message>(messages: M[], gone: ReadonlySet<number>): M[] {
  if (!messages.some((m) => m.reply_quote && m.reply_to_id && gone.has(m.reply_to_id))) return messages;
  return messages.map((m) => (m.reply_quote && m.reply_to_id && gone.has(m.reply_to_id) ? { ...m, reply_quote: null } : m));
}
