import type {
  ChatChanged,
  Dialog,
  InputMedia,
  Message,
  MessengerEvent,
  Peer,
  SignedIn,
  User,
} from '../api/types';
import { PeerKind, RpcError, peerOf } from '../api/types';
import { api, upload } from './connection';
import { peerFromKey, peerKey } from './peers';
import { emptyHistory, getState, setState, type History, type PendingMessage } from './store';

const PAGE = 50;

export function errorText(error: unknown): string {
  if (error instanceof RpcError) {
    if (error.retryAfter) return `Too many attempts, try again in ${error.retryAfter} s`;
    return error.name.toLowerCase().replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  }
  return error instanceof Error ? error.message : String(error);
}

function randomId(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (words[0] & 0x1fffff) * 0x100000000 + words[1] + 1;
}

// ---- Account ------------------------------------------------------------------------------------------

/** This device is signed in: show the chats and start the update stream. */
export function signedIn(result: SignedIn): void {
  setState((s) => ({ phase: 'ready', me: result.user, users: { ...s.users, [result.user.id]: result.user } }));
  void api()
    .startUpdates()
    .then(loadDialogs)
    .catch(() => undefined);
}

export function setMe(user: User): void {
  setState((s) => ({ me: user, users: { ...s.users, [user.id]: user } }));
}

/** After a reload: the client remembers this device's sign-in; a 401 means it was signed out meanwhile. */
export async function resumeSession(): Promise<void> {
  const stored = api().signedIn;
  if (!stored) {
    setState({ phase: 'auth' });
    return;
  }
  signedIn(stored);
  try {
    const { users } = await api().users.getUsers({ ids: [stored.user.id] });
    if (users[0]) setMe(users[0]);
  } catch {
    // A 401 arrives as the client's signed_out event; anything else keeps the stored profile.
  }
}

export function forgetSession(): void {
  setState({ phase: 'auth', me: null, dialogs: [], histories: {}, active: null, panel: null, typing: {}, uploads: {} });
}

export async function signIn(username: string, password: string): Promise<void> {
  const args = { username, password, device_name: deviceName(), platform: 'web' };
  try {
    signedIn(await api().auth.signIn(args));
  } catch (error) {
    if (!(error instanceof RpcError && error.name === 'ALREADY_SIGNED_IN')) throw error;
    await api().auth.signOut();
    signedIn(await api().auth.signIn(args));
  }
}

export async function signOut(): Promise<void> {
  try {
    await api().auth.signOut();
  } finally {
    forgetSession();
  }
}

export function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrom/.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return `${browser}${os ? ` on ${os}` : ''}`;
}

// ---- Users and chats ----------------------------------------------------------------------------------

export async function ensureUsers(ids: number[]): Promise<void> {
  const known = getState().users;
  const missing = [...new Set(ids)].filter((id) => id > 0 && !known[id]);
  for (let i = 0; i < missing.length; i += 200) {
    const { users } = await api().users.getUsers({ ids: missing.slice(i, i + 200) });
    rememberUsers(users);
  }
}

export function rememberUsers(users: User[]): void {
  if (users.length === 0) return;
  setState((s) => {
    const next = { ...s.users };
    for (const user of users) next[user.id] = user;
    return { users: next };
  });
}

async function ensureChats(ids: number[]): Promise<void> {
  const known = getState().chats;
  const missing = [...new Set(ids)].filter((id) => !known[id]);
  const results = await Promise.allSettled(missing.map((chat_id) => api().groups.getFull({ chat_id, limit: 1 })));
  const chats = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.chat] : []));
  if (chats.length) setState((s) => ({ chats: { ...s.chats, ...Object.fromEntries(chats.map((c) => [c.id, c])) } }));
}

async function loadPresence(userIds: number[]): Promise<void> {
  const ids = [...new Set(userIds)].filter((id) => id !== getState().me?.id).slice(0, 200);
  if (ids.length === 0) return;
  const { statuses } = await api().users.getStatuses({ ids });
  setState((s) => {
    const presence = { ...s.presence };
    for (const status of statuses) presence[status.user_id] = { online: status.online, lastSeen: status.last_seen };
    return { presence };
  });
}

// ---- Dialogs ------------------------------------------------------------------------------------------

function sortDialogs(dialogs: Dialog[]): Dialog[] {
  return dialogs.sort((a, b) => b.last_activity - a.last_activity);
}

export async function loadDialogs(): Promise<void> {
  const all: Dialog[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await api().messages.getDialogs({ offset, limit: 100 });
    all.push(...page.dialogs);
    if (page.dialogs.length < 100 || all.length >= page.total || all.length >= 1000) break;
  }
  setState({ dialogs: sortDialogs(all) });
  const userIds = all.filter((d) => d.peer.kind === PeerKind.User).map((d) => d.peer.id);
  const senders = all.flatMap((d) => (d.top_message ? [d.top_message.from_id] : []));
  await Promise.all([
    ensureUsers([...userIds, ...senders]),
    ensureChats(all.filter((d) => d.peer.kind === PeerKind.Chat).map((d) => d.peer.id)),
    loadPresence(userIds),
  ]);
}

