import type { ChatChanged, InputMedia, Message, MessageList, ReplyQuote } from '../api/types';
import { PeerKind, RpcError, ServiceActions, peerOf } from '../api/types';
import { blankDialog, dialogOf, ensureChats, ensureUsers, loadDialogs, loadPresence, rememberUsers, updateDialog } from './chats';
import type { MediaDescription } from '../api/media';
import { api, upload } from './connection';
import { describeMedia } from './describeMedia';
import { errorText } from './format';
import { liveLocationChanged, liveLocationsGone } from './location';
import { dropUpload, keepUpload, keptUploads, type KeptUpload } from './keptUploads';
import { dropFromOutbox, keepInOutbox, markInOutbox, outboxEntries } from './outbox';
import { peerFromKey, peerKey } from './peers';
import { keepRead, keepUnmark, readSent, unmarkDone } from './pending';
import { mentionsAfter, mentionsMe } from './mentions';
import { deletedIdsKept, emptyHistory, getState, setState, touchPins, type History, type PendingMessage, type Upload } from './store';
import { clearTyping } from './typing';
import { threadReadsOf } from './threads';
import { sendQuoting, withoutQuotesOf } from './quotes';
import { closeTopic, currentTopic, loadOlderInTopic, loadTopics, topicGone, withChats, withoutLoaded } from './topics';

const PAGE = 50;

/** The service messages that change a forum's topics. */
const topicActions = new Set<string>([ServiceActions.TopicCreate, ServiceActions.TopicEdit, ServiceActions.ToggleForum]);

function randomId(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (words[0] & 0x1fffff) * 0x100000000 + words[1] + 1;
}

function setHistory(key: string, change: (history: History) => History): void {
  setState((s) => ({ histories: { ...s.histories, [key]: change(s.histories[key] ?? emptyHistory) } }));
}

/** A change to a chat's loaded messages; none when this tab has not loaded the chat (an empty entry would stand for its
 * history and keep it from loading when opened). */
function changeLoaded(key: string, change: (history: History) => History): void {
  if (getState().histories[key]) setHistory(key, change);
}

export function openChat(key: string | null): void {
  // A forum opens on its topic list; the same chat again keeps the topic on screen.
  setState((s) => ({ active: key, panel: s.panel === 'info' && key ? 'info' : null, topic: s.active === key ? s.topic : null }));
  // A secret chat's history is this device's own (secret.ts): nothing to load.
  if (!key || key.startsWith('s')) return;
  const peer = peerFromKey(key);
  if (!dialogOf(key)) updateDialog(key, (d) => d, () => blankDialog(peer));
  if (dialogOf(key)?.unread_mark) {
    // Opening a chat the user marked unread takes the mark off, on all their devices.
    // Kept until the server answers (pending.ts): a reload right after sends it again at the next start.
    updateDialog(key, (d) => ({ ...d, unread_mark: false }));
    keepUnmark(key);
    void api().messages.markDialogUnread({ peer, unread: false }).then(() => unmarkDone(key), () => undefined);
  }
  if (peer.kind === PeerKind.User) {
    void ensureUsers([peer.id]).catch(() => undefined);
    void loadPresence([peer.id]).catch(() => undefined);
  } else {
    void ensureChats([peer.id]).catch(() => undefined);
  }
  if (!getState().histories[key]) void loadOlder(key).catch(() => undefined);
}

/** The address that opens this app at a group's message (App's takeChatLink): `<origin>/?chat=c<id>&msg=<id>`, the
 * same for every member. (A private chat's key differs on its two sides: its messages get no link.) */
export function messageLink(key: string, messageId: number): string {
  return `${location.origin}/?chat=${encodeURIComponent(key)}&msg=${messageId}`;
}

/** Opens the private chat with the user of this username (a mention's click); nothing when there is no such user. */
export async function openChatWithUsername(username: string): Promise<void> {
  const { users } = await api().users.search({ prefix: username, limit: 10 });
  const user = users.find((u) => u.username.toLowerCase() === username.toLowerCase());
  if (!user) return;
  rememberUsers([user]);
  openChat(`u${user.id}`);
}

