import type { Chat, ForumTopic, ForumTopics, Message } from '../api/types';
import { MemberRole, MuteForever, PeerKind, peerKey } from '../api/types';
import { ensureUsers } from './chats';
import { api } from './connection';
import { peerFromKey } from './peers';
import { getState, setState, type AppState, type History } from './store';

/**
 * Forum topics (Telegram's "Topics"): a forum opens on its topic list; a topic shows the chat's loaded messages of that
 * topic (its own pages are fetched by topic and merged into the chat's history), and what the composer sends goes into
 * it. Reading a topic is `messages.readThread` with the topic's id (General: 0) and `topic`, a position apart from the
 * thread of the topic's first message (`ui/threads.ts`).
 */

const PAGE = 50;

/** Whether the group is organised in topics, as this client knows it. */
export function isForum(s: AppState, key: string): boolean {
  const peer = peerFromKey(key);
  return peer.kind === PeerKind.Chat && !!s.chats[peer.id]?.forum;
}

/** The topic on screen in this chat (0: General), or null: not a forum, its topic list, or another chat on screen. */
export function currentTopic(key: string): number | null {
  const s = getState();
  return s.active === key && isForum(s, key) ? s.topic : null;
}

/** The topic's messages among the chat's loaded ones (General: those without a topic). */
export function inTopic(message: { topic_id?: number }, topic: number): boolean {
  return (message.topic_id ?? 0) === topic;
}

/** The chat's history as the topic shows it: its messages, its clock bubbles, and how far its own pages reached. */
export function topicHistory(history: History, paging: { complete: boolean; loading: boolean } | undefined, topic: number): History {
  return {
    messages: history.messages.filter((m) => inTopic(m, topic)),
    pending: history.pending.filter((p) => (p.topicId ?? 0) === topic),
    complete: paging?.complete ?? false,
    loading: paging?.loading ?? false,
  };
}

/**
 * The state without what this tab loaded of the chat: its history and its topics' pages, which were merged into it
 * (dropping the history alone would leave an open topic "complete" with nothing to show). Without a key: every chat's.
 */
export function withoutLoaded(s: AppState, key?: string): Pick<AppState, 'histories' | 'topicPaging'> {
  if (key === undefined) return { histories: {}, topicPaging: {} };
  const histories = { ...s.histories };
  delete histories[key];
  const topicPaging = Object.fromEntries(Object.entries(s.topicPaging).filter(([pagingKey]) => !pagingKey.startsWith(`${key}:`)));
  return { histories, topicPaging };
}

/** The state without the forum's topic list, so it is read again when next shown (its own log was too long). */
export function withoutTopics(s: AppState, chatId: number): Pick<AppState, 'forumTopics'> {
  const forumTopics = { ...s.forumTopics };
  delete forumTopics[chatId];
  return { forumTopics };
}

/**
 * The state with these groups as read again. A group whose topics were turned on or off meanwhile loses what was loaded
 * of it ({@link withoutLoaded}): the topics' pages merged into its history leave gaps in the whole chat's, which would
 * then page past the messages between them; it is read again from the newest when next shown.
 */
export function withChats(s: AppState, chats: Chat[]): Partial<AppState> {
  let next: Partial<AppState> = { chats: { ...s.chats, ...Object.fromEntries(chats.map((c) => [c.id, c])) } };
  for (const chat of chats) {
    const known = s.chats[chat.id];
    if (known && !!known.forum !== !!chat.forum) {
      next = { ...next, ...withoutLoaded({ ...s, ...next } as AppState, peerKey({ kind: PeerKind.Chat, id: chat.id })) };
    }
  }
  return next;
}

/** How many topics the list reads at most (pages of `PAGE_TOPICS`): Telegram's forums hold about as many. */
const MAX_TOPICS = 1000;
const PAGE_TOPICS = 100;

/** The newest read of each chat's topics: an older read answering later is dropped. */
const reads = new Map<string, number>();

/**
 * Reads the forum's topics (General first, then by last activity) with their newest messages, page after page (each
 * after the last topic's newest message) until all are read. `firstPage` reads only the most active page and keeps the
 * rest as known (what a new message in the chat can have changed: one call rather than up to ten). An open topic that
 * a whole read no longer lists (deleted) is left for the list.
 */
