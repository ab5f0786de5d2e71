import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatKind, PeerKind, type Chat, type Dialog, type ForumTopic } from '../src/api/types';

// Review s42-r3, findings 1 and 2: a delete of unread messages lowers the badge; a large group's channel_resync reads
// its chat-list row (and a forum's topics) again. s43: only that row (messages.getPeerDialogs), not the whole list.
const server = vi.hoisted(() => ({ dialogReads: 0, topicReads: 0, rowReads: [] as string[][], rows: [] as Dialog[] }));

vi.mock('../src/ui/connection', () => ({
  api: () => ({
    messages: {
      getDialogs: async () => {
        server.dialogReads++;
        return { dialogs: [], total: 0 };
      },
      getPeerDialogs: async (a: { peers: { kind: number; id: number }[] }) => {
        server.rowReads.push(a.peers.map((p) => `${p.kind === PeerKind.Chat ? 'c' : 'u'}${p.id}`));
        const asked = new Set(a.peers.map((p) => p.id));
        const dialogs = server.rows.filter((d) => asked.has(d.peer.id));
        return { dialogs, total: dialogs.length };
      },
      getForumTopics: async () => {
        server.topicReads++;
        return { topics: [], messages: [], count: 0 };
      },
      getHistory: async () => ({ messages: [] }),
    },
    users: { getUsers: async () => ({ users: [] }) },
    groups: { getChats: async () => ({ chats: [] }) },
  }),
}));

import { applyEvent } from '../src/ui/events';
import { blankDialog, DIALOGS_REREAD_MS } from '../src/ui/chats';
import { getState, setState, type AppState } from '../src/ui/store';
import { emptyLocalStorage } from './fakeConnection';

const chatPeer = { kind: PeerKind.Chat, id: 5 };
const group = (id: number, extra: Partial<Chat> = {}): Chat =>
  ({ id, kind: ChatKind.Group, title: `Group ${id}`, creator_id: 1, member_count: 3, date: 0, pts: 0, ...extra }) as Chat;
const topic = (id: number, top: number, unread: number): ForumTopic =>
  ({ id, title: `T${id}`, icon_color: 0, closed: false, creator_id: 1, date: 0, top_message: top, unread_count: unread, read_max_id: 0, pinned: false, mute_until: 0 }) as ForumTopic;
const msg = (id: number) => ({ id, from_id: 2, to_peer: chatPeer, date: 1, text: `m${id}` });

function start(chat: Chat): void {
  const dialog: Dialog = { ...blankDialog(chatPeer), unread_count: 3, read_inbox_max_id: 40, top_message: msg(43) as Dialog['top_message'] };
  setState({
    me: { id: 1 } as AppState['me'],
    dialogs: [dialog],
    chats: { 5: chat },
    forumTopics: { 5: { topics: [topic(0, 0, 0), topic(40, 43, 3)], messages: [], count: 1 } },
    histories: { c5: { messages: [msg(41), msg(42), msg(43)], pending: [], complete: true, loading: false } },
    active: null,
    leftChats: {},
  } as Partial<AppState>);
}

beforeEach(() => {
  vi.useFakeTimers();
  emptyLocalStorage();
  server.dialogReads = 0;
  server.topicReads = 0;
  server.rowReads = [];
  server.rows = [];
});

afterEach(() => {
  vi.useRealTimers();
});

