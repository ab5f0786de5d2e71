// The signed-in user's updates as clean events, in order, each once (Telegram's pts rules; mirrors
// Clients/Messenger.Client/UpdateStream.cs). A logged update applies when pts == local + pts_count; one at or below
// the local position is a duplicate; one beyond it opens a gap that waits a moment for the missing pushes, then is
// filled by updates.getDifference. Large groups keep a log of their own, tracked per chat and filled by
// updates.getChannelDifference. Incoming messages are reported delivered (messages.received) automatically.
import {
  PeerKind,
  RpcError,
  hasOwnLog,
  peerOf,
  type AffectedMessages,
  type ChannelDifference,
  type ChannelState,
  type Chat,
  type ChatChanged,
  type Difference,
  type MessengerEvent,
  type Peer,
  type SentMessage,
  type SignedIn,
  type Update,
  type UpdatesState,
} from '../api/types';
import { decodePayload, toLoggedUpdates, toUpdate } from './codec';
import { Emitter, type Subscribable } from './emitter';

/** The calls the stream makes; a seam so its rules can be tested without a server. */
export interface UpdateServer {
  getState(): Promise<UpdatesState>;
  getDifference(pts: number): Promise<Difference>;
  getChannelDifference(chatId: number, pts: number): Promise<ChannelDifference>;
  received(maxId: number): Promise<unknown>;
}

export interface UpdateStreamOptions {
  /** The signed-in user's id (decides `out` and the dialog peer of messages). */
  selfId: () => number;
  autoReceipt?: boolean;
  /** How long a gap may wait for the missing pushes before getDifference fills it. */
  gapWaitMs?: number;
  receiptDelayMs?: number;
  now?: () => number;
}

export const UpdateKinds = { Logged: 'updates.logged', Ephemeral: 'updates.ephemeral', Channel: 'updates.channel', LoginTokenAccepted: 'auth.loginTokenAccepted' } as const;

interface Entry {
  pts: number;
  ptsCount: number;
  update: Update | null;
}

interface ChannelLog {
  pts: number;
  buffer: Map<number, Entry>;
  due: number | null;
  requested: boolean;
  retryDelay: number;
}

type Input =
  | { kind: 'start'; pts: number | undefined; channelPts: Map<number, number>; done: (error?: unknown) => void }
  | { kind: 'push'; type: string; payload: Uint8Array }
  | { kind: 'own'; entry: Entry; channelId: number | null }
  | { kind: 'own_chat'; changed: ChatChanged; isMember: boolean }
  | { kind: 'resync' };

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
const RECENT_MESSAGE_IDS = 1024;

export class UpdateStream {
  private readonly emitter = new Emitter<MessengerEvent>();
  private readonly inputs: Input[] = [];
  private readonly now: () => number;
  private running = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  private localPts = -1;
  private readonly buffer = new Map<number, Entry>();
  private differenceDue: number | null = null;
  private differenceRequested = false;
  private retryDelay = FIRST_RETRY_MS;
  private readonly channels = new Map<number, ChannelLog>();
  private readonly leftChannels = new Set<number>();

  // Set by a start from the app's pts until the first catch-up lists the user's large groups: one listed then with no
  // position (none given in channelPts, none from a join in the catch-up) may have had posts while the app was closed
  // that the stream cannot report, so it says so (channel_resync) rather than skipping them silently. Meanwhile, the
  // large groups first known from a push or the user's own result are followed from that entry only, and the catch-up
  // says so for them too (as the SDK's UpdateStream does).
  private resumedWithoutChannelPositions = false;
  private readonly channelsOnlyPushed = new Set<number>();
  private readonly recentMessageIds: number[] = [];

  private receiptWanted = 0;
  private receiptSent = 0;
  private receiptRunning = false;

