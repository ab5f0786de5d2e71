// This device's secret chats and their history, in IndexedDB, one database per signed-in account
// (`messenger-secret-<user id>`), deleted on sign-out. The server holds no history of them: what is here is all there is.
import { deleteDB, openDB, type IDBPDatabase } from 'idb';
import type { SecretFileBody } from './secret';
import type { InboundSequence } from './secretSequence';

export type SecretRole = 'admin' | 'participant';
export type LocalSecretState = 'requested' | 'accepting' | 'ready' | 'discarded';

/** A chat this device holds the keys of. */
/** What a number this device sent carried, kept for a resend request: a delete for both (its random_ids here), or a
 * body nobody is shown (a key change's step, a resend request, a message since deleted for both); a message's number is
 * found on the message. `date`: when it was sealed (ms, local clock). */
export interface SentBody {
  seq: number;
  kind: 'message' | 'delete' | 'control';
  randomId: number;
  date: number;
  delete?: number[];
}

export interface LocalSecretChat {
  id: number;
  role: SecretRole;
  peerId: number;
  state: LocalSecretState;
  /** When the chat was asked for (server date). */
  date: number;
  /** This device's X25519 secret for the chat: the admin's while it waits for g_b, null from when the chat is Ready (the
   * participant never keeps it: its keys are derived when it takes the request). Kept longer, it and the log's g_a/g_b
   * would give generation 0 again to whoever later reads this database, and with it the chat's first messages. */
  secretKey: Uint8Array | null;
  /** The public keys (the server has them too): harmless without a secret. */
  gA: Uint8Array;
  gB: Uint8Array | null;
  /** keys[0..32], keys[32..64] (protocol/secret.ts) of the current generation; null until both halves are known, and
   * once it ends. */
  keyAdmin: Uint8Array | null;
  keyParticipant: Uint8Array | null;
  /** The first generation's: what the two people compare (later ones are agreed under the one before). */
  fingerprint: number;
  verification: string;
  // Re-keying (protocol/secretRekey.ts). A record written before it lacks these: generation 0, nothing used, begun
  // when first read, no previous generation, no exchange.
  /** Which generation keyAdmin/keyParticipant are: 0 for the first keys, one more at each key change. */
  generation?: number;
  /** Messages (texts, deletes, files; not key changes) this device encrypted or decrypted under the current generation. */
  keyUsed?: number;
  /** When this device began using the current generation (ms, local clock). */
  keyCreated?: number;
  /** The other side's messages opened under the current generation since it became current. */
  peerUnderCurrent?: number;
  /** The generation before the current one, for the other side's messages sent before it changed over too. */
  previousKeys?: HeldSecretKeys | null;
  /** This device's exchange, waiting for the other side's accept. */
  rekeyOutgoing?: OutgoingRekey | null;
  /** The other side's exchange this device accepted, waiting for its commit (or a message under its keys). */
  rekeyAccepted?: AcceptedRekey | null;
  /** An exchange ended in an abort (sent or received): none starts again before the next text, delete or file is sent
   * or received, so a peer that always aborts meets one request per message, never a loop. */
  rekeyPaused?: boolean;
  /** Key-change messages sealed and saved before they go, oldest first; each leaves once the server took it (a retry
   * sends the same random_id and bytes). */
  rekeySends?: SealedSecretSend[];
  /** While this time (ms, local clock) is to come the queued key-change messages wait: the last try failed on the way.
   * Kept here, not in a tab's memory, so that whichever tab runs sends them then (each sets a timer for it) and none
   * sooner, also after a reload. */
  rekeyRetryAt?: number | null;
  /** That wait is the server's FLOOD_WAIT, which a reconnection does not cut short (the wait after a failure it does). */
  rekeyRetryFlood?: boolean;
  /** Failed tries in a row of the queued messages: each doubles the wait, up to a minute; one that goes starts it over. */
  rekeyAttempts?: number;
  // Sequence numbers (protocol/secretSequence.ts). A record written before them lacks these: 0, nothing received.
  /** The number the next body this device seals gets (`out_seq`), counted in the transaction that seals it. */
  outSeq?: number;
  /** The other side's numbers received, saved in the transaction that stores the body's effect. */
  inbound?: InboundSequence;
  /** What this device's last numbers other than messages carried (protocol/secretResend.ts): sent again when asked. */
  sent?: SentBody[];
  /** Why it ended: the server's reason, or `key_mismatch` when the keys did not agree. */
  reason: string | null;
  /** The self-destruct timer (seconds) new messages from this device carry; 0: off. */
  ttl: number;
  /** The other side read this device's messages up to this server date. */
  peerReadDate: number;
  /** The last read position this device sent (a server date): the server passes on only one that moves forward. */
  readDateSent: number;
  /** Activity for the chat list: the newest message's date, or when the chat changed. */
  lastDate: number;
}

