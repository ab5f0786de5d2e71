import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatKind, PeerKind, type Chat, type ForumTopic } from '../src/api/types';

// s43: a topic read part of the way on another device, past the topic list's first page or not listed yet, shows the
// server's count once it is read (not the badge from before the read).
const server = vi.hoisted(() => ({
  firstPage: [] as ForumTopic[],
  byActivity: [] as ForumTopic[],
  calls: [] as { offset_id: number; limit: number }[],
}));

vi.mock('../src/ui/connection', () => ({
  api: () => ({
    messages: {
      getForumTopics: async (a: { offset_id?: number; limit?: number }) => {
        server.calls.push({ offset_id: a.offset_id ?? 0, limit: a.limit ?? 50 });
        const topics = a.offset_id
          ? server.byActivity.filter((t) => t.top_message < a.offset_id!).slice(0, a.limit ?? 50)
          : server.firstPage;
        return { topics, messages: [], count: server.byActivity.length };
      },
    },
    users: { getUsers: async () => ({ users: [] }) },
  }),
}));

import { applyEvent } from '../src/ui/events';
import { getState, setState, type AppState } from '../src/ui/store';
import { loadTopics } from '../src/ui/topics';
import { emptyLocalStorage } from './fakeConnection';

const forum = (id: number): Chat =>
  ({ id, kind: ChatKind.Group, title: `Group ${id}`, creator_id: 1, member_count: 3, date: 0, pts: 0, forum: true }) as Chat;
const topic = (id: number, top: number, unread: number, read = 0): ForumTopic =>
  ({ id, title: `T${id}`, icon_color: 0, closed: false, creator_id: 1, date: 0, top_message: top, unread_count: unread, read_max_id: read, pinned: false, mute_until: 0 }) as ForumTopic;
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};
/** The user read the topic up to message 31 on another device. */
const readOf = (chatId: number, topicId: number) =>
  applyEvent({ type: 'read_thread', peer: { kind: PeerKind.Chat, id: chatId }, messageId: topicId, readMaxId: 31, topic: true, pts: 11 } as never);
const listed = (chatId: number, id: number) => getState().forumTopics[chatId].topics.find((t) => t.id === id)!;

beforeEach(() => {
  emptyLocalStorage();
  server.calls = [];
  setState({
    me: { id: 1 } as AppState['me'],
    dialogs: [],
    chats: { 5: forum(5), 6: forum(6), 7: forum(7) },
    forumTopics: {},
    threadReads: {},
    histories: {},
    topicPaging: {},
    active: null,
    leftChats: {},
  } as Partial<AppState>);
});

describe('a topic read part of the way on another device', () => {
  it('past the first page of the list: that topic alone is read again for its count', async () => {
    setState({ forumTopics: { 5: { topics: [topic(0, 12, 0, 12), topic(40, 43, 0, 43), topic(30, 33, 3)], messages: [], count: 2 } } });
    server.firstPage = [topic(0, 12, 0, 12), topic(40, 43, 0, 43)];
    server.byActivity = [topic(40, 43, 0, 43), topic(30, 33, 1, 31)];

    readOf(5, 30);
    await flush();

    expect(listed(5, 30)).toMatchObject({ unread_count: 1, read_max_id: 31 });
    expect(server.calls).toEqual([
      { offset_id: 0, limit: 100 },
      { offset_id: 34, limit: 1 },
    ]);
  });

  it('not listed yet, then paged in by a read answered from before it: the position holds and the count is read', async () => {
    readOf(6, 30);
    expect(server.calls).toEqual([]);
    server.firstPage = [topic(0, 12, 0, 12), topic(30, 33, 3)];
    server.byActivity = [topic(30, 33, 1, 31)];

    await loadTopics('c6');
    await flush();

    expect(listed(6, 30)).toMatchObject({ unread_count: 1, read_max_id: 31 });
    expect(server.calls).toEqual([
      { offset_id: 0, limit: 100 },
      { offset_id: 34, limit: 1 },
    ]);
  });

  it('not listed yet, then paged in with the read already counted: nothing more is read', async () => {
    readOf(7, 30);
    server.firstPage = [topic(0, 12, 0, 12), topic(30, 33, 1, 31)];
    server.byActivity = [topic(30, 33, 1, 31)];

    await loadTopics('c7');
    await flush();

    expect(listed(7, 30)).toMatchObject({ unread_count: 1, read_max_id: 31 });
    expect(server.calls).toEqual([{ offset_id: 0, limit: 100 }]);
  });
});
