import 'fake-indexeddb/auto';
import { encode } from '@msgpack/msgpack';
import { openDB, type IDBPDatabase } from 'idb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RpcError, SecretChatState, type Difference, type EncryptedMessage, type LoggedUpdate, type MessengerEvent, type SecretChat, type Update } from '../src/api/types';
import { fromUpdate, toUpdate } from '../src/protocol/codec';
import { concat, toHex } from '../src/protocol/bytes';
import type { Methods } from '../src/api/methods';
import { MAX_SECRET_FILE_BYTES, SecretFileError, SecretFileTooBigError, encryptedFileSize } from '../src/protocol/secretFile';
import { encryptBody, isWeakPublicKey, MAX_SECRET_TTL, MIN_DATA_BYTES, newSecretKeyPair, openPlaintext, parseBody, sealPlaintext, type RekeyAction, type SecretBody } from '../src/protocol/secret';
import { inOrder, RESEND_AFTER_MS, SEQUENCE_GRACE_MS } from '../src/protocol/secretSequence';
import { missingText } from '../src/ui/secret';
import { FILE_GONE_TEXT, SecretChatNotReadyError, SecretChats, type RekeyTimers, type SecretApi, type SecretChange, type SecretChatsOptions } from '../src/protocol/secretChats';
import { SecretStore, SecretStoreBlockedError, secretDbName, type LocalSecretChat } from '../src/protocol/secretStore';
import { ready } from '../src/protocol/sodium';
import { UpdateStream, type UpdateServer } from '../src/protocol/updates';
import { fitsLength, MAX_TEXT_LENGTH } from '../src/ui/rich';
import { until } from './helpers';

/** As the app counts a text (ui/secret.ts): at most 4096 characters as shown. */
const secretTextFits = (text: string): boolean => fitsLength(text, MAX_TEXT_LENGTH);

async function eventually(probe: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

beforeAll(() => ready());

const ALICE = 1;
const BOB = 2;
let dbCounter = 0;

interface ServerChat extends SecretChat {
  adminDevice: string;
  participantDevice: string | null;
  requests: Map<number, number>;
}

/** The server's side of secret chats as the specification has it, in memory; updates go straight to each device. */
class FakeSecretServer {
  readonly chats = new Map<number, ServerChat>();
  readonly requestsBy = new Map<string, number>();
  readonly readPositions = new Map<number, number>();
  readonly devices: { userId: number; device: string; engine: SecretChats }[] = [];
  readonly calls: string[] = [];
  /** Every message stored, as its recipient's log holds it (a replay delivers it again). */
  readonly sent: EncryptedMessage[] = [];
  /** Devices whose updates wait (offline): delivered by `flush`. */
  readonly held = new Map<string, (() => Promise<void>)[]>();
  /** Changes the accepted chat on its way to the admin (a man in the middle). */
  tamper: ((chat: SecretChat) => SecretChat) | null = null;
  /** The next requestChat stores the chat and then fails as a lost answer would. */
  loseNextAnswer = false;
  /** This many acceptChat calls fail as a lost connection would, before reaching the server. */
  lostAccepts = 0;
  /** getChats answers once this settles (what it lists is read when it is asked). */
  getChatsHeld: Promise<void> | null = null;
  /** Every message in the same second (dates are whole seconds). */
  frozen = false;
  private nextId = 100;
  now = 1_764_900_000;
  /** Uploads by (user, file_id) and stored files by media id: what upload.saveFilePart and upload.getFile see. */
  readonly uploads = new Map<string, Uint8Array[]>();
  readonly files = new Map<number, Uint8Array>();
  private nextFile = 1;
  /** The files each chat holds, as `chat:sender:id`: sent again by id only by their sender, in their chat. */
  readonly heldFiles = new Set<string>();
  /** upload.getFile calls, and upload.saveFilePart ones. */
  getFileCalls = 0;
  savedParts = 0;
  /** The next sendEncrypted fails with this before reaching the server (a lost connection). */
  failNextSend: Error | null = null;
  /** The next sendEncrypted of a device fails with this before reaching the server. */
  readonly failNextSendOf = new Map<string, Error>();
  /** A stored message this answers true for never reaches its recipient (an update lost on the way). */
  dropDelivery: ((message: EncryptedMessage) => boolean | Promise<boolean>) | null = null;

  upload(userId: number): Methods['upload'] {
    const uploads = {
      saveFilePart: async (a: { file_id: number; part: number; total_parts: number; bytes: Uint8Array }) => {
        this.savedParts++;
        const parts = this.uploads.get(`${userId}:${a.file_id}`) ?? [];
        parts[a.part] = a.bytes;
        this.uploads.set(`${userId}:${a.file_id}`, parts);
        return [];
      },
      getFile: async (a: { media_id: number; offset: number; limit: number }) => {
        this.getFileCalls++;
        const file = this.files.get(a.media_id);
        if (!file) throw new RpcError('MEDIA_INVALID', 404);
        return { bytes: file.slice(a.offset, a.offset + a.limit) };
      },
    };
    return uploads as unknown as Methods['upload'];
  }

  api(userId: number, device: string): SecretApi {
    const fail = (name: string, code = 400) => {
      throw new RpcError(name, code);
    };
    const member = (chatId: number) => {
      const chat = this.chats.get(chatId);
      if (!chat || (chat.admin_id !== userId && chat.participant_id !== userId)) fail('ENCRYPTION_ID_INVALID');
      return chat!;
    };
    const boundDevice = (chat: ServerChat) => {
      if (chat.state === SecretChatState.Requested) fail('ENCRYPTION_ID_INVALID');
      if (chat.state === SecretChatState.Discarded) fail('ENCRYPTION_DECLINED');
      if ((chat.admin_id === userId ? chat.adminDevice : chat.participantDevice) !== device) fail('ENCRYPTION_DEVICE_INVALID', 403);
    };
    return {
      requestChat: async (a) => {
        this.calls.push(`requestChat:${device}`);
        if (a.user_id === userId || a.user_id > 2) fail('PEER_ID_INVALID');
        if (isWeakPublicKey(a.g_a)) fail('DH_G_A_INVALID');
        const known = this.requestsBy.get(`${userId}:${a.random_id}`);
        let chat = known !== undefined ? this.chats.get(known)! : undefined;
        if (!chat) {
          chat = {
            id: this.nextId++,
            admin_id: userId,
            participant_id: a.user_id,
            state: SecretChatState.Requested,
            date: this.now,
            g_a: a.g_a,
            adminDevice: device,
            participantDevice: null,
            requests: new Map(),
          };
          this.chats.set(chat.id, chat);
          this.requestsBy.set(`${userId}:${a.random_id}`, chat.id);
          await this.toBoth(chat);
        }
        if (this.loseNextAnswer) {
          this.loseNextAnswer = false;
          throw new Error('connection lost');
        }
        return this.wire(chat);
      },
      acceptChat: async (a) => {
        this.calls.push(`acceptChat:${device}`);
        if (this.lostAccepts > 0) {
          this.lostAccepts--;
          throw new Error('connection lost');
        }
        const chat = this.chats.get(a.chat_id);
        if (!chat || chat.participant_id !== userId) fail('ENCRYPTION_ID_INVALID');
        if (chat!.state === SecretChatState.Discarded) fail('ENCRYPTION_DECLINED');
        if (chat!.state === SecretChatState.Ready) {
          if (chat!.participantDevice === device && toHex(chat!.g_b!) === toHex(a.g_b)) return this.wire(chat!);
          fail('ENCRYPTION_ALREADY_ACCEPTED');
        }
        Object.assign(chat!, { state: SecretChatState.Ready, g_b: a.g_b, key_fingerprint: a.key_fingerprint, participantDevice: device });
        await this.toBoth(chat!);
        return this.wire(chat!);
      },
      discardChat: async (a) => {
        this.calls.push(`discardChat:${device}:${a.delete_history ?? false}`);
        const chat = member(a.chat_id);
        if (chat.state === SecretChatState.Discarded) return [];
        const before = chat.state;
        Object.assign(chat, {
          state: SecretChatState.Discarded,
          reason: before === SecretChatState.Requested ? (userId === chat.admin_id ? 'cancelled' : 'declined') : 'ended',
          history_deleted: a.delete_history ?? false,
        });
        await this.toBoth(chat);
        return [];
      },
      sendEncrypted: async (a) => {
        this.calls.push(`sendEncrypted:${device}`);
        if (this.failNextSend) {
          const lost = this.failNextSend;
          this.failNextSend = null;
          throw lost;
        }
        const lostOf = this.failNextSendOf.get(device);
        if (lostOf) {
          this.failNextSendOf.delete(device);
          throw lostOf;
        }
        const chat = member(a.chat_id);
        boundDevice(chat);
        if (a.data.length < MIN_DATA_BYTES || (a.service && a.file && !a.file.id)) fail('ENCRYPTED_MESSAGE_INVALID');
        const key = `${userId}:${a.random_id}`;
        const first = chat.requests.get(a.random_id * 10 + userId);
        if (first !== undefined) return { date: first };
        // As the server: a send refused for its upload stores nothing (a later one with the same random_id is new).
        const again = a.file?.id ? a.file.id : 0;
        if (again && (a.file!.file_id || a.file!.total_parts || !this.heldFiles.has(`${chat.id}:${userId}:${again}`))) fail('ENCRYPTED_FILE_INVALID');
        const parts = a.file && !again ? this.uploads.get(`${userId}:${a.file.file_id}`) : undefined;
        if (a.file && !again && (!parts || parts.length !== a.file.total_parts)) fail('FILE_PARTS_INVALID');
        const date = this.frozen ? this.now : ++this.now;
        chat.requests.set(a.random_id * 10 + userId, date);
        void key;
        const other = chat.admin_id === userId ? chat.participant_id : chat.admin_id;
        const message: EncryptedMessage = { chat_id: chat.id, random_id: a.random_id, from_id: userId, date, data: a.data };
        if (a.silent) message.silent = true;
        if (a.service) message.service = true;
        if (again) message.file = { id: again, size: this.files.get(again)!.length };
        else if (a.file) {
          const id = this.nextFile++;
          this.files.set(id, concat(...parts!));
          this.heldFiles.add(`${chat.id}:${userId}:${id}`);
          message.file = { id, size: this.files.get(id)!.length };
        }
        this.sent.push(message);
        if (this.dropDelivery && (await this.dropDelivery(message))) return { date, file: message.file ?? null };
        await this.toUser(other, (engine) => engine.handleMessage(message));
        return { date, file: message.file ?? null };
      },
      readHistory: async (a) => {
        const chat = member(a.chat_id);
        boundDevice(chat);
        this.calls.push(`readHistory:${device}:${a.max_date}`);
        // As the server: the position only moves forward and never past now.
        const maxDate = Math.min(a.max_date, this.now);
        const key = chat.id * 10 + userId;
        if (maxDate <= (this.readPositions.get(key) ?? 0)) return [];
        this.readPositions.set(key, maxDate);
        const other = chat.admin_id === userId ? chat.participant_id : chat.admin_id;
        await this.toUser(other, (engine) => engine.handleRead(chat.id, maxDate));
        return [];
      },
      setTyping: async (a) => {
        const chat = member(a.chat_id);
        const other = chat.admin_id === userId ? chat.participant_id : chat.admin_id;
        await this.toUser(other, (engine) => engine.handleTyping(chat.id, userId));
        return [];
      },
      getChats: async () => {
        this.calls.push(`getChats:${device}`);
        const chats = [...this.chats.values()].filter((c) => c.admin_id === userId || c.participant_id === userId).map((c) => this.wire(c));
        // The answer as it was when asked, arriving once let go.
        if (this.getChatsHeld) await this.getChatsHeld;
        return { chats };
      },
    };
  }

  private wire(chat: ServerChat): SecretChat {
    const { adminDevice: _a, participantDevice: _p, requests: _r, ...wire } = chat;
    return { ...wire };
  }

  private async toBoth(chat: ServerChat): Promise<void> {
    const sent = this.wire(chat);
    await this.toUser(chat.admin_id, (engine) => engine.handleChat(this.tamper && chat.state === SecretChatState.Ready ? this.tamper(sent) : sent));
    await this.toUser(chat.participant_id, (engine) => engine.handleChat(sent));
  }

  private async toUser(userId: number, deliver: (engine: SecretChats) => Promise<void>): Promise<void> {
    for (const d of this.devices.filter((x) => x.userId === userId)) {
      const held = this.held.get(d.device);
      if (held) held.push(() => deliver(d.engine));
      else await deliver(d.engine);
    }
  }

  async flush(device: string, together = false): Promise<void> {
    const held = this.held.get(device) ?? [];
    this.held.delete(device);
    if (together) await Promise.all(held.map((deliver) => deliver()));
    else for (const deliver of held) await deliver();
  }
}

interface Device {
  engine: SecretChats;
  store: SecretStore;
  changes: SecretChange[];
  clock: { now: number };
}

const engines: SecretChats[] = [];
afterEach(() => engines.splice(0).forEach((e) => e.stop()));

function device(server: FakeSecretServer, userId: number, name: string, clock = { now: 1_764_900_000_000 }, options: Partial<SecretChatsOptions> = {}): Device {
  const store = options.store ?? new SecretStore(`secret-test-${++dbCounter}-${name}`);
  const changes: SecretChange[] = [];
  const engine = new SecretChats({
    api: server.api(userId, name),
    upload: server.upload(userId),
    store,
    selfId: userId,
    onChange: (c) => changes.push(c),
    now: () => clock.now,
    receiptRetryMs: 20,
    acceptRetryMs: 10,
    rekeyRetryMs: 10,
    textFits: secretTextFits,
    ...options,
  });
  engines.push(engine);
  server.devices.push({ userId, device: name, engine });
  return { engine, store, changes, clock };
}

/** Timers the test runs by hand (SecretChatsOptions.rekeyTimers). */
class ManualTimers implements RekeyTimers {
  private last = 0;
  readonly pending = new Map<number, { run: () => void; ms: number }>();
  set(run: () => void, ms: number): number {
    this.pending.set(++this.last, { run, ms });
    return this.last;
  }
  clear(timer: unknown): void {
    this.pending.delete(timer as number);
  }
  /** Runs the timers set so far, as if their time had come. */
  runAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    due.forEach((t) => t.run());
  }
}