export async function loadOlder(key: string): Promise<void> {
  // A forum's topic pages back through its own messages.
  const topic = currentTopic(key);
  if (topic !== null) return loadOlderInTopic(key, topic);
  const history = getState().histories[key] ?? emptyHistory;
  if (history.loading || history.complete) return;
  setHistory(key, (h) => ({ ...h, loading: true }));
  try {
    const offset_id = history.messages[0]?.id ?? 0;
    const page = await api().messages.getHistory({ peer: peerFromKey(key), offset_id, limit: PAGE });
    const messages = withExtras(page);
    threadReadsOf(key, page.replies);
    const older = messages.slice().reverse();
    setHistory(key, (h) => {
      const known = new Set(h.messages.map((m) => m.id));
      return { ...h, loading: false, complete: messages.length < PAGE, messages: [...older.filter((m) => !known.has(m.id)), ...h.messages] };
    });
    showOutbox(key);
    await ensureUsers(messages.flatMap(usersOf));
  } catch (error) {
    setHistory(key, (h) => ({ ...h, loading: false }));
    throw error;
  }
}

/** The page's messages with their reactions and poll results kept on them (the server lists those beside the messages). */
function withExtras(page: MessageList): Message[] {
  const reactions = new Map((page.reactions ?? []).map((r) => [r.msg_id, r]));
  const polls = new Map((page.polls ?? []).map((p) => [p.msg_id, p]));
  return page.messages.map((m) => {
    const found = reactions.get(m.id);
    const withReactions = found ? { ...m, reactions: found.reactions, my_reaction: found.my_reaction } : m;
    const results = polls.get(m.id);
    return results ? { ...withReactions, poll_results: results } : withReactions;
  });
}

/** The users a message names: its sender, a service message's users, a forward's original author. */
function usersOf(message: Message): number[] {
  return [message.from_id, ...(message.action?.user_ids ?? []), ...(message.fwd_from_id ? [message.fwd_from_id] : [])];
}

function insertMessage(key: string, message: Message): void {
  changeLoaded(key, (h) => {
    if (h.messages.some((m) => m.id === message.id)) return h;
    const messages = h.messages.slice();
    let at = messages.length;
    while (at > 0 && messages[at - 1].id > message.id) at--;
    messages.splice(at, 0, message);
    return { ...h, messages };
  });
}

export function replaceMessage(key: string, message: Message): void {
  // A message from the server (an edit) carries no reactions nor poll results: the ones kept here stay.
  const keep = (m: Message): Message => ({
    ...message,
    reactions: 'reactions' in message ? message.reactions : m.reactions,
    my_reaction: 'my_reaction' in message ? message.my_reaction : m.my_reaction,
    poll_results: 'poll_results' in message ? message.poll_results : m.poll_results,
  });
  changeLoaded(key, (h) => ({ ...h, messages: h.messages.map((m) => (m.id === message.id ? keep(m) : m)) }));
  liveLocationChanged(message);
  updateDialog(key, (d) => ({
    ...d,
    top_message: d.top_message?.id === message.id ? message : d.top_message,
    pinned_message: d.pinned_message?.id === message.id ? message : d.pinned_message,
  }));
}

/** A message of the chat's, new to this tab: `randomId` is the one our own message was sent with (the server tells it
 * to each of the user's devices, in large groups and channels too; never on others' messages). */
export function messageArrived(message: Message, randomId?: number): void {
  const me = getState().me?.id ?? 0;
  const peer = peerOf(message, me);
  const key = peerKey(peer);
  const incoming = message.from_id !== me;
  if (!incoming && randomId !== undefined) settleSent(key, randomId);
  insertMessage(key, message);
  updateDialog(
    key,
    (d) => {
      if (d.top_message && d.top_message.id >= message.id) return d;
      const fresh = incoming && message.id > d.read_inbox_max_id;
      const unread = fresh ? d.unread_count + 1 : d.unread_count;
      const mentions = (d.unread_mentions_count ?? 0) + (fresh && mentionsMe(getState(), message) ? 1 : 0);
      return { ...d, top_message: message, last_activity: Math.max(d.last_activity, message.date), unread_count: unread, unread_mentions_count: mentions };
    },
    () => blankDialog(peer),
  );
  // A topic created, renamed, closed or reopened, or topics turned on or off: the topic list (and an open topic's bar) read again.
  if (peer.kind === PeerKind.Chat && topicActions.has(message.action?.kind ?? '') && getState().forumTopics[peer.id]) {
    void loadTopics(key).catch(() => undefined);
  }
  // The chat's auto-delete timer is what its newest set_ttl message says (they arrive in log order).
  if (message.action?.kind === ServiceActions.SetTtl) updateDialog(key, (d) => ({ ...d, ttl_period: message.action?.period ?? 0 }));
  if (incoming) clearTyping(key, message.from_id);
  if (peer.kind === PeerKind.User && !getState().presence[peer.id]) void loadPresence([peer.id]).catch(() => undefined);
  // A service message (title, members, admins) means the group itself changed.
  void (peer.kind === PeerKind.Chat ? ensureChats([peer.id], !!message.action) : Promise.resolve())
    .then(() => ensureUsers(usersOf(message)))
    .catch(() => undefined);
}

