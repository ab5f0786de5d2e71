import { describe, expect, it } from 'vitest';
import { PeerKind, RpcError, type Message, type ReplyQuote } from '../src/api/types';
import { QUOTE_MAX_LENGTH, SELECTION_MEMORY_MS, cutAt, quoteOf, recallSelection, rememberSelection, sendQuoting, withoutQuotesOf } from '../src/ui/quotes';

describe('the quote a selection in a message makes', () => {
  const text = 'one fish, two fish,\nred fish, blue fish';

  it('trims the ends and moves the offset past what it trimmed', () => {
    expect(quoteOf(text, '  two fish,\n', 8)).toEqual({ text: 'two fish,', offset: 10 });
    expect(quoteOf(text, 'fish,\nred', 14)).toEqual({ text: 'fish,\nred', offset: 14 });
  });

  it('takes the place nearest to the selection when formatting marks moved the rendered text', () => {
    expect(quoteOf('say **hello** to **hello**', 'hello', 13)).toEqual({ text: 'hello', offset: 19 });
    expect(quoteOf(text, 'fish', 27)).toEqual({ text: 'fish', offset: 24 });
  });

  it('is none when empty or not in the text as written, and cut to the longest the server keeps', () => {
    expect(quoteOf(text, '   ', 0)).toBeNull();
    expect(quoteOf('a **bold** word', 'a bold', 0)).toBeNull();
    const long = 'x'.repeat(QUOTE_MAX_LENGTH + 50);
    expect(quoteOf(long, long, 0)).toEqual({ text: 'x'.repeat(QUOTE_MAX_LENGTH), offset: 0 });
  });
});

describe('a long selection cut to the longest quote', () => {
  it('never ends inside a surrogate pair or a grapheme', () => {
    const emoji = 'x'.repeat(QUOTE_MAX_LENGTH - 1) + '😀 tail';
    const cut = quoteOf(emoji, emoji, 0)!.text;
    expect(cut).toBe('x'.repeat(QUOTE_MAX_LENGTH - 1));
    expect(/[\uD800-\uDBFF]$/.test(cut)).toBe(false);
    const family = 'x'.repeat(QUOTE_MAX_LENGTH - 3) + '👨‍👩‍👧 and more';
    expect(quoteOf(family, family, 0)!.text).toBe('x'.repeat(QUOTE_MAX_LENGTH - 3));
    const accent = 'x'.repeat(QUOTE_MAX_LENGTH - 1) + 'e\u0301 more';
    expect(cutAt(accent, QUOTE_MAX_LENGTH)).toBe('x'.repeat(QUOTE_MAX_LENGTH - 1));
    expect(cutAt('short', QUOTE_MAX_LENGTH)).toBe('short');
  });

  it('without Intl.Segmenter, drops a high surrogate left alone at the end', () => {
    const intl = Intl as unknown as Record<string, unknown>;
    const segmenter = intl.Segmenter;
    try {
      delete intl.Segmenter; // a browser without it
      expect(cutAt('ab😀', 3)).toBe('ab');
      expect(cutAt('abc😀', 3)).toBe('abc');
    } finally {
      intl.Segmenter = segmenter;
    }
  });
});

describe('a send whose quote the server refuses', () => {
  const quote = { text: 'hello', offset: 0 };

  it('goes once more at once without the quote, for the quote errors only', async () => {
    for (const name of ['QUOTE_TEXT_INVALID', 'QUOTE_OFFSET_INVALID']) {
      const sent: (ReplyQuote | null)[] = [];
      const answer = await sendQuoting(quote, async (q) => {
        sent.push(q);
        if (q) throw new RpcError(name, 400);
        return 'plain reply';
      });
      expect(answer).toBe('plain reply');
      expect(sent).toEqual([quote, null]);
    }
  });

  it('fails as it failed for any other error, or when the plain reply fails too, or without a quote', async () => {
    const calls: (ReplyQuote | null)[] = [];
    const failing = (name: string) => async (q: ReplyQuote | null) => {
      calls.push(q);
      throw new RpcError(name, 400);
    };
    await expect(sendQuoting(quote, failing('REPLY_TO_INVALID'))).rejects.toMatchObject({ name: 'REPLY_TO_INVALID' });
    expect(calls).toEqual([quote]);
    calls.length = 0;
    await expect(sendQuoting(quote, failing('QUOTE_TEXT_INVALID'))).rejects.toMatchObject({ name: 'QUOTE_TEXT_INVALID' });
    expect(calls).toEqual([quote, null]);
    calls.length = 0;
    await expect(sendQuoting(null, failing('QUOTE_TEXT_INVALID'))).rejects.toMatchObject({ name: 'QUOTE_TEXT_INVALID' });
    expect(calls).toEqual([null]);
  });
});

describe('replies of a message deleted for everyone', () => {
  const message = (id: number, replyTo?: number, quoted?: string): Message =>
    ({ id, from_id: 1, to_peer: { kind: PeerKind.User, id: 2 }, date: 1, text: `m${id}`, reply_to_id: replyTo ?? null, reply_quote: quoted ? { text: quoted, offset: 0 } : null }) as Message;

  it('lose their quotes of it and stay replies; others keep theirs', () => {
    const list = [message(2, 1, 'm1'), message(3, 9, 'm9'), message(4, 1)];
    const after = withoutQuotesOf(list, new Set([1]));
    expect(after.map((m) => [m.id, m.reply_to_id, m.reply_quote?.text ?? null])).toEqual([[2, 1, null], [3, 9, 'm9'], [4, 1, null]]);
    expect(withoutQuotesOf(list, new Set([7]))).toBe(list);
  });
});

describe('the selection remembered for a Reply pressed on a touch screen', () => {
  const quote = { text: 'museum', offset: 4 };

  it('is the last one made in that message, within the memory, and quotes once', () => {
    rememberSelection(5, { text: 'station', offset: 0 }, 1_000);
    rememberSelection(5, quote, 2_000);
    expect(recallSelection(5, 2_000 + SELECTION_MEMORY_MS)).toEqual(quote);
    expect(recallSelection(5, 2_000 + SELECTION_MEMORY_MS)).toBeNull();
  });

  it('is nothing for another message or once too old', () => {
    rememberSelection(5, quote, 1_000);
    expect(recallSelection(6, 1_000)).toBeNull();
    expect(recallSelection(5, 1_001 + SELECTION_MEMORY_MS)).toBeNull();
    rememberSelection(5, quote, 1_000);
    rememberSelection(6, { text: 'noon', offset: 0 }, 1_500);
    expect(recallSelection(5, 1_600)).toBeNull();
    expect(recallSelection(6, 1_600)).toEqual({ text: 'noon', offset: 0 });
  });
});