/** The Web Locks of one browser's tabs: work under a name starts once the work before it under that name is done. */
function memoryLocks(): NonNullable<SecretChatsOptions['lock']> {
  const tails = new Map<string, Promise<void>>();
  return (name, work) => {
    const run = (tails.get(name) ?? Promise.resolve()).then(work);
    tails.set(name, run.catch(() => undefined));
    return run;
  };
}

async function readyChat(aliceOptions: Partial<SecretChatsOptions> = {}, bobOptions: Partial<SecretChatsOptions> = {}) {
  const server = new FakeSecretServer();
  const alice = device(server, ALICE, 'alice-laptop', undefined, aliceOptions);
  const bob = device(server, BOB, 'bob-phone', undefined, bobOptions);
  const chatId = await alice.engine.request(BOB);
  await eventually(async () => (await bob.store.chat(chatId))?.state === 'ready' && (await alice.store.chat(chatId))?.state === 'ready');
  return { server, alice, bob, chatId };
}

describe('secret chats on a device', () => {
  it('a read receipt of a later second that comes before a send\'s answer ticks the message once the answer comes', async () => {
    const server = new FakeSecretServer();
    const inner = server.api(ALICE, 'alice-laptop');
    let answered!: () => void;
    const answer = new Promise<void>((resolve) => (answered = resolve));
    let holdNext = false;
    // The server stored the first message and pushed it to Bob; its answer to Alice is slow.
    const api = { ...inner, sendEncrypted: async (a: Parameters<typeof inner.sendEncrypted>[0]) => {
      const hold = holdNext;
      holdNext = false;
      const sent = await inner.sendEncrypted(a);
      if (hold) await answer;
      return sent;
    } };
    const alice = device(server, ALICE, 'alice-laptop', undefined, { api });
    const bob = device(server, BOB, 'bob-phone');
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await bob.store.chat(chatId))?.state === 'ready' && (await alice.store.chat(chatId))?.state === 'ready');
    holdNext = true;
    const first = alice.engine.send(chatId, 'answered late');
    await eventually(async () => (await alice.store.messages(chatId)).length === 1);
    const held = (await alice.store.messages(chatId))[0]!.randomId;
    await eventually(async () => (await bob.store.messages(chatId)).some((m) => m.text === 'answered late'));
    // A second message, a second later, answered at once; Bob reads both: his receipt names the second one's second.
    const second = await alice.engine.send(chatId, 'answered at once');
    await eventually(async () => (await bob.store.messages(chatId)).length === 2);
    await bob.engine.markRead(chatId);
    await eventually(async () => (await alice.store.message(chatId, second.randomId))?.read === true);
    expect((await alice.store.message(chatId, held))?.read).toBe(false);
    answered();
    await first;
    await eventually(async () => (await alice.store.message(chatId, held))?.read === true);
  });

  it('a send given up (timed out) as the server stored it is marked sent by its late answer: dated, ticked by a receipt that came first, its file held; a retry then sends nothing', async () => {
    const { server, alice, bob, chatId, late } = await sendsGivenUp(2);
    await expect(alice.engine.send(chatId, 'given up')).rejects.toMatchObject({ name: 'TIMEOUT' });
    const plain = Uint8Array.from({ length: 3000 }, (_, i) => i % 251);
    await expect(alice.engine.sendFile(chatId, new Blob([plain as BlobPart]), { name: 'a.bin', mime: 'application/octet-stream', caption: 'file given up' })).rejects.toMatchObject({
      name: 'TIMEOUT',
    });
    const [text, file] = await alice.store.messages(chatId);
    expect([text!.status, file!.status]).toEqual(['failed', 'failed']);
    expect(file!.file!.id).toBe(0);
    await eventually(async () => (await bob.store.messages(chatId)).length === 2);
    // A later message, answered; Bob reads all three: his receipt names a later second than the given-up ones'.
    const after = await alice.engine.send(chatId, 'after');
    await eventually(async () => (await bob.store.messages(chatId)).length === 3);
    await bob.engine.markRead(chatId);
    await eventually(async () => (await alice.store.message(chatId, after.randomId))?.read === true);
    expect((await alice.store.message(chatId, text!.randomId))?.read).toBe(false);

    for (const answer of late) answer();
    await eventually(async () => (await alice.store.messages(chatId)).every((m) => m.status === 'sent' && m.read));
    const received = await bob.store.messages(chatId);
    for (const m of [text!, file!]) {
      const own = (await alice.store.message(chatId, m.randomId))!;
      const theirs = received.find((r) => r.randomId === m.randomId)!;
      expect(own.date).toBe(theirs.date);
      if (m.file) expect(own.file).toMatchObject({ id: theirs.file!.id, encryptedSize: theirs.file!.encryptedSize });
    }
    expect(new Uint8Array(await (await alice.engine.downloadFile(chatId, file!.randomId)).arrayBuffer())).toEqual(plain);
    const sends = server.calls.filter((c) => c.startsWith('sendEncrypted')).length;
    await alice.engine.retry(chatId, text!.randomId);
    expect(server.calls.filter((c) => c.startsWith('sendEncrypted')).length).toBe(sends);
    expect((await bob.store.messages(chatId)).map((m) => m.text)).toEqual(['given up', 'file given up', 'after']);
  });

  it('a late answer to a send given up changes nothing once a retry\'s answer dated the message, nor brings back one deleted meanwhile', async () => {
    const { alice, chatId, late } = await sendsGivenUp(2);
    await expect(alice.engine.send(chatId, 'retried')).rejects.toMatchObject({ name: 'TIMEOUT' });
    await expect(alice.engine.send(chatId, 'deleted')).rejects.toMatchObject({ name: 'TIMEOUT' });
    const [retried, deleted] = await alice.store.messages(chatId);
    await alice.engine.retry(chatId, retried!.randomId);
    await alice.engine.deleteForBoth(chatId, [deleted!.randomId]);
    const before = await alice.store.messages(chatId);
    expect(before).toEqual([expect.objectContaining({ randomId: retried!.randomId, status: 'sent' })]);
    const changes = alice.changes.length;

    for (const answer of late) answer();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await alice.store.messages(chatId)).toEqual(before);
    expect(alice.changes.length).toBe(changes);
  });

  it('a file goes encrypted with its caption and thumb, opens on the other side, and a spoiled copy does not', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const plain = Uint8Array.from({ length: 150_000 }, (_, i) => (i * 7) % 256);
    const thumb = new Uint8Array([0xff, 0xd8, 1, 2, 3]);
    const sent = await alice.engine.sendFile(chatId, new Blob([plain as BlobPart]), { name: 'photo.jpg', mime: 'image/jpeg', caption: 'The **sea**', width: 640, height: 480, thumb });
    const received = (await bob.store.message(chatId, sent.randomId))!;
    expect(received).toMatchObject({ text: 'The **sea**', file: { name: 'photo.jpg', mime: 'image/jpeg', size: plain.length, width: 640, height: 480, thumb } });
    expect(received.file!.id).toBeGreaterThan(0);
    const own = (await alice.store.message(chatId, sent.randomId))!;
    expect(own).toMatchObject({ status: 'sent', file: { id: received.file!.id } });
    expect(own.file!.upload).toBeUndefined();
    // The server holds ciphertext: not the file, and none of its bytes in a row.
    const stored = server.files.get(received.file!.id)!;
    expect(stored.length).toBe(16 + plain.length + 3 * 16);
    expect(toHex(stored)).not.toContain(toHex(plain.subarray(1000, 1032)));

    expect(new Uint8Array(await (await bob.engine.downloadFile(chatId, sent.randomId)).arrayBuffer())).toEqual(plain);
    expect(new Uint8Array(await (await alice.engine.downloadFile(chatId, sent.randomId)).arrayBuffer())).toEqual(plain);
    stored[70_000]! ^= 1;
    await expect(bob.engine.downloadFile(chatId, sent.randomId)).rejects.toThrow(SecretFileError);
  });

  it('refuses a file over 256 MiB before encrypting it, and one announced over 256 MiB before downloading it', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    // Only its size is read before the refusal: no 256 MiB need exist.
    const huge = { size: MAX_SECRET_FILE_BYTES + 1, type: '', slice: () => new Blob([]) } as unknown as Blob;
    await expect(alice.engine.sendFile(chatId, huge, { name: 'film.mkv', mime: 'video/x-matroska', caption: '' })).rejects.toThrow(SecretFileTooBigError);
    expect(server.savedParts).toBe(0);
    expect(await alice.store.messages(chatId)).toEqual([]);

    const sent = await alice.engine.sendFile(chatId, new Blob([new Uint8Array(1000) as BlobPart]), { name: 'a.bin', mime: 'application/octet-stream', caption: '' });
    // What a peer's body could claim: a size past the bound (the server's size agreeing), then one the server's
    // ciphertext does not match.
    await bob.store.updateMessages(chatId, (m) => ({ ...m, file: { ...m.file!, size: MAX_SECRET_FILE_BYTES + 1, encryptedSize: encryptedFileSize(MAX_SECRET_FILE_BYTES + 1) } }));
    await expect(bob.engine.downloadFile(chatId, sent.randomId)).rejects.toThrow(SecretFileTooBigError);
    await bob.store.updateMessages(chatId, (m) => ({ ...m, file: { ...m.file!, size: 10, encryptedSize: 1000 + 32 } }));
    await expect(bob.engine.downloadFile(chatId, sent.randomId)).rejects.toThrow(SecretFileError);
    expect(server.getFileCalls).toBe(0);
  });

  it('a failed file message sent again after the server forgot its upload is encrypted and uploaded again from the file this tab kept', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const plain = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 13) % 256);
    server.failNextSend = new Error('connection lost');
    await expect(alice.engine.sendFile(chatId, new Blob([plain as BlobPart]), { name: 'notes.txt', mime: 'text/plain', caption: 'notes' })).rejects.toThrow('connection lost');
    const [failed] = await alice.store.messages(chatId);
    expect(failed).toMatchObject({ status: 'failed', file: { upload: expect.anything() } });
    // The server restarted: the upload is gone (FILE_PARTS_INVALID for the handle the message kept).
    server.uploads.clear();

    await alice.engine.retry(chatId, failed.randomId);
    const [sent] = await alice.store.messages(chatId);
    expect(sent.status).toBe('sent');
    expect(sent.file!.upload).toBeUndefined();
    expect(new Uint8Array(await (await bob.engine.downloadFile(chatId, failed.randomId)).arrayBuffer())).toEqual(plain);
  });

  it('a failed file message whose upload and file are both gone says so and is not retried', async () => {
    const { alice, chatId, server } = await readyChat();
    server.failNextSend = new Error('connection lost');
    await expect(alice.engine.sendFile(chatId, new Blob([new Uint8Array(500) as BlobPart]), { name: 'a.pdf', mime: 'application/pdf', caption: '' })).rejects.toThrow();
    const [failed] = await alice.store.messages(chatId);
    server.uploads.clear();
    // A reload: the same database, a new engine that never held the file.
    const reloaded = new SecretChats({ api: server.api(ALICE, 'alice-laptop'), upload: server.upload(ALICE), store: alice.store, selfId: ALICE, onChange: () => undefined });
    engines.push(reloaded);
    await expect(reloaded.retry(chatId, failed.randomId)).rejects.toThrow(FILE_GONE_TEXT);
    expect((await alice.store.messages(chatId))[0]).toMatchObject({ status: 'failed', file: { unavailable: true } });
    const sends = server.calls.filter((c) => c.startsWith('sendEncrypted')).length;
    await expect(reloaded.retry(chatId, failed.randomId)).rejects.toThrow(FILE_GONE_TEXT);
    expect(server.calls.filter((c) => c.startsWith('sendEncrypted')).length).toBe(sends);
  });

  it('gives a received file its type only when it is a picture the app shows; an SVG or HTML file is bytes to save', async () => {
    const { alice, bob, chatId } = await readyChat();
    const thumb = new Uint8Array([0xff, 0xd8, 1, 2, 3]);
    const types: [string, string][] = [
      ['image/svg+xml', 'application/octet-stream'],
      ['text/html', 'application/octet-stream'],
      ['image/PNG', 'image/png'],
      ['image/webp', 'image/webp'],
    ];
    for (const [mime, expected] of types) {
      const sent = await alice.engine.sendFile(chatId, new Blob(['<svg onload="alert(1)"/>']), { name: 'x', mime, caption: '', thumb, width: 10, height: 10 });
      expect((await bob.engine.downloadFile(chatId, sent.randomId)).type).toBe(expected);
    }
  });

  it('stops downloading a file when its view goes', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const sent = await alice.engine.sendFile(chatId, new Blob([new Uint8Array(3 * 1024 * 1024) as BlobPart]), { name: 'big.bin', mime: '', caption: '' });
    const gone = new AbortController();
    gone.abort();
    await expect(bob.engine.downloadFile(chatId, sent.randomId, undefined, gone.signal)).rejects.toThrow();
    expect(server.getFileCalls).toBe(0);
  });

  it('tells a chat still waiting for the other side from one that ended when a message or file is sent', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    device(server, BOB, 'bob-phone');
    server.held.set('bob-phone', []);
    const chatId = await alice.engine.request(BOB);
    const file = new Blob([new Uint8Array(10) as BlobPart]);
    await expect(alice.engine.send(chatId, 'hi')).rejects.toThrow(SecretChatNotReadyError);
    await expect(alice.engine.sendFile(chatId, file, { name: 'a', mime: '', caption: '' })).rejects.toThrow(SecretChatNotReadyError);
    await alice.engine.deleteChat(chatId, false).catch(() => undefined);
    await expect(alice.engine.sendFile(chatId + 1, file, { name: 'a', mime: '', caption: '' })).rejects.toMatchObject({ name: 'ENCRYPTION_ID_INVALID' });
  });

  it('a request is accepted by the other side by itself and both devices show the same verification code', async () => {
    const { alice, bob, chatId } = await readyChat();
    const a = (await alice.store.chat(chatId))!;
    const b = (await bob.store.chat(chatId))!;
    expect(a).toMatchObject({ role: 'admin', peerId: BOB, state: 'ready' });
    expect(b).toMatchObject({ role: 'participant', peerId: ALICE, state: 'ready' });
    expect(a.verification).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    expect(b.verification).toBe(a.verification);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(toHex(a.keyAdmin!)).toBe(toHex(b.keyAdmin!));
    expect(await alice.store.pending()).toEqual([]);
  });

  it('binds its chat and deletes the request\'s record (with its secret) at once, and at start deletes a request whose chat it holds', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    device(server, BOB, 'bob-phone');
    // A deletion of its own after the chat is stored would fail: the tab closes then.
    alice.store.deletePending = () => Promise.reject(new Error('the tab closed'));
    const chatId = await alice.engine.request(BOB);
    expect(await alice.store.chat(chatId)).toBeDefined();
    expect(await alice.store.pending()).toEqual([]);
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'ready');
    delete (alice.store as Partial<SecretStore>).deletePending;

    // A request record an older build (or such a tab) left beside its chat: deleted at start, not asked for again.
    const gA = (await alice.store.chat(chatId))!.gA;
    const randomId = Number([...server.requestsBy].find(([, id]) => id === chatId)![0].split(':')[1]);
    await alice.store.putPending({ randomId, peerId: BOB, secretKey: new Uint8Array(32).fill(3), gA, date: 1 });
    const asked = server.calls.filter((c) => c.startsWith('requestChat')).length;
    await alice.engine.start();
    expect(await alice.store.pending()).toEqual([]);
    expect(server.calls.filter((c) => c.startsWith('requestChat')).length).toBe(asked);
  });

  it('keeps no X25519 secret once the chat is Ready, on either side, and wipes one an older build left at start', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const bob = device(server, BOB, 'bob-phone');
    server.held.set('bob-phone', []);
    server.lostAccepts = 1;
    const chatId = await alice.engine.request(BOB);
    // The admin's waits for g_b; the participant's is never stored (its keys are made when it takes the request).
    expect((await alice.store.chat(chatId))!.secretKey).toHaveLength(32);
    await server.flush('bob-phone');
    server.held.delete('bob-phone');
    expect(await bob.store.chat(chatId)).toMatchObject({ state: 'accepting', secretKey: null });
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'ready' && (await bob.store.chat(chatId))?.state === 'ready');
    expect((await alice.store.chat(chatId))!.secretKey).toBeNull();
    expect((await bob.store.chat(chatId))!.secretKey).toBeNull();

    // A record written before: the secret still there, Ready. Start wipes it; a request still waiting keeps its own.
    const old = new Uint8Array(32).fill(7);
    await alice.store.updateChat(chatId, (c) => ({ ...c, secretKey: old }));
    await bob.store.updateChat(chatId, (c) => ({ ...c, secretKey: old }));
    // (Bob's device cannot take it: it stays a request.)
    server.lostAccepts = 1_000_000;
    const waiting = await alice.engine.request(BOB);
    await Promise.all([alice.engine.start(), bob.engine.start()]);
    expect((await alice.store.chat(chatId))!.secretKey).toBeNull();
    expect((await bob.store.chat(chatId))!.secretKey).toBeNull();
    expect((await alice.store.chat(waiting))!.secretKey).toHaveLength(32);
    await alice.engine.send(chatId, 'still works');
    expect((await bob.store.messages(chatId)).map((m) => m.text)).toEqual(['still works']);
  });

  it('messages go both ways, are stored once per random_id and the read receipt ticks the sender', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const sent = await alice.engine.send(chatId, 'Hello **Bob**');
    const [received] = await bob.store.messages(chatId);
    expect(received).toMatchObject({ randomId: sent.randomId, from: ALICE, text: 'Hello **Bob**', read: false, ttl: 0 });
    expect(bob.changes).toContainEqual({ kind: 'incoming', chatId, message: expect.objectContaining({ text: 'Hello **Bob**' }) });
    // The same message delivered again (getDifference after a push) is not stored twice.
    const again = await server.api(ALICE, 'alice-laptop').sendEncrypted({ chat_id: chatId, random_id: sent.randomId, data: new Uint8Array(60) });
    expect(again.date).toBe(received.date);
    expect(await bob.store.messages(chatId)).toHaveLength(1);

    expect((await alice.store.messages(chatId))[0]).toMatchObject({ status: 'sent', read: false, date: received.date });
    await bob.engine.markRead(chatId);
    await eventually(async () => (await alice.store.messages(chatId))[0]?.read === true);
    expect((await bob.store.messages(chatId))[0].read).toBe(true);

    await bob.engine.send(chatId, 'Hi Alice', sent.randomId);
    const aliceHistory = await alice.store.messages(chatId);
    expect(aliceHistory.map((m) => [m.from, m.text, m.replyTo])).toEqual([
      [ALICE, 'Hello **Bob**', null],
      [BOB, 'Hi Alice', sent.randomId],
    ]);
  });

  it('a read receipt does not tick a message sent in the same second after it came', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    server.frozen = true;
    const first = await alice.engine.send(chatId, 'read soon');
    await bob.engine.markRead(chatId);
    await eventually(async () => (await alice.store.message(chatId, first.randomId))?.read === true);
    const second = await alice.engine.send(chatId, 'same second, unread');
    expect((await bob.store.message(chatId, second.randomId))?.date).toBe((await bob.store.message(chatId, first.randomId))?.date);
    expect(await alice.store.message(chatId, second.randomId)).toMatchObject({ status: 'sent', read: false });

    // Bob reads it in that same second: a receipt naming it would not be passed on; the next second's goes once it is over.
    await bob.engine.markRead(chatId);
    expect(server.calls.filter((c) => c.startsWith('readHistory'))).toEqual([`readHistory:bob-phone:${server.now}`]);
    server.now++;
    await eventually(async () => (await alice.store.message(chatId, second.randomId))?.read === true);
    expect(server.calls.filter((c) => c.startsWith('readHistory')).at(-1)).toBe(`readHistory:bob-phone:${server.now}`);
  });

  it('does not claim a second it has unread messages of', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    server.frozen = true;
    await alice.engine.send(chatId, 'one');
    await bob.engine.markRead(chatId);
    const two = await alice.engine.send(chatId, 'two');
    await bob.engine.markRead(chatId);
    // A message of the next second arrives and stays unread: no receipt may name that second.
    server.now++;
    await alice.engine.send(chatId, 'three, unread');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.calls.filter((c) => c.startsWith('readHistory'))).toHaveLength(1);
    expect((await alice.store.message(chatId, two.randomId))?.read).toBe(false);
    await bob.engine.markRead(chatId);
    await eventually(async () => (await alice.store.messages(chatId)).every((m) => m.read));
  });

  it('on another device of the participant the request is forgotten quietly when the first device won', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const phone = device(server, BOB, 'bob-phone');
    const tablet = device(server, BOB, 'bob-tablet');
    // The tablet sees the request only later (it was offline), when the phone has taken it already.
    server.held.set('bob-tablet', []);
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await phone.store.chat(chatId))?.state === 'ready');
    // Seen late as a request (getDifference): it tries, is told ENCRYPTION_ALREADY_ACCEPTED, and forgets its key.
    await tablet.engine.handleChat({ ...(await server.api(BOB, 'bob-tablet').getChats()).chats[0], state: SecretChatState.Requested, g_b: null });
    await until(() => server.calls.includes('acceptChat:bob-tablet'));
    await eventually(async () => (await tablet.store.chat(chatId)) === undefined);
    await server.flush('bob-tablet');
    expect(await tablet.store.chats()).toEqual([]);
    expect((await phone.store.chat(chatId))?.state).toBe('ready');
    // The tablet cannot send in it either.
    await expect(tablet.engine.send(chatId, 'x')).rejects.toThrow();
  });

  it('tries an acceptance again by itself when the connection failed, instead of staying "Joining…"', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const bob = device(server, BOB, 'bob-phone');
    server.lostAccepts = 2;
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await bob.store.chat(chatId))?.state === 'ready' && (await alice.store.chat(chatId))?.state === 'ready');
    expect(server.calls.filter((c) => c.startsWith('acceptChat'))).toEqual(['acceptChat:bob-phone', 'acceptChat:bob-phone', 'acceptChat:bob-phone']);
    expect((await bob.store.chat(chatId))!.verification).toBe((await alice.store.chat(chatId))!.verification);
  });

  it('the participant seeing the chat accepted by another of its devices (live) drops its own attempt', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const phone = device(server, BOB, 'bob-phone');
    const tablet = device(server, BOB, 'bob-tablet');
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'ready');
    await eventually(async () => (await phone.store.chat(chatId)) === undefined || (await tablet.store.chat(chatId)) === undefined);
    const held = [(await phone.store.chat(chatId))?.state, (await tablet.store.chat(chatId))?.state].filter(Boolean);
    expect(held).toEqual(['ready']);
  });

  it('two tabs of one browser (one device, one database) accept a request once', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const name = `secret-test-${++dbCounter}-tabs`;
    // Each tab opens the database itself: two connections to one database, as two tabs have.
    const store = new SecretStore(name);
    for (let tab = 0; tab < 2; tab++) {
      const engine = new SecretChats({ api: server.api(BOB, 'bob-browser'), store: tab === 0 ? store : new SecretStore(name), selfId: BOB, onChange: () => undefined });
      engines.push(engine);
      server.devices.push({ userId: BOB, device: 'bob-browser', engine });
    }
    // Both tabs get the request at the same moment.
    server.held.set('bob-browser', []);
    const chatId = await alice.engine.request(BOB);
    await server.flush('bob-browser', true);
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'ready');
    expect(server.calls.filter((c) => c.startsWith('acceptChat'))).toEqual(['acceptChat:bob-browser']);
    await eventually(async () => (await store.chat(chatId))?.state === 'ready');
    expect((await store.chat(chatId))!.verification).toBe((await alice.store.chat(chatId))!.verification);
  });

  it('discards the chat when the fingerprint of the accepted keys does not match (a key changed on the way)', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const bob = device(server, BOB, 'bob-phone');
    server.tamper = (chat) => ({ ...chat, key_fingerprint: (chat.key_fingerprint ?? 0) ^ 1 });
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'discarded');
    expect(await alice.store.chat(chatId)).toMatchObject({ reason: 'key_mismatch', secretKey: null, keyAdmin: null });
    await until(() => server.calls.includes('discardChat:alice-laptop:false'));
    await eventually(async () => (await bob.store.chat(chatId))?.state === 'discarded');
  });

  it('stores the keys of an update alone, not the whole page of updates they were read from', async () => {
    // MessagePack gives byte fields as views into the payload: a getDifference page holds other chats' messages too.
    const page = (key: Uint8Array) => {
      const payload = new Uint8Array(4096).fill(0x41);
      payload.set(key, 1000);
      return payload.subarray(1000, 1032);
    };
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const bob = device(server, BOB, 'bob-phone');
    server.tamper = (chat) => ({ ...chat, g_b: page(chat.g_b!) });
    server.held.set('bob-phone', []);
    const chatId = await alice.engine.request(BOB);
    await bob.engine.handleChat({ ...(await server.api(BOB, 'bob-phone').getChats()).chats[0], g_a: page(server.chats.get(chatId)!.g_a) });
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'ready');
    const stored = [(await alice.store.chat(chatId))!.gB!, (await bob.store.chat(chatId))!.gA];
    for (const key of stored) expect([key.length, key.buffer.byteLength]).toEqual([32, 32]);
  });

  it('refuses a low-order g_b from the participant', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    device(server, BOB, 'bob-phone');
    server.tamper = (chat) => ({ ...chat, g_b: new Uint8Array(32) });
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'discarded');
  });

  it('a self-destructing message goes on both sides: the reader\'s once shown, the sender\'s once the receipt comes', async () => {
    const clock = { now: 1_764_900_000_000 };
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop', clock);
    const bob = device(server, BOB, 'bob-phone', clock);
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'ready');
    await alice.engine.setTtl(chatId, 5);
    await alice.engine.send(chatId, 'burn after reading');
    await alice.engine.setTtl(chatId, 0);
    await alice.engine.send(chatId, 'keep me');
    expect((await bob.store.messages(chatId)).map((m) => [m.text, m.ttl, m.expires])).toEqual([
      ['burn after reading', 5, null],
      ['keep me', 0, null],
    ]);
    // Unread, the timer does not run.
    clock.now += 60_000;
    await bob.engine.sweep();
    expect(await bob.store.messages(chatId)).toHaveLength(2);

    await bob.engine.markRead(chatId);
    await eventually(async () => (await alice.store.messages(chatId)).every((m) => m.read));
    expect((await bob.store.messages(chatId))[0].expires).toBe(clock.now + 5000);
    expect((await alice.store.messages(chatId))[0].expires).toBe(clock.now + 5000);
    clock.now += 4000;
    await Promise.all([alice.engine.sweep(), bob.engine.sweep()]);
    expect(await bob.store.messages(chatId)).toHaveLength(2);
    clock.now += 1000;
    await Promise.all([alice.engine.sweep(), bob.engine.sweep()]);
    expect((await bob.store.messages(chatId)).map((m) => m.text)).toEqual(['keep me']);
    expect((await alice.store.messages(chatId)).map((m) => m.text)).toEqual(['keep me']);
  });

  it('never hands the browser a timer delay beyond 2^31 − 1 ms (which it would run at once, sweeping without end)', async () => {
    const { alice, bob, chatId } = await readyChat();
    // A peer's absurd timer arrives as a week; one stored before that cap (or set by hand) far away still waits.
    await alice.engine.setTtl(chatId, 2 ** 40);
    const sent = await alice.engine.send(chatId, 'for ever and a day');
    expect((await bob.store.message(chatId, sent.randomId))?.ttl).toBe(MAX_SECRET_TTL);
    await bob.store.addMessage({ chatId, randomId: 99, from: ALICE, date: 1, text: 'far', ttl: 1, read: true, expires: bob.clock.now + 2 ** 40, replyTo: null });
    const delays: number[] = [];
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((_handler: () => void, delay?: number) => {
      delays.push(delay ?? 0);
      return 0 as unknown as ReturnType<typeof setTimeout>;
    }) as typeof setTimeout);
    try {
      await bob.engine.sweep();
    } finally {
      spy.mockRestore();
    }
    expect(delays.length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(await bob.store.message(chatId, 99)).toBeDefined();
  });

  it('"delete for both" takes a message away on both devices, the own and a received one alike', async () => {
    const { alice, bob, chatId } = await readyChat();
    const first = await alice.engine.send(chatId, 'one');
    const second = await bob.engine.send(chatId, 'two');
    await alice.engine.send(chatId, 'three');
    await alice.engine.deleteForBoth(chatId, [first.randomId, second.randomId]);
    expect((await alice.store.messages(chatId)).map((m) => m.text)).toEqual(['three']);
    expect((await bob.store.messages(chatId)).map((m) => m.text)).toEqual(['three']);
  });

  it('"delete for both" given up (timed out) still takes the messages off this device, as the other side deletes them too', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const first = await alice.engine.send(chatId, 'one');
    await alice.engine.send(chatId, 'two');
    server.failNextSend = new RpcError('TIMEOUT', 0);
    await expect(alice.engine.deleteForBoth(chatId, [first.randomId])).rejects.toMatchObject({ name: 'TIMEOUT' });
    expect((await alice.store.messages(chatId)).map((m) => m.text)).toEqual(['two']);
    // The delete never reached the server: Bob's side asks for its number once a later body shows the gap.
    await alice.engine.send(chatId, 'three');
    await eventually(async () => (await bob.store.messages(chatId)).some((m) => m.text === 'three'));
    bob.clock.now += RESEND_AFTER_MS;
    await bob.engine.sweep();
    await eventually(async () => (await bob.store.messages(chatId)).map((m) => m.text).join() === 'two,three');
  });

  it('sends deletes for both and key changes as service messages (no push), texts and files not; a silent or service message\'s notice follows', async () => {
    const { alice, bob, chatId, server } = await readyChat({ rekey: { afterMessages: 2 } }, { rekey: { afterMessages: 2 } });
    const first = await alice.engine.send(chatId, 'one');
    await bob.engine.send(chatId, 'two');
    await alice.engine.send(chatId, 'three');
    await alice.engine.deleteForBoth(chatId, [first.randomId]);
    await eventually(async () => (await alice.store.chat(chatId))!.generation === 1 && (await bob.store.chat(chatId))!.generation === 1);
    await eventually(async () => (await alice.store.chat(chatId))!.rekeySends!.length === 0 && (await bob.store.chat(chatId))!.rekeySends!.length === 0);
    const ownMessages = new Set([first, ...(await alice.store.messages(chatId)), ...(await bob.store.messages(chatId))].map((m) => m.randomId));
    const [ordinary, control] = [server.sent.filter((m) => ownMessages.has(m.random_id)), server.sent.filter((m) => !ownMessages.has(m.random_id))];
    expect(ordinary.map((m) => m.service ?? false)).toEqual([false, false, false]);
    // Alice's request and commit, Bob's accept, and the delete.
    expect(control.length).toBeGreaterThanOrEqual(4);
    expect(control.every((m) => m.service === true)).toBe(true);

    // What Bob's side sends without sound, or marks as a control message, is still shown; its notice follows.
    const { keyParticipant: key, outSeq: n = 0 } = (await bob.store.chat(chatId))!;
    const api = server.api(BOB, 'bob-phone');
    await api.sendEncrypted({ chat_id: chatId, random_id: 9700, data: encryptBody(key!, chatId, 9700, { text: 'quietly', date: 1, out_seq: n }), silent: true });
    await api.sendEncrypted({ chat_id: chatId, random_id: 9701, data: encryptBody(key!, chatId, 9701, { text: 'marked service', date: 1, out_seq: n + 1 }), service: true });
    await api.sendEncrypted({ chat_id: chatId, random_id: 9702, data: encryptBody(key!, chatId, 9702, { text: 'aloud', date: 1, out_seq: n + 2 }) });
    await alice.engine.idle();
    const incoming = alice.changes.filter((c): c is Extract<SecretChange, { kind: 'incoming' }> => c.kind === 'incoming' && [9700, 9701, 9702].includes(c.message.randomId));
    expect(incoming.map((c) => [c.message.text, c.message.silent ?? false, c.service ?? false])).toEqual([
      ['quietly', true, false],
      ['marked service', false, true],
      ['aloud', false, false],
    ]);
    expect((await alice.store.message(chatId, 9700))!.silent).toBe(true);
  });

  it('"Delete secret chat" with the history ends it for both, forgets it here and clears the other side', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    await alice.engine.send(chatId, 'secret words');
    await bob.engine.deleteChat(chatId, true);
    expect(await bob.store.chats()).toEqual([]);
    expect(await bob.store.messages(chatId)).toEqual([]);
    const ended = (await alice.store.chat(chatId))!;
    expect(ended).toMatchObject({ state: 'discarded', reason: 'ended', secretKey: null, keyAdmin: null, keyParticipant: null });
    expect(await alice.store.messages(chatId)).toEqual([]);
    await expect(alice.engine.send(chatId, 'anyone?')).rejects.toThrow();
    // Deleting the ended chat on the other side only forgets it there.
    await alice.engine.deleteChat(chatId, false);
    expect(await alice.store.chats()).toEqual([]);
    expect(server.calls.filter((c) => c.startsWith('discardChat'))).toEqual(['discardChat:bob-phone:true']);
  });

  it('an ending without the history keeps it on the other side', async () => {
    const { alice, bob, chatId } = await readyChat();
    await alice.engine.send(chatId, 'stay');
    await alice.engine.deleteChat(chatId, false);
    expect((await bob.store.chat(chatId))?.state).toBe('discarded');
    expect((await bob.store.messages(chatId)).map((m) => m.text)).toEqual(['stay']);
  });

  it('drops a received text longer than 4096 characters as shown (no client of ours sends one)', async () => {
    const { alice, bob, chatId } = await readyChat();
    await alice.engine.send(chatId, 'a'.repeat(4097));
    await alice.engine.send(chatId, `**${'b'.repeat(4096)}**`);
    await alice.engine.send(chatId, 'c'.repeat(4096));
    expect((await bob.store.messages(chatId)).map((m) => [m.text[2], m.text.length])).toEqual([
      ['b', 4100],
      ['c', 4096],
    ]);
  });

  it('drops a message that does not decrypt and reports it', async () => {
    const { bob, chatId, server } = await readyChat();
    const data = new Uint8Array(80).fill(7);
    await bob.engine.handleMessage({ chat_id: chatId, random_id: 77, from_id: ALICE, date: server.now, data });
    expect(await bob.store.messages(chatId)).toEqual([]);
    expect(bob.changes).toContainEqual({ kind: 'undecryptable', chatId, randomId: 77 });
  });

  it('asks again with the same random_id and g_a when the answer to a request was lost', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    device(server, BOB, 'bob-phone');
    server.held.set('alice-laptop', []);
    server.loseNextAnswer = true;
    await expect(alice.engine.request(BOB)).rejects.toThrow('connection lost');
    expect(await alice.store.pending()).toHaveLength(1);
    server.held.delete('alice-laptop');
    await alice.engine.start();
    expect(server.chats.size).toBe(1);
    const [chat] = await alice.store.chats();
    expect(chat).toMatchObject({ role: 'admin', peerId: BOB, state: 'ready' });
    expect(await alice.store.pending()).toEqual([]);
  });

  it('forgets a request the server refuses for good', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    await expect(alice.engine.request(ALICE)).rejects.toMatchObject({ name: 'PEER_ID_INVALID' });
    expect(await alice.store.pending()).toEqual([]);
  });

  it('a device that does not hold a chat ignores its updates, and one of the admin\'s other devices does not show it', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const alicePhone = device(server, ALICE, 'alice-phone');
    device(server, BOB, 'bob-phone');
    const chatId = await alice.engine.request(BOB);
    await alice.engine.send(chatId, 'only on the laptop');
    expect(await alicePhone.store.chats()).toEqual([]);
    await alicePhone.engine.start();
    expect(await alicePhone.store.chats()).toEqual([]);
    await expect(alicePhone.engine.send(chatId, 'x')).rejects.toThrow();
  });

  it('learns at start of an ending it missed (its log compacted: getChats lists endings of the last 30 days)', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    server.held.set('alice-laptop', []);
    await bob.engine.deleteChat(chatId, false);
    expect((await alice.store.chat(chatId))?.state).toBe('ready');
    server.held.delete('alice-laptop');
    await alice.engine.start();
    expect(await alice.store.chat(chatId)).toMatchObject({ state: 'discarded', reason: 'ended', keyAdmin: null });
  });

  it('a send refused as ENCRYPTION_DECLINED (the ending was missed) ends the chat here, the message marked not sent', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    server.held.set('alice-laptop', []);
    await bob.engine.deleteChat(chatId, false);
    await expect(alice.engine.send(chatId, 'anyone there?')).rejects.toMatchObject({ name: 'ENCRYPTION_DECLINED' });
    expect(await alice.store.chat(chatId)).toMatchObject({ state: 'discarded', reason: 'ended', keyAdmin: null });
    expect((await alice.store.messages(chatId)).map((m) => [m.text, m.status])).toEqual([['anyone there?', 'failed']]);
  });

  it('takes a chat still ready here but no longer listed by the server as ended', async () => {
    const { alice, chatId, server } = await readyChat();
    server.chats.delete(chatId);
    await alice.engine.start();
    expect((await alice.store.chat(chatId))?.state).toBe('discarded');
  });

  it('does not end chats made while its getChats was on the way (a request of this device, one it took)', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const bob = device(server, BOB, 'bob-phone');
    let answer!: () => void;
    server.getChatsHeld = new Promise((resolve) => (answer = resolve));
    const aliceStarting = alice.engine.start();
    const bobStarting = bob.engine.start();
    await until(() => server.calls.filter((c) => c.startsWith('getChats')).length === 2);
    // Meanwhile Alice asks for a chat and Bob's device takes it: neither was in the lists they asked for.
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'ready' && (await bob.store.chat(chatId))?.state === 'ready');
    answer();
    await Promise.all([aliceStarting, bobStarting]);
    expect((await alice.store.chat(chatId))?.state).toBe('ready');
    expect((await bob.store.chat(chatId))?.state).toBe('ready');
    expect(server.calls.filter((c) => c.startsWith('discardChat'))).toEqual([]);
  });

  it('sends again at start what was left sending, with the same random_id', async () => {
    const { alice, bob, chatId } = await readyChat();
    await alice.store.addMessage({ chatId, randomId: 4242, from: ALICE, date: 1, text: 'left behind', ttl: 0, read: false, expires: null, replyTo: null, status: 'sending' });
    await alice.engine.start();
    await eventually(async () => (await bob.store.messages(chatId)).some((m) => m.randomId === 4242 && m.text === 'left behind'));
    await eventually(async () => (await alice.store.message(chatId, 4242))?.status === 'sent');
  });
});

