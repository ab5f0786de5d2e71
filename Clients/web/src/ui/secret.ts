// Secret chats in the app: the device's engine (protocol/secretChats.ts) started per signed-in account, its store read
// into the app's state whenever something changes, and the user's actions. A chat's key is `s<chat id>` (beside `u…`
// and `c…`). Tabs of one browser are one device: they share the store, and tell each other to read it again.
import { isShownImage } from '../api/media';
import type { MessengerEvent } from '../api/types';
import { MAX_SECRET_THUMB_BYTES } from '../protocol/secret';
import { MAX_SECRET_FILE_BYTES, SecretFileTooBigError } from '../protocol/secretFile';
import { SecretChats, type SecretChange } from '../protocol/secretChats';
import { SecretStore, type LocalSecretChat, type SecretMessage } from '../protocol/secretStore';
import { reportedMissing } from '../protocol/secretSequence';
import { api } from './connection';
import { ensureUsers, loadPresence } from './chats';
import { announceSecret } from './notifications';
import { fitsLength, MAX_TEXT_LENGTH, plainText } from './rich';
import { getState, setState } from './store';
import { testSetting } from './testSettings';
import { clearTyping, setTyping } from './typing';

/** What the UI knows of a chat: no key material. */
export type SecretChatView = Omit<
  LocalSecretChat,
  'secretKey' | 'keyAdmin' | 'keyParticipant' | 'gA' | 'gB' | 'previousKeys' | 'rekeyOutgoing' | 'rekeyAccepted' | 'rekeySends'
> & {
  /** Messages that did not decrypt since this tab opened (dropped, never shown). */
  undecryptable?: number;
};

/** The self-destruct timers offered (seconds; 0: off), as Telegram's shorter list. */
export const SELF_DESTRUCT_TIMERS = [0, 5, 30, 60, 3600, 86_400] as const;

/** How long the other side shows as typing after their last `encrypted_typing`. */
const TYPING_MS = 6000;
/** The user's own typing is told at most this often. */
const TYPING_EVERY_MS = 4000;

/** Tests only (docs/web-client.md): a browser whose localStorage holds a number under this key changes a secret chat's
 * keys after that many messages instead of 100. */
export const REKEY_AFTER_MESSAGES_KEY = 'messenger.secretRekeyAfterMessages';

let engine: SecretChats | null = null;
let channel: BroadcastChannel | null = null;
let ownerId = 0;
let caughtUp = false;
/** Where the update stream started: the log before it is read back for the secret chats (null until it started). */
let replayTo: number | null = null;
/** Catch-ups run one after another. */
let catchingUp: Promise<void> = Promise.resolve();
let saveTimer: ReturnType<typeof setTimeout> | undefined;
const typingSentAt = new Map<number, number>();

export const secretKey = (chatId: number): string => `s${chatId}`;
export const isSecretKey = (key: string | null | undefined): key is string => !!key && key[0] === 's';
export const secretIdOf = (key: string): number => Number(key.slice(1));

function running(): SecretChats {
  if (!engine) throw new Error('Not signed in');
  return engine;
}

/** Signed in: this account's secret chats, from its own store. Events may come from here on. */
export function startSecretChats(userId: number): void {
  if (engine && ownerId === userId) return;
  void stopSecretChats();
  // Only the signed-in account's database may be here: another's was left by a sign-out that did not finish.
  void SecretStore.destroyAllBut(userId).catch(() => undefined);
  ownerId = userId;
  caughtUp = false;
  engine = new SecretChats({
    api: api().secret,
    upload: api().upload,
    store: SecretStore.forUser(userId, { onBlocked: (blocked) => storeBlocked(userId, blocked) }),
    selfId: userId,
    onChange: (change) => changed(change, true),
    textFits: (text) => fitsLength(text, MAX_TEXT_LENGTH),
    rekey: { afterMessages: testSetting(REKEY_AFTER_MESSAGES_KEY) },
  });
  if (typeof BroadcastChannel !== 'undefined') {
    channel = new BroadcastChannel(`messenger-secret-${userId}`);
    channel.onmessage = (event: MessageEvent<SecretChange>) => changed(event.data, false);
  }
  void readChats().catch(() => undefined);
}