/** Our own message came back with the random id it was sent with (the user's own log carries it, live and when this
 * device catches up after being offline): it is stored, so the send of that id is done whatever state it is in here —
 * its clock bubble gives way, and a send still queued, waiting for the link, refused (a retry's answer lost) or only
 * in the outbox after a reload is not sent again. A send in flight is left to its answer. A random id of none of ours
 * (the user's other device) settles nothing, whatever its text. */
function settleSent(key: string, randomIdStored: number): void {
  updatePending(key, (list) => (list.some((p) => p.randomId === randomIdStored) ? list.filter((p) => p.randomId !== randomIdStored) : list));
  if (draining.has(key) && queues.get(key)?.[0]?.randomId === randomIdStored) return;
  dequeue(key, randomIdStored);
  forgetSent(randomIdStored);
  outcomes.get(randomIdStored)?.resolve();
  outcomes.delete(randomIdStored);
}

export async function sendMessage(
  key: string,
  text: string,
  replyToId: number | null,
  media: InputMedia | null = null,
  silent = false,
  quote: ReplyQuote | null = null,
  topic: number | null = currentTopic(key),
): Promise<void> {
  return queueMessage(key, randomId(), text, replyToId, media, silent, quote, topic);
}

/**
 * A text too long for one message as its parts (`splitMessage`, split.ts), queued at once so they go in order. Each is a
 * message of its own with its own random id: one refused or retried never sends another twice. The reply (and its
 * quote) goes on the first part only — unless `replyToEach` (a thread's reply box, whose every message answers the
 * thread's root to be in the thread at all).
 */
export async function sendParts(
  key: string,
  parts: string[],
  replyToId: number | null,
  options: { silent?: boolean; quote?: ReplyQuote | null; replyToEach?: boolean } = {},
): Promise<void> {
  const { silent = false, quote = null, replyToEach = false } = options;
  const sent = parts.map((part, i) => sendMessage(key, part, i === 0 || replyToEach ? replyToId : null, null, silent, i === 0 ? quote : null));
  await Promise.all(sent);
}

function queueMessage(
  key: string,
  randomIdToSend: number,
  text: string,
  replyToId: number | null,
  media: InputMedia | null,
  silent: boolean,
  quote: ReplyQuote | null,
  topic: number | null,
): Promise<void> {
  const topicId = topic || undefined;
  const pending: PendingMessage = { randomId: randomIdToSend, text, replyToId, media, date: Math.floor(Date.now() / 1000), failed: false, silent, quote, topicId };
  const me = getState().me?.id;
  if (me) keepInOutbox(me, { key, randomId: pending.randomId, text, replyToId, media, date: pending.date, silent, quote, topicId });
  setHistory(key, (h) => ({ ...h, pending: [...h.pending, pending] }));
  const outcome = new Promise<void>((resolve, reject) => outcomes.set(pending.randomId, { resolve, reject }));
  enqueue(key, pending);
  void drain(key);
  return outcome;
}

/**
 * Per chat, the messages not answered yet, oldest first. They go one at a time: the server runs a connection's calls
 * concurrently, so only waiting for each answer keeps a chat's messages in the order they were written — also after an
 * outage, when the older ones are sent again and a new one must wait behind them.
 */
const queues = new Map<string, PendingMessage[]>();
/** The chats whose queue is being sent: one send of a chat in flight at a time. */
const draining = new Set<string>();
/** sendMessage's callers, told when their message is stored or refused (never on a missing answer). */
const outcomes = new Map<number, { resolve(): void; reject(error: unknown): void }>();
/** A chat whose first message the server was too busy for is tried again a moment later (or when the link comes back). */
const retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
const BUSY_RETRY_MS = 10_000;

/** The user the queues are for: another one signed in on this tab never sends the previous one's messages. */
let queuesOwner: number | undefined;

function enqueue(key: string, pending: PendingMessage): void {
  const me = getState().me?.id;
  if (me !== queuesOwner) {
    queues.clear();
    queuesOwner = me;
  }
  const queue = queues.get(key) ?? [];
  if (!queue.some((p) => p.randomId === pending.randomId)) queues.set(key, [...queue, pending]);
}

function dequeue(key: string, randomIdDone: number): void {
  const left = (queues.get(key) ?? []).filter((p) => p.randomId !== randomIdDone);
  if (left.length) queues.set(key, left);
  else queues.delete(key);
}

