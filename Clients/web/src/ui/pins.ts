import type { Message } from '../api/types';
import { PeerKind } from '../api/types';
import { updateDialog } from './chats';
import { api } from './connection';
import { messageArrived } from './messages';
import { peerFromKey } from './peers';
import { myPermissions } from './permissions';
import { touchPins, type AppState } from './store';

/** Whether this user may pin in the chat: anyone in a private chat, admins in groups and channels, and a group's
 * members when the group lets them (a new small group does). */
export function canPin(s: AppState, key: string): boolean {
  const peer = peerFromKey(key);
  if (peer.kind === PeerKind.User) return !s.users[peer.id]?.deleted;
  if (s.leftChats[peer.id] || !s.chats[peer.id]) return false;
  return myPermissions(s, key).pin_messages;
}

/** Adds `message` to the chat's pinned messages for everyone in it, or (null) takes off the newest. The answer carries
 * the service message, which this device is not pushed. */
export async function pinMessage(key: string, message: Message | null): Promise<void> {
  const result = await api().messages.pin({ peer: peerFromKey(key), id: message?.id ?? 0, unpin: !message });
  pinnedChanged(key, result.pinned, result.count ?? (result.pinned ? 1 : 0));
  if (result.service_message) messageArrived(result.service_message);
}

/** Takes message `id` off the chat's pinned messages. */
export async function unpinMessage(key: string, id: number): Promise<void> {
  const result = await api().messages.pin({ peer: peerFromKey(key), id, unpin: true });
  pinnedChanged(key, result.pinned, result.count ?? (result.pinned ? 1 : 0));
}

/** Takes every pinned message of the chat off. */
export async function unpinAll(key: string): Promise<void> {
  await api().messages.unpinAll({ peer: peerFromKey(key) });
  pinnedChanged(key, null, 0);
}

/** The chat's pinned messages this user sees, newest first. */
export async function loadPinned(key: string): Promise<Message[]> {
  return (await api().messages.getPinned({ peer: peerFromKey(key) })).messages;
}

/** The chat's newest pinned message and count changed; the bar refetches the list when either does. */
export function pinnedChanged(key: string, message: Message | null, count: number): void {
  updateDialog(key, (d) => ({ ...d, pinned_message: message, pinned_count: count }));
  touchPins(key);
}