describe('reading back what came while no tab was open', () => {
  it('replays the secret chats\' updates of the log between the saved position and the start, in slices', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const bob = device(server, BOB, 'bob-phone');
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await bob.store.chat(chatId))?.state === 'ready');
    // Bob's browser is closed: what reaches his log meanwhile is only in the log.
    const log: LoggedUpdate[] = [];
    server.devices.splice(server.devices.findIndex((d) => d.device === 'bob-phone'), 1);
    const capture = new SecretChats({
      api: server.api(BOB, 'bob-log'),
      store: new SecretStore(`secret-test-${++dbCounter}-log`),
      selfId: BOB,
      onChange: () => undefined,
    });
    const record = (update: Update) => log.push({ pts: 10 + log.length + 1, pts_count: 1, date: 0, update });
    capture.handleMessage = async (message) => void record({ type: 'new_encrypted_message', message });
    capture.handleRead = async () => undefined;
    capture.handleChat = async (chat) => void record({ type: 'secret_chat', chat });
    server.devices.push({ userId: BOB, device: 'bob-log', engine: capture });
    await alice.engine.send(chatId, 'while you were away');
    await alice.engine.send(chatId, 'and another');
    log.splice(1, 0, { pts: 0, pts_count: 1, date: 0, update: { type: 'read_inbox', peer: { kind: 1, id: 1 }, max_id: 1, still_unread: 0 } } as LoggedUpdate);
    log.forEach((u, i) => (u.pts = 11 + i));
    const calls: number[] = [];
    const getDifference = async (pts: number) => {
      calls.push(pts);
      const after = log.filter((u) => u.pts > pts);
      const slice = after.slice(0, 2);
      return { updates: slice, state: { pts: slice.length ? slice.at(-1)!.pts : pts, date: 0 }, slice: after.length > 2, too_long: false, channels: null };
    };
    expect(await bob.engine.replay(getDifference, 10, 13)).toBe(true);
    expect((await bob.store.messages(chatId)).map((m) => m.text)).toEqual(['while you were away', 'and another']);
    expect(calls).toEqual([10, 12]);
    // Read again (the position was saved before the last ones were): stored once.
    expect(await bob.engine.replay(getDifference, 10, 13)).toBe(true);
    expect(await bob.store.messages(chatId)).toHaveLength(2);
    expect(await bob.engine.replay(async () => ({ updates: [], state: { pts: 99, date: 0 }, slice: false, too_long: true, channels: null }), 1, 13)).toBe(false);
  });
});

