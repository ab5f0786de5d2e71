import { api } from './connection';
import { getState, setState } from './store';

/** The chat has `count` requests to join waiting (from an admin's log, or a listing). */
export function joinRequestsCounted(chatId: number, count: number): void {
  setState((s) => ({ joinRequests: { ...s.joinRequests, [chatId]: count } }));
}

/** How many requests to join wait in a chat the user administers: asked once when it is opened, then kept by events. */
export async function loadJoinRequestCount(chatId: number): Promise<void> {
  if (getState().joinRequests[chatId] !== undefined) return;
  const { total } = await api().groups.getJoinRequests({ chat_id: chatId, limit: 1 });
  joinRequestsCounted(chatId, total);
}
