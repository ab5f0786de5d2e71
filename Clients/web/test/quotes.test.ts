import { describe, expect, it } from 'vitest';
import { QUOTE_MAX_LENGTH, quoteOf } from '../src/ui/quotes';

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
