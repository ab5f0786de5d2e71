import type { Message, ReplyQuote } from '../api/types';

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
  if (quote.length > QUOTE_MAX_LENGTH) quote = quote.slice(0, QUOTE_MAX_LENGTH).trimEnd();
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