async function drain(key: string): Promise<void> {
  if (draining.has(key)) return;
  draining.add(key);
  clearTimeout(retryTimers.get(key));
  retryTimers.delete(key);
  try {
    for (let next = queues.get(key)?.[0]; next; next = queues.get(key)?.[0]) {
      if (getState().me?.id !== queuesOwner) return;
      if (!(await deliverPending(key, next))) return;
      dequeue(key, next.randomId);
    }
  } finally {
    draining.delete(key);
  }
}

/** Sends one message: true when the server answered (stored or refused), false when the outcome is still unknown. */
async function deliverPending(key: string, pending: PendingMessage): Promise<boolean> {
  try {
    const sent = await sendQuoting(pending.replyToId ? pending.quote : null, (quote) =>
      api().messages.send(
        {
          peer: peerFromKey(key),
          random_id: pending.randomId,
          text: pending.text,
          reply_to_id: pending.replyToId,
          media: pending.media,
          silent: pending.silent === true,
          quote,
          topic_id: pending.topicId ?? null,
        },
        // No time limit: an unanswered send waits for the link with its msg_id (the session resends it), so a dead
        // link never makes it look failed, nor lets a newer message of the chat overtake it.
        { timeoutMs: Infinity },
      ),
    );
    messageArrived(sent.message, pending.randomId);
    updatePending(key, (list) => list.filter((p) => p.randomId !== pending.randomId));
    forgetSent(pending.randomId);
    outcomes.get(pending.randomId)?.resolve();
    outcomes.delete(pending.randomId);
    return true;
  } catch (error) {
    if (isTransient(error)) {
      // Perhaps stored already: it keeps its clock and goes again with its random id (stored once whatever happened).
      updatePending(key, (list) => list.map((p) => (p.randomId === pending.randomId ? { ...p, waiting: true } : p)));
      const after = error instanceof RpcError && error.retryAfter ? error.retryAfter * 1000 : BUSY_RETRY_MS;
      clearTimeout(retryTimers.get(key));
      retryTimers.set(
        key,
        setTimeout(() => {
          retryTimers.delete(key);
          if (getState().me) void drain(key);
        }, after),
      );
      return false;
    }
    const refused = { failed: true, waiting: false, error: errorText(error) };
    updatePending(key, (list) => list.map((p) => (p.randomId === pending.randomId ? { ...p, ...refused } : p)));
    const me = getState().me?.id;
    if (me) markInOutbox(me, pending.randomId, refused.error);
    outcomes.get(pending.randomId)?.reject(error);
    outcomes.delete(pending.randomId);
    return true;
  }
}

/** Changes the chat's clock bubbles, if its history is loaded (a send from the outbox may be for a chat not opened yet,
 * whose history must then load in full when it is). */
function updatePending(key: string, change: (pending: PendingMessage[]) => PendingMessage[]): void {
  changeLoaded(key, (h) => ({ ...h, pending: change(h.pending) }));
}

/** A failure that says nothing of whether the message was stored, and may pass by itself: no answer (offline, timed
 * out, the client closed), the server busy or full, or its answer lost (RESULT_DROPPED). Anything else is a refusal —
 * INTERNAL too: a fault of the server's with this message would come back each time, and must not hold the chat's
 * later messages behind it for good (its Retry sends it again with its random id). */
function isTransient(error: unknown): boolean {
  if (error instanceof RpcError && error.name === 'INTERNAL') return false;
  // Refused before anything was sent (an empty file), or a file the browser can no longer read (moved or deleted on
  // disk): neither passes by itself.
  if (error instanceof RangeError || (error instanceof DOMException && ['NotReadableError', 'NotFoundError'].includes(error.name))) return false;
  return !(error instanceof RpcError) || error.code === 0 || error.code >= 500 || error.code === 420 || error.name === 'STORAGE_FULL';
}

function forgetSent(randomIdSent: number): void {
  const me = getState().me?.id;
  if (me) dropFromOutbox(me, randomIdSent);
  // Until resumeKeptUploads has read what an earlier page kept, a message settled (or discarded) after a reload may
  // have a kept file this page does not know of yet, which must not be uploaded and sent again.
  if (keptIds.delete(randomIdSent) || !keptRead) void dropUpload(randomIdSent);
}

/** The outbox's messages of this chat as bubbles (after a reload they are known only there): sending, or refused. */
function showOutbox(key: string): void {
  const me = getState().me?.id;
  if (!me) return;
  const waiting = outboxEntries(me).filter((e) => e.key === key);
  if (!waiting.length) return;
  setHistory(key, (h) => {
    const shown = new Set(h.pending.map((p) => p.randomId));
    const added = waiting.filter((e) => !shown.has(e.randomId)).map((e): PendingMessage => ({ ...e, failed: e.error !== undefined }));
    return added.length ? { ...h, pending: [...h.pending, ...added] } : h;
  });
}

