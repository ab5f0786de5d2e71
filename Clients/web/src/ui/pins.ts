import type { Message } from '../api/types';
import { PeerKind } from '../api/types';
import { updateDialog } from './chats';
import { api } from './connection';
import { messageArrived } from './messages';
import { peerFromKey } from './peers';
import { myPermissions } from './permissions';
import type { AppState } from './store';

/** Whether this user may pin in the chat: anyone in a private chat, admins in groups and channels, and a group's
 * members when the group lets them (a new small group does). */
export function canPin(s: AppState, key: string): boolean {
  const peer = peerFromKey(key);
  if (peer.kind === PeerKind.User) return !s.users[peer.id]?.deleted;
  if (s.leftChats[peer.id] || !s.chats[peer.id]) return false;
  return myPermissions(s, key).pin_messages;
}

/** Pins `message` for everyone in the chat, or (null) unpins. The answer carries the service message, which this
 * device is not pushed. */
export async function pinMessage(key: string, message: Message | null): Promise<void> {
  const result = await api().messages.pin({ peer: peerFromKey(key), id: message?.id ?? 0, unpin: !message });
  pinnedChanged(key, result.pinned);
  if (result.service_message) messageArrived(result.service_message);
}

export function pinnedChanged(key: string, message: Message | null): void {
  updateDialog(key, (d) => ({ ...d, pinned_message: message }));
}
