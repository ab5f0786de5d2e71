import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatKind, PeerKind, type Chat, type Message } from '../src/api/types';

vi.mock('../src/ui/connection', () => ({
  api: () => ({
    messages: { getDialogs: async () => ({ dialogs: [], total: 0 }) },
    users: { getUsers: async () => ({ users: [] }) },
    groups: { getChats: async () => ({ chats: [] }) },
  }),
}));

import { applyEvent } from '../src/ui/events';
import { blankDialog } from '../src/ui/chats';
import { emptyHistory, getState, setState, type AppState } from '../src/ui/store';
import { emptyLocalStorage } from './fakeConnection';

// A large group (chat 5) keeps one log for all its members: it tells this user of changes to messages they deleted.
const peer = { kind: PeerKind.Chat, id: 5 };
const large = { id: 5, kind: ChatKind.LargeGroup, title: 'Large', creator_id: 2, member_count: 300, date: 0, pts: 0 } as Chat;
const message = (id: number, text: string): Message => ({ id, from_id: 2, to_peer: peer, date: 1, text }) as Message;

beforeEach(() => {
  emptyLocalStorage();
  setState({
    me: { id: 1 } as AppState['me'],
    dialogs: [{ ...blankDialog(peer), top_message: message(11, 'kept') }],
    chats: { 5: large },
    histories: { c5: { ...emptyHistory, messages: [message(10, 'deleted here'), message(11, 'kept')] } },
    deletedIds: [],
    leftChats: {},
  } as Partial<AppState>);
  // This user deleted message 10 for themselves (on this device or another: the same event).
  applyEvent({ type: 'messages_deleted', peer, ids: [10], unreadCount: null, pts: 5 });
});

describe('a message this user deleted, in a large group', () => {
  it('is not pinned back into the chat: the pin shows nothing, while the count stays the chat’s', () => {
    applyEvent({ type: 'message_pinned', peer, message: message(10, 'deleted here'), ids: [10], pinned: true, count: 1, pts: 6, channelId: 5 });

    const dialog = getState().dialogs[0];
    expect(dialog.pinned_message).toBeNull();
    expect(dialog.pinned_count).toBe(1);
  });

  it('is not brought back by an edit, a reaction or a poll update, and other messages still change', () => {
    applyEvent({ type: 'message_edited', peer, message: message(10, 'new words'), out: false, pts: 6, channelId: 5 });
    applyEvent({ type: 'message_reactions', peer, messageId: 10, userId: 2, reaction: '🎉', reactions: [{ reaction: '🎉', count: 1 }], pts: 7, channelId: 5 });
    applyEvent({ type: 'message_edited', peer, message: message(11, 'kept, edited'), out: false, pts: 8, channelId: 5 });
    applyEvent({ type: 'message_pinned', peer, message: message(11, 'kept, edited'), ids: [11], pinned: true, count: 2, pts: 9, channelId: 5 });

    const s = getState();
    expect(s.histories.c5.messages.map((m) => `${m.id}:${m.text}`)).toEqual(['11:kept, edited']);
    expect(s.dialogs[0].pinned_message?.id).toBe(11);
    expect(s.dialogs[0].top_message?.text).toBe('kept, edited');
  });
});
