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

/** How long a selection made in a bubble is still what Reply quotes after it was cleared (a touch screen clears it
 * with the tap that brings up the message's buttons). */
export const SELECTION_MEMORY_MS = 10_000;

let remembered: { messageId: number; quote: ReplyQuote; at: number } | null = null;

/** The last non-empty selection inside a message's text, as a quote. */
export function rememberSelection(messageId: number, quote: ReplyQuote, now = Date.now()): void {
  remembered = { messageId, quote, at: now };
}

/** The selection remembered in message `messageId`'s text within the last SELECTION_MEMORY_MS, taken (it quotes once);
 * null for another message or when older. */
export function recallSelection(messageId: number, now = Date.now()): ReplyQuote | null {
  const found = remembered && remembered.messageId === messageId && now - remembered.at <= SELECTION_MEMORY_MS ? remembered.quote : null;
  if (found) remembered = null;
  return found;
}

/** Bubbles' text elements with their messages and how to show their buttons while a selection is in them. */
const bubbles = new Map<Element, { message: Message; selecting: (on: boolean) => void }>();
let selectingIn: Element | null = null;

/** Registers a bubble's text element for selection watching; returns the unregistration. */
export function watchSelectionIn(textElement: Element, message: Message, selecting: (on: boolean) => void): () => void {
  bubbles.set(textElement, { message, selecting });
  if (bubbles.size === 1) document.addEventListener('selectionchange', selectionChanged);
  return () => {
    bubbles.delete(textElement);
    // Also when the bubble registers again for a changed message (a reaction, a preview): the buttons a selection showed
    // go now, or the timer, looking for this registration, would never take them away.
    if (selectingIn === textElement) {
      selecting(false);
      selectingIn = null;
      clearTimeout(hideTimer);
    }
    if (bubbles.size === 0) document.removeEventListener('selectionchange', selectionChanged);
  };
}

/** One listener for the page: the bubble whose text the selection starts or ends in remembers it and shows its buttons
 * (a touch screen has no hover to show them). They stay shown while the remembered selection can still be quoted —
 * the tap that clears it may be the one on Reply — unless a selection moves to another bubble. */
function selectionChanged(): void {
  const selection = window.getSelection();
  let hit: Element | null = null;
  if (selection && !selection.isCollapsed) {
    for (const node of [selection.anchorNode, selection.focusNode]) {
      const element = node instanceof Element ? node : node?.parentElement;
      const text = element?.closest('.bubble__text');
      if (text && bubbles.has(text)) {
        hit = text;
        break;
      }
    }
  }
  const quote = hit ? selectedQuote(hit, bubbles.get(hit)!.message) : null;
  if (!hit || !quote) return;
  if (selectingIn && selectingIn !== hit) bubbles.get(selectingIn)?.selecting(false);
  clearTimeout(hideTimer);
  const bubble = bubbles.get(hit)!;
  rememberSelection(bubble.message.id, quote);
  selectingIn = hit;
  bubble.selecting(true);
  hideTimer = setTimeout(() => {
    if (selectingIn === hit) {
      bubble.selecting(false);
      selectingIn = null;
    }
  }, SELECTION_MEMORY_MS);
}

let hideTimer: ReturnType<typeof setTimeout> | undefined;
