import type { Dialog, InputMedia, Peer, User } from '../api/types';
import { PeerKind } from '../api/types';
import { fileNameToSend } from '../api/media';
import { api } from './connection';
import type { OutboxEntry } from './outbox';
import { peerFromKey, peerKey } from './peers';
import { getState, setState, type Upload } from './store';
import { withChats } from './topics';

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

/** Fetches the groups not known yet, or (refresh) these groups again: title and member count change. */
export async function ensureChats(ids: number[], refresh = false): Promise<void> {
  const known = getState().chats;
  const missing = [...new Set(ids)].filter((id) => refresh || !known[id]);
  const results = await Promise.allSettled(missing.map((chat_id) => api().groups.getFull({ chat_id, limit: 1 })));
  const fulls = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (fulls.length) {
    setState((s) => ({
      ...withChats(s, fulls.map((f) => f.chat)),
      myRoles: { ...s.myRoles, ...Object.fromEntries(fulls.map((f) => [f.chat.id, f.my_role])) },
    }));
  }
}

export async function loadPresence(userIds: number[]): Promise<void> {
  const ids = [...new Set(userIds)].filter((id) => id !== getState().me?.id).slice(0, 200);
  if (ids.length === 0) return;
  const { statuses } = await api().users.getStatuses({ ids });
  setState((s) => {
    const presence = { ...s.presence };
    for (const status of statuses) presence[status.user_id] = { online: status.online, lastSeen: status.last_seen, hidden: !!status.hidden };
    return { presence };
  });
}

/** Pinned chats first, in the order they have (the most recently pinned first), then by last activity; within one
 * second (activity is kept in whole seconds) the newer top message first, as the server orders them. */
function sortDialogs(dialogs: Dialog[]): Dialog[] {
  return dialogs.sort(
    (a, b) =>
      Number(!!b.pinned) - Number(!!a.pinned) ||
      (a.pinned ? 0 : b.last_activity - a.last_activity || (b.top_message?.id ?? 0) - (a.top_message?.id ?? 0)),
  );
}

/** A message written here and not stored yet, as the chat list previews it: an outbox entry, or a file still uploading
 * (before its message reaches the outbox). */
export type Unsent = Pick<OutboxEntry, 'key' | 'randomId' | 'text' | 'date' | 'error'> & {
  media: Pick<InputMedia, 'name' | 'mime_type' | 'duration'> | null;
};

/** The chat's files uploading as the chat list previews them: the caption, the file's name, type and length as the
 * upload will send them. One whose upload waits for the network keeps its clock (it goes on by itself), as an
 * unanswered message does; one that failed otherwise (a refusal, an empty file) shows as refused until it is dismissed. */
export function uploadsUnsent(key: string, uploads: Upload[] | undefined): Unsent[] {
  return (uploads ?? []).map((u) => ({
    key,
    randomId: u.id,
    text: u.caption ?? '',
    date: u.date,
    error: u.waiting ? undefined : u.error,
    media: { name: fileNameToSend(u.name), mime_type: u.type, duration: u.duration == null ? null : Math.round(u.duration) },
  }));
}

let uploadingBefore: Unsent[] = [];

/** The files uploading (by chat key) as the chat list's unsent messages: the same array as before while only their
 * progress changes, so the list is not drawn again at each part uploaded. */
export function uploadingUnsent(uploads: Record<string, Upload[]>): Unsent[] {
  const now = Object.entries(uploads).flatMap(([key, list]) => uploadsUnsent(key, list));
  const same = now.length === uploadingBefore.length && now.every((u, i) => JSON.stringify(u) === JSON.stringify(uploadingBefore[i]));
  if (!same) uploadingBefore = now;
  return uploadingBefore;
}

/** The chat list as it shows: a chat with messages in this browser's outbox (sending, or refused and waiting for Retry
 * or Discard) or files uploading goes up as if its newest were sent when it was written (its row previews it), and one
 * the server does not list yet (its first message unsent) shows too. Once none is left, the chat is where the server's
 * list has it. */