/** One generation's two direction keys. */
export interface HeldSecretKeys {
  generation: number;
  keyAdmin: Uint8Array;
  keyParticipant: Uint8Array;
}

export interface OutgoingRekey {
  id: number;
  /** The exchange's own X25519 secret (wiped once the exchange ends) and its public key, g_init. */
  secretKey: Uint8Array;
  g: Uint8Array;
  /** When it was asked (ms, local clock): unanswered for 7 days, it is aborted. */
  date: number;
}

export interface AcceptedRekey {
  id: number;
  /** g_acc, sent again as it was should the request come again. */
  g: Uint8Array;
  /** The next generation (its secret was wiped once these were derived). */
  keys: HeldSecretKeys;
  fingerprint: number;
}

export interface SealedSecretSend {
  randomId: number;
  data: Uint8Array;
  /** A file message sent again at a resend request: the server's id of the file the chat holds (sent by reference,
   * never uploaded again) and the number it goes under (answered gone instead if the server no longer holds it). */
  fileId?: number;
  seq?: number;
}

/** What handling a received message writes, in the transaction that read its chat. */
export interface ReceivedWrite<T> {
  /** The chat as it is to be stored (its keys moved on, counts). */
  chat?: LocalSecretChat;
  /** A message to store. */
  message?: SecretMessage;
  /** Messages a delete for both takes away (kept as gone). */
  deletes?: number[];
  /** Remember the random_id as handled though it left no message (a delete, a key change, a body that is shown as
   * nothing): every message that opened moved the chat's counts. */
  seen?: boolean;
  result: T;
  /** A message stored under another random_id than the body's (one sent again at a resend request names its first):
   * when that random_id is held or gone already, no message is stored, the body's random_id is kept as handled and
   * this is the result. */
  duplicate?: T;
}

/** A key pair made for a request, kept under its random_id until the server's answer names the chat. */
export interface PendingSecretRequest {
  randomId: number;
  peerId: number;
  secretKey: Uint8Array;
  gA: Uint8Array;
  date: number;
}

export type SecretMessageStatus = 'sending' | 'sent' | 'failed';

export interface SecretMessage {
  chatId: number;
  randomId: number;
  from: number;
  /** Server date once stored there (the sender's clock while its own message is being sent). */
  date: number;
  text: string;
  /** Self-destruct seconds (0: none). */
  ttl: number;
  /** Incoming: shown to this user. Outgoing: the other side's read receipt covers it. */
  read: boolean;
  /** When it self-destructs (ms, local clock); null while its timer has not started. */
  expires: number | null;
  replyTo: number | null;
  /** Outgoing only. */
  status?: SecretMessageStatus;
  /** Outgoing: its `out_seq`, taken when it was first sealed; a retry sends the same. */
  outSeq?: number;
  /** Incoming, sent without sound: its notice is quiet. */
  silent?: boolean;
  /** A photo or file (`text` is then its caption): what the encrypted body said of it, and where the ciphertext is. */
  file?: StoredSecretFile;
}

