import { MemberRole, PeerKind } from '../api/types';
import { api } from './connection';
import { messageArrived } from './messages';
import { peerFromKey } from './peers';
import type { AppState } from './store';

/** The periods the Auto-delete dialog offers (seconds; 0 turns it off). The server takes any from 1 minute to 366 days. */
export const AutoDeletePeriods = [0, 3_600, 86_400, 7 * 86_400, 30 * 86_400];

/** Whether this user may set the chat's auto-delete: either side of a private chat, a group's admins. */
export function canSetAutoDelete(s: AppState, key: string): boolean {
  const peer = peerFromKey(key);
  if (peer.kind === PeerKind.User) return !s.users[peer.id]?.deleted;
  if (s.leftChats[peer.id] || !s.chats[peer.id]) return false;
  return (s.myRoles[peer.id] ?? MemberRole.Member) !== MemberRole.Member;
}

/** Sets the chat's auto-delete for everyone in it; the answer is the service message, which this device is not pushed. */
export async function setAutoDelete(key: string, period: number): Promise<void> {
  const sent = await api().messages.setHistoryTTL({ peer: peerFromKey(key), period });
  messageArrived(sent.message);
}
