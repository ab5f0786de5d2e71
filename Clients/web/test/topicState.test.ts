import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Chat, ForumTopic, ForumTopics, Message } from '../src/api/types';
import { ChatKind, PeerKind } from '../src/api/types';

/** The server as far as a forum's topics go: what was sent, the topics listed, and the uploads held until let go. */
const server = vi.hoisted(() => ({
  sent: [] as { topic_id?: number | null; geo?: unknown; media?: unknown }[],
  listCalls: [] as { offset_id?: number; limit?: number }[],
  topics: [] as { id: number; top_message: number; pinned?: boolean; mute_until?: number }[],
  mutes: [] as { topic_id?: number | null; mute_until: number }[],
  finishUpload: null as null | (() => void),
  hold: null as null | Promise<void>,
}));

vi.mock('../src/ui/connection', () => {
  const missing = (): Promise<never> => Promise.reject(new Error('not faked'));
  const anything: object = new Proxy({}, { get: () => missing });
  const messages = new Proxy(
    {
      send: (args: { topic_id?: number | null; geo?: unknown; media?: unknown; text: string; random_id: number }) => {
        server.sent.push(args);
        const message = { id: 1000 + server.sent.length, from_id: 1, to_peer: { kind: PeerKind.Chat, id: 5 }, date: 1, text: args.text, topic_id: args.topic_id ?? undefined };
        return Promise.resolve({ message, pts: 1, pts_count: 1, channel: false });
      },
      setTyping: () => Promise.resolve({}),
      updateNotifySettings: (args: { topic_id?: number | null; mute_until: number }) => {
        server.mutes.push(args);
        return Promise.resolve({ pts: 1, pts_count: 1 });
      },
      getForumTopics: (args: { offset_id?: number; limit: number }) => {
        server.listCalls.push(args);
        // Newest first; General and the pinned topics besides the page's topics on the first page, as the server lists them.
        const older = server.topics.filter((t) => !t.pinned && (!args.offset_id || t.top_message < args.offset_id)).slice(0, args.limit);
        const general = args.offset_id ? [] : [{ id: 0, top_message: 0 }];
        const pinned = args.offset_id ? [] : server.topics.filter((t) => t.pinned);
        const topics = [...general, ...pinned, ...older].map((t) => ({ ...t, title: `T${t.id}`, icon_color: 0, closed: false, creator_id: 1, date: 0, unread_count: 0, read_max_id: 0 }));
        const page = { topics, messages: [], count: server.topics.length };
        return server.hold ? server.hold.then(() => page) : Promise.resolve(page);
      },
    },
    { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? missing },
  );
  return {
    api: () => new Proxy({ messages }, { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? anything }),
    upload: () => new Promise((resolve) => (server.finishUpload = () => resolve({ id: 77, kind: 'document' }))),
  };
});
vi.mock('../src/ui/describeMedia', () => ({ describeMedia: () => Promise.resolve({}) }));

import { sendLocation } from '../src/ui/location';
import { messageArrived, messagesGone, sendFile } from '../src/ui/messages';
import { getState, setState, type AppState, type History } from '../src/ui/store';
import { inMutedTopic, isTopicMuted, loadTopics, setTopicMuted, topicMuteChanged, topicOf, withChats, withoutLoaded } from '../src/ui/topics';
import { MuteForever } from '../src/api/types';

const key = 'c5';
const forum = (on = true) => ({ id: 5, kind: ChatKind.Group, title: 'Team', forum: on }) as unknown as Chat;
const history = (ids: number[]): History => ({
  messages: ids.map((id) => ({ id, from_id: 1, to_peer: { kind: PeerKind.Chat, id: 5 }, date: 1, text: '' }) as Message),
  pending: [],
  complete: false,
  loading: false,
});
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('what the web client loaded of a forum', () => {
  const loaded = {
    chats: { 5: forum(), 6: forum() },
    histories: { c5: history([1, 9]), c6: history([2]) },
    topicPaging: { 'c5:3': { complete: true, loading: false }, 'c5:0': { complete: false, loading: false }, 'c6:4': { complete: true, loading: false } },
  } as unknown as AppState;

  it('goes with the chat\u2019s history: its topics\u2019 pages too, other chats\u2019 stay', () => {
    expect(withoutLoaded(loaded, key)).toEqual({ histories: { c6: loaded.histories.c6 }, topicPaging: { 'c6:4': loaded.topicPaging['c6:4'] } });
    expect(withoutLoaded(loaded)).toEqual({ histories: {}, topicPaging: {} });
  });

  it('is forgotten when topics are turned on or off, and kept when the chat is read again unchanged', () => {
    const off = withChats(loaded, [forum(false)]);
    expect(off.chats?.[5].forum).toBe(false);
    expect(Object.keys(off.histories ?? {})).toEqual(['c6']);
    expect(Object.keys(off.topicPaging ?? {})).toEqual(['c6:4']);
    const same = withChats(loaded, [forum(true)]);
    expect(same.histories).toBeUndefined();
    expect(same.topicPaging).toBeUndefined();
    const unknown = withChats({ ...loaded, chats: {} }, [forum(false)]);
    expect(unknown.histories).toBeUndefined();
  });
});

