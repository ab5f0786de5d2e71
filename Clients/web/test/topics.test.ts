import { describe, expect, it } from 'vitest';
import type { Chat, ForumTopic, Message } from '../src/api/types';
import { ChatKind, MemberRole, PeerKind } from '../src/api/types';
import { serviceText } from '../src/ui/peers';
import type { AppState, History, PendingMessage } from '../src/ui/store';
import { canCreateTopics, canEditTopic, canPinTopic, isForum, isTopicMuted, orderTopics, searchPlaceholder, topicHistory } from '../src/ui/topics';

const me = 2;

function message(id: number, topic?: number, extra: Partial<Message> = {}): Message {
  // As the wire gives it: topic_id is absent outside topics.
  return { id, from_id: 1, to_peer: { kind: PeerKind.Chat, id: 5 }, date: 100, text: `m${id}`, ...(topic ? { topic_id: topic } : {}), ...extra } as Message;
}

function state(role: MemberRole, manageTopics = false, forum = true): AppState {
  const chat = { id: 5, kind: ChatKind.Group, title: 'Team', forum, permissions: { manage_topics: manageTopics } } as unknown as Chat;
  return { me: { id: me }, chats: { 5: chat }, myRoles: { 5: role }, users: {}, contacts: {} } as unknown as AppState;
}

const topic = (id: number, creator: number): ForumTopic =>
  ({ id, title: 'T', icon_color: 0x6fb9f0, closed: false, creator_id: creator, date: 0, top_message: id, unread_count: 0, read_max_id: 0 }) as ForumTopic;

describe('a forum topic as the web client shows it', () => {
  const pending = (randomId: number, topicId?: number) => ({ randomId, text: 'x', topicId }) as PendingMessage;
  const history: History = {
    messages: [message(1), message(2, 2), message(3, 2), message(4), message(5, 9)],
    pending: [pending(1), pending(2, 2)],
    complete: true,
    loading: false,
  };

  it('shows a topic\u2019s own messages and clock bubbles, General the ones without a topic', () => {
    expect(topicHistory(history, undefined, 2).messages.map((m) => m.id)).toEqual([2, 3]);
    expect(topicHistory(history, undefined, 2).pending.map((p) => p.randomId)).toEqual([2]);
    expect(topicHistory(history, undefined, 0).messages.map((m) => m.id)).toEqual([1, 4]);
    expect(topicHistory(history, undefined, 0).pending.map((p) => p.randomId)).toEqual([1]);
  });

  it('pages a topic by its own paging, not the chat\u2019s', () => {
    expect(topicHistory(history, undefined, 2).complete).toBe(false);
    expect(topicHistory(history, { complete: true, loading: false }, 2).complete).toBe(true);
  });

  it('lets admins create topics, and members when the group lets them', () => {
    expect(isForum(state(MemberRole.Member), 'c5')).toBe(true);
    expect(isForum(state(MemberRole.Member, false, false), 'c5')).toBe(false);
    expect(canCreateTopics(state(MemberRole.Admin), 'c5')).toBe(true);
    expect(canCreateTopics(state(MemberRole.Member), 'c5')).toBe(false);
    expect(canCreateTopics(state(MemberRole.Member, true), 'c5')).toBe(true);
  });

  it('lets a topic\u2019s creator and admins edit it, and nobody edit General', () => {
    expect(canEditTopic(state(MemberRole.Member), 'c5', topic(7, me))).toBe(true);
    expect(canEditTopic(state(MemberRole.Member), 'c5', topic(7, 1))).toBe(false);
    expect(canEditTopic(state(MemberRole.Admin), 'c5', topic(7, 1))).toBe(true);
    expect(canEditTopic(state(MemberRole.Admin), 'c5', topic(0, 1))).toBe(false);
  });

  it('lists General, then the pinned topics as the server gave them, then the rest by activity', () => {
    const t = (id: number, top: number, pinned = false) => ({ ...topic(id, 1), top_message: top, pinned });
    const ordered = orderTopics([t(4, 40), t(0, 90), t(5, 10, true), t(6, 95), t(3, 30, true)]);
    expect(ordered.map((x) => x.id)).toEqual([0, 5, 3, 6, 4]);
  });

  it('lets admins, and members the group lets manage topics, pin any topic but General', () => {
    expect(canPinTopic(state(MemberRole.Admin), 'c5', topic(7, 1))).toBe(true);
    expect(canPinTopic(state(MemberRole.Member), 'c5', topic(7, me))).toBe(false);
    expect(canPinTopic(state(MemberRole.Member, true), 'c5', topic(7, 1))).toBe(true);
    expect(canPinTopic(state(MemberRole.Admin), 'c5', topic(0, 1))).toBe(false);
  });

  it('reads a topic\u2019s own mute as a chat\u2019s: until a time, or for good', () => {
    const now = 1_000_000_000_000;
    expect(isTopicMuted(undefined, now)).toBe(false);
    expect(isTopicMuted({ mute_until: 0 }, now)).toBe(false);
    expect(isTopicMuted({ mute_until: now / 1000 - 1 }, now)).toBe(false);
    expect(isTopicMuted({ mute_until: now / 1000 + 60 }, now)).toBe(true);
    expect(isTopicMuted({}, now)).toBe(false);
  });

  it('says in the search field what is searched: the chat, or the open topic', () => {
    expect(searchPlaceholder(null)).toBe('Search in this chat');
    expect(searchPlaceholder('Releases')).toBe('Search in the topic \u201cReleases\u201d');
    expect(searchPlaceholder('')).toBe('Search in this topic');
  });

  it('says what a topic\u2019s service messages record', () => {
    const s = state(MemberRole.Member);
    const action = (kind: string, extra: object) => message(9, 9, { action: { kind, user_ids: [], title: null, ...extra } } as Partial<Message>);
    expect(serviceText(s, action('topic_create', { title: 'Releases' }))).toContain('created the topic \u201cReleases\u201d');
    expect(serviceText(s, action('topic_edit', { closed: true }))).toContain('closed the topic');
    expect(serviceText(s, action('topic_edit', { closed: false }))).toContain('reopened the topic');
    expect(serviceText(s, action('topic_edit', { title: 'Roadmap' }))).toContain('renamed the topic to \u201cRoadmap\u201d');
    expect(serviceText(s, action('toggle_forum', { period: 1 }))).toContain('turned on topics');
    expect(serviceText(s, action('topic_edit', { pinned: true }))).toContain('pinned the topic');
    expect(serviceText(s, action('topic_edit', { pinned: false }))).toContain('unpinned the topic');
  });
});