/** The store gave up opening while a tab of an older build holds the database (the user is asked to close it), or
 * opened once that tab closed: the secret chats catch up then. */
function storeBlocked(userId: number, blocked: boolean): void {
  if (ownerId !== userId) return;
  setState({ secretStoreBlocked: blocked });
  if (!blocked) void resumeSecretChats().catch(() => undefined);
}

/**
 * The update stream started at `pts`: what came for the secret chats while no tab was open is read from the log
 * (from where this browser stopped), then the server's list of chats, then unsent messages and timers.
 */
export function catchUpSecretChats(pts: number): Promise<void> {
  replayTo = pts;
  return queueCatchUp();
}

/**
 * Back online, or too much was missed (the stream resynced): a log that could not be read is read again from where
 * this browser stopped, and the server's list tells what became of each chat.
 */
export function resumeSecretChats(): Promise<void> {
  return queueCatchUp();
}

function queueCatchUp(): Promise<void> {
  const run = catchingUp.then(catchUp);
  catchingUp = run.catch(() => undefined);
  return run;
}

async function catchUp(): Promise<void> {
  const current = engine;
  const pts = replayTo;
  if (!current || pts === null) return;
  if (!caughtUp) {
    // The position moves only once the log up to `pts` was read (or is gone: too_long); until then it stays, nothing
    // saves a later one (noteLogPosition), and the next reconnection or resync reads from it again. Live secret
    // updates wait meanwhile (they are newer than what is read back).
    const release = current.hold();
    let read = false;
    try {
      const from = await current.store.loadPts();
      read = from === null || from >= pts;
      for (let attempt = 0; !read && attempt < 5; attempt++) {
        try {
          await current.replay((p) => api().updates.getDifference({ pts: p }), from ?? pts, pts);
          read = true;
        } catch {
          if (attempt < 4) await new Promise((resolve) => setTimeout(resolve, 2000 * (attempt + 1)));
        }
        if (current !== engine) return;
      }
    } finally {
      release();
    }
    if (current !== engine) return;
    if (read) {
      caughtUp = true;
      await current.store.savePts(pts);
      // What came live since (a retry runs long after the stream started) moves it on.
      noteLogPosition();
    }
  }
  const started = await current.start().then(
    () => true,
    () => false,
  );
  // Shown to tests as the chat list's data-secret-synced: what the chats are once the log and the list were handled.
  if (!started || !caughtUp || current !== engine) return;
  await readChats();
  if (current === engine) setState({ secretSynced: true });
}

/**
 * Remembers how far the log was read, once what came before is handled and stored (a few seconds after the last
 * event): a tab closed later starts reading from there.
 */
export function noteLogPosition(): void {
  if (!engine || !caughtUp) return;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void saveLogPosition(), 1000);
}

async function saveLogPosition(): Promise<void> {
  const current = engine;
  if (!current || !caughtUp) return;
  const pts = api().pts;
  await current.idle();
  if (current === engine && pts > 0) await current.store.savePts(pts).catch(() => undefined);
}

/** Signed out or stopped: with `forget`, the secret databases (keys and history) are deleted from this browser —
 * the account's, and any another sign-in left behind. */
export function stopSecretChats(forget = false): Promise<void> {
  const userId = ownerId;
  clearTimeout(saveTimer);
  engine?.stop();
  const store = engine?.store;
  engine = null;
  channel?.close();
  channel = null;
  caughtUp = false;
  replayTo = null;
  catchingUp = Promise.resolve();
  ownerId = 0;
  typingSentAt.clear();
  setState({ secretChats: {}, secretMessages: {}, secretSynced: false, secretStoreBlocked: false });
  return (async () => {
    await store?.close();
    if (forget && userId) await SecretStore.destroy(userId).catch(() => undefined);
    if (forget) await SecretStore.destroyAllBut(null).catch(() => undefined);
  })();
}