/** A log of the given updates from pts 1 on, read in one page. */
function logOf(...updates: Update[]): (pts: number) => Promise<Difference> {
  const log: LoggedUpdate[] = updates.map((update, i) => ({ pts: i + 1, pts_count: 1, date: 0, update }));
  return async (pts) => ({ updates: log.filter((u) => u.pts > pts), state: { pts: log.length, date: 0 }, slice: false, too_long: false, channels: null });
}

describe('what opened is handled once', () => {
  it('a message that opens but leaves nothing (an unknown kind, too long, a file without its file) is counted once, however often it comes', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const key = (await bob.store.chat(chatId))!.keyParticipant!;
    const bodies: [number, Uint8Array][] = [
      [9500, encode({ poll: { question: 'a newer kind' }, date: 1 })],
      [9501, encode({ text: 'x'.repeat(4097), date: 1 })],
      [9502, encode({ text: 'caption', date: 1, file: { key: new Uint8Array(32).fill(1), name: 'a.bin', mime: 'application/octet-stream', size: 3 } })],
    ];
    const messages: EncryptedMessage[] = bodies.map(([randomId, plaintext]) => ({ chat_id: chatId, random_id: randomId, from_id: BOB, date: 5, data: sealPlaintext(key, chatId, randomId, plaintext) }));
    for (const message of messages) await alice.engine.handleMessage(message);
    const once = (await alice.store.chat(chatId))!;
    expect(once).toMatchObject({ peerUnderCurrent: 3, keyUsed: 0 });
    // The log read again (it overlaps what came live), and another tab of the browser handing them in too.
    expect(await alice.engine.replay(logOf(...messages.map((message) => ({ type: 'new_encrypted_message', message }) as Update)), 0, messages.length)).toBe(true);
    const tab = device(server, ALICE, 'alice-laptop', undefined, { store: new SecretStore(alice.store.name) });
    for (const message of messages) await tab.engine.handleMessage(message);
    expect(await alice.store.chat(chatId)).toMatchObject({ peerUnderCurrent: 3, keyUsed: 0 });
    expect(await alice.store.messages(chatId)).toEqual([]);
    expect([...alice.changes, ...tab.changes].filter((c) => c.kind === 'undecryptable')).toEqual([{ kind: 'undecryptable', chatId, randomId: 9502 }]);
  });
});

