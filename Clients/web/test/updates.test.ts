import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { RpcError, userPeer, chatPeer, type ChannelDifference, type ChannelState, type Chat, type Difference, type LoggedUpdate, type Message, type MessengerEvent, type Update } from '../src/api/types';
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
  /** The user's large groups as getState and the last getDifference answer list them: these, or else each of
   * `channelLogs` at its end (as the real server lists them). */
  channels: ChannelState[] | null = null;
  /** While set, getDifference answers only once it settles (a fetch in flight). */
  differenceGate: Promise<void> | null = null;

  private listed(): ChannelState[] | null {
    if (this.channels || this.channelLogs.size === 0) return this.channels;
    return [...this.channelLogs].map(([chatId, log]) => ({ chat_id: chatId, pts: log.at(-1)?.pts ?? 0 }));
  }

  async getState() {
    return { pts: this.state, date: 0, channels: this.listed() };
  }

  async getDifference(pts: number): Promise<Difference> {
    this.differenceCalls.push(pts);
    if (this.differenceGate) await this.differenceGate;
    if (this.tooLong) return { updates: [], state: { pts: this.state, date: 0 }, slice: false, too_long: true, channels: this.listed() };
    const after = this.log.filter((u) => u.pts > pts);
    const slice = after.slice(0, this.sliceSize);
    const more = after.length > slice.length;
    return { updates: slice, state: { pts: more ? slice.at(-1)!.pts : this.state, date: 0 }, slice: more, too_long: false, channels: more ? null : this.listed() };
  }

  async getChannelDifference(chatId: number, pts: number): Promise<ChannelDifference> {
    this.channelCalls.push([chatId, pts]);
    const log = this.channelLogs.get(chatId) ?? [];
    return { chat_id: chatId, updates: log.filter((u) => u.pts > pts), pts: log.at(-1)?.pts ?? pts, slice: false, too_long: false };
  }

  /** Thrown by the next messages.received calls, one each (none reaches `receipts`). */
  receiptFailures: Error[] = [];
  receiptAttempts = 0;

  async received(maxId: number) {
    this.receiptAttempts++;
    const failure = this.receiptFailures.shift();
    if (failure) throw failure;
    this.receipts.push(maxId);
    return [];
  }
}