/** Routes the client's secret events to the engine (events.ts). */
export function secretEvent(event: Extract<MessengerEvent, { type: 'secret_chat' | 'new_encrypted_message' | 'encrypted_read' | 'encrypted_typing' }>): void {
  const current = engine;
  if (!current) return;
  const handled =
    event.type === 'secret_chat'
      ? current.handleChat(event.chat)
      : event.type === 'new_encrypted_message'
        ? current.handleMessage(event.message)
        : event.type === 'encrypted_read'
          ? current.handleRead(event.chatId, event.maxDate)
          : current.handleTyping(event.chatId, event.userId);
  void handled.catch(() => undefined);
}

function changed(change: SecretChange, here: boolean): void {
  switch (change.kind) {
    case 'chats':
      void readChats().catch(() => undefined);
      break;
    case 'messages':
      void readMessages(change.chatId).catch(() => undefined);
      break;
    case 'incoming':
      clearTyping(secretKey(change.chatId), change.message.from);
      void announceIncoming(change);
      break;
    case 'undecryptable':
      setState((s) => {
        const chat = s.secretChats[change.chatId];
        return chat ? { secretChats: { ...s.secretChats, [chat.id]: { ...chat, undecryptable: (chat.undecryptable ?? 0) + 1 } } } : {};
      });
      break;
    case 'typing':
      setTyping(secretKey(change.chatId), change.userId, Date.now() + TYPING_MS);
      break;
  }
  // The other tabs read the store again; what reaches each tab from the server (new messages, typing) it handles itself.
  if (here && (change.kind === 'chats' || change.kind === 'messages')) channel?.postMessage(change);
}

/** The tab's notice of a message from the other side, as its push would be: quiet when it was sent without sound, none
 * when its sender marked it a control message (`service`, which the server pushes nothing for; key changes and deletes
 * never come here). */
export async function announceIncoming(change: Extract<SecretChange, { kind: 'incoming' }>): Promise<void> {
  const chat = getState().secretChats[change.chatId];
  if (chat && !change.service) await announceSecret(change.chatId, chat.peerId, change.message.date, change.message.silent ?? false);
}

/** A stored chat as the UI may hold it: every key (the current, the previous, an exchange's, what waits to be sent) left out. */
export const secretChatView = ({
  secretKey: _s,
  keyAdmin: _a,
  keyParticipant: _p,
  gA: _ga,
  gB: _gb,
  previousKeys: _pk,
  rekeyOutgoing: _ro,
  rekeyAccepted: _ra,
  rekeySends: _rs,
  ...rest
}: LocalSecretChat): SecretChatView => rest;

async function readChats(): Promise<void> {
  const current = engine;
  if (!current) return;
  const chats = await current.store.chats();
  if (current !== engine) return;
  const histories = await Promise.all(chats.map((c) => current.store.messages(c.id)));
  if (current !== engine) return;
  setState((s) => ({
    secretChats: Object.fromEntries(chats.map((c) => [c.id, { ...secretChatView(c), undecryptable: s.secretChats[c.id]?.undecryptable }])),
    secretMessages: Object.fromEntries(chats.map((c, i) => [c.id, histories[i]])),
  }));
  // A chat deleted (here or in another tab) while open closes.
  const active = getState().active;
  if (isSecretKey(active) && !chats.some((c) => c.id === secretIdOf(active))) setState({ active: null, panel: null });
  void ensureUsers(chats.map((c) => c.peerId)).catch(() => undefined);
}

