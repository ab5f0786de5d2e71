// The chat keys links and notifications hand to the app (ui/chatLink.ts): `?chat=` in App.tsx, the service worker's
// 'open-chat' in push.ts.
import { describe, expect, it } from 'vitest';
import { chatKeyOf, chatLinkOf } from '../src/ui/chatLink';

describe('a chat key from a link or a notification', () => {
  it('takes u, c and s keys as the app writes them, up to the largest safe integer', () => {
    expect(['u7', 'c42', 's1', 's4503599627370495', 'u9007199254740991'].map(chatKeyOf)).toEqual([
      'u7',
      'c42',
      's1',
      's4503599627370495',
      'u9007199254740991',
    ]);
  });

  it('refuses any other form of a key: a zero, leading zeros, signs, unsafe integers, other letters, other types', () => {
    const refused: unknown[] = [
      's0',
      'u0',
      's042',
      'c007',
      's-1',
      's+1',
      's1e3',
      's0x10',
      's 1',
      's1 ',
      'S1',
      'x1',
      's',
      '',
      's9007199254740992',
      's18446744073709551616',
      's12345678901234567',
      12,
      null,
      undefined,
      { toString: () => 'u7' },
    ];
    expect(refused.map(chatKeyOf)).toEqual(refused.map(() => null));
  });
});

describe("a push's or a message's link", () => {
  it('opens an ordinary chat at a message in canonical form, or at none', () => {
    expect(chatLinkOf('?chat=c42&msg=17')).toEqual({ chat: 'c42', message: 17 });
    expect(chatLinkOf('?chat=u7')).toEqual({ chat: 'u7', message: null });
    for (const msg of ['0', '-3', '017', '1e3', '0x10', '', 'abc', '9007199254740992']) {
      expect(chatLinkOf(`?chat=c42&msg=${msg}`)).toEqual({ chat: 'c42', message: null });
    }
  });

  it('opens a secret chat at no message, whatever msg says', () => {
    expect(chatLinkOf('?chat=s4503599627370495&msg=17')).toEqual({ chat: 's4503599627370495', message: null });
    expect(chatLinkOf('?chat=s42')).toEqual({ chat: 's42', message: null });
  });

  it('opens nothing for a non-canonical key', () => {
    for (const chat of ['s0', 's042', 's9007199254740993', 'u', 'c-1', 'q1']) {
      expect(chatLinkOf(`?chat=${chat}&msg=1`)).toBeNull();
    }
    expect(chatLinkOf('?msg=1')).toBeNull();
  });
});