export async function loadTopics(key: string, firstPage = false): Promise<void> {
  const peer = peerFromKey(key);
  const read = (reads.get(key) ?? 0) + 1;
  reads.set(key, read);
  let list = await api().messages.getForumTopics({ peer, limit: PAGE_TOPICS });
  const freshIds = list.topics.map((t) => t.id);
  // General and the pinned topics come on the first page besides its `limit` topics (and on no other): a page with
  // fewer topics by activity than asked is the last, and the next starts after its last one.
  for (let page = list; !firstPage && list.topics.length < MAX_TOPICS; ) {
    const topics = page.topics.filter((t) => t.id !== 0 && !t.pinned);
    if (topics.length < PAGE_TOPICS) break;
    page = await api().messages.getForumTopics({ peer, limit: PAGE_TOPICS, offset_id: topics[topics.length - 1].top_message });
    const known = new Set(list.topics.map((t) => t.id));
    const added = page.topics.filter((t) => !known.has(t.id));
    if (!added.length) break;
    list = { ...list, topics: [...list.topics, ...added], messages: [...list.messages, ...page.messages] };
    freshIds.push(...added.map((t) => t.id));
  }
  if (reads.get(key) !== read) return;
  const before = getState().forumTopics[peer.id];
  if (firstPage && before) {
    const fresh = new Set(list.topics.map((t) => t.id));
    const shown = new Set(list.messages.map((m) => m.id));
    list = {
      ...list,
      topics: orderTopics([...list.topics, ...before.topics.filter((t) => !fresh.has(t.id))]),
      messages: [...list.messages, ...before.messages.filter((m) => !shown.has(m.id))],
    };
  }
  const marked = withReadMarks(key, list.topics, new Set(freshIds));
  list = { ...list, topics: marked.topics };
  setState((s) => ({ forumTopics: { ...s.forumTopics, [peer.id]: list } }));
  for (const topic of marked.owed) void recountTopic(key, topic).catch(() => undefined);
  // Only a topic listed before and missing now is gone: one just created may be newer than this list, and one past the
  // list's end is simply not read.
  const open = currentTopic(key);
  const whole = !firstPage && list.topics.filter((t) => t.id !== 0).length >= list.count;
  if (open && whole && before?.topics.some((t) => t.id === open) && !list.topics.some((t) => t.id === open)) closeTopic();
  await ensureUsers([...new Set([...list.messages.map((m) => m.from_id), ...list.topics.map((t) => t.creator_id)])]);
}

/** Whether the topic on screen in this chat is among the messages gone (its first message: the topic's id). */
export function topicGone(key: string, gone: Set<number>): boolean {
  const open = currentTopic(key);
  return !!open && gone.has(open);
}

export function openTopic(key: string, topic: number): void {
  setState({ topic, panel: null, thread: null });
  void loadOlderInTopic(key, topic).catch(() => undefined);
}

export function closeTopic(): void {
  setState({ topic: null });
}

/** The next older page of one topic, merged into the chat's history in id order. */
export async function loadOlderInTopic(key: string, topic: number): Promise<void> {
  const pagingKey = `${key}:${topic}`;
  const paging = getState().topicPaging[pagingKey];
  if (paging?.loading || paging?.complete) return;
  const setPaging = (next: { complete: boolean; loading: boolean }) =>
    setState((s) => ({ topicPaging: { ...s.topicPaging, [pagingKey]: next } }));
  setPaging({ complete: false, loading: true });
  try {
    const loaded = (getState().histories[key]?.messages ?? []).filter((m) => inTopic(m, topic));
    // The first page starts from the newest: what arrived live is newer than any page, and merges by id.
    const offset_id = paging ? (loaded[0]?.id ?? 0) : 0;
    const page = await api().messages.getHistory({ peer: peerFromKey(key), offset_id, limit: PAGE, topic_id: topic });
    mergeMessages(key, page.messages);
    setPaging({ complete: page.messages.length < PAGE, loading: false });
    await ensureUsers(page.messages.map((m) => m.from_id));
  } catch (error) {
    setPaging({ complete: false, loading: false });
    throw error;
  }
}

function mergeMessages(key: string, messages: Message[]): void {
  setState((s) => {
    const history = s.histories[key] ?? { messages: [], complete: false, loading: false, pending: [] };
    const known = new Set(history.messages.map((m) => m.id));
    const added = messages.filter((m) => !known.has(m.id));
    if (!added.length) return {};
    const merged = [...history.messages, ...added].sort((a, b) => a.id - b.id);
    return { histories: { ...s.histories, [key]: { ...history, messages: merged } } };
  });
}

/** Positions of topics this tab told the server it read, so a scroll does not repeat the call. */
const readSent = new Map<string, number>();

/** The user read the topic up to `maxId` (the newest message of others shown). */
export function readTopic(key: string, topic: number, maxId: number): void {
  const sentKey = `${key}:${topic}`;
  if ((readSent.get(sentKey) ?? 0) >= maxId) return;
  readSent.set(sentKey, maxId);
  const peer = peerFromKey(key);
  setState((s) => {
    const list = s.forumTopics[peer.id];
    if (!list) return {};
    const topics = list.topics.map((t) => (t.id === topic && t.read_max_id < maxId ? { ...t, read_max_id: maxId, unread_count: 0 } : t));
    return { forumTopics: { ...s.forumTopics, [peer.id]: { ...list, topics } } };
  });
  void api().messages.readThread({ peer, msg_id: topic, max_id: maxId, topic: true }).catch(() => readSent.delete(sentKey));
}

