// Secret chats on this device: requests and their key pairs, the automatic acceptance, decrypting and storing what
// arrives, read receipts, self-destruct timers, "delete for both" and the endings (docs/secret-chats.md). It keeps
// everything in a SecretStore and says what changed through `onChange`; the UI (ui/secret.ts) reads the store again.
// Updates are handled one at a time, in order; the server's answers are fed back the same way. A chat's keys change
// every 100 messages or 7 days (secretRekey.ts): every step reads and writes the stored chat in one transaction, so
// the tabs of a browser (one device, one database) take each step once and never encrypt with keys another tab
// replaced.
import { RpcError, SecretChatState, type Difference, type EncryptedMessage, type SecretChat, type SentEncryptedMessage, type Update } from '../api/types';
import type { Methods } from '../api/methods';
import { toHex } from './bytes';
import {
  WeakKeyError,
  deriveKeys,
  encryptBody,
  isWeakPublicKey,
  MAX_SECRET_TEXT,
  newSecretKeyPair,
  parseBody,
  secretRandomId,
  type SecretBody,
} from './secret';
import type { LocalSecretChat, ReceivedWrite, SealedSecretSend, SecretMessage, SecretStore, StoredSecretFile } from './secretStore';
import {
  DEFAULT_REKEY_LIMITS,
  afterReceived,
  applyRekey,
  checkRekey,
  countUse,
  currentKeys,
  openReceived,
  wipeRekey,
  withRekeyFields,
  type RekeyLimits,
} from './secretRekey';
import { acceptSequence, inOrder, loseOne, nextSequenceDue, readSequence, reportOverdue, reportedMissing, takeToAsk } from './secretSequence';
import { forgetSent, rememberSent, resendAnswers, resentFileId } from './secretResend';
import { downloadFile, isShownImage, uploadFile } from '../api/media';
import {
  MAX_SECRET_FILE_BYTES,
  SecretFileError,
  SecretFileTooBigError,
  decryptFileBlob,
  encryptFile,
  encryptedFileSize,
  newFileKey,
} from './secretFile';

export type SecretApi = Pick<Methods['secret'], 'requestChat' | 'acceptChat' | 'discardChat' | 'sendEncrypted' | 'readHistory' | 'setTyping' | 'getChats'>;

export type SecretChange =
  /** The list of chats or one chat's state changed. */
  | { kind: 'chats' }
  /** The chat's history changed (a message came, went, was sent, read or timed out). */
  | { kind: 'messages'; chatId: number }
  /** A new message from the other side, to be announced (quietly when `message.silent`) unless its sender marked it a
   * control message (`service`: the server pushed nothing for it either). */
  | { kind: 'incoming'; chatId: number; message: SecretMessage; service?: boolean }
  /** A message that did not decrypt was dropped (or, once the other side's messages carry numbers, came without one). */
  | { kind: 'undecryptable'; chatId: number; randomId: number }
  /** Of the other side's messages, `count` have been missing for over a minute though later ones came (dropped or refused
   * on the way, or undecryptable): "N messages could not be delivered". Told again when one comes late after all. */
  | { kind: 'missing'; chatId: number; count: number }
  | { kind: 'typing'; chatId: number; userId: number };

export interface SecretChatsOptions {
  api: SecretApi;
  /** Uploads and downloads of encrypted files (the ordinary upload methods). */
  upload?: Methods['upload'];
  store: SecretStore;
  selfId: number;
  onChange: (change: SecretChange) => void;
  /** ms, local clock. */
  now?: () => number;
  /** How long after a receipt the server would not pass on the next second's goes (ms; tests shorten it). */
  receiptRetryMs?: number;
  /** Whether a received text is within the 4096 characters as shown (the app counts them by its markup); one that is
   * not is dropped, as no client of ours sends it. Without it only the markup's bound (4 × 4096) is checked. */
  textFits?: (text: string) => boolean;
  /** The first wait before an acceptance that failed on the way is tried again, doubled each time up to a minute (ms). */
  acceptRetryMs?: number;
  /** When keys change (100 messages, 7 days; a request unanswered for 7 days is aborted): tests lower them. */
  rekey?: Partial<RekeyLimits>;
  /** The first wait before a key change's message that failed on the way is sent again (ms; doubled up to a minute). */
  rekeyRetryMs?: number;
  /** The timers of those retries (tests run them by hand). */
  rekeyTimers?: RekeyTimers;
  /** Runs `work` while no other tab of this browser runs work under the same name (browserLock; tests pass their own):
   * one tab at a time sends a chat's key-change messages. */
  lock?: (name: string, work: () => Promise<void>) => Promise<void>;
}

export interface RekeyTimers {
  set(run: () => void, ms: number): unknown;
  clear(timer: unknown): void;
}

const realTimers: RekeyTimers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/** The Web Locks API, which the browser releases when a tab closes. A page without it (no secure context) runs the work
 * at once: a key-change message two tabs send at the same moment has one random_id, which the server stores once. */
export function browserLock(name: string, work: () => Promise<void>): Promise<void> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  return locks ? locks.request(name, () => work()).then(() => undefined) : work();
}

/** What a received message came to, whether the chat's keys changed generation, and when its queued key-change messages
 * may go (rekeyDueAt). */
type Received = (
  | { kind: 'none' }
  | { kind: 'undecryptable' }
  | { kind: 'message'; message: SecretMessage }
  | { kind: 'deleted' }
  | { kind: 'rekey' }
  | { kind: 'resend'; range: { start: number; end: number } }
) & { switched?: boolean; rekeyAt?: number | null; missing?: number; gapDue?: boolean };

/** Errors after which asking again with the same random_id cannot help (the request is forgotten). */
const FINAL_REQUEST_ERRORS = new Set(['PEER_ID_INVALID', 'RANDOM_ID_INVALID', 'DH_G_A_INVALID', 'USER_IS_BLOCKED', 'YOU_BLOCKED_USER', 'SECRET_CHATS_TOO_MUCH']);

/** A file message refused for its upload: the server no longer has it (uploads are forgotten at a restart, and a
 * completed one is kept only while its ciphertext waits for collection), so sending the handle again cannot help. */
const UPLOAD_GONE_ERRORS = new Set(['FILE_PARTS_INVALID', 'FILE_PART_MISSING', 'FILE_ID_INVALID']);

/** A chat that cannot take a message now: one still waiting for the other side to join is not one that ended. */
export class SecretChatNotReadyError extends Error {
  constructor() {
    super('The secret chat is not ready yet: the other side has not joined');
    this.name = 'SecretChatNotReadyError';
  }
}

/** The file of a failed message is gone from the server and from this tab. */
export const FILE_GONE_TEXT = 'File no longer available — attach it again';

const markupFits = (text: string): boolean => text.length <= MAX_SECRET_TEXT * 4;

/** The longest delay setTimeout takes as it is (2^31 − 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const sameBytes = (a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean => !!a && !!b && toHex(a) === toHex(b);

/** When the chat's queued key-change messages may go (ms, local clock; 0: now), null when none waits. */
/** A message read at `now` (the peer's or this device's reading): its self-destruct timer, if any, starts. */
const readAt = (m: SecretMessage, now: number): SecretMessage => ({ ...m, read: true, expires: m.ttl > 0 ? now + m.ttl * 1000 : null });
const rekeyDueAt = (chat: LocalSecretChat): number | null => (chat.rekeySends?.length ? (chat.rekeyRetryAt ?? 0) : null);

/** The own X25519 secret is kept only by the admin while its request waits: with g_a and g_b it gives generation 0. */
const secretNeeded = (chat: LocalSecretChat): boolean => chat.role === 'admin' && chat.state === 'requested';

/** An ended chat still holding a key: a tab of the build before re-keying ends a chat without its re-keying fields. */
const endedWithKeys = (chat: LocalSecretChat): boolean =>
  chat.state === 'discarded' &&
  !!(chat.keyAdmin || chat.keyParticipant || chat.previousKeys || chat.rekeyOutgoing || chat.rekeyAccepted || chat.rekeySends?.length);

