import type { Dialog, Message } from '../api/types';
import { PeerKind } from '../api/types';

export type TickStatus = 'sending' | 'sent' | 'delivered' | 'read';

/**
 * The ticks beside one's own stored message: ✓ once the server has it, ✓✓ (delivered, then read) as the other side's
 * receipts cover it. None in Saved Messages (the message is to `me`): nobody else is there to receive or read them,
 * and a lone ✓ there read as "not read yet" for ever. A message still on its way (the clock) or refused ("!") is a
 * pending bubble, which shows that in every chat.
 */
export function tickStatus(message: Pick<Message, 'id' | 'to_peer'>, dialog: Dialog | undefined, me: number): TickStatus | null {
  if (message.to_peer.kind === PeerKind.User && message.to_peer.id === me) return null;
  if (!dialog) return 'sent';
  if (message.id <= dialog.read_outbox_max_id) return 'read';
  if (message.id <= dialog.delivered_max_id) return 'delivered';
  return 'sent';
}
