import type { Message, ReplyCount } from '../api/types';
import { api } from './connection';
import { peerFromKey } from './peers';
import { getState, setState } from './store';

/**
 * Read positions in threads (`messages.readThread`), per chat: the user follows a thread they wrote the message of,
 * answered in, or read, and its answers by others after the later of their read position and their own last answer
 * are new to them — the rule the server counts `unread_count` by, applied here to the loaded history (which holds
 * every answer of any message it shows).
 */
export function unreadInThreads(messages: Message[], reads: Record<number, number> | undefined, me: number | undefined): Map<number, number> {
  const threads = new Map<number, Message[]>();
  for (const m of messages) {
    if (!m.reply_to_id || m.action) continue;
    const answers = threads.get(m.reply_to_id);
    if (answers) answers.push(m);
    else threads.set(m.reply_to_id, [m]);
  }
  const unread = new Map<number, number>();
  if (me === undefined) return unread;
  const authors = new Map(messages.map((m) => [m.id, m.from_id]));
  for (const [root, answers] of threads) {
    const read = reads?.[root];
    const myLast = answers.reduce((last, m) => (m.from_id === me && m.id > last ? m.id : last), 0);
    if (read === undefined && myLast === 0 && authors.get(root) !== me) continue;
    const position = Math.max(read ?? 0, myLast);
    const count = answers.filter((m) => m.from_id !== me && m.id > position).length;
    if (count > 0) unread.set(root, count);
  }
  return unread;
}

/** The user read the thread of `messageId` in the chat up to `readMaxId` (here, on another device, or as a page says). */
export function threadRead(key: string, messageId: number, readMaxId: number): void {
  setState((s) => {
    const chat = s.threadReads[key] ?? {};
    if ((chat[messageId] ?? -1) >= readMaxId) return {};
    return { threadReads: { ...s.threadReads, [key]: { ...chat, [messageId]: readMaxId } } };
  });
}

/** The read positions a page of messages carries (`replies[].read_max_id`, for threads the user follows). */
export function threadReadsOf(key: string, replies: ReplyCount[] | null | undefined): void {
  for (const r of replies ?? []) if (r.read_max_id !== undefined && r.read_max_id !== null) threadRead(key, r.msg_id, r.read_max_id);
}

/** Marks the open thread read up to its newest answer shown; the first look at a thread follows it. */
export async function readThread(key: string, messageId: number, newestAnswer: number): Promise<void> {
  const known = getState().threadReads[key]?.[messageId];
  if (known !== undefined && known >= newestAnswer) return;
  threadRead(key, messageId, newestAnswer);
  await api().messages.readThread({ peer: peerFromKey(key), msg_id: messageId, max_id: newestAnswer, topic: false });
}