/** A stored chat holding what it no longer needs (written by an older build). */
const stale = (chat: LocalSecretChat): boolean => (!!chat.secretKey && !secretNeeded(chat)) || endedWithKeys(chat);

/** The chat without it, the bytes wiped. */
function withoutLeftovers(chat: LocalSecretChat): LocalSecretChat {
  let next = chat;
  if (!secretNeeded(next)) {
    next.secretKey?.fill(0);
    next = { ...next, secretKey: null };
  }
  if (endedWithKeys(next)) next = { ...wipeRekey(next), keyAdmin: null, keyParticipant: null };
  return next;
}

export class SecretChats {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly receiptTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly acceptTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private stopped = false;
  /** Live updates wait behind this while the log is read again (`hold`). */
  private gate: Promise<void> = Promise.resolve();
  private readonly holds = new Set<() => void>();
  /** The files this tab attached, by `chatId:randomId`, until their message is sent: a send refused for its upload
   * encrypts and uploads them again. A File is a reference to the picked file, not its bytes. */
  private readonly attached = new Map<string, Blob>();
  private readonly rekeyLimits: RekeyLimits;
  /** Chats whose key-change messages this tab is sending (or waits to send) now, and those to look at again once it is
   * done. */
  private readonly flushing = new Set<number>();
  private readonly flushAgain = new Set<number>();
  /** This tab's timers for the chats' stored retry times (rekeyRetryAt), each with the time it is for. */
  private readonly rekeyRetries = new Map<number, { timer: unknown; at: number }>();
  private readonly timers: RekeyTimers;
  private readonly lock: (name: string, work: () => Promise<void>) => Promise<void>;

  constructor(private readonly options: SecretChatsOptions) {
    this.now = options.now ?? Date.now;
    this.timers = options.rekeyTimers ?? realTimers;
    this.lock = options.lock ?? browserLock;
    const { afterMessages, afterMs, requestTimeoutMs } = { ...DEFAULT_REKEY_LIMITS, ...options.rekey };
    this.rekeyLimits = {
      afterMessages: afterMessages ?? DEFAULT_REKEY_LIMITS.afterMessages,
      afterMs: afterMs ?? DEFAULT_REKEY_LIMITS.afterMs,
      requestTimeoutMs: requestTimeoutMs ?? DEFAULT_REKEY_LIMITS.requestTimeoutMs,
    };
  }

  get store(): SecretStore {
    return this.options.store;
  }

  private get self(): number {
    return this.options.selfId;
  }

  /** Runs `work` after everything queued before it. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => (this.stopped ? (undefined as T) : work()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private changed(change: SecretChange): void {
    if (!this.stopped) this.options.onChange(change);
  }

  stop(): void {
    this.stopped = true;
    // What waits behind a hold finds the engine stopped and does nothing.
    this.holds.forEach((release) => release());
    clearTimeout(this.sweepTimer);
    this.receiptTimers.forEach(clearTimeout);
    this.receiptTimers.clear();
    this.acceptTimers.forEach(clearTimeout);
    this.acceptTimers.clear();
    this.rekeyRetries.forEach((retry) => this.timers.clear(retry.timer));
    this.rekeyRetries.clear();
    this.attached.clear();
  }

  /**
   * Catches up (at sign-in, after a resync): asks again for requests whose answer was lost and accepts again what
   * was being accepted (both with the same keys), reads the server's list (accepting requests no device has seen,
   * learning of endings), sends again what was being sent, and deletes what timed out meanwhile.
   */
  async start(): Promise<void> {
    const gAs = new Set((await this.store.chats()).map((c) => toHex(c.gA)));
    for (const request of await this.store.pending()) {
      // Its chat is held (an older build deleted the request after storing the chat, and a tab could close between):
      // nothing to ask for, and its secret is the chat's to keep or wipe.
      if (gAs.has(toHex(request.gA))) {
        await this.store.deletePending(request.randomId);
        continue;
      }
      try {
        await this.answered(await this.options.api.requestChat({ user_id: request.peerId, random_id: request.randomId, g_a: request.gA }));
      } catch (error) {
        if (error instanceof RpcError && FINAL_REQUEST_ERRORS.has(error.name)) await this.store.deletePending(request.randomId);
      }
    }
    // Only a chat held before the list was asked for can be missing from it for good: one made while the answer was on
    // the way (a request, a request taken) is newer than the list.
    const held = await this.store.chats();
    const before = new Set(held.map((c) => c.id));
    // Records an older build wrote keep what this one never keeps.
    for (const local of held) {
      if (stale(local)) await this.serial(() => this.store.updateChat(local.id, (c) => (stale(c) ? withoutLeftovers(c) : null)));
    }
    const { chats } = await this.options.api.getChats();
    for (const chat of chats) await this.answered(chat);
    const listed = new Set(chats.map((c) => c.id));
    for (const local of await this.store.chats()) {
      if (local.state === 'accepting') this.accept(local);
      // Ended more than 30 days ago (the server lists endings that long): ended all the same.
      else if (local.state !== 'discarded' && before.has(local.id) && !listed.has(local.id)) await this.serial(() => this.endLocally(local.id, 'ended', false));
      else if (local.state === 'ready') {
        const unsent = (await this.store.messages(local.id)).filter((m) => m.from === this.self && m.status === 'sending');
        for (const message of unsent) void this.deliver(message).catch(() => undefined);
        // A key change due (its 7 days passed while no tab was open, a request unanswered too long), and what a tab left
        // unsent: back online, what waited for a failure's retry goes now (its failures still counted); a FLOOD_WAIT,
        // stored with the chat, is waited out, also by a tab that opens during it.
        await this.serial(() =>
          this.store.updateChat(local.id, (c) => {
            const next = checkRekey(withRekeyFields(c, this.now()), this.now(), this.rekeyLimits);
            // A FLOOD_WAIT is seconds or minutes: one stored as more than an hour away outlived a clock set back.
            const stale = next.rekeyRetryAt && (!next.rekeyRetryFlood || next.rekeyRetryAt > this.now() + 3_600_000);
            return stale ? { ...next, rekeyRetryAt: null, rekeyRetryFlood: false } : next;
          }),
        );
        void this.flushRekey(local.id).catch(() => undefined);
      }
    }
    await this.sweep();
  }

  /** Resolves once everything queued so far is handled (and stored). */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /**
   * Reads the user's log from `fromPts` up to `toPts` for the secret chats' updates alone: what arrived while no tab
   * of this browser was open (the app's other data is read afresh, but an encrypted message lives only in the log).
   * False when the log no longer reaches back that far (too_long: `start` still learns the chats' states). Live
   * updates wait until it is done: an ending or a delete that came live is not followed by the older updates read back.
   */
  replay(getDifference: (pts: number) => Promise<Difference>, fromPts: number, toPts: number): Promise<boolean> {
    const release = this.hold();
    return this.readLog(getDifference, fromPts, toPts).finally(release);
  }

