import type { Chat, Dialog, DialogFilter, Peer, User } from '../api/types';
import { ChatKind, PeerKind, isMuted } from '../api/types';
import { api } from './connection';
import { setState, type AppState } from './store';

/** Folders a user may have, chats a list may name, characters of a title (the server's limits). */
export const MaxFolders = 10;
export const MaxFolderPeers = 100;
export const MaxFolderTitle = 12;

export type DialogKind = 'person' | 'bot' | 'group' | 'channel';

/** What a folder sorts the dialog as: a group's kind is known once its chat is loaded (a group until then). */
export function dialogKind(dialog: Dialog, users: Record<number, User>, chats: Record<number, Chat>): DialogKind {
  if (dialog.peer.kind === PeerKind.User) return users[dialog.peer.id]?.bot ? 'bot' : 'person';
  return chats[dialog.peer.id]?.kind === ChatKind.Channel ? 'channel' : 'group';
}

const samePeer = (a: Peer, b: Peer) => a.kind === b.kind && a.id === b.id;

/**
 * Whether the folder holds the dialog — the rules of the .NET SDK's `DialogFolders.Contains`: a chat the folder names
 * is in it whatever it is; one it leaves out is not; otherwise an archived, muted or read chat is not when the folder
 * leaves those out (read: nothing unread and no unread mark), and the rest are when the folder takes their kind.
 */
export function folderHolds(folder: DialogFilter, dialog: Dialog, kind: DialogKind, nowMs = Date.now()): boolean {
  if (folder.include_peers.some((p) => samePeer(p, dialog.peer))) return true;
  if (folder.exclude_peers.some((p) => samePeer(p, dialog.peer))) return false;
  if (folder.exclude_archived && dialog.archived) return false;
  if (folder.exclude_muted && isMuted(dialog, nowMs)) return false;
  if (folder.exclude_read && dialog.unread_count === 0 && !dialog.unread_mark) return false;
  switch (kind) {
    case 'person':
      return folder.private_chats;
    case 'bot':
      return folder.bots;
    case 'group':
      return folder.groups;
    case 'channel':
      return folder.channels;
  }
}

type FolderInputs = Pick<AppState, 'dialogs' | 'folders' | 'users' | 'chats'>;

/** The dialogs of folder `id` in list order (0: every dialog). */
export function dialogsIn(s: FolderInputs, id: number, nowMs = Date.now()): Dialog[] {
  const folder = s.folders.find((f) => f.id === id);
  if (!folder) return s.dialogs;
  return s.dialogs.filter((d) => folderHolds(folder, d, dialogKind(d, s.users, s.chats), nowMs));
}

/** How many of the folder's chats have something unread (the number on its tab). */
export function unreadChatsIn(s: FolderInputs, id: number, nowMs = Date.now()): number {
  return dialogsIn(s, id, nowMs).filter((d) => d.unread_count > 0 || d.unread_mark).length;
}

/** The lowest id 2–255 the folders do not use, or null when all are taken. */
export function freeFolderId(folders: DialogFilter[]): number | null {
  const used = new Set(folders.map((f) => f.id));
  for (let id = 2; id <= 255; id++) if (!used.has(id)) return id;
  return null;
}

export function blankFolder(id: number): DialogFilter {
  return {
    id,
    title: '',
    private_chats: false,
    bots: false,
    groups: false,
    channels: false,
    exclude_muted: false,
    exclude_read: false,
    exclude_archived: false,
    include_peers: [],
    exclude_peers: [],
  };
}

/** Whether the server would take the folder: a title and something to hold. */
export function folderProblem(folder: DialogFilter): string | null {
  const title = folder.title.trim();
  if (!title) return 'Give the folder a name.';
  if ([...new Intl.Segmenter().segment(title)].length > MaxFolderTitle) return `A folder's name has at most ${MaxFolderTitle} characters.`;
  if (!folder.private_chats && !folder.bots && !folder.groups && !folder.channels && folder.include_peers.length === 0)
    return 'Choose the kinds of chats or the chats the folder holds.';
  if (folder.include_peers.length > MaxFolderPeers || folder.exclude_peers.length > MaxFolderPeers)
    return `A folder names at most ${MaxFolderPeers} chats in each list.`;
  return null;
}

export async function loadFolders(): Promise<void> {
  const { filters } = await api().messages.getDialogFilters();
  setState((s) => ({ folders: filters, folder: filters.some((f) => f.id === s.folder) ? s.folder : 0 }));
}

/** A folder was created, changed or deleted (here or on another device). */
export function folderChanged(id: number, filter: DialogFilter | null): void {
  setState((s) => {
    const index = s.folders.findIndex((f) => f.id === id);
    const folders = s.folders.slice();
    if (!filter) {
      if (index >= 0) folders.splice(index, 1);
    } else if (index >= 0) folders[index] = filter;
    else folders.push(filter);
    return { folders, folder: filter || s.folder !== id ? s.folder : 0 };
  });
}

export function foldersReordered(order: number[]): void {
  setState((s) => ({ folders: order.flatMap((id) => s.folders.filter((f) => f.id === id)) }));
}

/** Saves the folder (new or changed) and shows it at once; the server answers with the folder as stored. */
export async function saveFolder(folder: DialogFilter): Promise<void> {
  const filter = { ...folder, title: folder.title.trim() };
  await api().messages.updateDialogFilter({ id: filter.id, filter });
  folderChanged(filter.id, filter);
}

export async function deleteFolder(id: number): Promise<void> {
  await api().messages.updateDialogFilter({ id, filter: null });
  folderChanged(id, null);
}

/** Moves the folder one place up (-1) or down (+1). */
export async function moveFolder(folders: DialogFilter[], id: number, by: -1 | 1): Promise<void> {
  const order = folders.map((f) => f.id);
  const from = order.indexOf(id);
  const to = from + by;
  if (from < 0 || to < 0 || to >= order.length) return;
  [order[from], order[to]] = [order[to], order[from]];
  await api().messages.updateDialogFiltersOrder({ order });
  foldersReordered(order);
}

