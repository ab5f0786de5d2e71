import type { Message } from '../api/types';
import { PeerKind } from '../api/types';
import { updateDialog } from './chats';
import { api } from './connection';
import { findMessage, peerFromKey } from './peers';
import { mentions } from './rich';
import { setState, type AppState } from './store';

/** Whether a group message mentions this user as the server counts it: `@username` as a whole word (any case), or an
 * answer to one of their messages (when this client has that message loaded). Their own messages never do. */
export function mentionsMe(s: AppState, message: Message): boolean {
  const me = s.me;
  if (!me || message.from_id === me.id || message.to_peer.kind !== PeerKind.Chat || message.action) return false;
  if (me.username && message.text.includes('@') && mentions(message.text, me.username)) return true;
  return !!message.reply_to_id && findMessage(s, message.reply_to_id)?.from_id === me.id;
}

/** How many loaded messages of the chat after `maxId` mention this user. */
export function mentionsAfter(s: AppState, key: string, maxId: number): number {
  return (s.histories[key]?.messages ?? []).filter((m) => m.id > maxId && mentionsMe(s, m)).length;
}

/** Shows the chat's oldest unread mention: the server says which it is, the message list jumps there (loading older
 * pages if need be) and reading it takes it off. None left: the count was stale. */
export async function nextMention(key: string): Promise<void> {
  const { messages } = await api().messages.getUnreadMentions({ peer: peerFromKey(key), limit: 1 });
  if (messages.length) setState({ focus: { key, messageId: messages[0].id } });
  else updateDialog(key, (d) => ({ ...d, unread_mentions_count: 0 }));
}

/** Takes the chat's mention badge off without reading the chat (the server tells this user's other devices). */
export async function readAllMentions(key: string): Promise<void> {
  await api().messages.readMentions({ peer: peerFromKey(key) });
  updateDialog(key, (d) => ({ ...d, unread_mentions_count: 0 }));
}
