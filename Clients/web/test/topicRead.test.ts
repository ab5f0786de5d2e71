import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatKind, PeerKind, type Chat, type Dialog, type ForumTopic } from '../src/api/types';

/** The server as far as reads go: the topic list (what a re-read returns) and every read call. */
const server = vi.hoisted(() => ({
  topicReads: 0,
  listed: [] as ForumTopic[],
  readCalls: [] as { msg_id: number; max_id: number; topic: boolean }[],
}));

vi.mock('../src/ui/connection', () => ({
  api: () => ({
    messages: {
      getDialogs: async () => ({ dialogs: [], total: 0 }),
      getForumTopics: async () => {
        server.topicReads++;
        return { topics: server.listed, messages: [], count: server.listed.length - 1 };
      },
      getHistory: async () => ({ messages: [] }),
      readThread: async (a: { msg_id: number; max_id: number; topic: boolean }) => {
        server.readCalls.push({ msg_id: a.msg_id, max_id: a.max_id, topic: a.topic });
        return { pts: 1, pts_count: 1 };
      },
    },
    users: { getUsers: async () => ({ users: [] }) },
    groups: { getChats: async () => ({ chats: [] }) },
  }),
}));

import { applyEvent } from '../src/ui/events';
import { blankDialog } from '../src/ui/chats';
import { getState, setState, type AppState } from '../src/ui/store';
import { readThread } from '../src/ui/threads';
import { readTopic } from '../src/ui/topics';
import { toUpdate } from '../src/protocol/codec';
import { emptyLocalStorage } from './fakeConnection';

const group = (id: number): Chat =>
  ({ id, kind: ChatKind.Group, title: `Group ${id}`, creator_id: 1, member_count: 3, date: 0, pts: 0, forum: true }) as Chat;
const topic = (id: number, top: number, unread: number, read = 0): ForumTopic =>
  ({ id, title: `T${id}`, icon_color: 0, closed: false, creator_id: 1, date: 0, top_message: top, unread_count: unread, read_max_id: read, pinned: false, mute_until: 0 }) as ForumTopic;
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const peer = { kind: PeerKind.Chat, id: 5 };
const listed = (id: number) => getState().forumTopics[5].topics.find((t) => t.id === id)!;

beforeEach(() => {
  emptyLocalStorage();
  server.topicReads = 0;
  server.readCalls = [];
  server.listed = [topic(0, 12, 2), topic(40, 43, 1, 42)];
  const dialog: Dialog = { ...blankDialog(peer), unread_count: 3 };
  setState({
    me: { id: 1 } as AppState['me'],
    dialogs: [dialog],
    chats: { 5: group(5) },
    forumTopics: { 5: { topics: [topic(0, 12, 2), topic(40, 43, 3)], messages: [], count: 1 } },
    threadReads: {},
    histories: {},
    active: null,
    leftChats: {},
  } as Partial<AppState>);
});

describe('a topic read on another device (read_thread with topic)', () => {
  it('read to its newest message: the badge goes, with no call', async () => {
    applyEvent({ type: 'read_thread', peer, messageId: 40, readMaxId: 43, topic: true, pts: 11 } as never);
    await flush();
    expect(listed(40)).toMatchObject({ unread_count: 0, read_max_id: 43 });
    expect(server.topicReads).toBe(0);
    expect(getState().threadReads.c5?.[40]).toBeUndefined();
  });

  it('General (0) too', async () => {
    applyEvent({ type: 'read_thread', peer, messageId: 0, readMaxId: 12, topic: true, pts: 11 } as never);
    await flush();
    expect(listed(0)).toMatchObject({ unread_count: 0, read_max_id: 12 });
  });

  it('read part of the way: the position moves, and the list is read again for the count', async () => {
    applyEvent({ type: 'read_thread', peer, messageId: 40, readMaxId: 42, topic: true, pts: 11 } as never);
    await flush();
    await flush();
    expect(server.topicReads).toBe(1);
    expect(listed(40)).toMatchObject({ unread_count: 1, read_max_id: 42 });
  });

  it('an older position changes nothing', async () => {
    setState((s) => ({ forumTopics: { 5: { ...s.forumTopics[5], topics: [topic(0, 12, 2), topic(40, 45, 2, 43)] } } }));
    applyEvent({ type: 'read_thread', peer, messageId: 40, readMaxId: 41, topic: true, pts: 11 } as never);
    await flush();
    expect(listed(40)).toMatchObject({ unread_count: 2, read_max_id: 43 });
    expect(server.topicReads).toBe(0);
  });
});

describe('a topic and the thread of its first message are two positions', () => {
  it('a thread read of the topic\u2019s first message leaves the topic\u2019s badge', async () => {
    applyEvent({ type: 'read_thread', peer, messageId: 40, readMaxId: 43, topic: false, pts: 11 } as never);
    await flush();
    expect(listed(40)).toMatchObject({ unread_count: 3, read_max_id: 0 });
    expect(getState().threadReads.c5?.[40]).toBe(43);
  });

  it('reading a topic says topic, reading a thread says not', async () => {
    readTopic('c5', 40, 43);
    await readThread('c5', 40, 41);
    expect(server.readCalls).toEqual([
      { msg_id: 40, max_id: 43, topic: true },
      { msg_id: 40, max_id: 41, topic: false },
    ]);
    expect(getState().threadReads.c5?.[40]).toBe(41);
    expect(listed(40)).toMatchObject({ unread_count: 0, read_max_id: 43 });
  });

  it('decodes the topic flag of read_thread', () => {
    expect(toUpdate([30, { peer: { kind: 2, id: 5 }, msg_id: 40, read_max_id: 43, topic: true }])).toMatchObject({ type: 'read_thread', topic: true });
  });
});
