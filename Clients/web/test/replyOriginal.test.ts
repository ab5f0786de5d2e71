import { describe, expect, it } from 'vitest';
import type { Message } from '../src/api/types';
import { PeerKind } from '../src/api/types';
import { replyOriginal } from '../src/ui/messageRows';
import type { History } from '../src/ui/store';

const message = (id: number): Message => ({ id, from_id: 7, to_peer: { kind: PeerKind.User, id: 1 }, date: 100, text: `m${id}` }) as Message;
const history = (ids: number[], complete = false, loading = false): History => ({ messages: ids.map(message), complete, loading, pending: [] });
const lookup = (h: History, id: number) => replyOriginal(h, new Map(h.messages.map((m) => [m.id, m])), id);

describe('a reply whose original is not among the loaded messages', () => {
  it('shows the original when it is loaded', () => {
    expect(lookup(history([3, 4, 5]), 4)).toMatchObject({ id: 4 });
  });

  it('is deleted when the original would lie within the loaded history, or the history reaches the chat\u2019s start', () => {
    expect(lookup(history([3, 5, 6]), 4)).toBe('deleted');
    expect(lookup(history([3, 5, 6], true), 2)).toBe('deleted');
  });

  it('is not loaded (yet) when it is older than what is loaded, or nothing is loaded yet', () => {
    expect(lookup(history([3, 5, 6]), 2)).toBeUndefined();
    expect(lookup(history([]), 2)).toBeUndefined();
    expect(lookup(history([], false, true), 2)).toBeUndefined();
  });
});
