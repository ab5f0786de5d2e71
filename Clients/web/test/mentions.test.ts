import { describe, expect, it } from 'vitest';
import type { Message } from '../src/api/types';
import { PeerKind } from '../src/api/types';
import { mentionsAfter, mentionsMe } from '../src/ui/mentions';
import type { AppState } from '../src/ui/store';

function message(id: number, from: number, text: string, reply_to_id: number | null = null, chat = true): Message {
  const to_peer = chat ? { kind: PeerKind.Chat, id: 5 } : { kind: PeerKind.User, id: 2 };
  return { id, from_id: from, to_peer, date: 100, text, reply_to_id } as Message;
}

const mine = message(1, 2, 'my report');
const state = { me: { id: 2, username: 'bob_builder' }, histories: { c5: { messages: [mine] } }, dialogs: [] } as unknown as AppState;

describe('whether a message mentions this user, as the server counts it', () => {
  it('finds @username as a whole word in any case, and answers to their messages', () => {
    expect(mentionsMe(state, message(2, 1, '@bob_builder look'))).toBe(true);
    expect(mentionsMe(state, message(2, 1, 'thanks, @BOB_BUILDER!'))).toBe(true);
    expect(mentionsMe(state, message(2, 1, 'nice', 1))).toBe(true);
  });

  it('ignores other words, private chats and the user\u2019s own messages', () => {
    expect(mentionsMe(state, message(2, 1, 'mail x@bob_builder.org'))).toBe(false);
    expect(mentionsMe(state, message(2, 1, '@bob_builder_2 look'))).toBe(false);
    expect(mentionsMe(state, message(2, 1, '@bob_builder hi', null, false))).toBe(false);
    expect(mentionsMe(state, message(2, 2, '@bob_builder note to self'))).toBe(false);
  });

  it('counts the loaded mentions after a read position', () => {
    const s = { ...state, histories: { c5: { messages: [mine, message(3, 1, '@bob_builder a'), message(4, 1, 'b'), message(5, 1, 'c', 1)] } } } as unknown as AppState;
    expect(mentionsAfter(s, 'c5', 2)).toBe(2);
    expect(mentionsAfter(s, 'c5', 3)).toBe(1);
    expect(mentionsAfter(s, 'c5', 5)).toBe(0);
  });
});
