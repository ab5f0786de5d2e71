// Who the chat list names before a row's preview (ui/peers.ts senderOf).
import { describe, expect, it } from 'vitest';
import { PeerKind, type Dialog, type Message, type User } from '../src/api/types';
import { senderOf } from '../src/ui/peers';
import { getState } from '../src/ui/store';

const ME = 1;
const BOB = 2;
const state = {
  ...getState(),
  me: { id: ME, username: 'me', display_name: 'Me', bio: '' } as User,
  users: { [BOB]: { id: BOB, username: 'bob', display_name: 'Bob', bio: '' } as User },
};
const row = (peer: Dialog['peer'], fromId: number, action: Message['action'] = null): Dialog =>
  ({ peer, top_message: { id: 5, from_id: fromId, text: 'hi', action } as Message }) as Dialog;

describe('the chat list names the sender', () => {
  it('says "You" for one\'s own message in a private chat and a group, and names a group member', () => {
    expect(senderOf(state, row({ kind: PeerKind.User, id: BOB }, ME))).toBe('You');
    expect(senderOf(state, row({ kind: PeerKind.User, id: BOB }, BOB))).toBe('');
    expect(senderOf(state, row({ kind: PeerKind.Chat, id: 9 }, ME))).toBe('You');
    expect(senderOf(state, row({ kind: PeerKind.Chat, id: 9 }, BOB))).toBe('Bob');
  });

  it('names nobody in Saved Messages, where every message is one\'s own', () => {
    expect(senderOf(state, row({ kind: PeerKind.User, id: ME }, ME))).toBe('');
  });
});