  constructor(
    private readonly server: UpdateServer,
    private readonly options: UpdateStreamOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Subscribe before `start`: events are not kept for late subscribers. */
  get events(): Subscribable<MessengerEvent> {
    return this.emitter;
  }

  /** The local position in the user's log (-1 before start). */
  get pts(): number {
    return this.localPts;
  }

  /** The local position in each tracked large group's own log. */
  get channelPts(): ReadonlyMap<number, number> {
    return new Map([...this.channels].map(([chatId, log]) => [chatId, log.pts]));
  }

  /**
   * Starts reporting: without `pts` from the log's current position (a fresh device replays no history; its large
   * groups are followed from their positions then, which `updates.getState` lists with it); with the pts the app
   * persisted it first reports what was missed since. `channelPts`: the positions the app persisted in its large groups'
   * own logs; a large group without one starts from its current position when the first catch-up lists it, with a
   * `channel_resync` (what was posted in it meanwhile is not reported). Calling it again starts over.
   */
  start(pts?: number, channelPts: ReadonlyMap<number, number> = new Map()): Promise<void> {
    this.stopped = false;
    return new Promise<void>((resolve, reject) => {
      this.input({ kind: 'start', pts, channelPts: new Map(channelPts), done: (error) => (error === undefined ? resolve() : reject(error)) });
    });
  }

  stop(): void {
    this.stopped = true;
    this.localPts = -1;
    clearTimeout(this.timer);
    this.inputs.length = 0;
  }

  /**
   * The app has incoming private-chat messages up to `maxId` by another way than the stream (the chat list read after
   * a start or a resync, which reports no events for what it carries): they are reported delivered as pushed ones are,
   * in the same debounced `messages.received` (the server ignores an id no higher than one reported before).
   */
  observeReceived(maxId: number): void {
    if (maxId > this.receiptSent) this.queueReceipt(maxId);
  }

  /**
   * The page is being hidden or closed: a receipt waiting out its delay goes now. Returns its id and the call (true once
   * the server answered), or null when none waits, for the app to keep the id until the server has it.
   */
  flushReceipt(): { maxId: number; sent: Promise<boolean> } | null {
    if (this.options.autoReceipt === false || this.receiptWanted <= this.receiptSent || this.stopped) return null;
    const maxId = this.receiptWanted;
    const sent = this.server.received(maxId).then(
      () => {
        this.receiptSent = Math.max(this.receiptSent, maxId);
        return true;
      },
      () => false,
    );
    return { maxId, sent };
  }

  /** Emits an event that does not come from the logs (e.g. the session layer's). */
  emit(event: MessengerEvent): void {
    this.emitter.emit(event);
  }

  /** A push from the session layer; false for kinds this stream does not handle. */
  accept(type: string, payload: Uint8Array): boolean {
    if (type === UpdateKinds.LoginTokenAccepted) {
      const { signed_in } = decodePayload(payload) as { signed_in: SignedIn };
      this.emitter.emit({ type: 'login_token_accepted', signedIn: signed_in });
      return true;
    }
    if (type !== UpdateKinds.Logged && type !== UpdateKinds.Ephemeral && type !== UpdateKinds.Channel) return false;
    this.input({ kind: 'push', type, payload });
    return true;
  }

  /** Pushes may have been lost (new session, reconnect): ask the server what changed. */
  requestDifference(): void {
    this.input({ kind: 'resync' });
  }

  /** The caller's own send or edit: the same change as the logged update with its pts (a send with the random id it went
   * with, as the user's own log entry carries it). An answer that took no position (a resend answered with the first
   * message) only tells where that log stands: one ahead of ours is a gap, filled by the difference (the first run's
   * push skipped the calling connection). */
  observeSent(sent: SentMessage, edited: boolean, randomId?: number): void {
    const update: Update | null =
      sent.pts_count === 0
        ? null
        : edited
          ? { type: 'edit_message', message: sent.message }
          : { type: 'new_message', message: sent.message, random_id: randomId ?? null };
    this.input({ kind: 'own', entry: { pts: sent.pts, ptsCount: sent.pts_count, update }, channelId: sent.channel ? sent.message.to_peer.id : null });
  }

  /** The caller's own change without a payload: it only moves the position. */
  observeAffected(affected: AffectedMessages, peer?: Peer): void {
    const channelId = affected.channel && peer?.kind === PeerKind.Chat ? peer.id : null;
    this.input({ kind: 'own', entry: { pts: affected.pts, ptsCount: affected.pts_count, update: null }, channelId });
  }

  /** The caller's own group change: moves the position of the log it refers to and starts or stops tracking. */
  observeChatChanged(changed: ChatChanged, isMember: boolean): void {
    this.input({ kind: 'own_chat', changed, isMember });
  }

  private input(input: Input): void {
    if (this.stopped && input.kind !== 'start') return;
    this.inputs.push(input);
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    clearTimeout(this.timer);
    try {
      while (!this.stopped || this.inputs.some((i) => i.kind === 'start')) {
        const { due, channelId } = this.nextDue();
        if (due !== null && due <= this.now()) {
          if (channelId !== null) await this.fetchChannelDifference(channelId);
          else await this.fetchDifference();
          continue;
        }
        const input = this.inputs.shift();
        if (!input) {
          if (due !== null) this.timer = setTimeout(() => void this.run(), due - this.now());
          return;
        }
        await this.process(input);
      }
    } finally {
      this.running = false;
    }
  }

  // The earliest fetch that is due: the user's log first, then the large groups' logs.
  private nextDue(): { due: number | null; channelId: number | null } {
    let next: { due: number | null; channelId: number | null } = { due: this.differenceDue, channelId: null };
    for (const [chatId, log] of this.channels) {
      if (log.due !== null && (next.due === null || log.due < next.due)) next = { due: log.due, channelId: chatId };
    }
    return next;
  }

  private async process(input: Input): Promise<void> {
    const started = this.localPts >= 0;
    switch (input.kind) {
      case 'start':
        return this.startFrom(input);
      // Before the start, pushes are left out: the start position already covers everything pushed until then.
      case 'push':
        if (started) this.acceptPush(input.type, input.payload);
        return;
      case 'own':
        if (!started) return;
        if (input.channelId !== null && input.entry.update === null && input.entry.ptsCount === 0 && !this.channels.has(input.channelId)) {
          // Only a position (a resend's answer) in a large group not followed yet: where to start following it is for the
          // user's log to say (the join or conversion not applied yet); started here, it would skip the posts up to it.
          this.requestDifferenceNow();
          return;
        }
        if (input.channelId !== null) {
          const log = this.channelFor(input.channelId, input.entry);
          if (log) {
            bufferInto(log.buffer, log.pts, input.entry);
            this.drainChannel(input.channelId, log);
          }
        } else {
          bufferInto(this.buffer, this.localPts, input.entry);
          this.drain();
        }
        return;
      case 'own_chat':
        if (started) this.observeChatResult(input.changed, input.isMember);
        return;
      case 'resync':
        if (started) this.requestDifferenceNow();
        return;
    }
  }

  private async startFrom(input: Extract<Input, { kind: 'start' }>): Promise<void> {
    try {
      const state = input.pts === undefined ? await this.server.getState() : null;
      this.buffer.clear();
      this.channels.clear();
      this.leftChannels.clear();
      this.channelsOnlyPushed.clear();
      for (const [chatId, channelPts] of input.channelPts) this.track(chatId, channelPts);
      this.recentMessageIds.length = 0;
      this.retryDelay = FIRST_RETRY_MS;
      this.resumedWithoutChannelPositions = input.pts !== undefined;
      // A fresh start follows the user's large groups from their positions in getState's answer, read with its pts: a
      // post after it is above them, pushed or not (one known only from its first push would skip what is posted in it
      // during an early connection drop; one listed by a later getDifference would drop a post pushed before that).
      this.syncChannels(state?.channels);
      this.differenceRequested = input.pts !== undefined;
      this.differenceDue = input.pts !== undefined ? this.now() : null;
      this.localPts = input.pts ?? state!.pts;
      input.done();
    } catch (error) {
      input.done(error ?? new Error('start failed'));
    }
  }

  private acceptPush(type: string, payload: Uint8Array): void {
    try {
      const raw = decodePayload(payload);
      if (type === UpdateKinds.Ephemeral) {
        this.emitEphemeral(toUpdate(raw));
        return;
      }
      if (type === UpdateKinds.Channel) {
        const pushed = raw as { chat_id: number; updates: Parameters<typeof toLoggedUpdates>[0] };
        const entries = toLoggedUpdates(pushed.updates).map(toEntry).sort((a, b) => a.pts - b.pts);
        const log = entries.length > 0 ? this.channelFor(pushed.chat_id, entries[0]!) : null;
        if (log) {
          for (const entry of entries) bufferInto(log.buffer, log.pts, entry);
          this.drainChannel(pushed.chat_id, log);
        }
        return;
      }
      for (const entry of toLoggedUpdates((raw as { updates: Parameters<typeof toLoggedUpdates>[0] }).updates).map(toEntry)) {
        bufferInto(this.buffer, this.localPts, entry);
      }
    } catch {
      // An unreadable push is as good as a lost one: the next push shows the gap and getDifference fills it.
      return;
    }
    this.drain();
  }

  // Applies what fits the local position; what stays means a gap, which gets a deadline to be filled by pushes.
  private drain(): void {
    takeContiguous(this.buffer, this.localPts, (next) => {
      this.apply(next);
      return true;
    });
    if (this.buffer.size > 0) this.differenceDue ??= this.now() + (this.options.gapWaitMs ?? 500);
    else if (!this.differenceRequested) this.differenceDue = null;
  }

  private async fetchDifference(): Promise<void> {
    try {
      await this.catchUp();
    } catch {
      if (this.stopped) return;
      this.differenceRequested = true;
      this.differenceDue = this.now() + this.retryDelay;
      this.retryDelay = Math.min(MAX_RETRY_MS, this.retryDelay * 2);
      return;
    }
    this.differenceRequested = false;
    this.retryDelay = FIRST_RETRY_MS;
    this.drain();
    // The difference covers the log up to the server's state, which includes every push held before the fetch;
    // what still does not fit would only trigger the same fetch again.
    this.buffer.clear();
    this.differenceDue = null;
  }

  private async catchUp(): Promise<void> {
    try {
      let difference: Difference;
      do {
        difference = await this.server.getDifference(this.localPts);
        if (this.stopped) return;
        if (difference.too_long) {
          this.resync(difference.state.pts);
          this.syncChannels(difference.channels);
          return;
        }
        for (const update of [...difference.updates].sort((a, b) => a.pts - b.pts)) {
          if (update.pts > this.localPts) this.apply(toEntry(update));
        }
        if (difference.state.pts > this.localPts) this.localPts = difference.state.pts;
      } while (difference.slice);
      this.syncChannels(difference.channels);
    } catch (error) {
      // The local pts is ahead of the log (a wrong persisted pts, or the server lost its log): start over.
      if (!(error instanceof RpcError) || error.name !== 'PTS_INVALID') throw error;
      const state = await this.server.getState();
      if (this.stopped) return;
      this.resync(state.pts);
      this.syncChannels(state.channels);
    }
  }

  private resync(pts: number): void {
    // resync already tells the app to refetch everything, its large groups' history with it.
    this.resumedWithoutChannelPositions = false;
    this.channelsOnlyPushed.clear();
    this.localPts = pts;
    this.emitter.emit({ type: 'resync', pts });
  }

  private apply(entry: Entry): void {
    this.localPts = entry.pts;
    this.report(entry, null);
  }

  // Reports one applied entry of the user's log (channelId null) or of a large group's own log.
  private report(entry: Entry, channelId: number | null): void {
    const update = entry.update;
    if (!update) return;
    const selfId = this.options.selfId();
    const base = channelId === null ? { pts: entry.pts } : { pts: entry.pts, channelId };
    switch (update.type) {
      case 'new_message': {
        const message = update.message;
        if (this.recentMessageIds.includes(message.id)) return;
        this.recentMessageIds.push(message.id);
        if (this.recentMessageIds.length > RECENT_MESSAGE_IDS) this.recentMessageIds.shift();
        const out = message.from_id === selfId;
        const sentWith = typeof update.random_id === 'number' ? { randomId: update.random_id } : {};
        this.emitter.emit({ type: 'new_message', message, peer: peerOf(message, selfId), out, ...sentWith, ...base });
        // Receipts are about the user's own log; a large group's messages are not counted.
        if (!out && channelId === null) this.queueReceipt(message.id);
        return;
      }
      case 'edit_message':
        this.emitter.emit({ type: 'message_edited', message: update.message, peer: peerOf(update.message, selfId), out: update.message.from_id === selfId, ...base });
        return;
      case 'delete_messages':
        this.emitter.emit({ type: 'messages_deleted', peer: update.peer, ids: update.ids, unreadCount: update.unread_count ?? null, ...base });
        return;
      case 'read_inbox':
        this.emitter.emit({
          type: 'read_inbox',
          peer: update.peer,
          maxId: update.max_id,
          stillUnread: update.still_unread,
          unreadMentions: update.unread_mentions ?? 0,
          ...base,
        });
        return;
      case 'read_outbox':
        this.emitter.emit({ type: 'read_outbox', peer: update.peer, maxId: update.max_id, ...base });
        return;
      case 'delivered':
        this.emitter.emit({ type: 'delivered', peer: update.peer, maxId: update.max_id, ...base });
        return;
      case 'chat':
        this.onChatUpdate(update.chat, update.is_member);
        this.emitter.emit({ type: 'chat_updated', chat: update.chat, isMember: update.is_member, ...base });
        return;
      case 'pinned_message':
        this.emitter.emit({
          type: 'message_pinned',
          peer: update.peer,
          message: update.message,
          ids: update.ids ?? null,
          pinned: update.pinned ?? false,
          // An entry from before the list (no ids; the server reads it back with count 0): its message was the only pin.
          count: update.ids ? (update.count ?? 0) : update.message ? 1 : 0,
          ...base,
        });
        return;
      case 'message_reactions':
        this.emitter.emit({
          type: 'message_reactions',
          peer: update.peer,
          messageId: update.msg_id,
          userId: update.user_id,
          reaction: update.reaction,
          reactions: update.reactions,
          ...base,
        });
        return;
      case 'message_poll':
        this.emitter.emit({
          type: 'message_poll',
          peer: update.peer,
          messageId: update.msg_id,
          counts: update.counts,
          voters: update.voters,
          closed: update.closed,
          myChoices: update.my_choices,
          correctOption: update.correct_option ?? null,
          solution: update.solution ?? null,
          ...base,
        });
        return;
      case 'scheduled_messages':
        this.emitter.emit({ type: 'scheduled_messages', peer: update.peer, messages: update.messages, ...base });
        return;
      case 'dialog_pinned':
        this.emitter.emit({ type: 'dialog_pinned', peer: update.peer, pinned: update.pinned, ...base });
        return;
      case 'dialog_archived':
        this.emitter.emit({ type: 'dialog_archived', peer: update.peer, archived: update.archived, ...base });
        return;
      case 'dialog_unread_mark':
        this.emitter.emit({ type: 'dialog_unread_mark', peer: update.peer, unread: update.unread, ...base });
        return;
      case 'read_thread':
        this.emitter.emit({
          type: 'read_thread',
          peer: update.peer,
          messageId: update.msg_id,
          readMaxId: update.read_max_id,
          topic: !!update.topic,
          ...base,
        });
        return;
      case 'dialog_filter':
        this.emitter.emit({ type: 'dialog_filter', id: update.id, filter: update.filter, ...base });
        return;
      case 'pending_join_requests':
        this.emitter.emit({ type: 'pending_join_requests', chatId: update.chat_id, count: update.count, recentRequesters: update.recent_requesters, ...base });
        return;
      case 'dialog_filter_order':
        this.emitter.emit({ type: 'dialog_filter_order', order: update.order, ...base });
        return;
      case 'draft_message':
        this.emitter.emit({ type: 'draft', peer: update.peer, draft: update.draft, ...base });
        return;
      case 'notify_settings':
        this.emitter.emit({ type: 'notify_settings', peer: update.peer, muteUntil: update.mute_until, topicId: update.topic_id ?? null, ...base });
        return;
      case 'new_authorization':
        this.emitter.emit({
          type: 'new_authorization',
          authorizationId: update.authorization_id,
          deviceName: update.device_name,
          platform: update.platform,
          clientAddress: update.client_address,
          date: update.date,
          ...base,
        });
        return;
      case 'contact':
        this.emitter.emit({ type: 'contact', userId: update.user_id, contact: update.contact, ...base });
        return;
      case 'open_reports':
        this.emitter.emit({ type: 'open_reports', open: update.open, latest: update.latest, ...base });
        return;
      case 'secret_chat':
        this.emitter.emit({ type: 'secret_chat', chat: update.chat, ...base });
        return;
      case 'new_encrypted_message':
        this.emitter.emit({ type: 'new_encrypted_message', message: update.message, ...base });
        return;
      case 'encrypted_read':
        this.emitter.emit({ type: 'encrypted_read', chatId: update.chat_id, maxDate: update.max_date, date: update.date, ...base });
        return;
      default:
        this.emitEphemeral(update);
    }
  }

  private emitEphemeral(update: Update): void {
    if (update.type === 'typing') {
      this.emitter.emit({ type: 'typing', peer: update.peer, userId: update.user_id, action: update.action, expiresAt: this.now() + update.expires_in * 1000 });
    } else if (update.type === 'user') {
      this.emitter.emit({ type: 'user_updated', user: update.user });
    } else if (update.type === 'user_status') {
      this.emitter.emit({ type: 'user_status', userId: update.user_id, online: update.online, lastSeen: update.last_seen, hidden: !!update.hidden });
    } else if (update.type === 'phone_call') {
      this.emitter.emit({ type: 'phone_call', call: update.call });
    } else if (update.type === 'phone_signal') {
      this.emitter.emit({ type: 'phone_signal', callId: update.call_id, fromId: update.from_id, data: update.data });
    } else if (update.type === 'group_call') {
      this.emitter.emit({ type: 'group_call', call: update.call });
    } else if (update.type === 'encrypted_typing') {
      this.emitter.emit({ type: 'encrypted_typing', chatId: update.chat_id, userId: update.user_id });
    } else if (update.type === 'group_call_signal') {
      this.emitter.emit({ type: 'group_call_signal', callId: update.call_id, fromId: update.from_id, data: update.data });
    }
  }

  // ---- Large groups' own logs ----

  // A chat update from the user's log: joined (or the chat became large) starts tracking at the chat's position when not
  // tracked yet, and reads the group's difference from there once: a post whose push came before this entry (ignored
  // while the chat was left) is fetched rather than lost, and so is the service message that added the user when the
  // position is the one before it. Left or removed stops it.
  private onChatUpdate(chat: Chat, isMember: boolean): void {
    if (!isMember) this.untrack(chat.id, true);
    else if (hasOwnLog(chat) && !this.channels.has(chat.id)) this.requestChannel(this.track(chat.id, chat.pts));
  }

  private observeChatResult(changed: ChatChanged, isMember: boolean): void {
    if (!changed.channel) {
      bufferInto(this.buffer, this.localPts, { pts: changed.pts, ptsCount: changed.pts_count, update: null });
      this.drain();
      if (!isMember) this.untrack(changed.chat.id, true);
      return;
    }
    if (!isMember) {
      this.untrack(changed.chat.id, true);
      return;
    }
    this.leftChannels.delete(changed.chat.id);
    const entry: Entry = {
      pts: changed.pts,
      ptsCount: changed.pts_count,
      update: changed.message ? { type: 'new_message', message: changed.message } : null,
    };
    const log = this.channelFor(changed.chat.id, entry);
    if (log) {
      bufferInto(log.buffer, log.pts, entry);
      this.drainChannel(changed.chat.id, log);
    }
  }

  // The tracked log of the chat; an unknown chat (a push or own result before anything else told of it) starts just
  // before the entry and reads its difference from there once (what was not pushed, or came before this, is fetched);
  // a chat the user left stays ignored.
  private channelFor(chatId: number, first: Entry): ChannelLog | null {
    const log = this.channels.get(chatId);
    if (log) return log;
    if (this.leftChannels.has(chatId)) return null;
    if (this.resumedWithoutChannelPositions) this.channelsOnlyPushed.add(chatId);
    return this.requestChannel(this.track(chatId, Math.max(0, first.pts - first.ptsCount)));
  }

  // Asks for the user's log's difference now, as requestChannel does for a chat's.
  private requestDifferenceNow(): void {
    this.differenceRequested = true;
    this.differenceDue = this.now();
  }

  // Asks for the chat's difference now (the run loop fetches it before the next input).
  private requestChannel(log: ChannelLog): ChannelLog {
    log.requested = true;
    log.due = this.now();
    return log;
  }

  private track(chatId: number, pts: number): ChannelLog {
    this.leftChannels.delete(chatId);
    const log: ChannelLog = { pts, buffer: new Map(), due: null, requested: false, retryDelay: FIRST_RETRY_MS };
    this.channels.set(chatId, log);
    return log;
  }

  private untrack(chatId: number, left: boolean): void {
    this.channels.delete(chatId);
    this.channelsOnlyPushed.delete(chatId);
    if (left) this.leftChannels.add(chatId);
  }

  // The user's large groups as the last getDifference (or a fresh start's getState) answer lists them: unknown ones are
  // recorded at their position, ones ahead of the local position fetch their difference, ones not listed are no longer
  // the user's.
  private syncChannels(listed: ChannelState[] | null | undefined): void {
    if (!listed) return;
    const resumed = this.resumedWithoutChannelPositions;
    this.resumedWithoutChannelPositions = false;
    for (const state of listed) {
      const log = this.channels.get(state.chat_id);
      if (!log) {
        this.track(state.chat_id, state.pts);
        if (resumed) this.emitter.emit({ type: 'channel_resync', chatId: state.chat_id, pts: state.pts });
        continue;
      }
      // Followed on from where the push left it: later posts are still reported, earlier ones cannot be.
      if (resumed && this.channelsOnlyPushed.has(state.chat_id)) this.emitter.emit({ type: 'channel_resync', chatId: state.chat_id, pts: log.pts });
      if (state.pts > log.pts) this.requestChannel(log);
    }
    this.channelsOnlyPushed.clear();
    const ids = new Set(listed.map((s) => s.chat_id));
    for (const chatId of [...this.channels.keys()]) if (!ids.has(chatId)) this.untrack(chatId, false);
  }

  private drainChannel(chatId: number, log: ChannelLog): void {
    // Reporting can end the tracking (the user left the group), as can a difference fetched before this: what is
    // left then is not ours to apply.
    if (this.channels.has(chatId)) {
      takeContiguous(log.buffer, log.pts, (next) => {
        log.pts = next.pts;
        this.report(next, chatId);
        return this.channels.has(chatId);
      });
    }
    if (log.buffer.size > 0) log.due ??= this.now() + (this.options.gapWaitMs ?? 500);
    else if (!log.requested) log.due = null;
  }

  private async fetchChannelDifference(chatId: number): Promise<void> {
    const log = this.channels.get(chatId)!;
    log.requested = true;
    try {
      let difference: ChannelDifference;
      do {
        difference = await this.server.getChannelDifference(chatId, log.pts);
        if (this.stopped) return;
        if (difference.too_long) {
          log.pts = difference.pts;
          this.emitter.emit({ type: 'channel_resync', chatId, pts: difference.pts });
          break;
        }
        for (const update of [...difference.updates].sort((a, b) => a.pts - b.pts)) {
          if (update.pts > log.pts) {
            log.pts = update.pts;
            this.report(toEntry(update), chatId);
          }
        }
        if (difference.pts > log.pts) log.pts = difference.pts;
      } while (difference.slice);
    } catch (error) {
      if (error instanceof RpcError && error.name === 'CHAT_NOT_FOUND') {
        // No longer a member (or the chat is gone): nothing more to read from it.
        this.untrack(chatId, true);
        return;
      }
      log.due = this.now() + log.retryDelay;
      log.retryDelay = Math.min(MAX_RETRY_MS, log.retryDelay * 2);
      return;
    }
    log.requested = false;
    log.retryDelay = FIRST_RETRY_MS;
    this.drainChannel(chatId, log);
    log.buffer.clear();
    log.due = null;
  }

  // One messages.received in flight at a time, for the highest incoming id seen when it goes out.
  private queueReceipt(messageId: number): void {
    if (this.options.autoReceipt === false) return;
    this.receiptWanted = Math.max(this.receiptWanted, messageId);
    if (this.receiptRunning) return;
    this.receiptRunning = true;
    void this.sendReceipts();
  }

  private async sendReceipts(): Promise<void> {
    let retryDelay = FIRST_RETRY_MS;
    try {
      while (this.receiptWanted > this.receiptSent && !this.stopped) {
        await new Promise((resolve) => setTimeout(resolve, this.options.receiptDelayMs ?? 100));
        const maxId = this.receiptWanted;
        try {
          await this.server.received(maxId);
        } catch (error) {
          // Timed out (an outage longer than the call's limit), a flood wait, the server busy: tried again after a
          // back-off (1 s doubling up to 30 s, or the wait asked for). Nothing else sends it — a reconnect's resync
          // reports no new message — and until it goes, the sender never sees the message delivered. Refused for good
          // (signed out, the client closed): left.
          if (!retriesReceipt(error) || this.stopped) return;
          const wait = error instanceof RpcError && error.retryAfter !== undefined ? error.retryAfter * 1000 : retryDelay;
          retryDelay = Math.min(MAX_RETRY_MS, retryDelay * 2);
          await new Promise((resolve) => setTimeout(resolve, wait));
          continue;
        }
        retryDelay = FIRST_RETRY_MS;
        this.receiptSent = maxId;
      }
    } finally {
      this.receiptRunning = false;
    }
  }
}

// A receipt is tried again after a timeout, a flood wait or a server error; not when refused (4xx) or closed.
function retriesReceipt(error: unknown): boolean {
  if (!(error instanceof RpcError)) return false;
  if (error.code === 0) return error.name === 'TIMEOUT';
  return error.code === 420 || error.code >= 500;
}

const toEntry = (update: { pts: number; pts_count: number; update: Update }): Entry => ({ pts: update.pts, ptsCount: update.pts_count, update: update.update });

// Takes buffered entries in pts order from position `pts`: drops those already applied, hands on each one that
// continues the position (`apply` returns false to stop), and stops at the first gap, which stays buffered.
function takeContiguous(buffer: Map<number, Entry>, pts: number, apply: (entry: Entry) => boolean): void {
  for (const key of [...buffer.keys()].sort((a, b) => a - b)) {
    const next = buffer.get(key)!;
    if (next.pts <= pts) {
      buffer.delete(key);
      continue;
    }
    if (pts + next.ptsCount !== next.pts) return;
    buffer.delete(key);
    pts = next.pts;
    if (!apply(next)) return;
  }
}

// A push carries the payload; the caller's own result for the same pts may not (AffectedMessages).
function bufferInto(buffer: Map<number, Entry>, localPts: number, entry: Entry): void {
  if (entry.pts <= localPts) return;
  const held = buffer.get(entry.pts);
  if (!held || held.update === null) buffer.set(entry.pts, entry);
}