export function withUnsent(dialogs: Dialog[], unsent: Unsent[]): Dialog[] {
  if (unsent.length === 0) return dialogs;
  const written = new Map<string, number>();
  for (const entry of unsent) written.set(entry.key, Math.max(written.get(entry.key) ?? 0, entry.date));
  const listed = dialogs.map((d) => {
    const at = written.get(peerKey(d.peer));
    return at !== undefined && at > d.last_activity ? { ...d, last_activity: at } : d;
  });
  const known = new Set(dialogs.map((d) => peerKey(d.peer)));
  for (const [key, at] of written) {
    if (!known.has(key) && /^[uc][1-9]\d*$/.test(key)) listed.push({ ...blankDialog(peerFromKey(key)), last_activity: at });
  }
  // Within one second (activity is kept in whole seconds) the message just written is the newer one.
  const isUnsent = (d: Dialog) => Number(written.has(peerKey(d.peer)));
  return listed.sort(
    (a, b) =>
      Number(!!b.pinned) - Number(!!a.pinned) ||
      (a.pinned ? 0 : b.last_activity - a.last_activity || isUnsent(b) - isUnsent(a) || (b.top_message?.id ?? 0) - (a.top_message?.id ?? 0)),
  );
}

/** The chat's newest message not stored yet (the last written; a file chosen in the same second as a text is the later,
 * its message goes once it is uploaded), if any: the chat list's preview of it. */
export function lastUnsent(outbox: OutboxEntry[], key: string, uploads?: Upload[]): Unsent | undefined {
  let last: Unsent | undefined;
  for (const entry of [...outbox, ...uploadsUnsent(key, uploads)]) if (entry.key === key && (!last || entry.date >= last.date)) last = entry;
  return last;
}

/** The chat was pinned (it goes first) or unpinned (back to its place by activity). */
export function dialogPinned(key: string, pinned: boolean): void {
  setState((s) => {
    const index = s.dialogs.findIndex((d) => peerKey(d.peer) === key);
    if (index < 0) return {};
    const dialogs = s.dialogs.slice();
    const [dialog] = dialogs.splice(index, 1);
    dialogs.unshift({ ...dialog, pinned });
    return { dialogs: sortDialogs(dialogs) };
  });
}

/** The creator deleted the group or channel (groups.delete): it leaves the list, with what this tab kept of it, and
 * closes when it is the chat on screen. */
export function chatDeleted(chatId: number): void {
  const key = peerKey({ kind: PeerKind.Chat, id: chatId });
  setState((s) => {
    const open = s.active === key;
    const histories = { ...s.histories };
    delete histories[key];
    return {
      dialogs: s.dialogs.filter((d) => peerKey(d.peer) !== key),
      histories,
      leftChats: { ...s.leftChats, [chatId]: true },
      ...(open ? { active: null, panel: null, topic: null, thread: null } : {}),
    };
  });
}

export async function loadDialogs(): Promise<void> {
  const all: Dialog[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await api().messages.getDialogs({ offset, limit: 100 });
    all.push(...page.dialogs);
    if (page.dialogs.length < 100 || all.length >= page.total || all.length >= 1000) break;
  }
  // The open chat stays listed while open, even when the server no longer lists it (not started yet, or cleared elsewhere).
  setState((s) => {
    const open = s.active ? s.dialogs.find((d) => peerKey(d.peer) === s.active) : undefined;
    const keep = open && !all.some((d) => peerKey(d.peer) === s.active) ? [open] : [];
    return { dialogs: sortDialogs([...all.map((d) => newerTop(d, s.dialogs)), ...keep]) };
  });
  // What arrived while no page was open comes in this list, not as updates: this device has it now (✓✓ for the sender).
  const received = receivedUpTo(all, getState().me?.id ?? 0);
  if (received > 0) api().reportReceived(received);
  const userIds = all.filter((d) => d.peer.kind === PeerKind.User).map((d) => d.peer.id);
  const senders = all.flatMap((d) => (d.top_message ? [d.top_message.from_id] : []));
  await Promise.all([
    ensureUsers([...userIds, ...senders]),
    ensureChats(all.filter((d) => d.peer.kind === PeerKind.Chat).map((d) => d.peer.id)),
    loadPresence(userIds),
  ]);
}