/** What the encrypted body said of the file (its key goes with the message: self-destruct, delete, the chat's history
 * deleted), and where its ciphertext is. */
export interface StoredSecretFile extends SecretFileBody {
  /** The server's media id of the ciphertext (0 while an outgoing one is on its way) and its size. */
  id: number;
  encryptedSize: number;
  /** Outgoing, while it is being sent: the finished upload, so a retry sends it again without uploading it again. */
  upload?: { file_id: number; total_parts: number };
  /** Outgoing, not sent: the server no longer has its upload and no tab here holds the file (attach it again). */
  unavailable?: boolean;
}

const CHATS = 'chats';
const PENDING = 'pending';
const MESSAGES = 'messages';
const META = 'meta';
/** (chatId, randomId) of messages deleted or self-destructed here, or named by a delete for both before they came, and
 * of every received message that opened and left no message (deletes, key changes, bodies shown as nothing): a replay of
 * the log (which overlaps what the stream brought), or another tab, must not store, apply or count them again. Kept
 * while the chat is. */
const GONE = 'gone';

let seqCounter = 0;
/** Arrival order among messages of the same second, across reloads. */
const nextSeq = (): number => Date.now() * 1000 + (seqCounter++ % 1000);

export const secretDbName = (userId: number): string => `messenger-secret-${userId}`;

export interface SecretStoreOptions {
  /** How long opening waits for another tab's connection of an older version to close before its calls fail (ms). */
  blockedWaitMs?: number;
  /** True once opening gave up on such a tab (it keeps the database at its version: frozen in the background, or a
   * build from before it was told to close), false once the database opened after all (that tab closed): the app asks
   * the user to close their other tabs, then catches up. */
  onBlocked?: (blocked: boolean) => void;
}

/** What the user is told while the database waits for such a tab. */
export const STORE_BLOCKED_TEXT = 'Close your other Messenger tabs to finish updating secret chats';

/** The database could not be brought to this build's version: another tab holds it open at an older one. */
export class SecretStoreBlockedError extends Error {
  constructor() {
    super(STORE_BLOCKED_TEXT);
    this.name = 'SecretStoreBlockedError';
  }
}