function updateDialog(key: string, change: (dialog: Dialog) => Dialog | null, create?: () => Dialog): void {
  setState((s) => {
    const index = s.dialogs.findIndex((d) => peerKey(d.peer) === key);
    if (index < 0 && !create) return {};
    const current = index >= 0 ? s.dialogs[index] : create!();
    const next = change(current);
    const dialogs = s.dialogs.slice();
    if (index >= 0) dialogs.splice(index, 1);
    if (next) dialogs.push(next);
    return { dialogs: sortDialogs(dialogs) };
  });
}

export function dialogOf(key: string): Dialog | undefined {
  return getState().dialogs.find((d) => peerKey(d.peer) === key);
}

function blankDialog(peer: Peer): Dialog {
  return {
    peer,
    top_message: null,
    unread_count: 0,
    read_inbox_max_id: 0,
    read_outbox_max_id: 0,
    delivered_max_id: 0,
    last_activity: Math.floor(Date.now() / 1000),
  };
}

// ---- History ------------------------------------------------------------------------------------------

function setHistory(key: string, change: (history: History) => History): void {
  setState((s) => ({ histories: { ...s.histories, [key]: change(s.histories[key] ?? emptyHistory) } }));
}

export function openChat(key: string | null): void {
  setState((s) => ({ active: key, panel: s.panel === 'info' && key ? 'info' : null }));
  if (!key) return;
  const peer = peerFromKey(key);
  if (!dialogOf(key)) updateDialog(key, (d) => d, () => blankDialog(peer));
  if (peer.kind === PeerKind.User) {
    void ensureUsers([peer.id]).catch(() => undefined);
    void loadPresence([peer.id]).catch(() => undefined);
  } else {
    void ensureChats([peer.id]).catch(() => undefined);
  }
  if (!getState().histories[key]) void loadOlder(key);
}

export async function loadOlder(key: string): Promise<void> {
  const history = getState().histories[key] ?? emptyHistory;
  if (history.loading || history.complete) return;
  setHistory(key, (h) => ({ ...h, loading: true }));
  try {
    const offset_id = history.messages[0]?.id ?? 0;
    const { messages } = await api().messages.getHistory({ peer: peerFromKey(key), offset_id, limit: PAGE });
    const older = messages.slice().reverse();
    setHistory(key, (h) => {
      const known = new Set(h.messages.map((m) => m.id));
      return { ...h, loading: false, complete: messages.length < PAGE, messages: [...older.filter((m) => !known.has(m.id)), ...h.messages] };
    });
    await ensureUsers(messages.flatMap((m) => [m.from_id, ...(m.action?.user_ids ?? [])]));
  } catch (error) {
    setHistory(key, (h) => ({ ...h, loading: false }));
    throw error;
  }
}

function insertMessage(key: string, message: Message): void {
  const history = getState().histories[key];
  if (!history) return;
  setHistory(key, (h) => {
    if (h.messages.some((m) => m.id === message.id)) return h;
    const messages = h.messages.slice();
    let at = messages.length;
    while (at > 0 && messages[at - 1].id > message.id) at--;
    messages.splice(at, 0, message);
    return { ...h, messages };
  });
}

function replaceMessage(key: string, message: Message): void {
  setHistory(key, (h) => ({ ...h, messages: h.messages.map((m) => (m.id === message.id ? message : m)) }));
  updateDialog(key, (d) => (d.top_message?.id === message.id ? { ...d, top_message: message } : d));
}

function messageArrived(message: Message): void {
  const me = getState().me?.id ?? 0;
  const key = peerKey(peerOf(message, me));
  const incoming = message.from_id !== me;
  if (!incoming) settlePending(key, message);
  insertMessage(key, message);
  updateDialog(
    key,
    (d) => {
      if (d.top_message && d.top_message.id >= message.id) return d;
      const unread = incoming && message.id > d.read_inbox_max_id ? d.unread_count + 1 : d.unread_count;
      return { ...d, top_message: message, last_activity: Math.max(d.last_activity, message.date), unread_count: unread };
    },
    () => blankDialog(peerOf(message, me)),
  );
  if (incoming) clearTyping(key, message.from_id);
  const peer = peerOf(message, me);
  if (peer.kind === PeerKind.User && !getState().presence[peer.id]) void loadPresence([peer.id]).catch(() => undefined);
  void (peer.kind === PeerKind.Chat ? ensureChats([peer.id]) : Promise.resolve())
    .then(() => ensureUsers([message.from_id, ...(message.action?.user_ids ?? [])]))
    .catch(() => undefined);
}

