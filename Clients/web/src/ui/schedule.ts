import type { ScheduledMessage } from '../api/types';
import { api } from './connection';
import { peerFromKey } from './peers';
import { setState } from './store';

/** The user's waiting messages in a chat, as the server says they are now (an update, or a read). */
export function scheduledChanged(key: string, messages: ScheduledMessage[]): void {
  setState((s) => ({ scheduled: { ...s.scheduled, [key]: messages } }));
}

/** Reads the chat's waiting messages (when it is opened; updates keep them current after). */
export async function loadScheduled(key: string): Promise<void> {
  const found = await api().messages.getScheduled({ peer: peerFromKey(key) });
  scheduledChanged(key, found.messages);
}

/** Cancels one waiting message; every device of the user hears of it from the server. */
export async function cancelScheduled(key: string, message: ScheduledMessage): Promise<void> {
  await api().messages.deleteScheduled({ peer: peerFromKey(key), ids: [message.id] });
}