/**
 * How far the user read topics on other devices (`read_thread` with `topic`), by `key:topic`, until a topic list read
 * from the server takes the position in: a topic not in this tab's list yet (past the list's first page, or the forum not
 * opened), or one whose count is not known yet (read part of the way). Decided: the position is remembered and laid
 * over the topic whenever a list is stored, and a count still owed is read for that topic alone, rather than the whole
 * list read again for one badge.
 */
const readMarks = new Map<string, number>();

/**
 * The topics with the remembered reads laid over them. A topic read from the server just now (`fresh`) whose position
 * has reached the read took it in; one read to its newest message has nothing unread; otherwise the position moves and
 * the topic is `owed` its count, which only the server knows.
 */
export function withReadMarks(key: string, topics: ForumTopic[], fresh: Set<number>): { topics: ForumTopic[]; owed: number[] } {
  const owed: number[] = [];
  const marked = topics.map((t) => {
    const mark = readMarks.get(`${key}:${t.id}`);
    if (mark === undefined) return t;
    if (fresh.has(t.id) && t.read_max_id >= mark) {
      readMarks.delete(`${key}:${t.id}`);
      return t;
    }
    if (mark >= t.top_message) {
      readMarks.delete(`${key}:${t.id}`);
      return { ...t, read_max_id: Math.max(t.read_max_id, mark), unread_count: 0 };
    }
    owed.push(t.id);
    return t.read_max_id >= mark ? t : { ...t, read_max_id: mark };
  });
  return { topics: marked, owed };
}

/**
 * Reads one listed topic again for its unread count: the pages by activity start below `offset_id`, so the one topic
 * just above its newest message is that topic (unless a newer message moved it up: then the first page, which that
 * message brings in, has it). Not for General and the pinned topics, which only the first page lists, and always does.
 */
async function recountTopic(key: string, topic: number): Promise<void> {
  const peer = peerFromKey(key);
  const listed = topicOf(getState(), key, topic);
  if (!listed || topic === 0 || listed.pinned) return;
  const page = await api().messages.getForumTopics({ peer, offset_id: listed.top_message + 1, limit: 1 });
  const read = page.topics.find((t) => t.id === topic);
  const list = getState().forumTopics[peer.id];
  if (!read || !list?.topics.some((t) => t.id === topic)) return;
  const { topics } = withReadMarks(key, list.topics.map((t) => (t.id === topic ? read : t)), new Set([topic]));
  setState((s) => (s.forumTopics[peer.id] === list ? { forumTopics: { ...s.forumTopics, [peer.id]: { ...list, topics } } } : {}));
}

/**
 * The user read the topic (0: General) up to `readMaxId` on another device (`read_thread` with `topic`): the listed
 * topic's position moves forward; read to its newest message it has nothing unread, otherwise the position is remembered
 * ({@link readMarks}) and the list's most active page is read again for the count (a topic past that page is then read
 * alone). A topic not listed yet keeps the position until it is paged in.
 */
export function topicRead(key: string, topic: number, readMaxId: number): void {
  const peer = peerFromKey(key);
  const listed = getState().forumTopics[peer.id]?.topics.find((t) => t.id === topic);
  if (listed && listed.read_max_id >= readMaxId) return;
  const all = !!listed && readMaxId >= listed.top_message;
  const markKey = `${key}:${topic}`;
  if (!all) readMarks.set(markKey, Math.max(readMarks.get(markKey) ?? 0, readMaxId));
  if (!listed) return;
  setState((s) => {
    const list = s.forumTopics[peer.id];
    if (!list) return {};
    const topics = list.topics.map((t) =>
      t.id === topic && t.read_max_id < readMaxId ? { ...t, read_max_id: readMaxId, unread_count: all ? 0 : t.unread_count } : t,
    );
    return { forumTopics: { ...s.forumTopics, [peer.id]: { ...list, topics } } };
  });
  if (!all) void loadTopics(key, true).catch(() => undefined);
}

/** Whether the user may open topics here: admins, or members when the group lets them. */
export function canCreateTopics(s: AppState, key: string): boolean {
  const peer = peerFromKey(key);
  if ((s.myRoles[peer.id] ?? MemberRole.Member) >= MemberRole.Admin) return true;
  return !!s.chats[peer.id]?.permissions?.manage_topics;
}

/** Whether the user may rename, close or reopen the topic: its creator, or an admin. */
export function canEditTopic(s: AppState, key: string, topic: ForumTopic): boolean {
  const peer = peerFromKey(key);
  return topic.id !== 0 && ((s.myRoles[peer.id] ?? MemberRole.Member) >= MemberRole.Admin || topic.creator_id === s.me?.id);
}