// ---- Sending ------------------------------------------------------------------------------------------

/** Our own message came back (by push, before the send's answer): its clock bubble gives way to it. */
function settlePending(key: string, message: Message): void {
  const history = getState().histories[key];
  const match = history?.pending.find((p) => !p.failed && p.text === message.text && p.replyToId === message.reply_to_id);
  if (match) setHistory(key, (h) => ({ ...h, pending: h.pending.filter((p) => p !== match) }));
}

export async function sendMessage(key: string, text: string, replyToId: number | null, media?: InputMedia): Promise<void> {
  const pending: PendingMessage = { randomId: randomId(), text, replyToId, date: Math.floor(Date.now() / 1000), failed: false };
  if (!getState().histories[key]) setHistory(key, (h) => h);
  setHistory(key, (h) => ({ ...h, pending: [...h.pending, pending] }));
  await deliverPending(key, pending, media);
}

async function deliverPending(key: string, pending: PendingMessage, media?: InputMedia): Promise<void> {
  try {
    const sent = await api().messages.send({
      peer: peerFromKey(key),
      random_id: pending.randomId,
      text: pending.text,
      reply_to_id: pending.replyToId,
      media: media ?? null,
    });
    messageArrived(sent.message);
    setHistory(key, (h) => ({ ...h, pending: h.pending.filter((p) => p.randomId !== pending.randomId) }));
  } catch (error) {
    const failed = { failed: true, error: errorText(error) };
    setHistory(key, (h) => ({ ...h, pending: h.pending.map((p) => (p.randomId === pending.randomId ? { ...p, ...failed } : p)) }));
    throw error;
  }
}

/** Sends a failed message again with the same random id (the server answers the first copy if it got it). */
export function retryPending(key: string, randomIdToRetry: number): void {
  const pending = getState().histories[key]?.pending.find((p) => p.randomId === randomIdToRetry);
  if (!pending) return;
  setHistory(key, (h) => ({ ...h, pending: h.pending.map((p) => (p.randomId === randomIdToRetry ? { ...p, failed: false } : p)) }));
  void deliverPending(key, { ...pending, failed: false }).catch(() => undefined);
}

export function discardPending(key: string, randomIdToDrop: number): void {
  setHistory(key, (h) => ({ ...h, pending: h.pending.filter((p) => p.randomId !== randomIdToDrop) }));
}

export async function sendFile(key: string, file: File, caption: string, replyToId: number | null): Promise<void> {
  const abort = new AbortController();
  const id = randomId();
  const entry = { id, name: file.name, progress: 0, abort };
  const setUploads = (change: (list: typeof entry[]) => typeof entry[]) =>
    setState((s) => ({ uploads: { ...s.uploads, [key]: change(s.uploads[key] ?? []) } }));
  setUploads((list) => [...list, entry]);
  void api().messages.setTyping({ peer: peerFromKey(key), action: 'upload' }).catch(() => undefined);
  try {
    const media = await upload(file, {
      signal: abort.signal,
      onProgress: (progress) => setUploads((list) => list.map((u) => (u.id === id ? { ...u, progress } : u))),
    });
    await sendMessage(key, caption, replyToId, media);
    setUploads((list) => list.filter((u) => u.id !== id));
  } catch (error) {
    if (abort.signal.aborted) setUploads((list) => list.filter((u) => u.id !== id));
    else setUploads((list) => list.map((u) => (u.id === id ? { ...u, error: errorText(error) } : u)));
  }
}

export function dismissUpload(key: string, id: number): void {
  setState((s) => ({ uploads: { ...s.uploads, [key]: (s.uploads[key] ?? []).filter((u) => u.id !== id) } }));
}

export async function editMessage(key: string, id: number, text: string): Promise<void> {
  const sent = await api().messages.edit({ peer: peerFromKey(key), id, text });
  replaceMessage(key, sent.message);
}

export async function deleteMessages(key: string, ids: number[], revoke: boolean): Promise<void> {
  await api().messages.delete({ peer: peerFromKey(key), ids, revoke });
  messagesGone(key, ids);
}

function messagesGone(key: string, ids: number[]): void {
  const gone = new Set(ids);
  setHistory(key, (h) => ({ ...h, messages: h.messages.filter((m) => !gone.has(m.id)) }));
  const topGone = dialogOf(key)?.top_message && gone.has(dialogOf(key)!.top_message!.id);
  if (!topGone) return;
  const remaining = getState().histories[key]?.messages;
  updateDialog(key, (d) => ({ ...d, top_message: remaining?.[remaining.length - 1] ?? null }));
}

// ---- Receipts and typing ------------------------------------------------------------------------------

const readTimers = new Map<string, ReturnType<typeof setTimeout>>();