/**
 * Sends what the outbox holds (after a reload, and whenever the connection comes back), chat by chat in the order
 * written: each message again with its random id, so one the server already stored is answered, not stored twice. A
 * message the server refused (too long, blocked…) waits for the user's Retry or Discard instead.
 */
export function resendOutbox(): void {
  const me = getState().me?.id;
  if (!me) return;
  const entries = outboxEntries(me);
  for (const entry of entries) {
    if (entry.error !== undefined) continue;
    enqueue(entry.key, { ...entry, failed: false });
  }
  // A chat the server does not list yet (its first message unsent) is in the chat list all the same, by its name.
  const peers = [...new Set(entries.map((e) => e.key))].map(peerFromKey);
  void ensureUsers(peers.filter((p) => p.kind === PeerKind.User).map((p) => p.id)).catch(() => undefined);
  void ensureChats(peers.filter((p) => p.kind === PeerKind.Chat).map((p) => p.id)).catch(() => undefined);
  void resumeKeptUploads(me);
  if (me !== queuesOwner) return;
  for (const key of queues.keys()) {
    updatePending(key, (list) => list.map((p) => (p.waiting ? { ...p, waiting: false } : p)));
    void drain(key);
  }
}

/** Signing out: nothing of this account's unsent messages goes any more (the outbox is cleared beside this). */
export function forgetUnsent(): void {
  queues.clear();
  queuesOwner = undefined;
  for (const timer of retryTimers.values()) clearTimeout(timer);
  retryTimers.clear();
  for (const resume of [...uploadsWaiting]) resume(false);
  keptIds.clear();
  keptRead = false;
}

/** Sends a refused message again with the same random id, behind the chat's other unsent messages. */
export function retryPending(key: string, randomIdToRetry: number): void {
  const pending = getState().histories[key]?.pending.find((p) => p.randomId === randomIdToRetry);
  if (!pending) return;
  setHistory(key, (h) => ({ ...h, pending: h.pending.map((p) => (p.randomId === randomIdToRetry ? { ...p, failed: false, error: undefined } : p)) }));
  const me = getState().me?.id;
  if (me) markInOutbox(me, randomIdToRetry, undefined);
  enqueue(key, { ...pending, failed: false, error: undefined });
  void drain(key);
}

/** Drops a message the server refused (the bubble offers Discard only then: an unanswered one may be stored already). */
export function discardPending(key: string, randomIdToDrop: number): void {
  updatePending(key, (list) => list.filter((p) => p.randomId !== randomIdToDrop));
  forgetSent(randomIdToDrop);
}

/** Uploads and sends a file; a video goes with a frame of it as its thumbnail, its duration and size, an audio file
 * with its duration (`known`: what the caller knows already, the voice recorder's duration); `quote`, the part of the
 * replied message the reply bar showed, goes with it as with a text reply. It goes into the forum topic on screen when
 * it was chosen, whatever the user opened while it uploaded. An upload that fails waits on its row for Retry or
 * Dismiss (which gives the caption back to the message box); one that failed for want of an answer resumes by itself
 * when the connection comes back, under the same file id, so the parts the server has are not sent again. */
export async function sendFile(
  key: string,
  file: File,
  caption: string,
  replyToId: number | null,
  known?: MediaDescription,
  quote: ReplyQuote | null = null,
): Promise<void> {
  const job: UploadJob = {
    randomId: randomId(),
    fileId: randomId(),
    key,
    caption,
    replyToId,
    quote: replyToId ? quote : null,
    topicId: currentTopic(key),
    known,
    keptAt: Date.now(),
  };
  if (file.size === 0) {
    // The server takes no empty file: refused at once on its row (Dismiss gives the caption back), never retried.
    const row: Upload = { ...uploadRow(job, file), error: EMPTY_FILE };
    return setState((s) => ({ uploads: { ...s.uploads, [key]: [...(s.uploads[key] ?? []), row] } }));
  }
  const me = getState().me?.id;
  // Kept on this device until its message is stored (forgetSent), so a reload resumes it (resumeKeptUploads).
  let kept = Promise.resolve(false);
  if (me) {
    keptIds.add(job.randomId);
    kept = keepUpload({ ...job, userId: me, file, name: file.name, type: file.type });
    void kept.then((isKept) => isKept || keptIds.delete(job.randomId));
  }
  const held = holdUpload(job.randomId);
  await uploadAndSend(job, file, false, () => void held.then((release) => release?.()), kept);
}