  /**
   * Live updates (handleChat, handleMessage, handleRead, handleUpdate) wait from now until the answer is called, in
   * the order they came: the app holds them while it reads back the log before the stream's start.
   */
  hold(): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.gate = this.gate.then(() => held);
    this.holds.add(release);
    return () => {
      this.holds.delete(release);
      release();
    };
  }

  private live(work: () => Promise<void>): Promise<void> {
    return this.gate.then(() => (this.stopped ? undefined : work()));
  }

  private async readLog(getDifference: (pts: number) => Promise<Difference>, fromPts: number, toPts: number): Promise<boolean> {
    let pts = fromPts;
    while (pts < toPts && !this.stopped) {
      const difference = await getDifference(pts);
      if (difference.too_long) return false;
      for (const logged of [...difference.updates].sort((a, b) => a.pts - b.pts)) {
        if (logged.pts > pts && logged.pts <= toPts) await this.applyUpdate(logged.update);
      }
      if (!difference.slice || difference.state.pts <= pts) break;
      pts = difference.state.pts;
    }
    return true;
  }

  /** One of the user's updates as it comes live: the secret chats' own are handled, the rest left alone. */
  handleUpdate(update: Update): Promise<void> {
    return this.live(() => this.applyUpdate(update));
  }

  private applyUpdate(update: Update): Promise<void> {
    switch (update.type) {
      case 'secret_chat':
        return this.answered(update.chat);
      case 'new_encrypted_message':
        return this.serial(() => this.applyMessage(update.message));
      case 'encrypted_read':
        return this.readUpdate(update.chat_id, update.max_date);
      case 'encrypted_typing':
        return this.handleTyping(update.chat_id, update.user_id);
      default:
        return Promise.resolve();
    }
  }

  // ---- Updates ----

  /** A live `secret_chat` update. */
  handleChat(chat: SecretChat): Promise<void> {
    return this.live(() => this.answered(chat));
  }

  /** A chat the server answered with (or the log holds): not held behind a replay. */
  private answered(chat: SecretChat): Promise<void> {
    return this.serial(() => this.applyChat(chat));
  }

  handleMessage(message: EncryptedMessage): Promise<void> {
    return this.live(() => this.serial(() => this.applyMessage(message)));
  }

  handleRead(chatId: number, maxDate: number): Promise<void> {
    return this.live(() => this.readUpdate(chatId, maxDate));
  }

  /**
   * The other side read this device's messages up to `maxDate`: read ticks, and their self-destruct timers start.
   * Dates are whole seconds, so a receipt covers only the messages the server had stored when it came: one sent in the
   * same second after it was not read by it (its tick waits for the next receipt rather than lie).
   */
  private readUpdate(chatId: number, maxDate: number): Promise<void> {
    return this.serial(async () => {
      const chat = await this.store.updateChat(chatId, (c) => (maxDate > c.peerReadDate ? { ...c, peerReadDate: maxDate } : null));
      if (!chat) return;
      const now = this.now();
      const read = await this.store.updateMessages(chatId, (m) =>
        m.from === this.self && !m.read && m.status === 'sent' && m.date <= maxDate ? readAt(m, now) : null,
      );
      if (read.length > 0) {
        this.changed({ kind: 'messages', chatId });
        await this.scheduleSweep();
      }
    });
  }

  async handleTyping(chatId: number, userId: number): Promise<void> {
    const chat = await this.store.chat(chatId);
    if (chat && chat.state === 'ready' && userId === chat.peerId) this.changed({ kind: 'typing', chatId, userId });
  }

  private async applyChat(chat: SecretChat): Promise<void> {
    const admin = chat.admin_id === this.self;
    if (!admin && chat.participant_id !== this.self) return;
    let local = await this.store.chat(chat.id);
    if (!local) {
      if (admin) local = await this.bindRequest(chat);
      else if (chat.state === SecretChatState.Requested) return this.claimRequest(chat);
      // Accepted or ended elsewhere: it lives on another device (or nowhere).
      if (!local) return;
    }
    if (chat.state === SecretChatState.Ready) return this.applyReady(local, chat);
    if (chat.state === SecretChatState.Discarded) {
      // A request cancelled while this device was still accepting it: nothing of it was ever shown.
      if (local.state === 'accepting') {
        await this.store.deleteChat(local.id);
        this.changed({ kind: 'chats' });
        return;
      }
      await this.endLocally(local.id, chat.reason ?? 'ended', !!chat.history_deleted);
    }
  }

  /** The admin's chat: this device's request with the same g_a (its key pair waited under its random_id). */
  private async bindRequest(chat: SecretChat): Promise<LocalSecretChat | undefined> {
    const request = (await this.store.pending()).find((p) => sameBytes(p.gA, chat.g_a));
    if (!request) return undefined;
    const local: LocalSecretChat = {
      id: chat.id,
      role: 'admin',
      peerId: chat.participant_id,
      state: 'requested',
      date: chat.date,
      secretKey: request.secretKey,
      gA: request.gA,
      gB: null,
      keyAdmin: null,
      keyParticipant: null,
      fingerprint: 0,
      verification: '',
      reason: null,
      ttl: 0,
      peerReadDate: 0,
      readDateSent: 0,
      lastDate: chat.date,
    };
    const claimed = await this.store.claimRequested(local, request.randomId);
    this.changed({ kind: 'chats' });
    return claimed ? local : this.store.chat(chat.id);
  }

  /** A request for this user no device of theirs answered yet: this device takes it, with a fresh key pair. */
  private async claimRequest(chat: SecretChat): Promise<void> {
    if (isWeakPublicKey(chat.g_a)) return;
    const own = newSecretKeyPair();
    const keys = deriveKeys(own.secretKey, chat.g_a, own.publicKey, false);
    // The acceptance (sent again if need be) needs only g_b and the fingerprint: the secret goes at once.
    own.secretKey.fill(0);
    const local: LocalSecretChat = {
      id: chat.id,
      role: 'participant',
      peerId: chat.admin_id,
      state: 'accepting',
      date: chat.date,
      secretKey: null,
      // A copy: a byte field read from MessagePack is a view into the whole payload (a getDifference page carries
      // other updates), and IndexedDB would store all of it.
      gA: chat.g_a.slice(),
      gB: own.publicKey,
      keyAdmin: keys.adminToParticipant,
      keyParticipant: keys.participantToAdmin,
      fingerprint: keys.fingerprint,
      verification: keys.verification,
      reason: null,
      ttl: 0,
      peerReadDate: 0,
      readDateSent: 0,
      lastDate: chat.date,
      generation: 0,
      keyUsed: 0,
      keyCreated: this.now(),
      peerUnderCurrent: 0,
    };
    // Another tab of this browser (the same device) may be taking it at the same moment: one of them does.
    if (!(await this.store.claimChat(local))) return;
    this.changed({ kind: 'chats' });
    this.accept(local);
  }

  private accept(local: LocalSecretChat, attempt = 0): void {
    clearTimeout(this.acceptTimers.get(local.id));
    this.acceptTimers.delete(local.id);
    void this.options.api.acceptChat({ chat_id: local.id, g_b: local.gB!, key_fingerprint: local.fingerprint }).then(
      (chat) => this.answered(chat),
      (error) => {
        // Another device won (ENCRYPTION_ALREADY_ACCEPTED), or the request is gone: forget the key quietly. Anything
        // else (no connection) is tried again with the same key, after a wait that grows, and at the next start.
        if (!(error instanceof RpcError) || !['ENCRYPTION_ALREADY_ACCEPTED', 'ENCRYPTION_DECLINED', 'ENCRYPTION_ID_INVALID', 'DH_G_B_INVALID'].includes(error.name)) {
          this.acceptLater(local, attempt + 1, error instanceof RpcError ? error.retryAfter : undefined);
          return;
        }
        return this.serial(async () => {
          const held = await this.store.chat(local.id);
          if (held?.state === 'accepting' && sameBytes(held.gB, local.gB)) {
            await this.store.deleteChat(local.id);
            this.changed({ kind: 'chats' });
          }
        });
      },
    ).catch(() => undefined);
  }

  private acceptLater(local: LocalSecretChat, attempt: number, retryAfter: number | undefined): void {
    if (this.stopped || this.acceptTimers.has(local.id)) return;
    const wait = Math.max((retryAfter ?? 0) * 1000, Math.min((this.options.acceptRetryMs ?? 2000) * 2 ** Math.min(attempt - 1, 10), 60_000));
    const timer = setTimeout(() => {
      this.acceptTimers.delete(local.id);
      void this.serial(async () => {
        const held = await this.store.chat(local.id);
        if (held?.state === 'accepting' && sameBytes(held.gB, local.gB)) this.accept(held, attempt);
      }).catch(() => undefined);
    }, wait);
    this.acceptTimers.set(local.id, timer);
  }

  private async applyReady(local: LocalSecretChat, chat: SecretChat): Promise<void> {
    if (local.role === 'participant') {
      if (local.state !== 'accepting') return;
      if (!sameBytes(chat.g_b, local.gB)) {
        // Another device of this user accepted it.
        await this.store.deleteChat(local.id);
      } else {
        await this.store.updateChat(local.id, (c) =>
          c.state === 'accepting' ? { ...c, state: 'ready', secretKey: null, lastDate: Math.max(c.lastDate, chat.date), keyCreated: this.now() } : null,
        );
      }
      this.changed({ kind: 'chats' });
      return;
    }
    if (local.state !== 'requested' || !local.secretKey) return;
    let keys;
    try {
      keys = deriveKeys(local.secretKey, local.gA, chat.g_b ?? new Uint8Array(0), true);
    } catch (error) {
      if (!(error instanceof WeakKeyError)) throw error;
      keys = null;
    }
    // The participant's fingerprint must be the one these keys give: otherwise someone in between changed a key.
    if (!keys || keys.fingerprint !== chat.key_fingerprint) {
      await this.endLocally(local.id, 'key_mismatch', false);
      void this.options.api.discardChat({ chat_id: local.id }).catch(() => undefined);
      return;
    }
    // The own secret goes in the update that makes the chat Ready: the direction keys are all it needs from now on.
    await this.store.updateChat(local.id, (c) =>
      c.state === 'requested'
        ? {
            ...c,
            state: 'ready',
            secretKey: null,
            gB: chat.g_b!.slice(),
            keyAdmin: keys.adminToParticipant,
            keyParticipant: keys.participantToAdmin,
            fingerprint: keys.fingerprint,
            verification: keys.verification,
            lastDate: Math.max(c.lastDate, chat.date),
            generation: 0,
            keyUsed: 0,
            keyCreated: this.now(),
            peerUnderCurrent: 0,
          }
        : null,
    );
    local.secretKey.fill(0);
    this.changed({ kind: 'chats' });
  }

  /** The chat ended: its keys are dropped; with `historyDeleted` its messages too. */
  private async endLocally(chatId: number, reason: string, historyDeleted: boolean): Promise<void> {
    const ended = await this.store.updateChat(chatId, (c) =>
      c.state === 'discarded'
        ? null
        : {
            ...wipeRekey(c),
            state: 'discarded',
            reason,
            secretKey: null,
            keyAdmin: null,
            keyParticipant: null,
            lastDate: Math.max(c.lastDate, Math.floor(this.now() / 1000)),
          },
    );
    if (!ended) return;
    if (historyDeleted) {
      await this.store.clearMessages(chatId);
      this.changed({ kind: 'messages', chatId });
    }
    this.changed({ kind: 'chats' });
  }

  /**
   * A message from the other side, handled in the transaction that reads its chat (secretStore.receive): opened under the
   * current keys, the accepted exchange's (the implicit commit) or the previous ones; a text or file stored, a delete
   * applied, a key change's step taken, its random_id kept as handled; the use of the keys counted and a key change
   * started when one is due. What that queued to send goes after.
   */
  private async applyMessage(encrypted: EncryptedMessage): Promise<void> {
    const textFits = this.options.textFits ?? markupFits;
    const now = this.now();
    const received = await this.store.receive<Received>(encrypted.chat_id, encrypted.random_id, (stored, seen) => {
      if (!stored || encrypted.from_id !== stored.peerId || !currentKeys(stored)) return { result: { kind: 'none' } };
      const opened = openReceived(stored, encrypted.random_id, encrypted.data);
      if (seen) {
        // Handled before (a replay), or named by a delete for both before it came: nothing of it is applied, but a number
        // it brings late still fills its gap.
        const late = opened ? acceptSequence(stored.inbound, readSequence(opened.plaintext), now) : null;
        if (late?.verdict !== 'late') return { result: { kind: 'none' } };
        const missing = reportedMissing(late.state);
        return { chat: { ...stored, inbound: late.state }, result: { kind: 'none', ...(missing !== reportedMissing(stored.inbound) ? { missing } : {}) } };
      }
      if (!opened) return { result: { kind: 'undecryptable' } };
      // Its number first (protocol/secretSequence.ts): one received already is a replay, none where they are due is
      // refused; either is kept as handled and changes nothing else. The numbers are saved with the body's effect.
      const sequence = acceptSequence(stored.inbound, readSequence(opened.plaintext), now);
      if (sequence.verdict === 'replay') return { seen: true, result: { kind: 'none' } };
      if (sequence.verdict === 'refused') return { seen: true, result: { kind: 'undecryptable' } };
      const body = parseBody(opened.plaintext);
      // Asked again, its sender no longer held it: the number is in, its body lost.
      if (body?.gone && sequence.state.sequenced) sequence.state = loseOne(sequence.state);
      const missingBefore = reportedMissing(stored.inbound);
      const missing = reportedMissing(sequence.state);
      const chat = { ...withRekeyFields(stored, now), inbound: sequence.state };
      const fits = !!body && !body.rekey && !body.resend && !body.gone && (body.text === undefined || textFits(body.text));
      // A file message whose file the server did not carry: nothing of it can be shown as it was sent.
      const fileMissing = fits && !!body.file && !encrypted.file;
      const counted = fits && !fileMissing;
      let next = afterReceived(chat, opened.under, counted, now);
      let write: ReceivedWrite<Received>;
      // Whatever opened was counted: its random_id is marked handled even when it leaves nothing (malformed, too long,
      // a kind this client does not know, a file without its file), or another tab or a replay of the log would count
      // it again.
      if (body?.rekey) {
        next = applyRekey(next, body.rekey, now);
        write = { seen: true, result: { kind: 'rekey' } };
      } else if (body?.resend) write = { seen: true, result: { kind: 'resend', range: body.resend } };
      else if (!body || !fits) write = { seen: true, result: { kind: 'none' } };
      else if (fileMissing) write = { seen: true, result: { kind: 'undecryptable' } };
      else if (body.delete) write = { deletes: body.delete, seen: true, result: { kind: 'deleted' } };
      else {
        const message: SecretMessage = {
          chatId: chat.id,
          // A body sent again at a resend request is the message its first sending was, under that random_id.
          randomId: body.resent ?? encrypted.random_id,
          from: encrypted.from_id,
          date: encrypted.date,
          text: body.text!,
          ttl: body.ttl ?? 0,
          read: false,
          expires: null,
          replyTo: body.reply_to ?? null,
        };
        if (encrypted.silent) message.silent = true;
        if (body.file && encrypted.file) message.file = { ...body.file, id: encrypted.file.id, encryptedSize: encrypted.file.size };
        next = { ...next, lastDate: Math.max(next.lastDate, message.date) };
        write = { message, result: { kind: 'message', message }, ...(body.resent !== undefined ? { duplicate: { kind: 'none' } as Received } : {}) };
      }
      // Only a text, delete or file triggers: not a key change's step (an abort answered by a request, answered by an
      // abort…), nor one that opened under the previous keys (sent before the other side switched).
      if (opened.under !== 'previous' && counted) next = checkRekey(next, now, this.rekeyLimits);
      const extras = {
        switched: next.generation !== chat.generation,
        rekeyAt: rekeyDueAt(next),
        gapDue: nextSequenceDue(sequence.state) !== null,
        ...(missing !== missingBefore ? { missing } : {}),
      };
      return {
        ...write,
        chat: next,
        result: { ...write.result, ...extras },
        ...(write.duplicate ? { duplicate: { ...write.duplicate, ...extras } } : {}),
      };
    });
    const chatId = encrypted.chat_id;
    if (received.missing !== undefined) {
      this.changed({ kind: 'missing', chatId, count: received.missing });
      this.changed({ kind: 'chats' });
    }
    // A gap open: reported once it is a minute old, unless filled by then.
    if (received.gapDue) await this.scheduleSweep();
    switch (received.kind) {
      case 'resend':
        await this.answerResend(chatId, received.range);
        break;
      case 'undecryptable':
        this.changed({ kind: 'undecryptable', chatId, randomId: encrypted.random_id });
        break;
      case 'deleted':
        this.changed({ kind: 'messages', chatId });
        break;
      case 'message':
        this.changed({ kind: 'messages', chatId });
        this.changed({ kind: 'incoming', chatId, message: received.message, ...(encrypted.service ? { service: true } : {}) });
        break;
    }
    // A new generation: the key's dialog counts the changes.
    if (received.switched) this.changed({ kind: 'chats' });
    // Whatever queued them (this message, another tab that closed before they went, a flush that failed on the store).
    if (received.rekeyAt !== undefined && received.rekeyAt !== null) this.rekeyDue(chatId, received.rekeyAt);
  }

  /**
   * Encrypts a body under the chat's current keys in the transaction that reads them (another tab may have just changed
   * them), counts the use, and starts a key change when one is due (its request goes after this message). Null when the
   * chat has no keys.
   */
  private async seal(chatId: number, randomId: number, body: SecretBody): Promise<{ data: Uint8Array; rekeyAt: number | null; outSeq: number } | null> {
    let sealed: { data: Uint8Array; rekeyAt: number | null; outSeq: number } | null = null;
    const now = this.now();
    // The body's number is taken in the same transaction, and kept on an outgoing message: a retry sends the number its
    // first attempt took (coming after later bodies, it fills the gap it left on the other side).
    await this.store.updateChatAndMessage(chatId, randomId, (stored, message) => {
      const keys = currentKeys(stored);
      if (!keys) return null;
      const chat = withRekeyFields(stored, now);
      const kept = message?.from === this.self ? message.outSeq : undefined;
      const outSeq = kept ?? chat.outSeq ?? 0;
      const numbered: SecretBody = { ...body, out_seq: outSeq, in_seq: inOrder(chat.inbound) };
      const data = encryptBody(chat.role === 'admin' ? keys.keyAdmin : keys.keyParticipant, chatId, randomId, numbered);
      // A message's number is found on the message itself when asked for again; a delete's is kept on the chat.
      const numberedChat =
        kept === undefined ? (body.delete ? rememberSent({ ...chat, outSeq: outSeq + 1 }, outSeq, 'delete', randomId, now, body.delete) : { ...chat, outSeq: outSeq + 1 }) : chat;
      const next = checkRekey(countUse(numberedChat), now, this.rekeyLimits);
      sealed = { data, rekeyAt: rekeyDueAt(next), outSeq };
      return { chat: next, ...(message && kept === undefined ? { message: { ...message, outSeq } } : {}) };
    });
    return sealed;
  }

  /** The chat's queued key-change messages may go at `at` (ms, local clock; 0: now): they go now once it passed, else
   * this tab sets a timer for it (the tab that set the wait may close before it ends). */
  private rekeyDue(chatId: number, at: number): void {
    if (at > this.now()) this.rekeyRetryTimer(chatId, at);
    else void this.flushRekey(chatId).catch(() => undefined);
  }

  /**
   * Sends the chat's queued key-change messages in order, each dropped from the queue once the server took it, one tab
   * of the browser at a time (the lock: two tabs do not send the same one together). One that fails on the way (no
   * connection, FLOOD_WAIT, the server's trouble) waits with all after it, and the chat keeps until when (rekeyRetryAt,
   * the failures in a row, whether it is a FLOOD_WAIT): nothing sends them sooner, in any tab, and whichever tab runs
   * then sends them, also after a reload. One the server refuses for good (a blocked pair) is dropped: its exchange then
   * waits for the timeout or the next request, and a commit that never came is made up for by the implicit one.
   */
  private async flushRekey(chatId: number): Promise<void> {
    if (this.stopped) return;
    if (this.flushing.has(chatId)) {
      this.flushAgain.add(chatId);
      return;
    }
    this.flushing.add(chatId);
    try {
      await this.lock(`${this.store.name}:rekey:${chatId}`, () => this.sendRekeys(chatId));
    } finally {
      this.flushing.delete(chatId);
      if (this.flushAgain.delete(chatId)) void this.flushRekey(chatId).catch(() => undefined);
    }
  }

  private async sendRekeys(chatId: number): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const chat = await this.store.chat(chatId);
      const next = chat?.state === 'ready' ? chat.rekeySends?.[0] : undefined;
      if (!chat || !next) return;
      if ((chat.rekeyRetryAt ?? 0) > this.now()) {
        this.rekeyRetryTimer(chatId, chat.rekeyRetryAt!);
        return;
      }
      let refusedFile = false;
      try {
        // A control message: the server pushes no notification of it. A file sent again goes by reference to the file
        // the chat holds.
        const file = next.fileId ? { file_id: 0, total_parts: 0, id: next.fileId } : undefined;
        await this.options.api.sendEncrypted({ chat_id: chatId, random_id: next.randomId, data: next.data, service: true, ...(file ? { file } : {}) });
      } catch (error) {
        // The tab closes (or signs out): the message stays queued for whichever tab runs next.
        if (this.stopped) return;
        if (error instanceof RpcError && error.name === 'ENCRYPTION_DECLINED') {
          await this.serial(() => this.endLocally(chatId, 'ended', false));
          return;
        }
        // Code 0: the client's own (TIMEOUT: no answer in time), not the server's word on the message.
        if (!(error instanceof RpcError) || error.code === 0 || error.code === 420 || error.code >= 500) {
          const flood = error instanceof RpcError && error.code === 420;
          const now = this.now();
          const waiting = await this.store.updateChat(chatId, (c) => {
            const attempts = (c.rekeyAttempts ?? 0) + 1;
            const backoff = Math.min((this.options.rekeyRetryMs ?? 2000) * 2 ** Math.min(attempts - 1, 10), 60_000);
            const wait = Math.max(flood ? ((error as RpcError).retryAfter ?? 0) * 1000 : 0, backoff);
            return { ...c, rekeyAttempts: attempts, rekeyRetryAt: now + wait, rekeyRetryFlood: flood };
          });
          if (waiting?.rekeyRetryAt) this.rekeyRetryTimer(chatId, waiting.rekeyRetryAt);
          return;
        }
        refusedFile = next.fileId !== undefined;
      }
      // A file sent again the server refused (it no longer holds it): its number goes as gone instead, next.
      const gone = refusedFile ? this.goneInstead(chat, next) : undefined;
      await this.store.updateChat(chatId, (c) => ({
        ...c,
        rekeySends: (c.rekeySends ?? []).flatMap((s) => (s.randomId !== next.randomId ? [s] : gone ? [gone] : [])),
        rekeyAttempts: 0,
        rekeyRetryAt: null,
        rekeyRetryFlood: false,
      }));
    }
  }

  /**
   * This tab's timer for the chat's stored retry time `at`: when it runs out the wait is marked over in the store (by
   * this timer's clock: a clock read a moment early would otherwise set the timer again, and no other tab need keep
   * one) and the messages go. A later time stored meanwhile (another failure) is waited for in its turn.
   */
  private rekeyRetryTimer(chatId: number, at: number): void {
    if (this.stopped) return;
    const armed = this.rekeyRetries.get(chatId);
    if (armed?.at === at) return;
    if (armed) this.timers.clear(armed.timer);
    const delay = Math.max(0, at - this.now());
    const timer = this.timers.set(() => {
      this.rekeyRetries.delete(chatId);
      if (this.stopped) return;
      // A browser runs a delay beyond 2^31 − 1 ms at once: a wait that long is looked at again after that much.
      if (delay > MAX_TIMER_MS) return this.rekeyRetryTimer(chatId, at);
      void this.store
        .updateChat(chatId, (c) => (c.rekeyRetryAt && c.rekeyRetryAt <= at ? { ...c, rekeyRetryAt: null, rekeyRetryFlood: false } : null))
        .then(() => this.flushRekey(chatId))
        .catch(() => undefined);
    }, Math.min(delay, MAX_TIMER_MS));
    this.rekeyRetries.set(chatId, { timer, at });
  }

  // ---- The user's actions ----

  /** Asks `userId` for a secret chat from this device; answers the chat's id (waiting for the other side). */
  async request(userId: number): Promise<number> {
    const own = newSecretKeyPair();
    const request = { randomId: secretRandomId(), peerId: userId, secretKey: own.secretKey, gA: own.publicKey, date: Math.floor(this.now() / 1000) };
    // Kept before asking: an answer lost on the way is asked for again with the same random_id and g_a.
    await this.store.putPending(request);
    let chat: SecretChat;
    try {
      chat = await this.options.api.requestChat({ user_id: userId, random_id: request.randomId, g_a: request.gA });
    } catch (error) {
      if (error instanceof RpcError && FINAL_REQUEST_ERRORS.has(error.name)) await this.store.deletePending(request.randomId);
      throw error;
    }
    await this.answered(chat);
    return chat.id;
  }

  /** Sends a text with the chat's self-destruct timer; it shows at once and is stored here before it goes. */
  async send(chatId: number, text: string, replyTo: number | null = null): Promise<SecretMessage> {
    const chat = await this.readyChat(chatId);
    const message: SecretMessage = {
      chatId,
      randomId: secretRandomId(),
      from: this.self,
      date: Math.floor(this.now() / 1000),
      text,
      ttl: chat.ttl,
      read: false,
      expires: null,
      replyTo,
      status: 'sending',
    };
    await this.store.addMessage(message);
    await this.store.updateChat(chatId, (c) => ({ ...c, lastDate: Math.max(c.lastDate, message.date) }));
    this.changed({ kind: 'messages', chatId });
    this.changed({ kind: 'chats' });
    await this.deliver(message);
    return message;
  }

  /**
   * Sends a photo or file: encrypted here with a key made for it (protocol/secretFile.ts), the ciphertext uploaded as an
   * ordinary upload, then the message (caption, the file's key, name, type, size and the small `thumb`) as any other;
   * it shows once the upload is done. The server sees neither the file nor its name or type.
   */
  async sendFile(
    chatId: number,
    file: Blob,
    describe: { name: string; mime: string; caption: string; width?: number; height?: number; duration?: number; thumb?: Uint8Array },
    onProgress?: (sent: number, total: number) => void,
  ): Promise<SecretMessage> {
    const chat = await this.readyChat(chatId);
    if (file.size > MAX_SECRET_FILE_BYTES) throw new SecretFileTooBigError(true);
    const stored: StoredSecretFile = {
      id: 0,
      ...(await this.encryptAndUpload(file, onProgress)),
      name: describe.name,
      mime: describe.mime || 'application/octet-stream',
      size: file.size,
    };
    if (describe.width && describe.height) {
      stored.width = describe.width;
      stored.height = describe.height;
    }
    if (describe.duration !== undefined) stored.duration = describe.duration;
    if (describe.thumb) stored.thumb = describe.thumb;
    const message: SecretMessage = {
      chatId,
      randomId: secretRandomId(),
      from: this.self,
      date: Math.floor(this.now() / 1000),
      text: describe.caption,
      ttl: chat.ttl,
      read: false,
      expires: null,
      replyTo: null,
      status: 'sending',
      file: stored,
    };
    this.attached.set(`${chatId}:${message.randomId}`, file);
    await this.store.addMessage(message);
    await this.store.updateChat(chatId, (c) => ({ ...c, lastDate: Math.max(c.lastDate, message.date) }));
    this.changed({ kind: 'messages', chatId });
    this.changed({ kind: 'chats' });
    await this.deliver(message);
    return message;
  }

  /** The chat, if a message can go in it now: ENCRYPTION_DECLINED once it ended, SecretChatNotReadyError while the
   * other side has not joined yet. */
  private async readyChat(chatId: number): Promise<LocalSecretChat> {
    const chat = await this.store.chat(chatId);
    if (!chat) throw new RpcError('ENCRYPTION_ID_INVALID', 400);
    if (chat.state === 'discarded') throw new RpcError('ENCRYPTION_DECLINED', 400);
    if (chat.state !== 'ready') throw new SecretChatNotReadyError();
    return chat;
  }

  /** Encrypts `file` with a new key and uploads the ciphertext: what the message keeps of it until it is sent. */
  private async encryptAndUpload(file: Blob, onProgress?: (sent: number, total: number) => void): Promise<Pick<StoredSecretFile, 'key' | 'encryptedSize' | 'upload'>> {
    if (!this.options.upload) throw new Error('files need the upload methods');
    const key = newFileKey();
    const cipher = await encryptFile(file, key);
    const input = await uploadFile(this.options.upload, cipher, { name: 'encrypted', mimeType: 'application/octet-stream', onProgress });
    return { key, encryptedSize: cipher.size, upload: { file_id: input.file_id, total_parts: input.total_parts } };
  }

  /**
   * The file of a message this device holds, downloaded and decrypted a chunk at a time; SecretFileError when it was
   * altered or cut short (or the server's size is not the one its message gives: checked before downloading),
   * SecretFileTooBigError above MAX_SECRET_FILE_BYTES, RpcError MEDIA_INVALID once the chat ended (its files go with
   * it). The Blob's type is the sender's only for the pictures the app shows (isShownImage): any other type could make
   * its object URL a page of this origin (an SVG or HTML file runs script there, beside the keys).
   */
  async downloadFile(chatId: number, randomId: number, onProgress?: (received: number, total: number) => void, signal?: AbortSignal): Promise<Blob> {
    const message = await this.store.message(chatId, randomId);
    const file = message?.file;
    if (!file || !file.id) throw new SecretFileError('This file is not on this device');
    if (file.size > MAX_SECRET_FILE_BYTES) throw new SecretFileTooBigError(false);
    if (file.encryptedSize !== encryptedFileSize(file.size)) throw new SecretFileError('The file is not the size its message gives');
    if (!this.options.upload) throw new Error('files need the upload methods');
    const media = { id: file.id, kind: 'document', name: 'encrypted', mime_type: 'application/octet-stream', size: file.encryptedSize };
    const cipher = await downloadFile(this.options.upload, media as Parameters<typeof downloadFile>[1], { onProgress, signal });
    if (cipher.size !== file.encryptedSize) throw new SecretFileError('The file is not the size its message gives');
    return decryptFileBlob(cipher, file.key, isShownImage(file.mime) ? file.mime.trim().toLowerCase() : 'application/octet-stream', signal);
  }

  /** Sends a message again (a failed one), with its random_id: the server stores it once. */
  async retry(chatId: number, randomId: number): Promise<void> {
    const message = await this.store.message(chatId, randomId);
    if (!message || message.from !== this.self || message.status === 'sent') return;
    if (message.file?.unavailable && !this.attached.has(`${chatId}:${randomId}`)) throw new Error(FILE_GONE_TEXT);
    await this.setStatus(message, 'sending');
    await this.deliver(message);
  }

  private async deliver(message: SecretMessage, uploadedAgain = false): Promise<void> {
    const chatId = message.chatId;
    const body: SecretBody = { text: message.text, date: message.date };
    if (message.ttl > 0) body.ttl = message.ttl;
    if (message.replyTo) body.reply_to = message.replyTo;
    if (message.file) {
      const { key, name, mime, size, width, height, duration, thumb } = message.file;
      body.file = { key, name, mime, size, width, height, duration, thumb };
      for (const k of ['width', 'height', 'duration', 'thumb'] as const) if (body.file[k] === undefined) delete body.file[k];
    }
    const sealed = await this.seal(chatId, message.randomId, body);
    if (!sealed) {
      await this.setStatus(message, 'failed');
      return;
    }
    try {
      const sent = await this.options.api.sendEncrypted(
        {
          chat_id: chatId,
          random_id: message.randomId,
          data: sealed.data,
          ...(message.file?.upload ? { file: message.file.upload } : {}),
        },
        // Given up (timed out) as the server stored it, the message would stay failed though the other side has it: its
        // answer, if it still comes, dates it as a retry's would.
        { answeredLate: (late) => this.takeSent(chatId, message.randomId, late, true) },
      );
      await this.takeSent(chatId, message.randomId, sent, false);
    } catch (error) {
      if (message.file && error instanceof RpcError && UPLOAD_GONE_ERRORS.has(error.name)) return this.uploadAgain(message, uploadedAgain, error);
      await this.setStatus(message, 'failed');
      // The chat ended without this device hearing of it (an update lost with a compacted log): it ends here too.
      if (error instanceof RpcError && error.name === 'ENCRYPTION_DECLINED') await this.serial(() => this.endLocally(chatId, 'ended', false));
      throw error;
    } finally {
      // A key change's messages (one this message made due, one another tab left) go after it.
      if (sealed.rekeyAt !== null) this.rekeyDue(chatId, sealed.rekeyAt);
    }
  }

  /** The server's answer to a message's send: it is sent, with the server's date (and the file's id). `late`: the answer
   * to a send given up, which marks the message only while no other answer has (a retry's) and it is still here. */
  private async takeSent(chatId: number, randomId: number, sent: SentEncryptedMessage, late: boolean): Promise<void> {
    const taken = await this.store.updateMessages(chatId, (m) => {
      if (m.randomId !== randomId || (late && m.status === 'sent')) return null;
      const file = m.file && sent.file ? { ...m.file, id: sent.file.id, encryptedSize: sent.file.size, upload: undefined } : m.file;
      if (file) {
        delete file.upload;
        delete file.unavailable;
      }
      return { ...m, date: sent.date, status: 'sent', ...(file ? { file } : {}) };
    });
    if (late && taken.length === 0) return;
    // The peer's receipt may have come before this answer (its device read the message pushed to it first, and a later
    // one): it passed the message over, as only a sent one takes a tick. Read after the write above, the peer's
    // position is either the one that receipt stored, checked here, or older, and then the receipt's own pass still
    // comes and finds it sent. Only a receipt naming a LATER second covers it for sure: one of the same second may have
    // been made before the server stored it (dates are whole seconds), so that one waits for the next receipt.
    const peerReadDate = (await this.store.chat(chatId))?.peerReadDate ?? 0;
    if (sent.date < peerReadDate) {
      const now = this.now();
      const read = await this.store.updateMessages(chatId, (m) => (m.randomId === randomId && !m.read && m.status === 'sent' ? readAt(m, now) : null));
      if (read.length > 0) await this.scheduleSweep();
    }
    this.attached.delete(`${chatId}:${randomId}`);
    this.changed({ kind: 'messages', chatId });
  }

  /**
   * The server no longer has the message's upload: the file this tab attached is encrypted (with a new key) and
   * uploaded again, and the message sent with it; without it (another tab, a reload) the message says the file is
   * gone, to be attached again. Once per delivery: a fresh upload refused again is the server's error to show.
   */
  private async uploadAgain(message: SecretMessage, uploadedAgain: boolean, error: RpcError): Promise<void> {
    const attached = this.attached.get(`${message.chatId}:${message.randomId}`);
    if (!attached || uploadedAgain) {
      if (!attached) {
        await this.store.updateMessages(message.chatId, (m) =>
          m.randomId === message.randomId && m.status !== 'sent' && m.file ? { ...m, status: 'failed', file: { ...m.file, upload: undefined, unavailable: true } } : null,
        );
        this.changed({ kind: 'messages', chatId: message.chatId });
        throw new Error(FILE_GONE_TEXT);
      }
      await this.setStatus(message, 'failed');
      throw error;
    }
    let fresh: Pick<StoredSecretFile, 'key' | 'encryptedSize' | 'upload'>;
    try {
      fresh = await this.encryptAndUpload(attached);
    } catch (failed) {
      await this.setStatus(message, 'failed');
      throw failed;
    }
    const [updated] = await this.store.updateMessages(message.chatId, (m) =>
      m.randomId === message.randomId && m.status !== 'sent' && m.file ? { ...m, file: { ...m.file, ...fresh, unavailable: undefined } } : null,
    );
    // Deleted meanwhile: nothing to send.
    if (updated) await this.deliver(updated, true);
  }

  private async setStatus(message: SecretMessage, status: 'sending' | 'failed'): Promise<void> {
    await this.store.updateMessages(message.chatId, (m) => (m.randomId === message.randomId && m.status !== 'sent' ? { ...m, status } : null));
    this.changed({ kind: 'messages', chatId: message.chatId });
  }

  /** "Delete for both": the other side is told first (a `delete` body), then they go here. */
  async deleteForBoth(chatId: number, randomIds: number[]): Promise<void> {
    const chat = await this.store.chat(chatId);
    if (!chat?.keyAdmin || !chat.keyParticipant || chat.state !== 'ready') throw new RpcError('ENCRYPTION_DECLINED', 400);
    const randomId = secretRandomId();
    const sealed = await this.seal(chatId, randomId, { delete: randomIds, date: Math.floor(this.now() / 1000) });
    if (!sealed) throw new RpcError('ENCRYPTION_DECLINED', 400);
    // A control message: the server pushes no notification of it.
    try {
      await this.options.api.sendEncrypted({ chat_id: chatId, random_id: randomId, data: sealed.data, service: true });
    } catch (error) {
      // Refused (code 0 is the client's own timeout: the server may have it): stored nowhere, so its number goes to the
      // next body when none was sealed after it, instead of leaving the other side a gap.
      if (error instanceof RpcError && error.code >= 400 && error.code < 500) {
        const { outSeq } = sealed;
        await this.store.updateChat(chatId, (c) => (c.outSeq === outSeq + 1 ? forgetSent({ ...c, outSeq }, outSeq) : null));
        throw error;
      }
      // Given up (timed out, the link lost): the delete is numbered and kept, so the other side deletes them either way —
      // the server ran it, or the other side asks for its number again and gets it. Off this device too, then.
      await this.removeDeleted(chatId, randomIds, sealed.rekeyAt);
      throw error;
    }
    await this.removeDeleted(chatId, randomIds, sealed.rekeyAt);
  }

  private async removeDeleted(chatId: number, randomIds: number[], rekeyAt: number | null): Promise<void> {
    // Nobody is to see them any more: asked for again, their numbers go as empty bodies.
    const own = (await this.store.messages(chatId)).filter((m) => m.from === this.self && m.outSeq !== undefined && randomIds.includes(m.randomId));
    if (own.length > 0) {
      const now = this.now();
      await this.store.updateChat(chatId, (c) => own.reduce((next, m) => rememberSent(next, m.outSeq!, 'control', m.randomId, now), c));
    }
    await this.deleteHere(chatId, randomIds);
    // The delete counts towards the key's use either way (it went, or goes again under its number).
    if (rekeyAt !== null) this.rekeyDue(chatId, rekeyAt);
  }

  /** Deletes messages on this device only (a chat that ended). */
  async deleteHere(chatId: number, randomIds: number[]): Promise<void> {
    randomIds.forEach((id) => this.attached.delete(`${chatId}:${id}`));
    await this.store.deleteMessages(chatId, randomIds);
    this.changed({ kind: 'messages', chatId });
  }

  /**
   * The chat is on screen: its incoming messages count as shown, their self-destruct timers start, and the other side
   * gets a read receipt up to the newest of them.
   */
  markRead(chatId: number): Promise<void> {
    return this.serial(async () => {
      const chat = await this.store.chat(chatId);
      if (!chat) return;
      const now = this.now();
      const read = await this.store.updateMessages(chatId, (m) =>
        m.from !== this.self && !m.read ? readAt(m, now) : null,
      );
      if (read.length === 0) return;
      this.changed({ kind: 'messages', chatId });
      await this.scheduleSweep();
      if (chat.state === 'ready') await this.sendReceipt(chatId, Math.max(...read.map((m) => m.date)));
    });
  }

  /**
   * A read receipt up to `maxDate`. Dates are whole seconds and the server passes on only a position that moves
   * forward, so messages read in the second the last receipt already named would never be covered (the sender's tick
   * and self-destruct timer would wait for the next message read): for them a receipt for the next second goes once
   * that second is over, unless a message of it is still unread here (its own reading sends one then).
   */
  private async sendReceipt(chatId: number, maxDate: number): Promise<void> {
    const chat = await this.store.chat(chatId);
    if (!chat) return;
    if (maxDate <= chat.readDateSent) {
      this.receiptLater(chatId, chat.readDateSent + 1);
      return;
    }
    await this.store.updateChat(chatId, (c) => ({ ...c, readDateSent: Math.max(c.readDateSent, maxDate) }));
    void this.options.api.readHistory({ chat_id: chatId, max_date: maxDate }).catch(() => undefined);
  }

  private receiptLater(chatId: number, date: number): void {
    const timer = setTimeout(() => {
      this.receiptTimers.delete(timer);
      void this.serial(async () => {
        const chat = await this.store.chat(chatId);
        if (!chat || chat.state !== 'ready' || chat.readDateSent >= date) return;
        const unread = (await this.store.messages(chatId)).some((m) => m.from !== this.self && !m.read && m.date <= date);
        if (!unread) await this.sendReceipt(chatId, date);
      }).catch(() => undefined);
    }, this.options.receiptRetryMs ?? 2000);
    this.receiptTimers.add(timer);
  }

  /** Tells the other side this user types (the UI keeps it to one every few seconds). */
  typing(chatId: number): void {
    void this.options.api.setTyping({ chat_id: chatId }).catch(() => undefined);
  }

  /** The self-destruct timer of the messages this device sends next (0: off). */
  async setTtl(chatId: number, ttl: number): Promise<void> {
    await this.store.updateChat(chatId, (c) => ({ ...c, ttl }));
    this.changed({ kind: 'chats' });
  }

  /**
   * "Delete secret chat": ends it for both (unless it ended already; with `deleteHistory` the other side deletes its
   * history too) and forgets it here.
   */
  async deleteChat(chatId: number, deleteHistory: boolean): Promise<void> {
    const chat = await this.store.chat(chatId);
    if (chat && chat.state !== 'discarded') await this.options.api.discardChat({ chat_id: chatId, delete_history: deleteHistory });
    await this.serial(async () => {
      await this.store.deleteChat(chatId);
      this.changed({ kind: 'chats' });
      this.changed({ kind: 'messages', chatId });
    });
  }

  // ---- Self-destruct ----

  /** Deletes the messages whose time has come and sets a timer for the next one. */
  /** Seals a body numbered with the chat's next number under its current keys into its queue (sent as the key changes'
   * steps are), keeping what it was for a later resend request; the chat unchanged when it holds no keys or is not ready. */
  private queueSealed(chat: LocalSecretChat, body: SecretBody, kind: 'control' | 'message' | 'delete', now: number): LocalSecretChat {
    const keys = currentKeys(chat);
    if (!keys || chat.state !== 'ready') return chat;
    const outSeq = chat.outSeq ?? 0;
    const randomId = secretRandomId();
    const data = encryptBody(chat.role === 'admin' ? keys.keyAdmin : keys.keyParticipant, chat.id, randomId, { ...body, out_seq: outSeq, in_seq: inOrder(chat.inbound) });
    return rememberSent({ ...chat, outSeq: outSeq + 1, rekeySends: [...(chat.rekeySends ?? []), { randomId, data }] }, outSeq, kind, randomId, now);
  }

  /** A file sent again that the server refused: its number (`seq`) sealed as gone under the current keys. */
  private goneInstead(chat: LocalSecretChat, refused: SealedSecretSend): SealedSecretSend | undefined {
    const keys = currentKeys(chat);
    if (!keys || refused.seq === undefined) return undefined;
    const randomId = secretRandomId();
    const body = { gone: true, date: Math.floor(this.now() / 1000), out_seq: refused.seq, in_seq: inOrder(chat.inbound) };
    return { randomId, data: encryptBody(chat.role === 'admin' ? keys.keyAdmin : keys.keyParticipant, chat.id, randomId, body) };
  }

  /** The other side asked for this device's bodies `range` again: each kept one goes again under its first number,
   * sealed under the current keys (protocol/secretResend.ts). */
  private async answerResend(chatId: number, range: { start: number; end: number }): Promise<void> {
    const messages = await this.store.messages(chatId);
    const now = this.now();
    const updated = await this.store.updateChat(chatId, (c) => {
      const keys = currentKeys(c);
      if (!keys || c.state !== 'ready') return null;
      const answers = resendAnswers(c, range, messages, this.self, now);
      if (answers.length === 0) return null;
      const sends = answers.map((body): SealedSecretSend => {
        const randomId = secretRandomId();
        const data = encryptBody(c.role === 'admin' ? keys.keyAdmin : keys.keyParticipant, c.id, randomId, { ...body, in_seq: inOrder(c.inbound) });
        const fileId = resentFileId(body, messages, this.self);
        return fileId ? { randomId, data, fileId, seq: body.out_seq } : { randomId, data };
      });
      return { ...c, rekeySends: [...(c.rekeySends ?? []), ...sends] };
    });
    const at = updated ? rekeyDueAt(updated) : null;
    if (at !== null) this.rekeyDue(chatId, at);
  }

  async sweep(): Promise<void> {
    await this.serial(async () => {
      const expired = await this.store.expiredBy(this.now());
      const byChat = new Map<number, number[]>();
      for (const m of expired) byChat.set(m.chatId, [...(byChat.get(m.chatId) ?? []), m.randomId]);
      for (const [chatId, ids] of byChat) {
        await this.store.deleteMessages(chatId, ids);
        this.changed({ kind: 'messages', chatId });
      }
      const now = this.now();
      // A gap open a few seconds: its sender is asked for it again, once (the request goes with the key changes' queue).
      for (const chat of await this.store.chats()) {
        if (!takeToAsk(chat.inbound, now)) continue;
        const updated = await this.store.updateChat(chat.id, (c) => {
          const due = takeToAsk(c.inbound, now);
          if (!due) return null;
          let next: LocalSecretChat = { ...c, inbound: due.state };
          for (const gap of due.asked) next = this.queueSealed(next, { resend: { start: gap.from, end: gap.to - 1 }, date: Math.floor(now / 1000) }, 'control', now);
          return next;
        });
        const at = updated ? rekeyDueAt(updated) : null;
        if (at !== null) this.rekeyDue(chat.id, at);
      }
      // The other side's numbers missing for a minute: the user is told how many.
      for (const chat of await this.store.chats()) {
        if (!reportOverdue(chat.inbound, now)) continue;
        const updated = await this.store.updateChat(chat.id, (c) => {
          const inbound = reportOverdue(c.inbound, now);
          return inbound ? { ...c, inbound } : null;
        });
        this.changed({ kind: 'missing', chatId: chat.id, count: reportedMissing(updated?.inbound) });
        this.changed({ kind: 'chats' });
      }
    });
    await this.scheduleSweep();
  }

  private async scheduleSweep(): Promise<void> {
    if (this.stopped) return;
    const dues = [await this.store.nextExpiry(), ...(await this.store.chats()).map((c) => nextSequenceDue(c.inbound))].filter((d): d is number => d !== null);
    const next = dues.length > 0 ? Math.min(...dues) : null;
    clearTimeout(this.sweepTimer);
    if (next === null || this.stopped) return;
    // A browser runs a delay beyond 2^31 − 1 ms at once: a time further away is looked at again after that long.
    this.sweepTimer = setTimeout(() => void this.sweep().catch(() => undefined), Math.min(Math.max(0, next - this.now()) + 50, MAX_TIMER_MS));
  }
}