describe('what was deleted stays deleted when the log is read again', () => {
  it('a self-destructed message does not come back with a replay', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    await alice.engine.setTtl(chatId, 5);
    const burnt = await alice.engine.send(chatId, 'burn');
    await bob.engine.markRead(chatId);
    bob.clock.now += 5000;
    await bob.engine.sweep();
    expect(await bob.store.messages(chatId)).toEqual([]);
    const original = server.sent.find((m) => m.random_id === burnt.randomId)!;
    expect(await bob.engine.replay(logOf({ type: 'new_encrypted_message', message: original }), 0, 1)).toBe(true);
    await bob.engine.handleMessage(original);
    expect(await bob.store.messages(chatId)).toEqual([]);
  });

  it('nor one deleted here only, nor one deleted for both', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const mine = await alice.engine.send(chatId, 'deleted by Bob here');
    const theirs = await alice.engine.send(chatId, 'deleted by Alice for both');
    await bob.engine.deleteHere(chatId, [mine.randomId]);
    await alice.engine.deleteForBoth(chatId, [theirs.randomId]);
    expect(await bob.store.messages(chatId)).toEqual([]);
    const updates: Update[] = server.sent.map((message) => ({ type: 'new_encrypted_message', message }));
    expect(await bob.engine.replay(logOf(...updates), 0, updates.length)).toBe(true);
    expect(await bob.store.messages(chatId)).toEqual([]);
  });

  it('a delete for both that comes before its message keeps the message out', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    server.held.set('bob-phone', []);
    const early = await alice.engine.send(chatId, 'taken back at once');
    await alice.engine.deleteForBoth(chatId, [early.randomId]);
    await alice.engine.send(chatId, 'kept');
    // The delete, then the message it names (a replay overlapping what the stream already brought).
    const [message, deletion, kept] = server.held.get('bob-phone')!;
    server.held.set('bob-phone', [deletion, message, kept]);
    await server.flush('bob-phone');
    expect((await bob.store.messages(chatId)).map((m) => m.text)).toEqual(['kept']);
  });

  it('live updates wait while the log is read: an ending that came live does not lose the older messages read back', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    server.held.set('bob-phone', []);
    const older = await alice.engine.send(chatId, 'sent while the tab was closed');
    server.held.delete('bob-phone');
    let page!: () => void;
    const paged = new Promise<void>((resolve) => (page = resolve));
    const log = logOf({ type: 'new_encrypted_message', message: server.sent.find((m) => m.random_id === older.randomId)! });
    const replaying = bob.engine.replay(async (pts) => {
      await paged;
      return log(pts);
    }, 0, 1);
    // The chat ends while the log is being read: the ending reaches Bob's tab live.
    const ending = alice.engine.deleteChat(chatId, false);
    await until(() => server.calls.some((c) => c.startsWith('discardChat')));
    page();
    expect(await replaying).toBe(true);
    await ending;
    await bob.engine.idle();
    await eventually(async () => (await bob.store.chat(chatId))?.state === 'discarded');
    expect((await bob.store.messages(chatId)).map((m) => m.text)).toEqual(['sent while the tab was closed']);
  });
});

describe('secret store', () => {
  /** The database as the first build made it. */
  const version1 = (db: IDBPDatabase) => {
    db.createObjectStore('chats', { keyPath: 'id' });
    db.createObjectStore('pending', { keyPath: 'randomId' });
    const messages = db.createObjectStore('messages', { keyPath: ['chatId', 'randomId'] });
    messages.createIndex('chat', 'chatId');
    messages.createIndex('expires', 'expires');
    db.createObjectStore('meta');
  };

  /** The database as the build before re-keying made it: the first one and the deleted messages' store. */
  const version2 = (db: IDBPDatabase) => {
    version1(db);
    db.createObjectStore('gone', { keyPath: ['chatId', 'randomId'] });
  };

  it('keeps each account apart and forgets everything when the account signs out', async () => {
    const userId = 9000 + ++dbCounter;
    const store = SecretStore.forUser(userId);
    expect(store.name).toBe(secretDbName(userId));
    await store.putPending({ randomId: 1, peerId: 2, secretKey: new Uint8Array(32), gA: new Uint8Array(32), date: 1 });
    await store.addMessage({ chatId: 5, randomId: 1, from: 2, date: 10, text: 'a', ttl: 0, read: false, expires: null, replyTo: null });
    const other = SecretStore.forUser(userId + 1);
    expect(await other.pending()).toEqual([]);
    await store.close();
    await SecretStore.destroy(userId);
    const reopened = SecretStore.forUser(userId);
    expect(await reopened.pending()).toEqual([]);
    expect(await reopened.messages(5)).toEqual([]);
  });

  it('opens a database of the first version with what it holds, and adds the deleted messages\' store to it', async () => {
    const name = `secret-store-${++dbCounter}-v1`;
    const v1 = await openDB(name, 1, { upgrade: version1 });
    await v1.put('meta', 42, 'pts');
    await v1.put('messages', { chatId: 3, randomId: 1, from: 2, date: 10, text: 'kept', ttl: 0, read: true, expires: null, replyTo: null, seq: 1 });
    v1.close();
    const store = new SecretStore(name);
    expect(await store.loadPts()).toBe(42);
    expect((await store.messages(3)).map((m) => m.text)).toEqual(['kept']);
    await store.deleteMessages(3, [1]);
    expect(await store.addMessage({ chatId: 3, randomId: 1, from: 2, date: 10, text: 'again', ttl: 0, read: false, expires: null, replyTo: null })).toBe(false);
    expect(await store.messages(3)).toEqual([]);
    await store.close();
  });

  it('opens a version-2 database as version 3, closing the older build\'s tab, and wipes the re-keying keys that tab left on an ended chat', async () => {
    const name = `secret-store-${++dbCounter}-v2`;
    let oldTabClosed = false;
    const v2 = await openDB(name, 2, {
      upgrade: version2,
      // As the older build does.
      blocking: () => {
        oldTabClosed = true;
        v2.close();
      },
    });
    const key = () => new Uint8Array(32).fill(5);
    const base = { role: 'admin', peerId: BOB, date: 1, gA: key(), gB: key(), fingerprint: 1, verification: '', ttl: 0, peerReadDate: 0, readDateSent: 0, lastDate: 1 } as const;
    // Ended by the older build: the current keys and the secret nulled, the re-keying's left as they were.
    await v2.put('chats', {
      ...base,
      id: 61,
      state: 'discarded',
      reason: 'ended',
      secretKey: null,
      keyAdmin: null,
      keyParticipant: null,
      generation: 2,
      previousKeys: { generation: 1, keyAdmin: key(), keyParticipant: key() },
      rekeyOutgoing: { id: 3, secretKey: key(), g: key(), date: 1 },
      rekeyAccepted: { id: 4, g: key(), keys: { generation: 3, keyAdmin: key(), keyParticipant: key() }, fingerprint: 9 },
      rekeySends: [{ randomId: 5, data: new Uint8Array(50) }],
    });
    const server = new FakeSecretServer();
    const store = new SecretStore(name);
    const alice = device(server, ALICE, 'alice-laptop', undefined, { store });
    await alice.engine.start();
    expect(oldTabClosed).toBe(true);
    expect(await store.chat(61)).toMatchObject({ state: 'discarded', keyAdmin: null, keyParticipant: null, previousKeys: null, rekeyOutgoing: null, rekeyAccepted: null, rekeySends: [] });
    await store.close();
    // The older build can no longer open it.
    await expect(openDB(name, 2)).rejects.toMatchObject({ name: 'VersionError' });
  });

  it('gives up opening while a tab of an older version keeps the database open, says so, and says when it opened after all', async () => {
    const name = `secret-store-${++dbCounter}-blocked`;
    // A tab that does not close when told (frozen in the background, or a build from before it was told to).
    const v2 = await openDB(name, 2, { upgrade: version2 });
    await v2.put('meta', 42, 'pts');
    const told: boolean[] = [];
    const store = new SecretStore(name, { blockedWaitMs: 0, onBlocked: (blocked) => told.push(blocked) });
    await expect(store.loadPts()).rejects.toBeInstanceOf(SecretStoreBlockedError);
    await expect(store.chats()).rejects.toBeInstanceOf(SecretStoreBlockedError);
    expect(told).toEqual([true]);
    v2.close();
    await eventually(async () => told.length === 2);
    expect(told).toEqual([true, false]);
    expect(await store.loadPts()).toBe(42);
    await store.close();
  });

  it('orders messages by date, dedupes by random_id and finds the expired ones', async () => {
    const store = new SecretStore(`secret-store-${++dbCounter}`);
    const base = { from: 2, text: 't', ttl: 5, read: true, replyTo: null };
    expect(await store.addMessage({ ...base, chatId: 1, randomId: 2, date: 20, expires: 1000 })).toBe(true);
    expect(await store.addMessage({ ...base, chatId: 1, randomId: 1, date: 10, expires: null })).toBe(true);
    expect(await store.addMessage({ ...base, chatId: 1, randomId: 2, date: 30, expires: null })).toBe(false);
    expect(await store.addMessage({ ...base, chatId: 2, randomId: 2, date: 5, expires: 3000 })).toBe(true);
    expect((await store.messages(1)).map((m) => m.randomId)).toEqual([1, 2]);
    expect((await store.expiredBy(2000)).map((m) => [m.chatId, m.randomId])).toEqual([[1, 2]]);
    expect(await store.nextExpiry()).toBe(1000);
    await store.deleteChat(1);
    expect(await store.messages(1)).toEqual([]);
    expect(await store.messages(2)).toHaveLength(1);
  });
});

describe('secret chat updates on the wire', () => {
  const chat: SecretChat = { id: 7, admin_id: 2, participant_id: 1, state: 0, date: 5, g_a: new Uint8Array(32).fill(9) };
  const updates: [number, Update][] = [
    [31, { type: 'secret_chat', chat }],
    [32, { type: 'new_encrypted_message', message: { chat_id: 7, random_id: 3, from_id: 2, date: 6, data: new Uint8Array(41) } }],
    [33, { type: 'encrypted_read', chat_id: 7, max_date: 6, date: 7 }],
    [34, { type: 'encrypted_typing', chat_id: 7, user_id: 2 }],
  ];

  it('reads tags 31–34 as secret_chat, new_encrypted_message, encrypted_read and encrypted_typing', () => {
    for (const [tag, update] of updates) {
      expect(fromUpdate(update)[0]).toBe(tag);
      const { type: _type, ...fields } = update;
      expect(toUpdate([tag, fields])).toEqual(update);
    }
  });

  it('the update stream reports them as events', async () => {
    const server: UpdateServer = {
      getState: async () => ({ pts: 0, date: 0 }),
      getDifference: async () => ({ updates: [], state: { pts: 3, date: 0 }, slice: false, too_long: false, channels: null }),
      getChannelDifference: async () => ({ chat_id: 0, updates: [], pts: 0, slice: false, too_long: false }),
      received: async () => [],
    };
    const stream = new UpdateStream(server, { selfId: () => 1, gapWaitMs: 30 });
    const events: MessengerEvent[] = [];
    stream.events.subscribe((e) => events.push(e));
    await stream.start();
    const logged: LoggedUpdate[] = updates.slice(0, 3).map(([, update], i) => ({ pts: i + 1, pts_count: 1, date: 0, update }));
    stream.accept('updates.logged', encode({ updates: logged.map((u) => ({ ...u, update: fromUpdate(u.update) })) }));
    stream.accept('updates.ephemeral', encode(fromUpdate(updates[3][1])));
    await until(() => events.length === 4);
    expect(events).toEqual([
      { type: 'secret_chat', chat, pts: 1 },
      { type: 'new_encrypted_message', message: (updates[1][1] as { message: EncryptedMessage }).message, pts: 2 },
      { type: 'encrypted_read', chatId: 7, maxDate: 6, date: 7, pts: 3 },
      { type: 'encrypted_typing', chatId: 7, userId: 2 },
    ]);
    stream.stop();
  });
});