/**
 * Holds the upload of this random id for this tab (a Web Lock, let go when the tab closes): another tab of the browser
 * opened meanwhile reads the same kept uploads and must not upload the file beside it. Resolves with the release, or
 * null when another tab holds it; without Web Locks, always this tab's.
 */
function holdUpload(randomIdHeld: number): Promise<(() => void) | null> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  const none = () => undefined;
  if (!locks) return Promise.resolve(none);
  return new Promise((resolve) => {
    locks
      .request(`messenger.upload.${randomIdHeld}`, { ifAvailable: true }, (lock) => {
        if (!lock) return resolve(null);
        return new Promise<void>((release) => resolve(release));
      })
      .catch(() => resolve(none));
  });
}

/** What a file's message needs besides the file, from its choice to its send (and in a kept upload across a reload). */
type UploadJob = Pick<KeptUpload, 'randomId' | 'fileId' | 'key' | 'caption' | 'replyToId' | 'quote' | 'topicId' | 'known' | 'keptAt'>;

/** The upload's row, on the chat's upload list and (its chat's last message until it is stored) in the chat list. */
function uploadRow(job: UploadJob, file: File): Upload {
  return {
    id: job.randomId,
    name: file.name,
    type: file.type,
    duration: job.known?.duration,
    date: Math.floor(job.keptAt / 1000),
    progress: 0,
    abort: new AbortController(),
    caption: job.caption,
  };
}

/** The uploads of this tab under way (by their message's random id), kept or not, and those it is taking up. */
const uploading = new Set<number>();
/** The random ids whose upload is kept on this device (keptUploads), dropped when their message is stored or given up. */
const keptIds = new Set<number>();
/** Whether this page has read what earlier pages kept (from then on keptIds knows every kept file of the user). */
let keptRead = false;

/** The row of an empty file chosen to send. */
export const EMPTY_FILE = 'An empty file cannot be sent';

/** `resume`: the server may have parts of the file already (a kept upload after a reload): only the missing ones go.
 * `kept`: whether the file is kept on this device; when it is not, its row says a reload would lose it. */
async function uploadAndSend(job: UploadJob, file: File, resume: boolean, release: () => void, kept: Promise<boolean>): Promise<void> {
  const { key, randomId: id } = job;
  const entry = uploadRow(job, file);
  const abort = entry.abort;
  const setUploads = (change: (list: Upload[]) => Upload[]) => setState((s) => ({ uploads: { ...s.uploads, [key]: change(s.uploads[key] ?? []) } }));
  const changeRow = (change: Partial<Upload>) => setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u)));
  // Cancelled, dismissed or signed out: the file is not kept any more.
  const giveUp = () => {
    release();
    uploading.delete(id);
    if (keptIds.delete(id)) void dropUpload(id);
  };
  uploading.add(id);
  setUploads((list) => [...list, entry]);
  // Its row may be gone by then (done, or cancelled): changeRow changes nothing.
  void kept.then((isKept) => isKept || changeRow({ notKept: true }));
  let media: InputMedia | undefined;
  let started = false;
  try {
    void api().messages.setTyping({ peer: peerFromKey(key), action: 'upload' }).catch(() => undefined);
    const described = { ...(await describeMedia(file)), ...job.known };
    if (described.duration != null) changeRow({ duration: described.duration });
    for (let attempt = 0; !media; attempt++) {
      try {
        started = true;
        media = await upload(file, {
          describe: described,
          signal: abort.signal,
          fileId: job.fileId,
          resume: resume || attempt > 0,
          onProgress: (progress) => changeRow({ progress }),
        });
      } catch (error) {
        if (abort.signal.aborted) throw error;
        if (!(await failedUpload(error, changeRow))) {
          // Dismissed (or signed out): what the server has of it goes now rather than when it expires.
          cancelOnServer([job.fileId]);
          return giveUp();
        }
      }
    }
    if (abort.signal.aborted) throw abort.signal.reason;
  } catch (error) {
    if (abort.signal.aborted) {
      setUploads((list) => list.filter((u) => u.id !== id));
      // The upload gives up what it was sending itself (once its parts in flight are answered); a file it had finished,
      // or a kept one cancelled before it resumed, is given up here.
      if (media) cancelOnServer([media.file_id, media.thumb?.file_id]);
      else if (!started) cancelOnServer([job.fileId]);
    } else changeRow({ error: errorText(error) });
    return giveUp();
  }
  // From here the message bubble shows progress and failure (with Retry), as for text; it goes with the random id
  // chosen with the file, which the outbox keeps now.
  release();
  uploading.delete(id);
  setUploads((list) => list.filter((u) => u.id !== id));
  await queueMessage(key, id, job.caption, job.replyToId, media, false, job.quote, job.topicId).catch(() => undefined);
}