async function readMessages(chatId: number): Promise<void> {
  const current = engine;
  if (!current) return;
  const messages = await current.store.messages(chatId);
  if (current !== engine) return;
  setState((s) => ({ secretMessages: { ...s.secretMessages, [chatId]: messages } }));
}

// ---- The user's actions ----

/** "Start secret chat" with a person: asks from this device and opens the chat, waiting for them. */
export async function startSecretChat(userId: number): Promise<string> {
  const chatId = await running().request(userId);
  await readChats();
  void loadPresence([userId]).catch(() => undefined);
  return secretKey(chatId);
}

export function sendSecret(chatId: number, text: string, replyTo: number | null): Promise<unknown> {
  typingSentAt.delete(chatId);
  return running().send(chatId, text, replyTo);
}

/** Sends a photo (shown inline from a small thumb made here) or any file; `caption` may be empty. */
export async function sendSecretFile(chatId: number, file: File, asPhoto: boolean, caption: string): Promise<unknown> {
  typingSentAt.delete(chatId);
  // Before the picture is decoded for its thumb: a huge one would cost that too.
  if (file.size > MAX_SECRET_FILE_BYTES) throw new SecretFileTooBigError(true);
  const picture = asPhoto && isShownImage(file.type) ? await describeImage(file) : null;
  return running().sendFile(chatId, file, {
    name: file.name || (asPhoto ? 'photo.jpg' : 'file'),
    mime: file.type || 'application/octet-stream',
    caption,
    ...(picture ?? {}),
  });
}

/** The decrypted file of a message this device holds; the download and decryption stop with `signal`. */
export function openSecretFile(chatId: number, randomId: number, signal?: AbortSignal): Promise<Blob> {
  return running().downloadFile(chatId, randomId, undefined, signal);
}

/**
 * What a view of a decrypted file does with it once it came: nothing when the view went meanwhile (`shown` aborted:
 * the message self-destructed or was deleted during the download) — an object URL made then would never be revoked,
 * a decrypted copy outliving its message — else `use` it (an object URL, a save).
 */
export async function whileShown<T>(file: Promise<Blob>, shown: AbortSignal, use: (blob: Blob) => T): Promise<T | null> {
  let blob: Blob;
  try {
    blob = await file;
  } catch (error) {
    if (shown.aborted) return null;
    throw error;
  }
  return shown.aborted ? null : use(blob);
}

/** The size of a picture and its thumb: a JPEG small enough to travel inside the encrypted message (≤ 4 KiB), made
 * smaller and rougher until it fits; none when the browser cannot decode the image. */
async function describeImage(file: Blob): Promise<{ width: number; height: number; thumb?: Uint8Array } | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  try {
    const described: { width: number; height: number; thumb?: Uint8Array } = { width: bitmap.width, height: bitmap.height };
    for (const [side, quality] of [[90, 0.6], [64, 0.5], [40, 0.4]] as const) {
      const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
      if (blob && blob.size > 0 && blob.size <= MAX_SECRET_THUMB_BYTES) {
        described.thumb = new Uint8Array(await blob.arrayBuffer());
        break;
      }
    }
    return described;
  } finally {
    bitmap.close();
  }
}

export function retrySecret(chatId: number, randomId: number): Promise<void> {
  return running().retry(chatId, randomId);
}

export function deleteSecretMessages(chatId: number, randomIds: number[], forBoth: boolean): Promise<void> {
  return forBoth ? running().deleteForBoth(chatId, randomIds) : running().deleteHere(chatId, randomIds);
}

/** The chat is on screen in a visible tab: its messages count as shown (read receipt, self-destruct timers start). */
export function markSecretRead(chatId: number): void {
  void engine?.markRead(chatId).catch(() => undefined);
}

export function secretTyping(chatId: number): void {
  const now = Date.now();
  if (now - (typingSentAt.get(chatId) ?? 0) < TYPING_EVERY_MS) return;
  typingSentAt.set(chatId, now);
  engine?.typing(chatId);
}