/** The user has seen the chat up to maxId: the badge drops now, the server hears of it a moment later. */
export function markRead(key: string, maxId: number): void {
  const dialog = dialogOf(key);
  if (!dialog || maxId <= dialog.read_inbox_max_id) return;
  const me = getState().me?.id;
  const stillUnread = (getState().histories[key]?.messages ?? []).filter((m) => m.id > maxId && m.from_id !== me).length;
  updateDialog(key, (d) => ({ ...d, read_inbox_max_id: maxId, unread_count: Math.min(d.unread_count, stillUnread) }));
  clearTimeout(readTimers.get(key));
  readTimers.set(
    key,
    setTimeout(() => {
      readTimers.delete(key);
      const max_id = dialogOf(key)?.read_inbox_max_id ?? maxId;
      void api().messages.readHistory({ peer: peerFromKey(key), max_id }).catch(() => undefined);
    }, 300),
  );
}

const typingSentAt = new Map<string, number>();

/** Tells the peer we type; at most every 4 s per chat (the server keeps it 6 s). */
export function notifyTyping(key: string): void {
  const now = Date.now();
  if (now - (typingSentAt.get(key) ?? 0) < 4000) return;
  typingSentAt.set(key, now);
  void api().messages.setTyping({ peer: peerFromKey(key), action: 'typing' }).catch(() => undefined);
}

export function stopTyping(key: string): void {
  if (!typingSentAt.has(key)) return;
  typingSentAt.delete(key);
  void api().messages.setTyping({ peer: peerFromKey(key), action: 'cancel' }).catch(() => undefined);
}

function setTyping(key: string, userId: number, expiresAt: number | null): void {
  setState((s) => {
    const users = { ...(s.typing[key] ?? {}) };
    if (expiresAt === null) delete users[userId];
    else users[userId] = expiresAt;
    return { typing: { ...s.typing, [key]: users } };
  });
}

function clearTyping(key: string, userId: number): void {
  if (getState().typing[key]?.[userId]) setTyping(key, userId, null);
}

setInterval(() => {
  const now = Date.now();
  for (const [key, users] of Object.entries(getState().typing)) {
    for (const [userId, expiresAt] of Object.entries(users)) if (expiresAt <= now) setTyping(key, Number(userId), null);
  }
}, 1000);

// ---- Groups -------------------------------------------------------------------------------------------

export function chatChanged(changed: ChatChanged): void {
  setState((s) => ({ chats: { ...s.chats, [changed.chat.id]: changed.chat } }));
  if (changed.message) messageArrived(changed.message);
}

// ---- Updates from the server --------------------------------------------------------------------------

export function applyEvent(event: MessengerEvent): void {
  switch (event.type) {
    case 'new_message':
      messageArrived(event.message);
      break;
    case 'message_edited':
      replaceMessage(peerKey(event.peer), event.message);
      break;
    case 'messages_deleted':
      messagesGone(peerKey(event.peer), event.ids);
      break;
    case 'delivered':
      updateDialog(peerKey(event.peer), (d) => ({ ...d, delivered_max_id: Math.max(d.delivered_max_id, event.maxId) }));
      break;
    case 'read_outbox':
      updateDialog(peerKey(event.peer), (d) => ({
        ...d,
        read_outbox_max_id: Math.max(d.read_outbox_max_id, event.maxId),
        delivered_max_id: Math.max(d.delivered_max_id, event.maxId),
      }));
      break;
    case 'read_inbox':
      updateDialog(peerKey(event.peer), (d) =>
        event.maxId < d.read_inbox_max_id ? d : { ...d, read_inbox_max_id: event.maxId, unread_count: event.stillUnread },
      );
      break;
    case 'chat_updated':
      setState((s) => ({ chats: { ...s.chats, [event.chat.id]: event.chat } }));
      if (!event.isMember) void loadDialogs().catch(() => undefined);
      break;
    case 'typing':
      setTyping(peerKey(event.peer), event.userId, event.action === 'cancel' ? null : event.expiresAt);
      break;
    case 'user_status':
      setState((s) => ({ presence: { ...s.presence, [event.userId]: { online: event.online, lastSeen: event.lastSeen } } }));
      break;
    case 'resync':
      setState({ histories: {} });
      void loadDialogs().catch(() => undefined);
      if (getState().active) void loadOlder(getState().active!).catch(() => undefined);
      break;
    case 'channel_resync': {
      const key = peerKey({ kind: PeerKind.Chat, id: event.chatId });
      setState((s) => {
        const histories = { ...s.histories };
        delete histories[key];
        return { histories };
      });
      if (getState().active === key) void loadOlder(key).catch(() => undefined);
      break;
    }
    case 'login_token_accepted':
      signedIn(event.signedIn);
      break;
    case 'signed_out':
      forgetSession();
      break;
  }
}
