import { describe, expect, it } from 'vitest';
import type { Message } from '../src/api/types';
import { PeerKind } from '../src/api/types';
import { toUpdate } from '../src/protocol/codec';
import { unreadInThreads } from '../src/ui/threads';

const me = 2;

function message(id: number, from: number, replyTo?: number): Message {
  // As the wire gives it: keys that are nil are absent.
  return { id, from_id: from, to_peer: { kind: PeerKind.Chat, id: 5 }, date: 100, text: `m${id}`, ...(replyTo ? { reply_to_id: replyTo } : {}) } as Message;
}

describe('new answers in the threads this user follows, as the server counts unread_count', () => {
  const mine = message(1, me);
  const theirs = message(2, 1);
  const history = [mine, theirs, message(3, 1, 1), message(4, 3, 1), message(5, 3, 2), message(6, me, 2), message(7, 1, 2)];

  it('counts answers by others to the user\u2019s own message, none read yet', () => {
    expect(unreadInThreads(history, undefined, me).get(1)).toBe(2);
  });

  it('counts from the later of the read position and the user\u2019s own last answer', () => {
    expect(unreadInThreads(history, undefined, me).get(2)).toBe(1);
    expect(unreadInThreads(history, { 1: 3 }, me).get(1)).toBe(1);
    expect(unreadInThreads(history, { 1: 4, 2: 7 }, me).size).toBe(0);
  });

  it('leaves out threads the user does not follow, service messages and the user\u2019s own answers', () => {
    const others = [theirs, message(3, 1, 2), message(4, 3, 2), { ...message(5, 1, 2), action: { kind: 'pin_message', user_ids: [] } } as unknown as Message];
    expect(unreadInThreads(others, undefined, me).size).toBe(0);
    expect(unreadInThreads(others, { 2: 0 }, me).get(2)).toBe(2);
    expect(unreadInThreads([mine, message(3, me, 1)], undefined, me).size).toBe(0);
  });

  it('decodes read_thread (update tag 30)', () => {
    expect(toUpdate([30, { peer: { kind: 2, id: 5 }, msg_id: 9, read_max_id: 12 }])).toEqual({
      type: 'read_thread',
      peer: { kind: 2, id: 5 },
      msg_id: 9,
      read_max_id: 12,
    });
  });
});