async function started(server = new FakeUpdateServer(), pts?: number, channelPts?: ReadonlyMap<number, number>) {
  const stream = new UpdateStream(server, { selfId: () => SELF, gapWaitMs: 30, receiptDelayMs: 5 });
  const events: MessengerEvent[] = [];
  stream.events.subscribe((e) => events.push(e));
  await stream.start(pts, channelPts);
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

  it('sends a receipt again after a timeout or a server error, and not after a refusal', async () => {
    const { stream, server } = await started();
    // An outage longer than the call's limit, then the server busy: the receipt still goes once it can.
    server.receiptFailures.push(new RpcError('TIMEOUT', 0), new RpcError('INTERNAL', 500));
    stream.accept('updates.logged', wire([newMessage(1, 10)]));
    await until(() => server.receipts.length > 0, 10_000);
    expect(server.receipts).toEqual([10]);
    expect(server.receiptAttempts).toBe(3);

    // Refused (signed out): not tried again until the next message.
    server.receiptFailures.push(new RpcError('AUTH_KEY_UNREGISTERED', 401));
    stream.accept('updates.logged', wire([newMessage(2, 11)]));
    await until(() => server.receiptAttempts === 4);
    await sleep(1_200);
    expect(server.receiptAttempts).toBe(4);
    expect(server.receipts).toEqual([10]);
  }, 15_000);

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
    // Joining reads the group's difference from the chat's position once (nothing there yet).
    await until(() => server.channelCalls.length === 1);
    const inChat = (pts: number) => logged(pts, { type: 'new_message', message: message(100 + pts, 2, chatPeer(9)) });
    server.channelLogs.set(9, [inChat(11), inChat(12), inChat(13)]);
    stream.accept('updates.channel', channelWire(9, [inChat(13)]));
    await until(() => stream.channelPts.get(9) === 13);
    expect(server.channelCalls).toEqual([[9, 10], [9, 10]]);
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

  it("fetches a large group's post its own resend was answered with (no position taken, the group's log ahead), and a push at that pts wins over the answer", async () => {
    const server = new FakeUpdateServer();
    const inChat = (pts: number, from = SELF) => logged(pts, { type: 'new_message', message: message(100 + pts, from, chatPeer(9)) });
    server.channelLogs.set(9, [inChat(10, 2)]);
    const { stream, events } = await started(server);
    await until(() => stream.channelPts.get(9) === 10);
    // The first run's answer was lost and its push skipped this connection: only the resend's answer tells of pts 11.
    server.channelLogs.set(9, [inChat(10, 2), inChat(11)]);
    stream.observeSent({ message: message(111, SELF, chatPeer(9)), pts: 11, pts_count: 0, channel: true }, false, 5151);
    await until(() => stream.channelPts.get(9) === 11);
    expect(server.channelCalls).toEqual([[9, 10]]);
    expect(events.filter((e) => e.type === 'new_message').map((e) => e.type === 'new_message' && [e.message.id, e.pts])).toEqual([[111, 11]]);

    // Answered again while the push of pts 12 is on its way: the push is applied as it comes, not held behind the answer.
    stream.observeSent({ message: message(111, SELF, chatPeer(9)), pts: 12, pts_count: 0, channel: true }, false, 5151);
    stream.accept('updates.channel', channelWire(9, [inChat(12, 2)]));
    await until(() => stream.channelPts.get(9) === 12);
    expect(server.channelCalls).toEqual([[9, 10]]);
  });

  it("reads the user's log, not the group's from its own answer, for a resend answered in a large group not followed yet", async () => {
    const server = new FakeUpdateServer();
    const { stream, events } = await started(server);
    const chat = { id: 9, kind: 3 as const, title: 'big', creator_id: 2, member_count: 300, date: 0, pts: 5 };
    const inChat = (pts: number, from = 2) => logged(pts, { type: 'new_message', message: message(100 + pts, from, chatPeer(9)) });
    server.log = [logged(1, { type: 'chat', chat, is_member: true })];
    server.state = 1;
    server.channelLogs.set(9, [inChat(6), inChat(7), inChat(8, SELF)]);
    // The answer overtook the join's push: it must not start the group at its own position (posts 6 and 7 skipped).
    stream.observeSent({ message: message(108, SELF, chatPeer(9)), pts: 8, pts_count: 0, channel: true }, false, 5151);
    await until(() => stream.channelPts.get(9) === 8);
    expect(server.differenceCalls).toEqual([0]);
    expect(ids(events)).toEqual([106, 107, 108]);
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

const GROUP = 9;
const inGroup = (pts: number, id = 100 + pts): LoggedUpdate => logged(pts, { type: 'new_message', message: message(id, 2, chatPeer(GROUP)) });
const largeChat = (pts: number): Chat => ({ id: GROUP, kind: 3, title: 'big', creator_id: 2, member_count: 300, date: 0, pts });
const texts = (events: MessengerEvent[]) => events.flatMap((e) => (e.type === 'new_message' ? [e.message.text] : []));

describe("update stream: the user's large groups", () => {
  it('follows the large groups getState lists from a fresh start: a post made while the link was down is reported', async () => {
    const server = new FakeUpdateServer();
    server.state = 5;
    server.channelLogs.set(GROUP, [inGroup(10)]);
    const { stream, events } = await started(server);
    expect(stream.channelPts.get(GROUP)).toBe(10);

    // The link drops; a post in the group is pushed to nobody; the reconnect asks for the difference.
    server.channelLogs.get(GROUP)!.push(inGroup(11));
    stream.requestDifference();
    await until(() => stream.channelPts.get(GROUP) === 11);
    await sleep(20);

    expect(texts(events)).toEqual(['m111']);
    expect(server.channelCalls).toEqual([[GROUP, 10]]);
  });

  it('reports a large group post pushed while a getDifference is in flight, after a fresh start', async () => {
    const server = new FakeUpdateServer();
    server.state = 5;
    server.channelLogs.set(GROUP, [inGroup(10)]);
    const { stream, events } = await started(server);

    // A difference is asked for (a new session, say) and answered only after the group's next post is made and pushed.
    let open!: () => void;
    server.differenceGate = new Promise<void>((resolve) => (open = resolve));
    stream.requestDifference();
    await until(() => server.differenceCalls.length === 1);
    server.channelLogs.get(GROUP)!.push(inGroup(11));
    stream.accept('updates.channel', channelWire(GROUP, [inGroup(11)]));
    open();
    await until(() => stream.channelPts.get(GROUP) === 11);
    await sleep(20);

    expect(texts(events)).toEqual(['m111']);
  });

  it('reports the older posts of a batch whose pushes came newest first, in a group no push had reached since the start', async () => {
    const server = new FakeUpdateServer();
    server.state = 5;
    server.channelLogs.set(GROUP, [inGroup(10)]);
    const { stream, events } = await started(server);
    server.channelLogs.get(GROUP)!.push(inGroup(11), inGroup(12), inGroup(13));

    stream.accept('updates.channel', channelWire(GROUP, [inGroup(13)]));
    stream.accept('updates.channel', channelWire(GROUP, [inGroup(12)]));
    stream.accept('updates.channel', channelWire(GROUP, [inGroup(11)]));
    await until(() => stream.channelPts.get(GROUP) === 13);
    await sleep(20);

    expect(texts(events)).toEqual(['m111', 'm112', 'm113']);
  });

  it('starts over from getState with the large groups it lists when the local pts is ahead of the log (PTS_INVALID)', async () => {
    const server = new FakeUpdateServer();
    server.state = 4;
    server.channelLogs.set(GROUP, [inGroup(10)]);
    const getDifference = server.getDifference.bind(server);
    server.getDifference = async (pts) => {
      if (pts > server.state) throw new RpcError('PTS_INVALID', 400);
      return getDifference(pts);
    };
    const { stream, events } = await started(server, 50);
    await until(() => events.length === 1);
    expect(events[0]).toEqual({ type: 'resync', pts: 4 });
    // The resync says to refetch everything: no channel_resync besides it.
    expect(stream.channelPts.get(GROUP)).toBe(10);

    // A post made while the link is down, found by the reconnect's difference.
    server.channelLogs.get(GROUP)!.push(inGroup(11));
    stream.requestDifference();
    await until(() => stream.channelPts.get(GROUP) === 11);
    await sleep(20);
    expect(texts(events)).toEqual(['m111']);
    expect(events.filter((e) => e.type === 'channel_resync')).toEqual([]);
  });

  it('resumed from a pts, says channel_resync for each large group first listed without a position, and for one first known from a push', async () => {
    const server = new FakeUpdateServer();
    server.state = 5;
    server.channelLogs.set(GROUP, [inGroup(10)]);
    const inEight = (pts: number) => logged(pts, { type: 'new_message', message: message(200 + pts, 2, chatPeer(8)) });
    server.channelLogs.set(8, [inEight(3), inEight(4)]);
    server.channelLogs.set(7, [logged(20, { type: 'new_message', message: message(320, 2, chatPeer(7)) })]);
    // The first catch-up fails, and a push of group 7 comes before the retry.
    const getDifference = server.getDifference.bind(server);
    let failures = 1;
    server.getDifference = async (pts) => {
      if (failures-- > 0) throw new Error('link down');
      return getDifference(pts);
    };
    const { stream, events } = await started(server, 5, new Map([[8, 3]]));
    stream.accept('updates.channel', channelWire(7, [logged(21, { type: 'new_message', message: message(321, 2, chatPeer(7)) })]));
    // The reconnect: the retry goes now.
    stream.requestDifference();
    await until(() => stream.channelPts.get(GROUP) === 10 && stream.channelPts.get(8) === 4);

    // In the list's order; group 8 was given its position, so what was posted in it meanwhile is read, not resynced.
    expect(events.filter((e) => e.type === 'channel_resync')).toEqual([
      { type: 'channel_resync', chatId: GROUP, pts: 10 },
      { type: 'channel_resync', chatId: 7, pts: 21 },
    ]);
    expect(texts(events)).toEqual(['m321', 'm204']);
    expect([...stream.channelPts].sort()).toEqual([[7, 21], [8, 4], [GROUP, 10]]);
  });

  it('added back to a large group, reads its difference from the join: a post whose push came while the chat was left is reported', async () => {
    const server = new FakeUpdateServer();
    server.state = 5;
    server.channelLogs.set(GROUP, [inGroup(5)]);
    const { stream, events } = await started(server);
    stream.accept('updates.logged', wire([logged(6, { type: 'chat', chat: largeChat(6), is_member: false })]));
    await until(() => !stream.channelPts.has(GROUP) && stream.pts === 6);

    // Added back: the add's service message is the group's entry 7, its chat update (user log 7) carries the chat at 6,
    // the position before it; another member's post, entry 8, was pushed before it, while the chat was still left.
    server.channelLogs.get(GROUP)!.push(inGroup(6), inGroup(7), inGroup(8));
    stream.accept('updates.channel', channelWire(GROUP, [inGroup(8)]));
    stream.accept('updates.channel', channelWire(GROUP, [inGroup(7)]));
    stream.accept('updates.logged', wire([logged(7, { type: 'chat', chat: largeChat(6), is_member: true })]));
    await until(() => stream.channelPts.get(GROUP) === 8);
    await sleep(20);

    expect(texts(events)).toEqual(['m107', 'm108']);
    expect(server.channelCalls).toEqual([[GROUP, 6]]);
  });

  it("joined back on this tab, reads the group's difference from before its own service message: a post pushed while the chat was left is reported", async () => {
    const server = new FakeUpdateServer();
    server.state = 5;
    server.channelLogs.set(GROUP, [inGroup(5)]);
    const { stream, events } = await started(server);
    stream.observeChatChanged({ chat: largeChat(6), pts: 6, pts_count: 1, channel: true, message: null }, false);
    await until(() => !stream.channelPts.has(GROUP));

    // Joined again by invite: the service message is entry 7; a post, entry 8, is pushed before the call's answer.
    server.channelLogs.get(GROUP)!.push(inGroup(6), inGroup(7), inGroup(8));
    stream.accept('updates.channel', channelWire(GROUP, [inGroup(8)]));
    stream.observeChatChanged({ chat: largeChat(7), pts: 7, pts_count: 1, channel: true, message: message(107, SELF, chatPeer(GROUP)) }, true);
    await until(() => stream.channelPts.get(GROUP) === 8);
    await sleep(20);

    expect(texts(events)).toEqual(['m107', 'm108']);
  });
});