describe('unread messages deleted', () => {
  it('lower the badge to the count the delete carries, with no read of the chat list', async () => {
    start(group(5));
    applyEvent({ type: 'messages_deleted', peer: chatPeer, ids: [42, 43], unreadCount: 1, pts: 12 });
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(getState().dialogs[0].unread_count).toBe(1);
    expect(getState().dialogs[0].top_message?.id).toBe(41);
    expect(server.dialogReads).toBe(0);
  });

  it('leave the badge alone when the delete says the count did not change', async () => {
    start(group(5));
    applyEvent({ type: 'messages_deleted', peer: chatPeer, ids: [43], unreadCount: null, pts: 12 });
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(getState().dialogs[0].unread_count).toBe(3);
    expect(server.dialogReads).toBe(0);
  });

  it("in a large group's shared log (no count) read that chat's row again, once for several deletes", async () => {
    start(group(5, { large: true } as Partial<Chat>));
    const other: Dialog = { ...blankDialog({ kind: PeerKind.User, id: 7 }), unread_count: 2, last_activity: 1 };
    setState((s) => ({ dialogs: [...s.dialogs, other] }));
    server.rows = [{ ...blankDialog(chatPeer), unread_count: 1, read_inbox_max_id: 40, top_message: msg(41) as Dialog['top_message'] }];
    applyEvent({ type: 'messages_deleted', peer: chatPeer, ids: [42], unreadCount: null, pts: 12, channelId: 5 });
    applyEvent({ type: 'messages_deleted', peer: chatPeer, ids: [43], unreadCount: null, pts: 13, channelId: 5 });
    expect(server.rowReads).toEqual([]);
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(server.rowReads).toEqual([['c5']]);
    expect(server.dialogReads).toBe(0);
    const row = getState().dialogs.find((d) => d.peer.id === 5)!;
    expect(row).toMatchObject({ unread_count: 1, top_message: { id: 41 } });
    expect(getState().dialogs.find((d) => d.peer.id === 7)).toBe(other);
  });

  it("in a large group's shared log, of messages already read, read nothing again", async () => {
    start(group(5, { large: true } as Partial<Chat>));
    applyEvent({ type: 'messages_deleted', peer: chatPeer, ids: [39, 40], unreadCount: null, pts: 12, channelId: 5 });
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(server.dialogReads).toBe(0);
  });
});

describe('a large group whose own log was too long (channel_resync)', () => {
  it("has its row read again, in one call for several, and the rest of the list stays", async () => {
    start(group(5));
    const other: Dialog = { ...blankDialog({ kind: PeerKind.User, id: 7 }), unread_count: 2, last_activity: 1 };
    setState((s) => ({ dialogs: [...s.dialogs, other] }));
    server.rows = [
      { ...blankDialog(chatPeer), unread_count: 9, read_inbox_max_id: 40, top_message: msg(49) as Dialog['top_message'] },
      { ...blankDialog({ kind: PeerKind.Chat, id: 6 }), unread_count: 4 },
    ];
    applyEvent({ type: 'channel_resync', chatId: 5, pts: 9000 });
    applyEvent({ type: 'channel_resync', chatId: 6, pts: 9000 });
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(server.rowReads).toEqual([['c5', 'c6']]);
    expect(server.dialogReads).toBe(0);
    expect(getState().dialogs.find((d) => d.peer.id === 5)).toMatchObject({ unread_count: 9, top_message: { id: 49 } });
    expect(getState().dialogs.find((d) => d.peer.id === 6)).toMatchObject({ unread_count: 4 });
    expect(getState().dialogs.find((d) => d.peer.id === 7)).toBe(other);
  });

  it('a chat the server no longer lists leaves the list, unless it is open', async () => {
    start(group(5));
    applyEvent({ type: 'channel_resync', chatId: 5, pts: 9000 });
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(getState().dialogs).toEqual([]);

    start(group(5));
    setState({ active: 'c5' });
    applyEvent({ type: 'channel_resync', chatId: 5, pts: 9001 });
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(getState().dialogs.map((d) => d.peer.id)).toEqual([5]);
  });

  it("drops a forum's topics, and reads them again when the forum is open", async () => {
    start(group(5, { forum: true }));
    applyEvent({ type: 'channel_resync', chatId: 5, pts: 9000 });
    expect(getState().forumTopics[5]).toBeUndefined();
    expect(server.topicReads).toBe(0);

    start(group(5, { forum: true }));
    setState({ active: 'c5' });
    applyEvent({ type: 'channel_resync', chatId: 5, pts: 9001 });
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(server.topicReads).toBe(1);
    expect(getState().forumTopics[5]?.topics).toEqual([]);
  });
});
