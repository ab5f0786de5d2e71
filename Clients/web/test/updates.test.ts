import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { RpcError, userPeer, chatPeer, type ChannelDifference, type Difference, type LoggedUpdate, type Message, type MessengerEvent, type Update } from '../src/api/types';
import { fromUpdate } from '../src/protocol/codec';
import { UpdateStream, type UpdateServer } from '../src/protocol/updates';
import { sleep, until } from './helpers';

const SELF = 1;
const message = (id: number, from = 2, to = userPeer(SELF)): Message => ({
  id,
  from_id: from,
  to_peer: to,
  date: 1_733_097_600,
  text: `m${id}`,
  reply_to_id: null,
  edit_date: null,
  action: null,
  media: null,
});
const logged = (pts: number, update: Update, ptsCount = 1): LoggedUpdate => ({ pts, pts_count: ptsCount, date: 1_733_097_600, update });
const newMessage = (pts: number, id = pts, from = 2): LoggedUpdate => logged(pts, { type: 'new_message', message: message(id, from) });
const wire = (updates: LoggedUpdate[]) => encode({ updates: updates.map((u) => ({ ...u, update: fromUpdate(u.update) })) });
const channelWire = (chatId: number, updates: LoggedUpdate[]) =>
  encode({ chat_id: chatId, updates: updates.map((u) => ({ ...u, update: fromUpdate(u.update) })) });

class FakeUpdateServer implements UpdateServer {
  state = 0;
  log: LoggedUpdate[] = [];
  channelLogs = new Map<number, LoggedUpdate[]>();
  sliceSize = 1000;
  tooLong = false;
  differenceCalls: number[] = [];
  channelCalls: [number, number][] = [];
  receipts: number[] = [];
  channels: { chat_id: number; pts: number }[] | null = null;

  async getState() {
    return { pts: this.state, date: 0 };
  }

  async getDifference(pts: number): Promise<Difference> {
    this.differenceCalls.push(pts);
    if (this.tooLong) return { updates: [], state: { pts: this.state, date: 0 }, slice: false, too_long: true, channels: this.channels };
    const after = this.log.filter((u) => u.pts > pts);
    const slice = after.slice(0, this.sliceSize);
    const more = after.length > slice.length;
    return { updates: slice, state: { pts: more ? slice.at(-1)!.pts : this.state, date: 0 }, slice: more, too_long: false, channels: more ? null : this.channels };
  }

  async getChannelDifference(chatId: number, pts: number): Promise<ChannelDifference> {
    this.channelCalls.push([chatId, pts]);
    const log = this.channelLogs.get(chatId) ?? [];
    return { chat_id: chatId, updates: log.filter((u) => u.pts > pts), pts: log.at(-1)?.pts ?? pts, slice: false, too_long: false };
  }

  async received(maxId: number) {
    this.receipts.push(maxId);
    return [];
  }
}

async function started(server = new FakeUpdateServer(), pts?: number) {
  const stream = new UpdateStream(server, { selfId: () => SELF, gapWaitMs: 30, receiptDelayMs: 5 });
  const events: MessengerEvent[] = [];
  stream.events.subscribe((e) => events.push(e));
  await stream.start(pts);
  return { stream, events, server };
}

const ids = (events: MessengerEvent[]) => events.flatMap((e) => (e.type === 'new_message' ? [e.message.id] : []));