export function setSecretTimer(chatId: number, ttl: number): Promise<void> {
  return running().setTtl(chatId, ttl);
}

/** Ends the chat for both (with `deleteHistory`, the other side's history goes too) and forgets it here. */
export async function deleteSecretChat(chatId: number, deleteHistory: boolean): Promise<void> {
  await running().deleteChat(chatId, deleteHistory);
}

// ---- Reading ----

/** A message as a chat row shows it: the text, or "Photo" / the file's name, then ", <caption>". */
export function secretMessagePreview(message: SecretMessage): string {
  const text = plainText(message.text);
  if (!message.file) return text;
  const what = isShownImage(message.file.mime) && message.file.thumb ? 'Photo' : message.file.name;
  return text ? `${what}, ${text}` : what;
}

/** The newest message of the chat, if any. */
export function lastSecretMessage(messages: SecretMessage[] | undefined): SecretMessage | undefined {
  return messages?.[messages.length - 1];
}

/** Whether a message's Delete goes for both: only while the chat runs, and not for an own message the server has not
 * taken (sending, or failed: as far as this device knows the other side has none of it; Retry first sends it). */
export function deletesForBoth(chat: SecretChatView, message: SecretMessage, me: number | undefined): boolean {
  return chat.state === 'ready' && !(message.from === me && message.status !== 'sent');
}

/** A chat's row in the list: its newest message while it runs, else its state ("Secret chat ended", also when its
 * history is kept). `sender` is "You" when that message is this user's, as an ordinary chat's row says it: a label of
 * its own before the text, so the text keeps its own direction. */
export function secretPreview(
  chat: SecretChatView,
  last: SecretMessage | undefined,
  me: number | undefined,
  peerName: string,
): { sender: string; text: string } {
  if (chat.state !== 'ready') return { sender: '', text: secretStateText(chat, peerName) ?? '' };
  if (last) return { sender: me !== undefined && last.from === me ? 'You' : '', text: secretMessagePreview(last) };
  return { sender: '', text: chat.role === 'admin' ? `${peerName} joined your secret chat` : 'You joined a secret chat' };
}

export function secretUnread(messages: SecretMessage[] | undefined, me: number | undefined): number {
  return (messages ?? []).reduce((n, m) => n + (m.from !== me && !m.read ? 1 : 0), 0);
}

/** How many times the chat's keys changed, as the encryption key's dialog says it; null before the first change. */
/** The other side's messages missing for over a minute though later ones came (protocol/secretSequence.ts), as the
 * chat says it; null when none. */
export function missingText(chat: Pick<SecretChatView, 'inbound'>): string | null {
  const n = reportedMissing(chat.inbound);
  if (n === 0) return null;
  return n === 1 ? '1 message could not be delivered' : `${n} messages could not be delivered`;
}

export function keyChangesText(chat: Pick<SecretChatView, 'generation'>): string | null {
  const n = chat.generation ?? 0;
  return n > 0 ? `Key changed ${n} ${n === 1 ? 'time' : 'times'}` : null;
}

/** How the chat's state reads ("Waiting for Bob to get online…", "Secret chat ended"); null when it is running. */
export function secretStateText(chat: SecretChatView, peerName: string): string | null {
  if (chat.state === 'requested') return `Waiting for ${peerName} to get online…`;
  if (chat.state === 'accepting') return 'Joining the secret chat…';
  if (chat.state !== 'discarded') return null;
  switch (chat.reason) {
    case 'declined':
      return 'Secret chat declined';
    case 'cancelled':
      return 'Secret chat cancelled';
    case 'key_mismatch':
      return 'Secret chat ended: the encryption keys did not match';
    case 'device_signed_out':
      return 'Secret chat ended: a device was signed out';
    case 'account_deleted':
      return 'Secret chat ended: the account was deleted';
    default:
      return 'Secret chat ended';
  }
}