/** Gives uploads up on the server (`upload.cancelUpload`): their place among the user's uploads in progress and their
 * quota reservation go at once. Best effort: one left over expires on the server as before. */
function cancelOnServer(fileIds: Array<number | undefined>): void {
  for (const fileId of fileIds) {
    if (fileId) void Promise.resolve().then(() => api().upload.cancelUpload({ file_id: fileId })).catch(() => undefined);
  }
}

/**
 * The uploads an earlier page of this browser kept and did not finish (a reload, a crash, a closed tab): each shows on
 * its chat's upload row again and resumes under its file id, then its message goes with its random id. Like a file
 * chosen in this page, its message joins the chat's queue when its upload is done (behind the texts of the outbox). One
 * whose message the outbox holds already (its upload was done) is left to the outbox.
 */
async function resumeKeptUploads(me: number): Promise<void> {
  const kept = await keptUploads(me);
  if (getState().me?.id !== me) return;
  keptRead = true;
  const inOutbox = new Set(outboxEntries(me).map((e) => e.randomId));
  for (const entry of kept) {
    if (uploading.has(entry.randomId)) continue;
    keptIds.add(entry.randomId);
    if (inOutbox.has(entry.randomId)) continue;
    // Another tab uploading it keeps it; this one looks again when its connection next comes back.
    uploading.add(entry.randomId);
    void holdUpload(entry.randomId).then(async (release) => {
      if (!release) return void uploading.delete(entry.randomId);
      // Settled or discarded while this tab waited for the lock (its entry dropped), or its upload done meanwhile (its
      // message in the outbox): nothing to resume.
      const kept = (await keptUploads(me)).some((e) => e.randomId === entry.randomId);
      if (!kept || outboxEntries(me).some((e) => e.randomId === entry.randomId)) {
        release();
        return void uploading.delete(entry.randomId);
      }
      void uploadAndSend(entry, new File([entry.file], entry.name, { type: entry.type }), true, release, Promise.resolve(true));
    });
  }
}

/** Uploads that failed for want of an answer, each resumed when the connection comes back (or a moment later). */
const uploadsWaiting = new Set<(go: boolean) => void>();

/** Shows the failure on the upload's row and waits: true to upload again (Retry, or by itself when it may pass), false
 * when the user dismissed it. */
function failedUpload(error: unknown, changeRow: (change: Partial<Upload>) => void): Promise<boolean> {
  const transient = isTransient(error);
  return new Promise<boolean>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const resume = (go: boolean) => {
      clearTimeout(timer);
      uploadsWaiting.delete(resume);
      if (go) changeRow({ error: undefined, waiting: false, resume: undefined });
      resolve(go);
    };
    changeRow({ error: errorText(error), waiting: transient, resume });
    if (!transient) return;
    uploadsWaiting.add(resume);
    timer = setTimeout(() => resume(true), BUSY_RETRY_MS);
  });
}

/** The connection is back: uploads that failed for want of an answer go on. */
export function resumeUploads(): void {
  for (const resume of [...uploadsWaiting]) resume(true);
}

/** Takes the upload's row away (a failed one is given up); returns its caption, for the message box. */
export function dismissUpload(key: string, id: number): string {
  const row = (getState().uploads[key] ?? []).find((u) => u.id === id);
  row?.resume?.(false);
  setState((s) => ({ uploads: { ...s.uploads, [key]: (s.uploads[key] ?? []).filter((u) => u.id !== id) } }));
  return row?.caption ?? '';
}

export async function editMessage(key: string, id: number, text: string): Promise<void> {
  const sent = await api().messages.edit({ peer: peerFromKey(key), id, text });
  replaceMessage(key, sent.message);
}

export async function deleteMessages(key: string, ids: number[], revoke: boolean): Promise<void> {
  await api().messages.delete({ peer: peerFromKey(key), ids, revoke });
  messagesGone(key, ids, revoke);
}

/** Messages left the chat. `revoked`: deleted for everyone, so the replies' quotes of them go too, as the server erases
 * them (a delete_messages update does not say which kind it was: it is taken as a revoke, and a history read again after
 * a delete-for-me on another device shows the quotes again). */