describe('update stream', () => {
  it('applies pushes in order and drops duplicates', async () => {
    const { stream, events } = await started();
    stream.accept('updates.logged', wire([newMessage(1), newMessage(2)]));
    stream.accept('updates.logged', wire([newMessage(2), newMessage(1)]));
    stream.accept('updates.logged', wire([newMessage(3)]));
    await until(() => stream.pts === 3);
    expect(ids(events)).toEqual([1, 2, 3]);
    expect(events[0]).toMatchObject({ type: 'new_message', pts: 1, out: false, peer: { kind: 1, id: 2 } });
  });

  it('reports pins, mutes, reactions and polls, whose wire tags are the server union\'s 9, 10, 11 and 17 (drafts 12, archive 15, unread mark 16, scheduled 18)', async () => {
    // Entries logged before the pinned list, as the server reads them back: no ids, count 0.
    const pinned: Update = { type: 'pinned_message', peer: userPeer(2), message: message(7), count: 0 };
    const unpinned: Update = { type: 'pinned_message', peer: userPeer(2), message: null, count: 0 };
    const muted: Update = { type: 'notify_settings', peer: chatPeer(5), mute_until: 2147483647 };
    const reacted: Update = { type: 'message_reactions', peer: userPeer(2), msg_id: 7, user_id: 2, reaction: '👍', reactions: [{ reaction: '👍', count: 1 }] };
    expect(fromUpdate(pinned)[0]).toBe(9);
    expect(fromUpdate(muted)[0]).toBe(10);
    expect(fromUpdate(reacted)[0]).toBe(11);
    expect(fromUpdate({ type: 'draft_message', peer: userPeer(2), draft: null })[0]).toBe(12);
    expect(fromUpdate({ type: 'dialog_archived', peer: userPeer(2), archived: true })[0]).toBe(15);
    expect(fromUpdate({ type: 'dialog_unread_mark', peer: userPeer(2), unread: true })[0]).toBe(16);
    const polled: Update = { type: 'message_poll', peer: chatPeer(5), msg_id: 8, counts: [1, 0], voters: 1, closed: false, my_choices: [0], correct_option: 1, solution: 'Because.' };
    expect(fromUpdate(polled)[0]).toBe(17);
    expect(fromUpdate({ type: 'scheduled_messages', peer: userPeer(2), messages: [] })[0]).toBe(18);
    const folder: Update = { type: 'dialog_filter', id: 3, filter: null };
    const order: Update = { type: 'dialog_filter_order', order: [4, 3] };
    expect(fromUpdate(folder)[0]).toBe(22);
    expect(fromUpdate(order)[0]).toBe(23);
    expect(fromUpdate({ type: 'pending_join_requests', chat_id: 5, count: 2, recent_requesters: [7, 6] })[0]).toBe(24);
    const { stream, events } = await started();
    stream.accept(
      'updates.logged',
      wire([
        logged(1, pinned),
        logged(2, muted),
        logged(3, unpinned),
        logged(4, reacted),
        logged(5, polled),
        logged(6, folder),
        logged(7, order),
        logged(8, { type: 'pending_join_requests', chat_id: 5, count: 2, recent_requesters: [7, 6] }),
      ]),
    );
    await until(() => stream.pts === 8);
    expect(events).toEqual([
      { type: 'message_pinned', peer: userPeer(2), message: message(7), ids: null, pinned: false, count: 1, pts: 1 },
      { type: 'notify_settings', peer: chatPeer(5), muteUntil: 2147483647, topicId: null, pts: 2 },
      { type: 'message_pinned', peer: userPeer(2), message: null, ids: null, pinned: false, count: 0, pts: 3 },
      { type: 'message_reactions', peer: userPeer(2), messageId: 7, userId: 2, reaction: '👍', reactions: [{ reaction: '👍', count: 1 }], pts: 4 },
      { type: 'message_poll', peer: chatPeer(5), messageId: 8, counts: [1, 0], voters: 1, closed: false, myChoices: [0], correctOption: 1, solution: 'Because.', pts: 5 },
      { type: 'dialog_filter', id: 3, filter: null, pts: 6 },
      { type: 'dialog_filter_order', order: [4, 3], pts: 7 },
      { type: 'pending_join_requests', chatId: 5, count: 2, recentRequesters: [7, 6], pts: 8 },
    ]);
  });

  it('reports a mute of one forum topic with its topic (tag 10), General\'s as 0', async () => {
    const topic: Update = { type: 'notify_settings', peer: chatPeer(5), mute_until: 2147483647, topic_id: 7 };
    const general: Update = { type: 'notify_settings', peer: chatPeer(5), mute_until: 0, topic_id: 0 };
    expect(fromUpdate(topic)[0]).toBe(10);
    const { stream, events } = await started();
    stream.accept('updates.logged', wire([logged(1, topic), logged(2, general)]));
    await until(() => stream.pts === 2);
    expect(events).toEqual([
      { type: 'notify_settings', peer: chatPeer(5), muteUntil: 2147483647, topicId: 7, pts: 1 },
      { type: 'notify_settings', peer: chatPeer(5), muteUntil: 0, topicId: 0, pts: 2 },
    ]);
  });

  it('reports a pinned list\'s changes: the ids pinned or taken off, the newest pin and the count (tag 9)', async () => {
    const added: Update = { type: 'pinned_message', peer: chatPeer(5), message: message(9), ids: [7], pinned: true, count: 2 };
    const cleared: Update = { type: 'pinned_message', peer: chatPeer(5), message: null, ids: [7, 9], pinned: false, count: 0 };
    expect(fromUpdate(added)[0]).toBe(9);
    const { stream, events } = await started();
    stream.accept('updates.logged', wire([logged(1, added), logged(2, cleared)]));
    await until(() => stream.pts === 2);
    expect(events).toEqual([
      { type: 'message_pinned', peer: chatPeer(5), message: message(9), ids: [7], pinned: true, count: 2, pts: 1 },
      { type: 'message_pinned', peer: chatPeer(5), message: null, ids: [7, 9], pinned: false, count: 0, pts: 2 },
    ]);
  });

  it('waits for a missing push, then fills the gap with getDifference in order', async () => {
    const server = new FakeUpdateServer();
    const { stream, events } = await started(server);
    server.log = [newMessage(1), newMessage(2), newMessage(3)];
    server.state = 3;
    stream.accept('updates.logged', wire([newMessage(3)]));
    await sleep(10);
    expect(events).toHaveLength(0);
    await until(() => server.differenceCalls.length === 1);
    await until(() => stream.pts === 3);
    expect(server.differenceCalls).toEqual([0]);
    expect(ids(events)).toEqual([1, 2, 3]);
  });

  it('needs no getDifference when the late push arrives within the wait', async () => {
    const server = new FakeUpdateServer();
    const { stream, events } = await started(server);
    stream.accept('updates.logged', wire([newMessage(2)]));
    stream.accept('updates.logged', wire([newMessage(1)]));
    await until(() => stream.pts === 2);
    await sleep(60);
    expect(server.differenceCalls).toEqual([]);
    expect(ids(events)).toEqual([1, 2]);
  });

  it('reads a difference in slices', async () => {
    const server = new FakeUpdateServer();
    server.log = [1, 2, 3, 4, 5].map((pts) => newMessage(pts));
    server.state = 5;
    server.sliceSize = 2;
    const { stream, events } = await started(server, 0);
    await until(() => stream.pts === 5);
    expect(server.differenceCalls).toEqual([0, 2, 4]);
    expect(ids(events)).toEqual([1, 2, 3, 4, 5]);
  });

  it('emits resync when the gap is too long and continues from the server state', async () => {
    const server = new FakeUpdateServer();
    server.tooLong = true;
    server.state = 900;
    const { stream, events } = await started(server, 10);
    await until(() => events.length === 1);
    expect(events).toEqual([{ type: 'resync', pts: 900 }]);
    expect(stream.pts).toBe(900);
    server.tooLong = false;
    stream.accept('updates.logged', wire([newMessage(901)]));
    await until(() => stream.pts === 901);
  });

  it('starts over from getState when the local pts is ahead of the log (PTS_INVALID)', async () => {
    const server = new FakeUpdateServer();
    server.state = 4;
    server.getDifference = async () => {
      throw new RpcError('PTS_INVALID', 400);
    };
    const { stream, events } = await started(server, 50);
    await until(() => events.length === 1);
    expect(events[0]).toEqual({ type: 'resync', pts: 4 });
    expect(stream.pts).toBe(4);
  });

  it('asks for the difference on request (new session, reconnect)', async () => {
    const server = new FakeUpdateServer();
    const { stream, events } = await started(server);
    server.log = [newMessage(1)];
    server.state = 1;
    stream.requestDifference();
    await until(() => events.length === 1);
    expect(server.differenceCalls).toEqual([0]);
  });

  it('reports incoming messages delivered with one messages.received for the highest id, not outgoing ones', async () => {
    const { stream, events, server } = await started();
    stream.accept('updates.logged', wire([newMessage(1, 10), newMessage(2, 11), newMessage(3, 12, SELF)]));
    await until(() => server.receipts.length > 0);
    await sleep(30);
    expect(server.receipts).toEqual([11]);
    expect(events.map((e) => e.type === 'new_message' && e.out)).toEqual([false, false, true]);
  });

  it('reports messages the app got from the chat list delivered in the same receipt, once, and nothing not above it', async () => {
    const { stream, server } = await started();
    stream.observeReceived(40);
    stream.observeReceived(42);
    await until(() => server.receipts.length > 0);
    await sleep(30);
    expect(server.receipts).toEqual([42]);
    // A reload of the list after a resync carrying nothing newer sends nothing more; a newer message does.
    stream.observeReceived(42);
    stream.observeReceived(30);
    await sleep(30);
    expect(server.receipts).toEqual([42]);
    stream.accept('updates.logged', wire([newMessage(1, 43)]));
    await until(() => server.receipts.length > 1);
    expect(server.receipts).toEqual([42, 43]);
  });

  it("applies the caller's own send at once and ignores the push with the same pts", async () => {
    const { stream, events } = await started();
    const sent = message(7, SELF, userPeer(2));
    stream.observeSent({ message: sent, pts: 1, pts_count: 1, channel: false }, false);
    await until(() => stream.pts === 1);
    stream.accept('updates.logged', wire([logged(1, { type: 'new_message', message: sent })]));
    await sleep(10);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'new_message', out: true, peer: { kind: 1, id: 2 } });
  });

  it('reports the random id of the user\u2019s own message, pushed, caught up or answered, and none where the entry has none', async () => {
    const server = new FakeUpdateServer();
    const ownEntry = (pts: number, id: number, randomId?: number): LoggedUpdate =>
      logged(pts, { type: 'new_message', message: message(id, SELF, userPeer(2)), ...(randomId === undefined ? {} : { random_id: randomId }) });
    server.log = [ownEntry(1, 20, 4242), ownEntry(2, 21)];
    server.state = 2;
    const { stream, events } = await started(server, 0);
    await until(() => stream.pts === 2);
    stream.accept('updates.logged', wire([ownEntry(3, 22, 4343)]));
    await until(() => stream.pts === 3);
    stream.observeSent({ message: message(23, SELF, userPeer(2)), pts: 4, pts_count: 1, channel: false }, false, 4444);
    await until(() => stream.pts === 4);
    expect(events.map((e) => (e.type === 'new_message' ? [e.message.id, e.randomId] : null))).toEqual([
      [20, 4242],
      [21, undefined],
      [22, 4343],
      [23, 4444],
    ]);
  });

  it('maps every logged update kind to its event', async () => {
    const { stream, events } = await started();
    stream.accept(
      'updates.logged',
      wire([
        logged(1, { type: 'edit_message', message: message(1) }),
        logged(3, { type: 'delete_messages', peer: userPeer(2), ids: [1, 2], unread_count: 0 }, 2),
        logged(4, { type: 'read_inbox', peer: userPeer(2), max_id: 5, still_unread: 1 }),
        logged(5, { type: 'read_outbox', peer: userPeer(2), max_id: 6 }),
        logged(6, { type: 'delivered', peer: userPeer(2), max_id: 6 }),
      ]),
    );
    await until(() => stream.pts === 6);
    expect(events).toEqual([
      { type: 'message_edited', pts: 1, message: message(1), peer: userPeer(2), out: false },
      { type: 'messages_deleted', pts: 3, peer: userPeer(2), ids: [1, 2], unreadCount: 0 },
      { type: 'read_inbox', pts: 4, peer: userPeer(2), maxId: 5, stillUnread: 1, unreadMentions: 0 },
      { type: 'read_outbox', pts: 5, peer: userPeer(2), maxId: 6 },
      { type: 'delivered', pts: 6, peer: userPeer(2), maxId: 6 },
    ]);
  });

  it("reports another device's sign-in, whose wire tag is the server union's 27, from the log", async () => {
    const signedIn: Update = { type: 'new_authorization', authorization_id: 12, device_name: 'Pixel 9', platform: 'android', client_address: '203.0.113.7', date: 1_733_097_600 };
    expect(fromUpdate(signedIn)[0]).toBe(27);
    const { stream, events } = await started();
    stream.accept('updates.logged', wire([logged(1, signedIn)]));
    await until(() => stream.pts === 1);
    expect(events).toEqual([
      { type: 'new_authorization', authorizationId: 12, deviceName: 'Pixel 9', platform: 'android', clientAddress: '203.0.113.7', date: 1_733_097_600, pts: 1 },
    ]);
  });

  it("reports an admin's open reports, whose wire tag is the server union's 29, from the log", async () => {
    const filed: Update = { type: 'open_reports', open: 2, latest: { id: 41, reason: 'spam', date: 1_733_097_600 } };
    const none: Update = { type: 'open_reports', open: 0, latest: null };
    expect(fromUpdate(filed)[0]).toBe(29);
    const { stream, events } = await started();
    stream.accept('updates.logged', wire([logged(1, filed), logged(2, none)]));
    await until(() => stream.pts === 2);
    expect(events).toEqual([
      { type: 'open_reports', open: 2, latest: { id: 41, reason: 'spam', date: 1_733_097_600 }, pts: 1 },
      { type: 'open_reports', open: 0, latest: null, pts: 2 },
    ]);
  });

  it("reports a change of the user's contacts, whose wire tag is the server union's 28, from the log", async () => {
    const added: Update = { type: 'contact', user_id: 5, contact: { user_id: 5, name: 'Bobby', mutual: true } };
    const removed: Update = { type: 'contact', user_id: 6, contact: null };
    expect(fromUpdate(added)[0]).toBe(28);
    const { stream, events } = await started();
    stream.accept('updates.logged', wire([logged(1, added), logged(2, removed)]));
    await until(() => stream.pts === 2);
    expect(events).toEqual([
      { type: 'contact', userId: 5, contact: { user_id: 5, name: 'Bobby', mutual: true }, pts: 1 },
      { type: 'contact', userId: 6, contact: null, pts: 2 },
    ]);
  });

  it('delivers ephemeral typing and status at once, without a position', async () => {
    const { stream, events } = await started();
    stream.accept('updates.ephemeral', encode(fromUpdate({ type: 'typing', peer: userPeer(2), user_id: 2, action: 'typing', expires_in: 6 })));
    stream.accept('updates.ephemeral', encode(fromUpdate({ type: 'user_status', user_id: 2, online: true, last_seen: 5 })));
    await until(() => events.length === 2);
    expect(events[0]).toMatchObject({ type: 'typing', userId: 2, action: 'typing', peer: userPeer(2) });
    expect(events[1]).toEqual({ type: 'user_status', userId: 2, online: true, lastSeen: 5, hidden: false });
    stream.accept('updates.ephemeral', encode(fromUpdate({ type: 'user_status', user_id: 2, online: false, last_seen: 0, hidden: true })));
    await until(() => events.length === 3);
    expect(events[2]).toEqual({ type: 'user_status', userId: 2, online: false, lastSeen: 0, hidden: true });
    expect(stream.pts).toBe(0);
  });

  it("follows a large group's own log and fills its gap with getChannelDifference", async () => {
    const server = new FakeUpdateServer();
    const { stream, events } = await started(server);
    const chat = { id: 9, kind: 3 as const, title: 'big', creator_id: 2, member_count: 300, date: 0, pts: 10 };
    stream.accept('updates.logged', wire([logged(1, { type: 'chat', chat, is_member: true })]));
    await until(() => stream.channelPts.get(9) === 10);
    const inChat = (pts: number) => logged(pts, { type: 'new_message', message: message(100 + pts, 2, chatPeer(9)) });
    server.channelLogs.set(9, [inChat(11), inChat(12), inChat(13)]);
    stream.accept('updates.channel', channelWire(9, [inChat(13)]));
    await until(() => stream.channelPts.get(9) === 13);
    expect(server.channelCalls).toEqual([[9, 10]]);
    const messages = events.filter((e) => e.type === 'new_message');
    expect(messages.map((e) => e.type === 'new_message' && [e.message.id, e.channelId, e.pts])).toEqual([
      [111, 9, 11],
      [112, 9, 12],
      [113, 9, 13],
    ]);
    // Large-group messages are not counted by messages.received.
    await sleep(20);
    expect(server.receipts).toEqual([]);
  });

  it('emits login_token_accepted from the session layer even before start', () => {
    const stream = new UpdateStream(new FakeUpdateServer(), { selfId: () => SELF });
    const events: MessengerEvent[] = [];
    stream.events.subscribe((e) => events.push(e));
    const signedIn = { user: { id: 3, username: 'u', display_name: 'U', bio: '' }, authorization_id: 4, is_admin: false };
    expect(stream.accept('auth.loginTokenAccepted', encode({ signed_in: signedIn }))).toBe(true);
    expect(events).toEqual([{ type: 'login_token_accepted', signedIn }]);
  });
});
