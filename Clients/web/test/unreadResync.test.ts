import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatKind, PeerKind, type Chat, type Dialog, type ForumTopic } from '../src/api/types';

// Review s42-r3, findings 1 and 2: a delete of unread messages lowers the badge; a large group's channel_resync reads
// its chat-list row (and a forum's topics) again.
const server = vi.hoisted(() => ({ dialogReads: 0, topicReads: 0 }));

vi.mock('../src/ui/connection', () => ({
  api: () => ({
    messages: {
      getDialogs: async () => {
        server.dialogReads++;
        return { dialogs: [], total: 0 };
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

  it("in a large group's shared log (no count) read the chat list again, once for several deletes", async () => {
    start(group(5, { large: true } as Partial<Chat>));
    applyEvent({ type: 'messages_deleted', peer: chatPeer, ids: [42], unreadCount: null, pts: 12, channelId: 5 });
    applyEvent({ type: 'messages_deleted', peer: chatPeer, ids: [43], unreadCount: null, pts: 13, channelId: 5 });
    expect(server.dialogReads).toBe(0);
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(server.dialogReads).toBe(1);
  });

  it("in a large group's shared log, of messages already read, read nothing again", async () => {
    start(group(5, { large: true } as Partial<Chat>));
    applyEvent({ type: 'messages_deleted', peer: chatPeer, ids: [39, 40], unreadCount: null, pts: 12, channelId: 5 });
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(server.dialogReads).toBe(0);
  });
});

describe('a large group whose own log was too long (channel_resync)', () => {
  it('is read again in the chat list, once for several', async () => {
    start(group(5));
    applyEvent({ type: 'channel_resync', chatId: 5, pts: 9000 });
    applyEvent({ type: 'channel_resync', chatId: 6, pts: 9000 });
    await vi.advanceTimersByTimeAsync(DIALOGS_REREAD_MS);
    expect(server.dialogReads).toBe(1);
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