describe('re-keying (forward secrecy)', () => {
  /** Both devices hold the same generation of the chat's keys and no exchange waits or has anything to send. */
  async function settled(a: Device, b: Device, chatId: number): Promise<[LocalSecretChat, LocalSecretChat]> {
    let pair: [LocalSecretChat, LocalSecretChat] | undefined;
    await eventually(async () => {
      const x = (await a.store.chat(chatId))!;
      const y = (await b.store.chat(chatId))!;
      pair = [x, y];
      const idle = (c: LocalSecretChat) => !c.rekeyOutgoing && !c.rekeyAccepted && (c.rekeySends ?? []).length === 0;
      return idle(x) && idle(y) && (x.generation ?? 0) === (y.generation ?? 0) && toHex(x.keyAdmin!) === toHex(y.keyAdmin!) && toHex(x.keyParticipant!) === toHex(y.keyParticipant!);
    });
    return pair!;
  }

  /** The key-change actions among the messages `from` sent, opened with the keys it held then (`keys`: its send keys). */
  function actionsSent(server: FakeSecretServer, from: number, keys: Uint8Array[]): RekeyAction[] {
    return server.sent
      .filter((m) => m.from_id === from)
      .flatMap((m) => keys.map((key) => openPlaintext(key, m.chat_id, m.random_id, m.data)).filter((p): p is Uint8Array => !!p).slice(0, 1))
      .map((p) => parseBody(p)?.rekey)
      .filter((a): a is RekeyAction => !!a);
  }

  const texts = async (d: Device, chatId: number) => (await d.store.messages(chatId)).map((m) => m.text);

  it('changes the keys every few messages through several generations, and each side reads every message', async () => {
    const { alice, bob, chatId, server } = await readyChat({ rekey: { afterMessages: 3 } }, { rekey: { afterMessages: 3 } });
    const first = (await alice.store.chat(chatId))!;
    const sent: string[] = [];
    for (let i = 0; i < 24; i++) {
      const text = `message ${i}`;
      sent.push(text);
      await (i % 3 === 2 ? bob : alice).engine.send(chatId, text);
    }
    const [a, b] = await settled(alice, bob, chatId);
    expect(a.generation).toBeGreaterThanOrEqual(3);
    expect(toHex(a.keyAdmin!)).not.toBe(toHex(first.keyAdmin!));
    // Every message is on both sides, once; none of the key changes is (nor unread, nor an undecryptable one).
    expect((await texts(alice, chatId)).sort()).toEqual([...sent].sort());
    expect((await texts(bob, chatId)).sort()).toEqual([...sent].sort());
    expect([...alice.changes, ...bob.changes].filter((c) => c.kind === 'undecryptable')).toEqual([]);
    expect(bob.changes.filter((c) => c.kind === 'incoming')).toHaveLength(16);
    // The code compared stays the first key's.
    expect([a.verification, b.verification]).toEqual([first.verification, first.verification]);
    expect(server.sent.length).toBeGreaterThan(24);
    // The log read again (a replay overlaps what came live): no step is taken twice, nothing stored twice.
    const toBob = server.sent.filter((m) => m.from_id === ALICE);
    expect(await bob.engine.replay(logOf(...toBob.map((message) => ({ type: 'new_encrypted_message', message }) as Update)), 0, toBob.length)).toBe(true);
    const again = (await bob.store.chat(chatId))!;
    expect([again.generation, again.rekeyAccepted, again.rekeyOutgoing, again.rekeySends]).toEqual([b.generation, null, null, []]);
    expect(await texts(bob, chatId)).toHaveLength(24);
  });

  it('changes the keys after 7 days however few messages went, and a received message can be what finds it due', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const bobKey = (await bob.store.chat(chatId))!.keyParticipant!;
    await alice.engine.send(chatId, 'before');
    expect((await alice.store.chat(chatId))!.rekeyOutgoing).toBeNull();
    bob.clock.now += 7 * 86_400_000;
    await alice.engine.send(chatId, 'a week later');
    const [a] = await settled(alice, bob, chatId);
    expect(a.generation).toBe(1);
    // Bob started it, on reading a message: the request is his, and so is the commit (under the old keys).
    expect(actionsSent(server, BOB, [bobKey]).map((x) => x.op)).toEqual(['request', 'commit']);
    await bob.engine.send(chatId, 'new keys');
    expect(await texts(alice, chatId)).toContain('new keys');
  });

  it('simultaneous requests converge on the larger id\'s exchange', async () => {
    const { alice, bob, chatId, server } = await readyChat({ rekey: { afterMessages: 1 } }, { rekey: { afterMessages: 1 } });
    const keys0 = (await alice.store.chat(chatId))!;
    server.held.set('alice-laptop', []);
    server.held.set('bob-phone', []);
    await alice.engine.send(chatId, 'from Alice');
    await bob.engine.send(chatId, 'from Bob');
    // Each asked, neither has heard of the other's request yet.
    await eventually(async () => !!(await alice.store.chat(chatId))!.rekeyOutgoing && !!(await bob.store.chat(chatId))!.rekeyOutgoing);
    await eventually(async () => (await alice.store.chat(chatId))!.rekeySends!.length === 0 && (await bob.store.chat(chatId))!.rekeySends!.length === 0);
    const ids = [(await alice.store.chat(chatId))!.rekeyOutgoing!.id, (await bob.store.chat(chatId))!.rekeyOutgoing!.id];
    await Promise.all([server.flush('alice-laptop', true), server.flush('bob-phone', true)]);
    const [a] = await settled(alice, bob, chatId);
    expect(a.generation).toBe(1);
    // The smaller id's initiator accepted the other: only it sent an accept, only the other a commit.
    const winner = ids[0]! > ids[1]! ? ALICE : BOB;
    const loser = winner === ALICE ? BOB : ALICE;
    const sendKey = (user: number) => (user === ALICE ? keys0.keyAdmin! : keys0.keyParticipant!);
    expect(actionsSent(server, winner, [sendKey(winner)]).map((x) => x.op)).toEqual(['request', 'commit']);
    expect(actionsSent(server, loser, [sendKey(loser)]).map((x) => x.op)).toEqual(['request', 'accept']);
    expect(actionsSent(server, loser, [sendKey(loser)])[1]!.id).toBe(Math.max(...ids));
    await alice.engine.send(chatId, 'after');
    await bob.engine.send(chatId, 'both ways');
    expect(await texts(bob, chatId)).toContain('after');
    expect(await texts(alice, chatId)).toContain('both ways');
  });

  it('switches on the first message under the new keys when the commit is lost (the implicit commit)', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    // Alice's second key-change message (her commit) never reaches Bob.
    let aliceRekeys = 0;
    server.dropDelivery = async (m) => m.from_id === ALICE && !(await alice.store.message(chatId, m.random_id)) && ++aliceRekeys === 2;
    await alice.engine.send(chatId, 'starts it');
    await eventually(async () => (await alice.store.chat(chatId))!.generation === 1 && (await alice.store.chat(chatId))!.rekeySends!.length === 0);
    const waiting = (await bob.store.chat(chatId))!;
    expect(waiting.generation ?? 0).toBe(0);
    expect(waiting.rekeyAccepted).toMatchObject({ keys: { generation: 1 } });
    await alice.engine.send(chatId, 'under the new keys');
    expect(await texts(bob, chatId)).toContain('under the new keys');
    const [, b] = await settled(alice, bob, chatId);
    expect(b.generation).toBe(1);
    expect(b.previousKeys?.generation).toBe(0);
  });

  it('reads a message sent under the old keys that arrives after the switch (the previous keys), and drops them after 16 under the new', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const oldKey = (await bob.store.chat(chatId))!.keyParticipant!;
    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    server.held.set('alice-laptop', []);
    await alice.engine.send(chatId, 'starts it');
    // Bob accepted (his accept waits on the way to Alice), then writes under the old keys.
    await eventually(async () => !!(await bob.store.chat(chatId))!.rekeyAccepted && (await bob.store.chat(chatId))!.rekeySends!.length === 0);
    await bob.engine.send(chatId, 'late, under the old keys');
    const held = server.held.get('alice-laptop')!;
    server.held.delete('alice-laptop');
    expect(held).toHaveLength(2);
    await held[0]!();
    await settled(alice, bob, chatId);
    await bob.engine.send(chatId, 'under the new keys');
    await held[1]!();
    expect(await texts(alice, chatId)).toEqual(expect.arrayContaining(['late, under the old keys', 'under the new keys']));
    expect(alice.changes.filter((c) => c.kind === 'undecryptable')).toEqual([]);
    const a = (await alice.store.chat(chatId))!;
    expect(a.previousKeys?.generation).toBe(0);
    // A message under the previous keys counted for nothing: one under the new so far.
    expect(a.peerUnderCurrent).toBe(1);
    for (let i = 0; i < 14; i++) await bob.engine.send(chatId, `new ${i}`);
    expect((await alice.store.chat(chatId))!.previousKeys).not.toBeNull();
    await bob.engine.send(chatId, 'the sixteenth');
    expect((await alice.store.chat(chatId))!.previousKeys).toBeNull();
    // A message under the wiped keys no longer opens.
    await server.api(BOB, 'bob-phone').sendEncrypted({ chat_id: chatId, random_id: 9300, data: encryptBody(oldKey, chatId, 9300, { text: 'too late', date: 1 }) });
    expect(alice.changes.filter((c) => c.kind === 'undecryptable')).toEqual([{ kind: 'undecryptable', chatId, randomId: 9300 }]);
  });

  it('ignores a malformed key change and one for an exchange it does not hold, showing nothing', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const key = (await bob.store.chat(chatId))!.keyParticipant!;
    const before = (await alice.store.chat(chatId))!;
    const api = server.api(BOB, 'bob-phone');
    const bodies: unknown[] = [
      { rekey: { op: 'request', id: 5, g: new Uint8Array(31) }, date: 1 },
      { rekey: { op: 'accept', id: 5, g: new Uint8Array(32).fill(9) }, date: 1 },
      { rekey: { op: 'switch', id: 5 }, date: 1 },
      { rekey: { op: 'commit', id: 0, fp: 3 }, date: 1 },
    ];
    for (const [i, body] of bodies.entries()) {
      const randomId = 9000 + i;
      const plaintext = encode(body);
      await api.sendEncrypted({ chat_id: chatId, random_id: randomId, data: sealPlaintext(key, chatId, randomId, plaintext) });
    }
    // Well formed, but for no exchange of Alice's.
    await api.sendEncrypted({ chat_id: chatId, random_id: 9100, data: encryptBody(key, chatId, 9100, { rekey: { op: 'commit', id: 77, fp: 1 }, date: 1 }) });
    await api.sendEncrypted({ chat_id: chatId, random_id: 9101, data: encryptBody(key, chatId, 9101, { rekey: { op: 'accept', id: 77, g: new Uint8Array(32).fill(9), fp: 1 }, date: 1 }) });
    await alice.engine.idle();
    const after = (await alice.store.chat(chatId))!;
    expect(await alice.store.messages(chatId)).toEqual([]);
    expect(after).toMatchObject({ generation: 0, rekeyOutgoing: null, rekeyAccepted: null, rekeySends: [], keyUsed: 0 });
    expect(toHex(after.keyAdmin!)).toBe(toHex(before.keyAdmin!));
    expect(alice.changes.filter((c) => c.kind !== 'chats')).toEqual([]);
  });

  it('refuses a low-order key in a request with an abort, keeping its keys', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const key = (await bob.store.chat(chatId))!.keyParticipant!;
    const keyAdmin = (await alice.store.chat(chatId))!.keyAdmin!;
    await server.api(BOB, 'bob-phone').sendEncrypted({ chat_id: chatId, random_id: 9200, data: encryptBody(key, chatId, 9200, { rekey: { op: 'request', id: 31, g: new Uint8Array(32) }, date: 1 }) });
    await eventually(async () => actionsSent(server, ALICE, [keyAdmin]).length === 1);
    expect(actionsSent(server, ALICE, [keyAdmin])).toEqual([{ op: 'abort', id: 31 }]);
    expect((await alice.store.chat(chatId))!).toMatchObject({ generation: 0, rekeyAccepted: null });
  });

  it('aborts a request unanswered for 7 days (an older client never answers) and asks again with the next message', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const keyAdmin = (await alice.store.chat(chatId))!.keyAdmin!;
    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    server.held.set('bob-phone', []);
    await alice.engine.send(chatId, 'asks');
    await eventually(async () => (await alice.store.chat(chatId))!.rekeySends!.length === 0);
    const firstId = (await alice.store.chat(chatId))!.rekeyOutgoing!.id;
    alice.clock.now += 7 * 86_400_000 - 1;
    await alice.engine.send(chatId, 'still waiting');
    expect((await alice.store.chat(chatId))!.rekeyOutgoing!.id).toBe(firstId);
    alice.clock.now += 1;
    await alice.engine.send(chatId, 'a week later');
    await eventually(async () => (await alice.store.chat(chatId))!.rekeySends!.length === 0);
    expect((await alice.store.chat(chatId))!.rekeyOutgoing).toBeNull();
    await alice.engine.send(chatId, 'asks again');
    await eventually(async () => (await alice.store.chat(chatId))!.rekeySends!.length === 0);
    const secondId = (await alice.store.chat(chatId))!.rekeyOutgoing!.id;
    expect(secondId).not.toBe(firstId);
    expect(actionsSent(server, ALICE, [keyAdmin])).toEqual([
      expect.objectContaining({ op: 'request', id: firstId }),
      { op: 'abort', id: firstId },
      expect.objectContaining({ op: 'request', id: secondId }),
    ]);
    // Bob comes back: the aborted exchange is dropped, the new one goes through.
    await server.flush('bob-phone');
    const [a] = await settled(alice, bob, chatId);
    expect(a.generation).toBe(1);
    expect(await texts(bob, chatId)).toEqual(['asks', 'still waiting', 'a week later', 'asks again']);
  });

  it('after an abort, sent or received, asks again only with the next text, delete or file: a peer that always aborts makes no loop', async () => {
    const { alice, bob, chatId, server } = await readyChat();
    const bobKey = (await bob.store.chat(chatId))!.keyParticipant!;
    const keyAdmin = (await alice.store.chat(chatId))!.keyAdmin!;
    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    // Bob's device answers nothing itself: what Bob's side sends is written here.
    server.held.set('bob-phone', []);
    const api = server.api(BOB, 'bob-phone');
    let nextId = 9600;
    const fromBob = async (body: Parameters<typeof encryptBody>[3]) => {
      const randomId = nextId++;
      await api.sendEncrypted({ chat_id: chatId, random_id: randomId, data: encryptBody(bobKey, chatId, randomId, body) });
      await alice.engine.idle();
      await eventually(async () => (await alice.store.chat(chatId))!.rekeySends!.length === 0);
    };
    const ops = () => actionsSent(server, ALICE, [keyAdmin]).map((x) => x.op);
    const outgoing = async () => (await alice.store.chat(chatId))!.rekeyOutgoing;

    await alice.engine.send(chatId, 'asks');
    await eventually(async () => (await alice.store.chat(chatId))!.rekeySends!.length === 0);
    // An accept whose fingerprint is not the one the keys give: aborted, and no new request with it.
    const first = (await outgoing())!;
    await fromBob({ rekey: { op: 'accept', id: first.id, g: newSecretKeyPair().publicKey, fp: 1 }, date: 1 });
    expect(ops()).toEqual(['request', 'abort']);
    expect(await outgoing()).toBeNull();
    // A step of Bob's is no ordinary message: still nothing.
    await fromBob({ rekey: { op: 'commit', id: 77, fp: 1 }, date: 1 });
    expect(ops()).toEqual(['request', 'abort']);
    // Alice's next message asks again.
    await alice.engine.send(chatId, 'next');
    await eventually(async () => ops().length === 3);
    const second = (await outgoing())!;
    expect(second.id).not.toBe(first.id);
    // Bob aborts it: dropped, and again nothing until an ordinary message — here one of Bob's.
    await fromBob({ rekey: { op: 'abort', id: second.id }, date: 1 });
    expect(await outgoing()).toBeNull();
    expect(ops()).toEqual(['request', 'abort', 'request']);
    await fromBob({ text: 'hello', date: 1 });
    await eventually(async () => ops().length === 4);
    expect(ops()).toEqual(['request', 'abort', 'request', 'request']);
    // And a page load does not end the pause either.
    await fromBob({ rekey: { op: 'abort', id: (await outgoing())!.id }, date: 1 });
    await alice.engine.start();
    await alice.engine.idle();
    expect(ops()).toHaveLength(4);
  });

  it('keeps each step before sending what depends on it: an accept lost on the way goes again with the same random_id', async () => {
    const { alice, bob, chatId, server } = await readyChat({}, { rekeyRetryMs: 60_000 });
    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    server.failNextSendOf.set('bob-phone', new Error('connection lost'));
    await alice.engine.send(chatId, 'asks');
    await eventually(async () => server.calls.filter((c) => c === 'sendEncrypted:bob-phone').length === 1);
    const waiting = (await bob.store.chat(chatId))!;
    expect(waiting.rekeyAccepted).not.toBeNull();
    expect(waiting.rekeySends).toHaveLength(1);
    const { randomId } = waiting.rekeySends![0]!;
    // Bob's browser starts again (or reconnects): what was left goes.
    await bob.engine.start();
    await settled(alice, bob, chatId);
    expect(server.sent.filter((m) => m.from_id === BOB).map((m) => m.random_id)).toEqual([randomId]);
  });

  it('a sign-out while a key change\'s message is on its way leaves no unhandled rejection', async () => {
    const { alice, chatId, server } = await readyChat();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
      let closed!: () => void;
      const signedOut = new Promise<void>((resolve) => (closed = resolve));
      // The request reaches the server; meanwhile the tab signs out (the engine stops, its store closes).
      server.dropDelivery = async (m) => {
        if (m.from_id !== ALICE || (await alice.store.message(chatId, m.random_id))) return false;
        alice.engine.stop();
        await alice.store.close();
        closed();
        return true;
      };
      await alice.engine.send(chatId, 'starts it');
      await signedOut;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('waits out a FLOOD_WAIT on a key change\'s message: what is received or sent meanwhile, a reconnection or a reload does not send it sooner', async () => {
    const timers = new ManualTimers();
    const { alice, bob, chatId, server } = await readyChat({}, { rekeyTimers: timers });
    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    const bobSends = () => server.calls.filter((c) => c === 'sendEncrypted:bob-phone').length;
    server.failNextSendOf.set('bob-phone', new RpcError('FLOOD_WAIT', 420, 30));
    await alice.engine.send(chatId, 'asks');
    await eventually(async () => timers.pending.size === 1);
    expect(bobSends()).toBe(1);
    const waiting = (await bob.store.chat(chatId))!;
    expect(waiting).toMatchObject({ rekeyRetryAt: bob.clock.now + 30_000, rekeyRetryFlood: true, rekeyAttempts: 1 });
    expect(waiting.rekeySends).toHaveLength(1);
    for (let i = 0; i < 3; i++) await alice.engine.send(chatId, `meanwhile ${i}`);
    await bob.engine.send(chatId, 'a reply');
    await bob.engine.start();
    await bob.engine.idle();
    // The page reloads during the wait: the new tab finds it in the store.
    bob.engine.stop();
    const reloadTimers = new ManualTimers();
    const reloaded = device(server, BOB, 'bob-phone', bob.clock, { store: bob.store, rekeyTimers: reloadTimers });
    await reloaded.engine.start();
    await eventually(async () => reloadTimers.pending.size === 1);
    expect([...reloadTimers.pending.values()].map((t) => t.ms)).toEqual([30_000]);
    // Bob's reply went; his accept did not go again.
    expect(bobSends()).toBe(2);
    expect((await bob.store.chat(chatId))!.rekeySends).toHaveLength(1);
    // Once the wait is over it goes, and the exchange completes.
    bob.clock.now += 30_000;
    reloadTimers.runAll();
    const [a, b] = await settled(alice, reloaded, chatId);
    expect(a.generation).toBe(1);
    expect(bobSends()).toBe(3);
    expect(b).toMatchObject({ rekeyRetryAt: null, rekeyAttempts: 0 });
  });

  it('forgets at a reload a FLOOD_WAIT stored as more than an hour away (the clock was set back meanwhile)', async () => {
    const timers = new ManualTimers();
    const { alice, bob, chatId, server } = await readyChat({}, { rekeyTimers: timers });
    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    server.failNextSendOf.set('bob-phone', new RpcError('FLOOD_WAIT', 420, 30));
    await alice.engine.send(chatId, 'asks');
    await eventually(async () => timers.pending.size === 1);
    bob.engine.stop();
    bob.clock.now -= 2 * 3_600_000;
    const reloaded = device(server, BOB, 'bob-phone', bob.clock, { store: bob.store, rekeyTimers: new ManualTimers() });
    await reloaded.engine.start();
    const [a] = await settled(alice, reloaded, chatId);
    expect(a.generation).toBe(1);
  });

  it('sends again a key change\'s message whose call timed out (the client\'s TIMEOUT is no refusal)', async () => {
    const timers = new ManualTimers();
    const { alice, bob, chatId, server } = await readyChat({}, { rekeyTimers: timers });
    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    server.failNextSendOf.set('bob-phone', new RpcError('TIMEOUT', 0));
    await alice.engine.send(chatId, 'asks');
    await eventually(async () => timers.pending.size === 1);
    expect((await bob.store.chat(chatId))!.rekeySends).toHaveLength(1);
    bob.clock.now += 60_000;
    timers.runAll();
    const [a] = await settled(alice, bob, chatId);
    expect(a.generation).toBe(1);
  });

  /** Alice and two tabs of Bob's browser (one database), a chat between them ready, Alice's next message asking for new keys. */
  async function bobInTwoTabs(tabOptions: (tab: number, server: FakeSecretServer) => Partial<SecretChatsOptions>) {
    const server = new FakeSecretServer();
    const clock = { now: 1_764_900_000_000 };
    const alice = device(server, ALICE, 'alice-laptop', clock);
    const name = `secret-test-${++dbCounter}-rekey-tabs`;
    const tabs = [0, 1].map((tab) => device(server, BOB, 'bob-browser', clock, { store: new SecretStore(name), ...tabOptions(tab, server) }));
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'ready' && (await tabs[0]!.store.chat(chatId))?.state === 'ready');
    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    const bobSends = () => server.calls.filter((c) => c === 'sendEncrypted:bob-browser').length;
    return { server, clock, alice, tabs: tabs as [Device, Device], chatId, bobSends };
  }

  it('a key change\'s message another tab left waiting for its retry (it closed meanwhile) goes from a tab still open, not before its time', async () => {
    const timers = [new ManualTimers(), new ManualTimers()];
    const { server, clock, alice, tabs, chatId, bobSends } = await bobInTwoTabs((tab) => ({ rekeyTimers: timers[tab] }));
    // The first tab takes the request; its accept fails on the way, and the tab closes during the wait.
    server.failNextSendOf.set('bob-browser', new Error('connection lost'));
    await alice.engine.send(chatId, 'asks');
    await eventually(async () => timers[0]!.pending.size === 1);
    tabs[0].engine.stop();
    // The other tab learns of the wait from the next message: it keeps a timer of its own and sends nothing yet.
    await alice.engine.send(chatId, 'meanwhile');
    await eventually(async () => timers[1]!.pending.size === 1);
    expect(bobSends()).toBe(1);
    expect((await tabs[1].store.chat(chatId))!.rekeySends).toHaveLength(1);
    // A message after the wait sends it.
    clock.now += 60_000;
    await alice.engine.send(chatId, 'later');
    const [a] = await settled(alice, tabs[1], chatId);
    expect(a.generation).toBe(1);
    expect(bobSends()).toBe(2);
  });

  it('a key change\'s message left unsent by a tab that closed while sending it goes with the next message another tab sends', async () => {
    let first: Device | undefined;
    let closing = false;
    const { alice, tabs, chatId, bobSends } = await bobInTwoTabs((tab, server) => {
      const api = server.api(BOB, 'bob-browser');
      // The first tab closes while its accept is on the way, which never reaches the server.
      const sendEncrypted: SecretApi['sendEncrypted'] = async (a) => {
        if (!closing) return api.sendEncrypted(a);
        first!.engine.stop();
        throw new Error('the tab closed');
      };
      return tab === 0 ? { api: { ...api, sendEncrypted } } : {};
    });
    first = tabs[0];
    closing = true;
    await alice.engine.send(chatId, 'asks');
    await eventually(async () => (await tabs[1].store.chat(chatId))!.rekeySends!.length === 1);
    expect(bobSends()).toBe(0);
    await tabs[1].engine.send(chatId, 'from the other tab');
    const [a] = await settled(alice, tabs[1], chatId);
    expect(a.generation).toBe(1);
    expect(bobSends()).toBe(2);
  });

  it('two tabs sending what waits at the same moment (both back online) send each key change\'s message once', async () => {
    const lock = memoryLocks();
    const timers = [new ManualTimers(), new ManualTimers()];
    let started: Promise<unknown> = Promise.resolve();
    const { server, alice, tabs, chatId, bobSends } = await bobInTwoTabs((tab, server) => {
      const api = server.api(BOB, 'bob-browser');
      // Each send takes its time: without the lock the other tab would send the same message meanwhile.
      const sendEncrypted: SecretApi['sendEncrypted'] = async (a) => {
        await started;
        for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
        return api.sendEncrypted(a);
      };
      return { api: { ...api, sendEncrypted }, lock, rekeyTimers: timers[tab] };
    });
    server.failNextSendOf.set('bob-browser', new Error('connection lost'));
    await alice.engine.send(chatId, 'asks');
    await eventually(async () => timers[0]!.pending.size === 1);
    const waiting = (await tabs[0].store.chat(chatId))!.rekeySends!;
    expect(waiting).toHaveLength(1);
    let both!: () => void;
    started = new Promise<void>((resolve) => (both = resolve));
    const starts = Promise.all(tabs.map((t) => t.engine.start()));
    void starts.then(both);
    await starts;
    await settled(alice, tabs[0], chatId);
    expect(server.sent.filter((m) => m.from_id === BOB).map((m) => m.random_id)).toEqual([waiting[0]!.randomId]);
    expect(bobSends()).toBe(2);
  });

  it('two tabs of one browser act on a key change once, and each encrypts with the keys the other saved', async () => {
    const server = new FakeSecretServer();
    const alice = device(server, ALICE, 'alice-laptop');
    const name = `secret-test-${++dbCounter}-rekey-tabs`;
    const tabs = [0, 1].map((tab) => device(server, BOB, 'bob-browser', undefined, { store: tab === 0 ? new SecretStore(name) : new SecretStore(name) }));
    const chatId = await alice.engine.request(BOB);
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'ready' && (await tabs[0]!.store.chat(chatId))?.state === 'ready');
    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    // Both tabs get the request at the same moment.
    server.held.set('bob-browser', []);
    await alice.engine.send(chatId, 'asks');
    await eventually(async () => (await alice.store.chat(chatId))!.rekeySends!.length === 0);
    await server.flush('bob-browser', true);
    await settled(alice, tabs[0]!, chatId);
    expect(server.sent.filter((m) => m.from_id === BOB)).toHaveLength(1);
    expect((await alice.store.chat(chatId))!.generation).toBe(1);
    // The tab that did not accept sends under the new keys, read from the store.
    await tabs[1]!.engine.send(chatId, 'from the other tab');
    await tabs[0]!.engine.send(chatId, 'and this one');
    expect(await texts(alice, chatId)).toEqual(expect.arrayContaining(['from the other tab', 'and this one']));
    expect(alice.changes.filter((c) => c.kind === 'undecryptable')).toEqual([]);
    // The message both tabs got is stored once.
    expect((await texts(tabs[0]!, chatId)).filter((t) => t === 'asks')).toHaveLength(1);
  });

  it('reads a chat stored before re-keying as generation 0, and wipes every key when the chat ends', async () => {
    const { alice, bob, chatId } = await readyChat();
    await alice.store.updateChat(chatId, (c) => {
      const old: Partial<LocalSecretChat> = { ...c };
      for (const k of ['generation', 'keyUsed', 'keyCreated', 'peerUnderCurrent', 'previousKeys', 'rekeyOutgoing', 'rekeyAccepted', 'rekeySends'] as const) delete old[k];
      return old as LocalSecretChat;
    });
    expect((await alice.store.chat(chatId))!.generation).toBeUndefined();
    await alice.engine.send(chatId, 'from an older record');
    expect(await alice.store.chat(chatId)).toMatchObject({ generation: 0, keyUsed: 1, keyCreated: alice.clock.now, previousKeys: null, rekeyOutgoing: null, rekeyAccepted: null, rekeySends: [] });
    expect(await texts(bob, chatId)).toEqual(['from an older record']);

    await alice.store.updateChat(chatId, (c) => ({ ...c, keyUsed: 100 }));
    await alice.engine.send(chatId, 'starts it');
    await settled(alice, bob, chatId);
    // Bob ended it: Alice's previous keys, exchanges and queue go with the current ones.
    await alice.store.updateChat(chatId, (c) => ({ ...c, rekeySends: [{ randomId: 1, data: new Uint8Array(50) }] }));
    await bob.engine.deleteChat(chatId, false);
    await eventually(async () => (await alice.store.chat(chatId))!.state === 'discarded');
    expect(await alice.store.chat(chatId)).toMatchObject({ keyAdmin: null, keyParticipant: null, previousKeys: null, rekeyOutgoing: null, rekeyAccepted: null, rekeySends: [] });
  });
});

