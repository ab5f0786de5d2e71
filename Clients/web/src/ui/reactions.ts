import type { Message, ReactionCount } from '../api/types';
import { api } from './connection';
import { replaceMessage } from './messages';
import { PeerKind } from '../api/types';
import { peerFromKey } from './peers';
import { getState, type AppState } from './store';

/** Whether this user may react in the chat: not after leaving a group, nor with a deleted account. */
export function canReact(s: AppState, key: string): boolean {
  const peer = peerFromKey(key);
  return peer.kind === PeerKind.User ? !s.users[peer.id]?.deleted : !s.leftChats[peer.id];
}

/** The reactions offered by a message's React button (any single emoji is accepted by the server). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** Reacts to `message` with `reaction`, or takes this user's reaction back (null). */
export async function react(key: string, message: Message, reaction: string | null): Promise<void> {
  const changed = await api().messages.sendReaction({ peer: peerFromKey(key), id: message.id, reaction });
  reactionsChanged(key, message.id, changed.reactions, changed.my_reaction);
}

/** A message's reactions changed; `mine` is this user's own when known (undefined: unchanged). */
export function reactionsChanged(key: string, messageId: number, reactions: ReactionCount[], mine?: string | null): void {
  const current = getState().histories[key]?.messages.find((m) => m.id === messageId);
  if (!current) return;
  replaceMessage(key, {
    ...current,
    reactions: reactions.length ? reactions : null,
    my_reaction: mine === undefined ? current.my_reaction : mine,
  });
}