export function isChatAdmin(s: AppState, key: string): boolean {
  return (s.myRoles[peerFromKey(key).id] ?? MemberRole.Member) >= MemberRole.Admin;
}

/** The topic as last read, if listed. */
export function topicOf(s: AppState, key: string, topic: number): ForumTopic | undefined {
  const list: ForumTopics | undefined = s.forumTopics[peerFromKey(key).id];
  return list?.topics.find((t) => t.id === topic);
}

/**
 * The topic list's order: General, then the pinned topics as the server listed them (the latest pinned first), then the
 * rest by last activity. A list merged from a new first page and the older rest keeps it; a topic pinned on another
 * device and not on the new page (it would be: pinning posts into it) stays where the last read had it.
 */
export function orderTopics(topics: ForumTopic[]): ForumTopic[] {
  const general = topics.filter((t) => t.id === 0);
  const pinned = topics.filter((t) => t.id !== 0 && t.pinned);
  const rest = topics.filter((t) => t.id !== 0 && !t.pinned).sort((a, b) => b.top_message - a.top_message);
  return [...general, ...pinned, ...rest];
}

/** Whether the user may pin or unpin the topic: as for creating topics (admins, or members the group lets), never General. */
export function canPinTopic(s: AppState, key: string, topic: ForumTopic): boolean {
  return topic.id !== 0 && canCreateTopics(s, key);
}

/** Whether the user muted this topic on its own (as a dialog's mute: until a time, or for good). */
export function isTopicMuted(topic: Pick<ForumTopic, 'mute_until'> | undefined, nowMs = Date.now()): boolean {
  return (topic?.mute_until ?? 0) * 1000 > nowMs;
}

/** Mutes the topic (0: General) for good, or unmutes it; the user's other devices follow (notify_settings with the topic). */
export async function setTopicMuted(key: string, topic: number, muted: boolean): Promise<void> {
  const mute_until = muted ? MuteForever : 0;
  await api().messages.updateNotifySettings({ peer: peerFromKey(key), mute_until, topic_id: topic });
  topicMuteChanged(key, topic, mute_until);
}

/** The user muted or unmuted one topic (here or on another device): the listed topic follows. */
export function topicMuteChanged(key: string, topic: number, muteUntil: number): void {
  const peer = peerFromKey(key);
  setState((s) => {
    const list = s.forumTopics[peer.id];
    if (!list?.topics.some((t) => t.id === topic)) return {};
    const topics = list.topics.map((t) => (t.id === topic ? { ...t, mute_until: muteUntil } : t));
    return { forumTopics: { ...s.forumTopics, [peer.id]: { ...list, topics } } };
  });
}

/**
 * Whether a message arriving in a forum is in a topic the user muted. A topic this tab has not listed yet (the forum
 * never opened since the page loaded) is looked up by reading the list's most active page, where a topic that just got
 * a message stands.
 */
export async function inMutedTopic(key: string, message: Pick<Message, 'topic_id'>): Promise<boolean> {
  if (!isForum(getState(), key)) return false;
  const topic = message.topic_id ?? 0;
  const listed = topicOf(getState(), key, topic);
  if (listed) return isTopicMuted(listed);
  // Read one page aside, not through loadTopics, which would count as the list's newest read and drop a whole read in
  // flight. With no list yet the page becomes it (a whole read answering later replaces it).
  const peer = peerFromKey(key);
  const page = await api().messages.getForumTopics({ peer, limit: PAGE_TOPICS }).catch(() => null);
  if (!page) return false;
  if (!getState().forumTopics[peer.id]) {
    const marked = withReadMarks(key, page.topics, new Set(page.topics.map((t) => t.id)));
    setState((s) => (s.forumTopics[peer.id] ? {} : { forumTopics: { ...s.forumTopics, [peer.id]: { ...page, topics: marked.topics } } }));
    for (const topic of marked.owed) void recountTopic(key, topic).catch(() => undefined);
    void ensureUsers([...new Set([...page.messages.map((m) => m.from_id), ...page.topics.map((t) => t.creator_id)])]).catch(() => undefined);
  }
  return isTopicMuted(page.topics.find((t) => t.id === topic));
}

/** The chat search's placeholder: inside an open topic (null: none; its title, empty while unknown) it searches that
 * topic, and says so. */
export function searchPlaceholder(topicTitle: string | null): string {
  if (topicTitle === null) return 'Search in this chat';
  return topicTitle ? `Search in the topic \u201c${topicTitle}\u201d` : 'Search in this topic';
}

/** A topic's icon colour as CSS. */
export function topicColor(color: number): string {
  return `#${color.toString(16).padStart(6, '0')}`;
}