export function messagesGone(key: string, ids: number[], revoked = true): void {
  const gone = new Set(ids);
  setState((s) => ({ deletedIds: [...s.deletedIds.filter((id) => !gone.has(id)), ...gone].slice(-deletedIdsKept) }));
  // A topic's first message revoked is the topic deleted (the server revokes it with the topic only): out of it, and
  // the list read again.
  if (revoked && topicGone(key, gone)) closeTopic();
  changeLoaded(key, (h) => {
    const left = h.messages.filter((m) => !gone.has(m.id));
    return { ...h, messages: revoked ? withoutQuotesOf(left, gone) : left };
  });
  const shownTop = dialogOf(key)?.top_message;
  const [unquoted] = shownTop && revoked ? withoutQuotesOf([shownTop], gone) : [shownTop];
  if (unquoted !== shownTop) updateDialog(key, (d) => ({ ...d, top_message: unquoted ?? null }));
  liveLocationsGone(ids);
  // A pinned message deleted (for everyone, or for this user) is no longer shown pinned, as the server's dialogs say;
  // the bar reads the list again (the one gone may be any of the pins).
  if (gone.has(dialogOf(key)?.pinned_message?.id ?? 0)) updateDialog(key, (d) => ({ ...d, pinned_message: null }));
  if ((dialogOf(key)?.pinned_count ?? 0) > 0) touchPins(key);
  const topGone = dialogOf(key)?.top_message && gone.has(dialogOf(key)!.top_message!.id);
  if (!topGone) return;
  const remaining = getState().histories[key]?.messages;
  const top = remaining?.[remaining.length - 1] ?? null;
  updateDialog(key, (d) => ({ ...d, top_message: top }));
  // Nothing older is loaded here: the server knows the chat's last message now (or that a cleared private chat left the list).
  if (!top) void loadDialogs().catch(() => undefined);
}

/** Clears the chat for this user (messages.deleteHistory, batch by batch); with `revoke` (private chats) the user's
 * own messages go for the other user too. A private chat leaves the list; a group stays, empty. */
export async function clearHistory(key: string, revoke: boolean): Promise<void> {
  const peer = peerFromKey(key);
  let max_id = 0;
  do {
    max_id = (await api().messages.deleteHistory({ peer, max_id, revoke })).offset;
  } while (max_id > 0);
  if (peer.kind === PeerKind.User) {
    if (getState().active === key) openChat(null);
    setHistory(key, (h) => ({ ...emptyHistory, pending: h.pending }));
    updateDialog(key, () => null);
    return;
  }
  // A message that arrived meanwhile stays: the history is read again (an open topic's too, from its newest).
  setState((s) => ({ ...withoutLoaded(s, key), histories: { ...s.histories, [key]: { ...emptyHistory, pending: s.histories[key]?.pending ?? [] } } }));
  updateDialog(key, (d) => ({ ...d, top_message: null, unread_count: 0, pinned_message: null }));
  await loadOlder(key);
  const messages = getState().histories[key]?.messages ?? [];
  if (messages.length) updateDialog(key, (d) => ({ ...d, top_message: messages[messages.length - 1] }));
}

const readTimers = new Map<string, ReturnType<typeof setTimeout>>();
const READ_DELAY_MS = 300;

/** The user has seen the chat up to maxId: the badge drops now, the server hears of it a moment later (kept in
 * pending.ts until it answers, and sent at once when the tab is hidden or closed: flushReads). */
export function markRead(key: string, maxId: number): void {
  const dialog = dialogOf(key);
  if (!dialog || maxId <= dialog.read_inbox_max_id) return;
  const me = getState().me?.id;
  const stillUnread = (getState().histories[key]?.messages ?? []).filter((m) => m.id > maxId && m.from_id !== me).length;
  const stillMentions = mentionsAfter(getState(), key, maxId);
  updateDialog(key, (d) => ({
    ...d,
    read_inbox_max_id: maxId,
    unread_count: Math.min(d.unread_count, stillUnread),
    unread_mentions_count: Math.min(d.unread_mentions_count ?? 0, stillMentions),
  }));
  keepRead(key, maxId);
  clearTimeout(readTimers.get(key));
  readTimers.set(key, setTimeout(() => void sendRead(key, maxId), READ_DELAY_MS));
}

function sendRead(key: string, maxId: number): Promise<void> {
  readTimers.delete(key);
  const max_id = Math.max(dialogOf(key)?.read_inbox_max_id ?? 0, maxId);
  return api()
    .messages.readHistory({ peer: peerFromKey(key), max_id })
    .then(
      () => readSent(key, max_id),
      () => undefined,
    );
}

/** The reads still waiting out their delay go now (the tab is being hidden or closed, or the user signs out). */
export function flushReads(): Promise<void>[] {
  const keys = [...readTimers.keys()];
  for (const key of keys) clearTimeout(readTimers.get(key));
  return keys.map((key) => sendRead(key, 0));
}

export function chatChanged(changed: ChatChanged): void {
  setState((s) => withChats(s, [changed.chat]));
  if (changed.message) messageArrived(changed.message);
}