export class SecretStore {
  private db: Promise<IDBPDatabase> | undefined;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly options: SecretStoreOptions = {},
  ) {}

  static forUser(userId: number, options: SecretStoreOptions = {}): SecretStore {
    return new SecretStore(secretDbName(userId), options);
  }

  /** Deletes the account's database (sign-out): the keys and the history go with it. */
  static async destroy(userId: number): Promise<void> {
    await deleteDB(secretDbName(userId));
  }

  /** Deletes every account's database in this browser but `keepUserId`'s (all with null): those a sign-out cut short
   * (the tab closed during the deletion) or a session signed out some other way left behind. */
  static async destroyAllBut(keepUserId: number | null): Promise<void> {
    if (typeof indexedDB.databases !== 'function') return;
    const keep = keepUserId === null ? null : secretDbName(keepUserId);
    const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((name) => /^messenger-secret-\d+$/.test(name) && name !== keep);
    await Promise.all(names.map((name) => deleteDB(name)));
  }

  /** Closes the database for good: what is still queued fails rather than open (and so make again) a deleted one. */
  async close(): Promise<void> {
    this.closed = true;
    const db = this.db;
    this.db = undefined;
    // One that never opened (given up while another tab held it) has nothing to close.
    if (db) (await db.catch(() => null))?.close();
  }

  async chats(): Promise<LocalSecretChat[]> {
    return (await this.open()).getAll(CHATS);
  }

  async chat(id: number): Promise<LocalSecretChat | undefined> {
    return (await this.open()).get(CHATS, id);
  }

  async putChat(chat: LocalSecretChat): Promise<void> {
    await (await this.open()).put(CHATS, chat);
  }

  /** Stores the chat unless one with its id is there: false when another tab (or an earlier run) holds it. */
  async claimChat(chat: LocalSecretChat): Promise<boolean> {
    try {
      await (await this.open()).add(CHATS, chat);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The admin's chat made from this device's request: stored unless one with its id is there (false then: another tab
   * bound it), and the request's record deleted in the same transaction either way, so its X25519 secret is never left
   * beside a chat that holds it (a tab closing between the two).
   */
  async claimRequested(chat: LocalSecretChat, requestRandomId: number): Promise<boolean> {
    const tx = (await this.open()).transaction([CHATS, PENDING], 'readwrite');
    const chats = tx.objectStore(CHATS);
    const claimed = (await chats.count(chat.id)) === 0;
    if (claimed) await chats.add(chat);
    await tx.objectStore(PENDING).delete(requestRandomId);
    await tx.done;
    return claimed;
  }

  /** Changes a stored chat in one transaction (another tab may change it too); undefined when it is not held. */
  async updateChat(id: number, change: (chat: LocalSecretChat) => LocalSecretChat | null): Promise<LocalSecretChat | undefined> {
    const tx = (await this.open()).transaction(CHATS, 'readwrite');
    const current = (await tx.store.get(id)) as LocalSecretChat | undefined;
    if (!current) {
      await tx.done;
      return undefined;
    }
    const next = change(current);
    if (next) await tx.store.put(next);
    await tx.done;
    return next ?? current;
  }

  /**
   * Changes a chat and one of its messages in one transaction (sealing an outgoing message takes its number from the
   * chat and keeps it on the message together); undefined when the chat is not held.
   */
  async updateChatAndMessage(
    id: number,
    randomId: number,
    change: (chat: LocalSecretChat, message: SecretMessage | undefined) => { chat: LocalSecretChat; message?: SecretMessage } | null,
  ): Promise<LocalSecretChat | undefined> {
    const tx = (await this.open()).transaction([CHATS, MESSAGES], 'readwrite');
    const current = (await tx.objectStore(CHATS).get(id)) as LocalSecretChat | undefined;
    if (!current) {
      await tx.done;
      return undefined;
    }
    const message = (await tx.objectStore(MESSAGES).get([id, randomId])) as (SecretMessage & { seq: number }) | undefined;
    const next = change(current, message);
    if (next) {
      await tx.objectStore(CHATS).put(next.chat);
      if (next.message && message) await tx.objectStore(MESSAGES).put({ ...message, ...next.message });
    }
    await tx.done;
    return next?.chat ?? current;
  }

  /**
   * Handles a received message in one transaction with its chat: tabs share the database, so exactly one of them acts
   * on a message (the others find it handled), and what it changes in the chat's keys is saved with what it left.
   * `handle` runs synchronously inside the transaction (decrypting, moving the keys on); it sees the chat as stored and
   * whether the random_id was handled before (stored, deleted here, a delete for both, a key change).
   */
  async receive<T>(chatId: number, randomId: number, handle: (chat: LocalSecretChat | undefined, seen: boolean) => ReceivedWrite<T>): Promise<T> {
    const tx = (await this.open()).transaction([CHATS, MESSAGES, GONE], 'readwrite');
    const done = tx.done;
    // Awaited below either way: an abort must not be left unhandled.
    done.catch(() => undefined);
    try {
      const chat = (await tx.objectStore(CHATS).get(chatId)) as LocalSecretChat | undefined;
      const seen = (await tx.objectStore(MESSAGES).count([chatId, randomId])) + (await tx.objectStore(GONE).count([chatId, randomId])) > 0;
      let write = handle(chat, seen);
      const named = write.message?.randomId;
      if (named !== undefined && named !== randomId && write.duplicate !== undefined) {
        const held = (await tx.objectStore(MESSAGES).count([chatId, named])) + (await tx.objectStore(GONE).count([chatId, named])) > 0;
        if (held) write = { ...write, message: undefined, seen: true, result: write.duplicate };
      }
      const writes: Promise<unknown>[] = [];
      if (write.chat) writes.push(tx.objectStore(CHATS).put(write.chat));
      if (write.message) writes.push(tx.objectStore(MESSAGES).add({ ...write.message, seq: nextSeq() }));
      for (const id of write.deletes ?? []) writes.push(tx.objectStore(MESSAGES).delete([chatId, id]), tx.objectStore(GONE).put({ chatId, randomId: id }));
      if (write.seen) writes.push(tx.objectStore(GONE).put({ chatId, randomId }));
      await Promise.all(writes);
      await done;
      return write.result;
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // already finished
      }
      throw error;
    }
  }

  /** Forgets the chat and its history on this device. */
  async deleteChat(id: number): Promise<void> {
    const tx = (await this.open()).transaction([CHATS, MESSAGES, GONE], 'readwrite');
    await tx.objectStore(CHATS).delete(id);
    await tx.objectStore(MESSAGES).delete(IDBKeyRange.bound([id, -Infinity], [id, Infinity]));
    await tx.objectStore(GONE).delete(IDBKeyRange.bound([id, -Infinity], [id, Infinity]));
    await tx.done;
  }

  async pending(): Promise<PendingSecretRequest[]> {
    return (await this.open()).getAll(PENDING);
  }

  async putPending(request: PendingSecretRequest): Promise<void> {
    await (await this.open()).put(PENDING, request);
  }

  async deletePending(randomId: number): Promise<void> {
    await (await this.open()).delete(PENDING, randomId);
  }

  /** How far this device's secret chats have read the user's update log (what came after is read again at start). */
  async loadPts(): Promise<number | null> {
    return ((await (await this.open()).get(META, 'pts')) as number | undefined) ?? null;
  }

  async savePts(pts: number): Promise<void> {
    await (await this.open()).put(META, pts, 'pts');
  }

  /** Oldest first (server dates; the same date by arrival). */
  async messages(chatId: number): Promise<SecretMessage[]> {
    const found = (await (await this.open()).getAllFromIndex(MESSAGES, 'chat', chatId)) as (SecretMessage & { seq?: number })[];
    return found.sort((a, b) => a.date - b.date || (a.seq ?? 0) - (b.seq ?? 0)).map(({ seq: _seq, ...m }) => m);
  }

  async message(chatId: number, randomId: number): Promise<SecretMessage | undefined> {
    return (await this.open()).get(MESSAGES, [chatId, randomId]);
  }

  /** Stores a message unless one with its random_id is in the chat already, or was deleted there (false then). */
  async addMessage(message: SecretMessage): Promise<boolean> {
    const tx = (await this.open()).transaction([MESSAGES, GONE], 'readwrite');
    // A duplicate aborts the transaction: its end is awaited either way, so that refusal is not left unhandled.
    const done = tx.done.then(
      () => true,
      () => false,
    );
    let added = false;
    try {
      if ((await tx.objectStore(GONE).count([message.chatId, message.randomId])) === 0) {
        await tx.objectStore(MESSAGES).add({ ...message, seq: nextSeq() });
        added = true;
      }
    } catch {
      // the key is there: a duplicate
    }
    return (await done) && added;
  }

  /** Changes the messages `pick` chooses in one transaction; answers the changed ones. */
  async updateMessages(chatId: number, change: (message: SecretMessage) => SecretMessage | null): Promise<SecretMessage[]> {
    const tx = (await this.open()).transaction(MESSAGES, 'readwrite');
    const changed: SecretMessage[] = [];
    let cursor = await tx.store.index('chat').openCursor(chatId);
    while (cursor) {
      const next = change(cursor.value as SecretMessage);
      if (next) {
        await cursor.update({ ...cursor.value, ...next });
        changed.push(next);
      }
      cursor = await cursor.continue();
    }
    await tx.done;
    return changed;
  }

  /** Deletes the messages, and keeps their random_ids so that they are not stored again (also those not here yet). */
  async deleteMessages(chatId: number, randomIds: number[]): Promise<void> {
    const tx = (await this.open()).transaction([MESSAGES, GONE], 'readwrite');
    await Promise.all(randomIds.flatMap((id) => [tx.objectStore(MESSAGES).delete([chatId, id]), tx.objectStore(GONE).put({ chatId, randomId: id })]));
    await tx.done;
  }

  async clearMessages(chatId: number): Promise<void> {
    await (await this.open()).delete(MESSAGES, IDBKeyRange.bound([chatId, -Infinity], [chatId, Infinity]));
  }

  /** Messages whose self-destruct time has come, in every chat. */
  async expiredBy(nowMs: number): Promise<SecretMessage[]> {
    return (await this.open()).getAllFromIndex(MESSAGES, 'expires', IDBKeyRange.upperBound(nowMs));
  }

  /** The earliest self-destruct time still to come (ms), if any. */
  async nextExpiry(): Promise<number | null> {
    const cursor = await (await this.open()).transaction(MESSAGES).store.index('expires').openCursor();
    return cursor ? (cursor.value as SecretMessage).expires : null;
  }

  private open(): Promise<IDBPDatabase> {
    if (this.closed) return Promise.reject(new Error('The secret chats store is closed'));
    this.db ??= this.openDatabase();
    return this.db;
  }

  private openDatabase(): Promise<IDBPDatabase> {
    let gaveUp = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let giveUp!: (error: Error) => void;
    const opened = new Promise<IDBPDatabase>((resolve, reject) => {
      giveUp = reject;
      openDB(this.name, 3, {
        // Each version adds to what the one before made (a database of an older version keeps its contents). Version 3
        // adds no store: a tab of the build before re-keying (version 2), which ends a chat without wiping its re-keying
        // keys, is told to close (`blocking` below, in that build too) and can no longer open the database; what it left
        // is wiped when the secret chats start (SecretChats.start).
        upgrade: (db, oldVersion) => {
          if (oldVersion < 1) {
            db.createObjectStore(CHATS, { keyPath: 'id' });
            db.createObjectStore(PENDING, { keyPath: 'randomId' });
            const messages = db.createObjectStore(MESSAGES, { keyPath: ['chatId', 'randomId'] });
            messages.createIndex('chat', 'chatId');
            // Messages without a timer leave `expires` null, which an index leaves out.
            messages.createIndex('expires', 'expires');
            db.createObjectStore(META);
          }
          if (oldVersion < 2) db.createObjectStore(GONE, { keyPath: ['chatId', 'randomId'] });
        },
        // Such a tab that does not close (frozen in the background, or of a build before `blocking`) holds the open for
        // as long as it lives, and a browser queues every later open behind it: after a little while this one's calls
        // fail at once (the app says why), the open still waits, and once that tab is gone it completes and the app is
        // told to catch up.
        blocked: () => {
          timer ??= setTimeout(() => {
            if (this.closed) return;
            gaveUp = true;
            const failed = Promise.reject(new SecretStoreBlockedError());
            failed.catch(() => undefined);
            if (this.db === opened) this.db = failed;
            giveUp(new SecretStoreBlockedError());
            this.options.onBlocked?.(true);
          }, this.options.blockedWaitMs ?? 5000);
        },
        // Another tab deleting the database (sign-out there) must not wait on this connection.
        blocking: () => void this.close(),
      }).then(
        (db) => {
          clearTimeout(timer);
          if (!gaveUp) return resolve(db);
          if (this.closed) return db.close();
          this.db = Promise.resolve(db);
          this.options.onBlocked?.(false);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (gaveUp) {
            // The next call opens afresh: the notice goes, as it would had this open completed.
            this.db = undefined;
            if (!this.closed) this.options.onBlocked?.(false);
          }
          reject(error);
        },
      );
    });
    // An open that failed (or was given up and then failed) is tried again by the next call.
    opened.catch(() => {
      if (this.db === opened) this.db = undefined;
    });
    return opened;
  }
}
