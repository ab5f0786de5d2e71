import type { ChatPermissions, Message } from '../api/types';
import { ChatKind, MemberRole, PeerKind } from '../api/types';
import { peerFromKey } from './peers';
import type { AppState } from './store';

/** What this user may do in a chat, and the slow mode that holds them (seconds; 0: none). */
export interface MyPermissions extends ChatPermissions {
  slowMode: number;
}

const everything: MyPermissions = {
  send_messages: true,
  send_media: true,
  send_polls: true,
  add_members: true,
  pin_messages: true,
  change_info: true,
  slowMode: 0,
};

const nothing: ChatPermissions = {
  send_messages: false,
  send_media: false,
  send_polls: false,
  add_members: false,
  pin_messages: false,
  change_info: false,
};

/** Everything in a private chat and for a group's admins; a group's permissions for its plain members (before the
 * group is known: what a new small group allows); a channel's subscribers only read. The server decides again. */
export function myPermissions(s: AppState, key: string): MyPermissions {
  const peer = peerFromKey(key);
  if (peer.kind === PeerKind.User) return everything;
  if ((s.myRoles[peer.id] ?? MemberRole.Member) !== MemberRole.Member) return everything;
  const chat = s.chats[peer.id];
  if (chat?.kind === ChatKind.Channel) return { ...nothing, slowMode: 0 };
  const given = chat?.permissions ?? { ...everything, change_info: false };
  return { ...given, slowMode: chat?.slow_mode ?? 0 };
}

/** Seconds until this user may post again under the chat's slow mode, from their newest post this client has seen. */
export function slowModeLeft(s: AppState, key: string, now = Date.now() / 1000): number {
  const { slowMode } = myPermissions(s, key);
  if (!slowMode) return 0;
  const me = s.me?.id;
  const messages = s.histories[key]?.messages ?? [];
  let mine;
  for (let i = messages.length - 1; i >= 0 && !mine; i--) if (messages[i].from_id === me && !messages[i].action) mine = messages[i];
  return mine ? Math.max(0, Math.ceil(mine.date + slowMode - now)) : 0;
}

/** Whether the chat is a channel in which this user only reads. */
function subscriberOf(s: AppState, key: string): boolean {
  const peer = peerFromKey(key);
  return peer.kind === PeerKind.Chat && s.chats[peer.id]?.kind === ChatKind.Channel && (s.myRoles[peer.id] ?? MemberRole.Member) === MemberRole.Member;
}

/** Whether a poll written in the chat may show who voted: not in a channel, whose subscribers do not see one another
 * (the server answers BROADCAST_PUBLIC_VOTERS_FORBIDDEN). */
export function publicVotersAllowed(s: AppState, key: string): boolean {
  const peer = peerFromKey(key);
  return !(peer.kind === PeerKind.Chat && s.chats[peer.id]?.kind === ChatKind.Channel);
}

/** Whether this user may list who voted in a public poll of the chat: in a channel only its admins may (such a poll there
 * is from before channels refused them). */
export function pollVotersListed(s: AppState, key: string): boolean {
  return !subscriberOf(s, key);
}

/** Chats `message` may be forwarded to: not groups the user left, not channels they only read, not deleted accounts; a
 * poll with public voters not to a channel at all (the server refuses it). */
export function forwardTarget(s: AppState, key: string, message: Message): boolean {
  const peer = peerFromKey(key);
  if (peer.kind === PeerKind.User) return !s.users[peer.id]?.deleted;
  if (s.leftChats[peer.id]) return false;
  if (message.poll?.public_voters && !publicVotersAllowed(s, key)) return false;
  return !subscriberOf(s, key);
}