/** The highest id among the rows' newest messages that another user sent this one in a private chat (0 if none): what
 * a read of the chat list makes this device hold, to report delivered (`messages.received`). */
export function receivedUpTo(dialogs: Dialog[], me: number): number {
  let max = 0;
  for (const d of dialogs) {
    const top = d.top_message;
    if (d.peer.kind === PeerKind.User && d.peer.id !== me && top && top.from_id !== me && top.id > max) max = top.id;
  }
  return max;
}

/** The list was read while pushes kept coming: an edit of its newest message that arrived meanwhile is not undone. */
export function newerTop(fetched: Dialog, current: Dialog[]): Dialog {
  const local = current.find((d) => peerKey(d.peer) === peerKey(fetched.peer))?.top_message;
  const top = fetched.top_message;
  return local && top && local.id === top.id && (local.edit_date ?? 0) > (top.edit_date ?? 0) ? { ...fetched, top_message: local } : fetched;
}

/** The chats whose rows {@link loadDialogRowsSoon} reads next, by key. */
const rowsToReread = new Set<string>();
let rowsReread: ReturnType<typeof setTimeout> | null = null;

/** How long {@link loadDialogRowsSoon} gathers chats before it reads their rows: a getDifference answer may resync
 * several large groups at once, and a moderator's sweep deletes in batches. */
export const DIALOGS_REREAD_MS = 300;

/** Reads the chat's row of the chat list again shortly (`messages.getPeerDialogs`), in one call for every chat asked
 * meanwhile; the rest of the list stays as it is. */
export function loadDialogRowsSoon(key: string): void {
  rowsToReread.add(key);
  if (rowsReread) return;
  rowsReread = setTimeout(() => {
    rowsReread = null;
    const keys = [...rowsToReread];
    rowsToReread.clear();
    void loadDialogRows(keys).catch(() => undefined);
  }, DIALOGS_REREAD_MS);
}

/** Reads these chats' rows again (100 a call, the server's limit): each replaces the one listed, and a chat the server
 * no longer lists leaves the list, as a whole read would have it (the open chat stays while open). */
export async function loadDialogRows(keys: string[]): Promise<void> {
  const rows: Dialog[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    rows.push(...(await api().messages.getPeerDialogs({ peers: keys.slice(i, i + 100).map(peerFromKey) })).dialogs);
  }
  const fetched = new Map(rows.map((d) => [peerKey(d.peer), d]));
  setState((s) => {
    const asked = new Set(keys);
    const kept = s.dialogs.filter((d) => !asked.has(peerKey(d.peer)) || (!fetched.has(peerKey(d.peer)) && peerKey(d.peer) === s.active));
    return { dialogs: sortDialogs([...kept, ...rows.map((d) => newerTop(d, s.dialogs))]) };
  });
  await ensureUsers(rows.flatMap((d) => [...(d.peer.kind === PeerKind.User ? [d.peer.id] : []), ...(d.top_message ? [d.top_message.from_id] : [])]));
}

/** Messages of the chat were deleted: its unread count as the server counts it now (`unreadCount`, from the user's own
 * log), or, from a large group's or channel's shared log (`shared`), which carries no one's count, the chat's row read
 * again when one of them may have been unread. */
export function unreadAfterDelete(key: string, ids: number[], unreadCount: number | null, shared: boolean): void {
  if (unreadCount !== null) {
    updateDialog(key, (d) => ({ ...d, unread_count: unreadCount }));
    return;
  }
  const dialog = dialogOf(key);
  if (shared && dialog && dialog.unread_count > 0 && ids.some((id) => id > dialog.read_inbox_max_id)) loadDialogRowsSoon(key);
}

export function updateDialog(key: string, change: (dialog: Dialog) => Dialog | null, create?: () => Dialog): void {
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

export function blankDialog(peer: Peer): Dialog {
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
