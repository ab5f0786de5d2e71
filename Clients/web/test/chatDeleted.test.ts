import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatKind, PeerKind, type Chat, type Dialog } from '../src/api/types';

// A removal reads the chat list again; a deletion must not need to.
const server = vi.hoisted(() => ({ dialogReads: 0 }));

vi.mock('../src/ui/connection', () => ({
  api: () => ({
    messages: {
      getDialogs: async () => {
        server.dialogReads++;
        return { dialogs: [], total: 0 };
      },
    },
    users: { getUsers: async () => ({ users: [] }) },
    groups: { getChats: async () => ({ chats: [] }) },
  }),
}));

import { applyEvent } from '../src/ui/events';
import { blankDialog } from '../src/ui/chats';
import { emptyHistory, getState, setState, type AppState } from '../src/ui/store';
import { emptyLocalStorage } from './fakeConnection';

const group = (id: number, extra: Partial<Chat> = {}): Chat =>
  ({ id, kind: ChatKind.Group, title: `Group ${id}`, creator_id: 1, member_count: 3, date: 0, pts: 0, ...extra }) as Chat;

beforeEach(() => {
  emptyLocalStorage();
  server.dialogReads = 0;
  const dialogs: Dialog[] = [blankDialog({ kind: PeerKind.Chat, id: 5 }), blankDialog({ kind: PeerKind.Chat, id: 6 }), blankDialog({ kind: PeerKind.User, id: 2 })];
  setState({
    me: { id: 1 } as AppState['me'],
    dialogs,
    chats: { 5: group(5), 6: group(6) },
    histories: { c5: emptyHistory, c6: emptyHistory },
    active: 'c5',
    panel: 'info',
    leftChats: {},
  } as Partial<AppState>);
});

describe('a group its creator deleted', () => {
  it('leaves the list with its history, and the chat on screen closes with its info panel', () => {
    applyEvent({ type: 'chat_updated', chat: group(5, { deleted: true, member_count: 0 }), isMember: false, pts: 10 });

    const s = getState();
    expect(s.dialogs.map((d) => `${d.peer.kind}:${d.peer.id}`)).toEqual([`${PeerKind.Chat}:6`, `${PeerKind.User}:2`]);
    expect(s.histories.c5).toBeUndefined();
    expect(s.histories.c6).toBe(emptyHistory);
    expect(s.active).toBeNull();
    expect(s.panel).toBeNull();
    expect(server.dialogReads).toBe(0);
  });

  it('leaves the chat on screen open when another one was deleted', () => {
    applyEvent({ type: 'chat_updated', chat: group(6, { deleted: true }), isMember: false, pts: 10 });

    const s = getState();
    expect(s.dialogs.some((d) => d.peer.kind === PeerKind.Chat && d.peer.id === 6)).toBe(false);
    expect(s.active).toBe('c5');
    expect(s.panel).toBe('info');
  });

  it('is not what a removal does: a removed member keeps the chat open and listed until the list is read again', () => {
    applyEvent({ type: 'chat_updated', chat: group(5), isMember: false, pts: 10 });

    const s = getState();
    expect(s.active).toBe('c5');
    expect(s.histories.c5).toBe(emptyHistory);
    expect(s.leftChats[5]).toBe(true);
    expect(server.dialogReads).toBe(1);
  });
});