describe('sequence numbers (docs/secret-chats.md)', () => {
  it('numbers every body, tells of a dropped one only once a minute passed, takes it late, and a new engine on the store goes on from the next number', async () => {
    const { server, alice, bob, chatId } = await readyChat();
    await alice.engine.send(chatId, 'zero');
    let dropped: EncryptedMessage | null = null;
    server.dropDelivery = (m) => {
      if (m.from_id !== ALICE || dropped) return false;
      dropped = m;
      return true;
    };
    await alice.engine.send(chatId, 'one, dropped on the way');
    await alice.engine.send(chatId, 'two');
    await alice.engine.deleteForBoth(chatId, [dropped!.random_id]);
    await eventually(async () => (await bob.store.chat(chatId))?.inbound?.next === 4);
    expect((await alice.store.chat(chatId))!.outSeq).toBe(4);
    expect(inOrder((await bob.store.chat(chatId))!.inbound)).toBe(1);
    expect(bob.changes.filter((c) => c.kind === 'missing')).toEqual([]);
    await bob.engine.sweep();
    expect(bob.changes.filter((c) => c.kind === 'missing')).toEqual([]);

    // The sweep asks alice for it again too (protocol/secretResend.ts): that request is lost on the way here.
    server.dropDelivery = (m) => m.from_id === BOB;
    bob.clock.now += SEQUENCE_GRACE_MS;
    await bob.engine.sweep();
    await eventually(async () => server.sent.some((m) => m.from_id === BOB));
    server.dropDelivery = null;
    expect(bob.changes.filter((c) => c.kind === 'missing')).toEqual([{ kind: 'missing', chatId, count: 1 }]);
    expect(missingText((await bob.store.chat(chatId))!)).toBe('1 message could not be delivered');

    // It comes late after all (after the delete that named it, which keeps it away).
    await bob.engine.handleMessage(dropped!);
    expect(bob.changes.filter((c) => c.kind === 'missing').at(-1)).toEqual({ kind: 'missing', chatId, count: 0 });
    expect(missingText((await bob.store.chat(chatId))!)).toBeNull();
    expect(inOrder((await bob.store.chat(chatId))!.inbound)).toBe(4);

    // Bob's answer says how many of alice's came in order.
    await bob.engine.send(chatId, 'back');
    const back = server.sent.at(-1)!;
    const bobsKey = (await bob.store.chat(chatId))!.keyParticipant!;
    expect(parseBody(openPlaintext(bobsKey, chatId, back.random_id, back.data)!)).toMatchObject({ out_seq: 1, in_seq: 4 });

    // Alice's device again (the same store, a new engine): the next number is 4, neither repeated nor skipped.
    alice.engine.stop();
    server.devices.splice(server.devices.findIndex((d) => d.engine === alice.engine), 1);
    const aliceAgain = device(server, ALICE, 'alice-laptop', undefined, { store: new SecretStore(alice.store.name) });
    await aliceAgain.engine.send(chatId, 'after the restart');
    await eventually(async () => (await bob.store.messages(chatId)).some((m) => m.text === 'after the restart'));
    expect((await bob.store.chat(chatId))!.inbound).toEqual({ sequenced: true, next: 5, gaps: [] });
  });

  it('asks for a dropped body again, which its sender (restarted meanwhile) sends under its number and random_id; a second copy is dropped', async () => {
    const { server, alice, bob, chatId } = await readyChat();
    await alice.engine.send(chatId, 'zero');
    let dropped: EncryptedMessage | null = null;
    server.dropDelivery = (m) => {
      if (m.from_id !== ALICE || dropped) return false;
      dropped = m;
      return true;
    };
    const zero = (await alice.store.messages(chatId))[0];
    await alice.engine.send(chatId, 'one, dropped on the way', zero.randomId);
    await alice.engine.send(chatId, 'two');
    await eventually(async () => (await bob.store.chat(chatId))?.inbound?.next === 3);

    // Alice's device again (the same store, a new engine): what it sent is kept there.
    alice.engine.stop();
    server.devices.splice(server.devices.findIndex((d) => d.engine === alice.engine), 1);
    device(server, ALICE, 'alice-laptop', undefined, { store: new SecretStore(alice.store.name) });

    await bob.engine.sweep();
    // A body merely reordered may still come: nothing asked yet.
    expect(server.sent.filter((m) => m.from_id === BOB)).toEqual([]);
    bob.clock.now += RESEND_AFTER_MS;
    await bob.engine.sweep();
    await eventually(async () => (await bob.store.messages(chatId)).some((m) => m.text === 'one, dropped on the way'));
    const repaired = (await bob.store.messages(chatId)).find((m) => m.text === 'one, dropped on the way')!;
    expect(repaired).toMatchObject({ randomId: dropped!.random_id, replyTo: zero.randomId });
    expect((await bob.store.chat(chatId))!.inbound).toMatchObject({ next: 3, gaps: [] });
    expect(bob.changes.filter((c) => c.kind === 'missing')).toEqual([]);

    // The first sending after all (the server's replay): its number came already. Then a new number naming a random_id
    // received already: dropped too; what follows is stored.
    await bob.engine.handleMessage(dropped!);
    const key = (await alice.store.chat(chatId))!.keyAdmin!;
    const deliver = (randomId: number, body: SecretBody) =>
      bob.engine.handleMessage({ chat_id: chatId, random_id: randomId, from_id: ALICE, date: server.now, data: encryptBody(key, chatId, randomId, body) });
    await deliver(9101, { text: 'dropped under a new number', date: 1, resent: dropped!.random_id, out_seq: 3, in_seq: 0 });
    await deliver(9102, { text: 'after', date: 1, out_seq: 4, in_seq: 0 });
    expect((await bob.store.messages(chatId)).map((m) => m.text).sort()).toEqual(['after', 'one, dropped on the way', 'two', 'zero']);
    // Asked once: a later sweep asks nothing more.
    const requests = server.sent.filter((m) => m.from_id === BOB).length;
    bob.clock.now += SEQUENCE_GRACE_MS;
    await bob.engine.sweep();
    expect(server.sent.filter((m) => m.from_id === BOB).length).toBe(requests);
  });

  it('a body its sender no longer holds is answered gone: the gap closes and is told as lost at once', async () => {
    const { server, alice, bob, chatId } = await readyChat();
    await alice.engine.send(chatId, 'zero');
    let dropped: EncryptedMessage | null = null;
    server.dropDelivery = (m) => (m.from_id === ALICE && !dropped ? ((dropped = m), true) : false);
    await alice.engine.send(chatId, 'one, dropped on the way');
    await alice.engine.send(chatId, 'two');
    await eventually(async () => (await bob.store.chat(chatId))?.inbound?.next === 3);
    // Gone from alice's device meanwhile (deleted there, or self-destructed): nothing to send again.
    await alice.store.deleteMessages(chatId, [dropped!.random_id]);

    bob.clock.now += RESEND_AFTER_MS;
    await bob.engine.sweep();
    await eventually(async () => bob.changes.some((c) => c.kind === 'missing'));
    expect(bob.changes.filter((c) => c.kind === 'missing')).toEqual([{ kind: 'missing', chatId, count: 1 }]);
    expect((await bob.store.chat(chatId))!.inbound).toMatchObject({ next: 3, gaps: [], lost: 1 });
    expect(missingText((await bob.store.chat(chatId))!)).toBe('1 message could not be delivered');
  });

  it('a dropped file message is sent again by reference to the file the chat holds: the same file opens, nothing is uploaded again', async () => {
    const { server, alice, bob, chatId } = await readyChat();
    await alice.engine.send(chatId, 'zero');
    let dropped: EncryptedMessage | null = null;
    server.dropDelivery = (m) => (m.from_id === ALICE && !dropped ? ((dropped = m), true) : false);
    const plain = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 13) % 256);
    const sent = await alice.engine.sendFile(chatId, new Blob([plain as BlobPart]), { name: 'report.pdf', mime: 'application/pdf', caption: 'the report' });
    await alice.engine.send(chatId, 'two');
    await eventually(async () => (await bob.store.chat(chatId))?.inbound?.next === 3);
    const files = server.files.size;
    const parts = server.savedParts;

    bob.clock.now += RESEND_AFTER_MS;
    await bob.engine.sweep();
    await eventually(async () => (await bob.store.messages(chatId)).some((m) => m.text === 'the report'));
    const repaired = (await bob.store.message(chatId, sent.randomId))!;
    expect(repaired).toMatchObject({ file: { id: dropped!.file!.id, name: 'report.pdf', mime: 'application/pdf', size: plain.length } });
    expect(new Uint8Array(await (await bob.engine.downloadFile(chatId, sent.randomId)).arrayBuffer())).toEqual(plain);
    const again = server.sent.at(-1)!;
    expect(again).toMatchObject({ service: true, file: { id: dropped!.file!.id } });
    expect([server.files.size, server.savedParts]).toEqual([files, parts]);
    expect((await bob.store.chat(chatId))!.inbound).toMatchObject({ next: 3, gaps: [] });
    expect(bob.changes.filter((c) => c.kind === 'missing')).toEqual([]);
  });

  it('a file the server no longer holds is answered gone instead', async () => {
    const { server, alice, bob, chatId } = await readyChat();
    await alice.engine.send(chatId, 'zero');
    let dropped: EncryptedMessage | null = null;
    server.dropDelivery = (m) => (m.from_id === ALICE && !dropped ? ((dropped = m), true) : false);
    await alice.engine.sendFile(chatId, new Blob([new Uint8Array(500) as BlobPart]), { name: 'a.bin', mime: 'application/octet-stream', caption: '' });
    await alice.engine.send(chatId, 'two');
    await eventually(async () => (await bob.store.chat(chatId))?.inbound?.next === 3);
    server.heldFiles.clear();

    bob.clock.now += RESEND_AFTER_MS;
    await bob.engine.sweep();
    await eventually(async () => bob.changes.some((c) => c.kind === 'missing'));
    expect(bob.changes.filter((c) => c.kind === 'missing')).toEqual([{ kind: 'missing', chatId, count: 1 }]);
    expect((await bob.store.chat(chatId))!.inbound).toMatchObject({ next: 3, gaps: [], lost: 1 });
    expect((await alice.store.chat(chatId))!.rekeySends ?? []).toEqual([]);
  });

  it('drops a number received already, refuses a body without one once numbers came, and keeps a retried message at its first number', async () => {
    const { server, alice, bob, chatId } = await readyChat();
    await alice.engine.send(chatId, 'zero');
    const key = (await alice.store.chat(chatId))!.keyAdmin!;
    const deliver = (randomId: number, body: SecretBody) =>
      bob.engine.handleMessage({ chat_id: chatId, random_id: randomId, from_id: ALICE, date: server.now, data: encryptBody(key, chatId, randomId, body) });
    await deliver(9001, { text: 'numbered twice', date: 1, out_seq: 0, in_seq: 0 });
    await deliver(9002, { text: 'stripped', date: 1 });
    expect((await bob.store.messages(chatId)).map((m) => m.text)).toEqual(['zero']);
    expect(bob.changes).toContainEqual({ kind: 'undecryptable', chatId, randomId: 9002 });

    // A send lost on the way keeps its number; the next body takes the one after; the retry fills the gap.
    server.failNextSend = new Error('connection lost');
    await expect(alice.engine.send(chatId, 'one')).rejects.toThrow('connection lost');
    await alice.engine.send(chatId, 'two');
    await eventually(async () => (await bob.store.chat(chatId))?.inbound?.next === 3);
    const failed = (await alice.store.messages(chatId)).find((m) => m.text === 'one')!;
    expect(failed).toMatchObject({ status: 'failed', outSeq: 1 });
    await alice.engine.retry(chatId, failed.randomId);
    await eventually(async () => (await bob.store.messages(chatId)).some((m) => m.text === 'one'));
    expect((await bob.store.chat(chatId))!.inbound).toEqual({ sequenced: true, next: 3, gaps: [] });
    expect((await alice.store.chat(chatId))!.outSeq).toBe(3);
  });

  it('gives a refused delete its number back, so the other side sees no gap', async () => {
    const { server, alice, bob, chatId } = await readyChat();
    server.failNextSend = new RpcError('FLOOD_WAIT', 420);
    await expect(alice.engine.deleteForBoth(chatId, [1])).rejects.toThrow();
    expect((await alice.store.chat(chatId))!.outSeq ?? 0).toBe(0);
    await alice.engine.send(chatId, 'first body the server took');
    await eventually(async () => (await bob.store.messages(chatId)).length === 1);
    expect((await bob.store.chat(chatId))!.inbound).toEqual({ sequenced: true, next: 1, gaps: [] });
  });
});

/**
 * Alice and Bob with a secret chat ready; Alice's next `count` sends are given up (TIMEOUT) as the server stores the
 * message and pushes it to Bob: their answers wait in `late`, to be let come.
 */
async function sendsGivenUp(count: number) {
  const server = new FakeSecretServer();
  const inner = server.api(ALICE, 'alice-laptop');
  const late: (() => void)[] = [];
  let giveUpNext = 0;
  const api: SecretApi = {
    ...inner,
    sendEncrypted: async (a, o) => {
      const sent = await inner.sendEncrypted(a);
      if (giveUpNext === 0) return sent;
      giveUpNext--;
      late.push(() => o?.answeredLate?.(sent));
      throw new RpcError('TIMEOUT', 0);
    },
  };
  const alice = device(server, ALICE, 'alice-laptop', undefined, { api });
  const bob = device(server, BOB, 'bob-phone');
  const chatId = await alice.engine.request(BOB);
  await eventually(async () => (await bob.store.chat(chatId))?.state === 'ready' && (await alice.store.chat(chatId))?.state === 'ready');
  giveUpNext = count;
  return { server, alice, bob, chatId, late };
}