describe('a forum topic on screen', () => {
  beforeEach(() => {
    server.sent = [];
    server.listCalls = [];
    server.topics = [];
    server.mutes = [];
    setState({ me: null, active: key, topic: 7, chats: { 5: forum() }, users: { 1: { id: 1 } } as unknown as AppState['users'], histories: { [key]: history([]) }, topicPaging: {}, forumTopics: {}, uploads: {} });
  });

  afterEach(() => vi.unstubAllGlobals());

  it('gets the file chosen in it, whatever the user opens while it uploads', async () => {
    const sending = sendFile(key, new File(['x'], 'notes.txt'), '', null);
    await flush();
    setState({ topic: 9 });
    server.finishUpload!();
    await sending;

    expect(server.sent).toEqual([expect.objectContaining({ topic_id: 7 })]);
  });

  it('gets the location asked for in it, whatever the user opens while the position is found', async () => {
    let found: PositionCallback = () => undefined;
    vi.stubGlobal('navigator', { geolocation: { getCurrentPosition: (callback: PositionCallback) => (found = callback) } });
    const sending = sendLocation(key);
    setState({ topic: null });
    found({ coords: { latitude: 52.5, longitude: 13.4, accuracy: 10, heading: null }, timestamp: 0 } as GeolocationPosition);
    await sending;

    expect(server.sent).toEqual([expect.objectContaining({ topic_id: 7, geo: expect.anything() })]);
  });

  it('closes when the topic is deleted, not when its first message is only hidden here', () => {
    messagesGone(key, [7], false);
    expect(getState().topic).toBe(7);
    messagesGone(key, [3, 7], true);
    expect(getState().topic).toBeNull();
  });

  it('reads the list again when a topic changes, and closes when the list no longer has it', async () => {
    const listed = { id: 7, title: 'T7', icon_color: 0, closed: false, creator_id: 1, date: 0, top_message: 7, unread_count: 0, read_max_id: 0 };
    setState({ forumTopics: { 5: { topics: [listed], messages: [], count: 1 } as ForumTopics } });
    const edit = { id: 50, from_id: 1, to_peer: { kind: PeerKind.Chat, id: 5 }, date: 1, text: '', topic_id: 7, action: { kind: 'topic_edit', user_ids: [], title: 'New' } };
    messageArrived(edit as unknown as Message);
    await flush();

    expect(server.listCalls).toHaveLength(1);
    expect(getState().topic).toBeNull();
  });

  it('stays on a topic newer than the list read (one just created)', async () => {
    setState({ forumTopics: { 5: { topics: [], messages: [], count: 0 } as ForumTopics } });
    await loadTopics(key);

    expect(getState().topic).toBe(7);
  });

  it('lists every topic, page after page', async () => {
    server.topics = Array.from({ length: 250 }, (_, i) => ({ id: 10_000 - i, top_message: 10_000 - i }));
    server.topics.push({ id: 7, top_message: 7 });
    await loadTopics(key);

    const listed = getState().forumTopics[5].topics.map((t: ForumTopic) => t.id);
    expect(listed).toHaveLength(252);
    expect(listed[0]).toBe(0);
    expect(new Set(listed).size).toBe(252);
    expect(getState().topic).toBe(7);
    expect(server.listCalls.map((c) => c.offset_id ?? 0)).toEqual([0, 9901, 9801]);
  });

  it('reads only the most active page after a new message, keeping the older topics it knew', async () => {
    server.topics = Array.from({ length: 150 }, (_, i) => ({ id: 10_000 - i, top_message: 10_000 - i }));
    await loadTopics(key);
    server.listCalls.length = 0;
    server.topics = [{ id: 9_990, top_message: 20_000 }, ...server.topics.filter((t) => t.id !== 9_990)];
    await loadTopics(key, true);

    const listed = getState().forumTopics[5].topics.map((t: ForumTopic) => t.id);
    expect(server.listCalls).toHaveLength(1);
    expect(listed.slice(0, 2)).toEqual([0, 9_990]);
    expect(listed).toHaveLength(151);
    expect(new Set(listed).size).toBe(151);
  });

  it('lists the pinned topics after General and pages by the rest, each once', async () => {
    server.topics = Array.from({ length: 150 }, (_, i) => ({ id: 10_000 - i, top_message: 10_000 - i }));
    // Pinned in the server's order (the latest pin first), which is not their activity's.
    const pins = [9_950, 9_860, 9_990];
    server.topics = [...pins.map((id) => ({ id, top_message: id, pinned: true })), ...server.topics.filter((t) => !pins.includes(t.id))];
    await loadTopics(key);

    const listed = getState().forumTopics[5].topics;
    expect(listed.slice(0, 4).map((t: ForumTopic) => t.id)).toEqual([0, 9_950, 9_860, 9_990]);
    expect(listed[4].id).toBe(10_000);
    expect(listed).toHaveLength(151);
    expect(new Set(listed.map((t: ForumTopic) => t.id)).size).toBe(151);
    // The next page starts after the last topic by activity, not after a pinned one.
    expect(server.listCalls.map((c) => c.offset_id ?? 0)).toEqual([0, 9_899]);
  });

  it('keeps pinned topics on top when only the most active page is read again', async () => {
    server.topics = Array.from({ length: 150 }, (_, i) => ({ id: 10_000 - i, top_message: 10_000 - i }));
    await loadTopics(key);
    server.topics = [{ id: 9_900, top_message: 20_001, pinned: true }, ...server.topics.filter((t) => t.id !== 9_900)];
    await loadTopics(key, true);

    const listed = getState().forumTopics[5].topics.map((t: ForumTopic) => t.id);
    expect(listed.slice(0, 3)).toEqual([0, 9_900, 10_000]);
    expect(listed).toHaveLength(151);
  });

  it('mutes a topic for good, unmutes it, and follows a mute made on another device', async () => {
    setState({ forumTopics: { 5: { topics: [{ id: 7, title: 'T7', icon_color: 0, closed: false, creator_id: 1, date: 0, top_message: 7, unread_count: 0, read_max_id: 0 }], messages: [], count: 1 } as ForumTopics } });
    await setTopicMuted(key, 7, true);

    expect(server.mutes).toEqual([{ peer: { kind: PeerKind.Chat, id: 5 }, mute_until: MuteForever, topic_id: 7 }]);
    expect(isTopicMuted(topicOf(getState(), key, 7))).toBe(true);
    await setTopicMuted(key, 7, false);
    expect(server.mutes[1]).toEqual(expect.objectContaining({ mute_until: 0, topic_id: 7 }));
    expect(isTopicMuted(topicOf(getState(), key, 7))).toBe(false);
    topicMuteChanged(key, 7, Math.floor(Date.now() / 1000) + 3600);
    expect(isTopicMuted(topicOf(getState(), key, 7))).toBe(true);
    topicMuteChanged(key, 99, MuteForever);
    expect(topicOf(getState(), key, 99)).toBeUndefined();
  });

  it('knows a message is in a muted topic, reading the list when the topic is not known yet', async () => {
    server.topics = [{ id: 9, top_message: 9, mute_until: MuteForever }, { id: 8, top_message: 8 }];
    expect(await inMutedTopic(key, { topic_id: 9 })).toBe(true);
    expect(server.listCalls).toHaveLength(1);
    expect(await inMutedTopic(key, { topic_id: 8 })).toBe(false);
    expect(await inMutedTopic(key, {})).toBe(false);
    expect(server.listCalls).toHaveLength(1);
    setState({ chats: { 5: forum(false) } });
    expect(await inMutedTopic(key, { topic_id: 9 })).toBe(false);
  });

  it('keeps the newest read when an older one answers last', async () => {
    let release = () => {};
    server.topics = [{ id: 8, top_message: 8 }];
    server.hold = new Promise<void>((resolve) => (release = resolve));
    const older = loadTopics(key);
    server.hold = null;
    server.topics = [{ id: 9, top_message: 9 }, { id: 8, top_message: 8 }];
    await loadTopics(key);
    release();
    await older;

    expect(getState().forumTopics[5].topics.map((t: ForumTopic) => t.id)).toEqual([0, 9, 8]);
  });
});
