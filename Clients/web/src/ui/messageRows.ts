/** The rows of the virtualized message list: messages in order with day separators and the unread bar. */
import type { Message } from '../api/types';
import { dayKey } from './format';
import { photoBox } from './media';
import type { History, PendingMessage } from './store';

export type Row =
  | { key: string; kind: 'day'; day: number }
  | { key: string; kind: 'unread' }
  /** continued: the same sender's previous message is right above (same day, within 5 minutes). */
  | { key: string; kind: 'message'; message: Message; continued: boolean }
  | { key: string; kind: 'pending'; pending: PendingMessage };

export function buildRows(messages: Message[], pending: PendingMessage[], unreadFrom: number | null | undefined): Row[] {
  const rows: Row[] = [];
  let lastDay = -1;
  const addDay = (date: number) => {
    const day = dayKey(date);
    if (day !== lastDay) rows.push({ key: `d${day}`, kind: 'day', day });
    lastDay = day;
  };
  let previous: Message | null = null;
  for (const message of messages) {
    const day = lastDay;
    addDay(message.date);
    if (message.id === unreadFrom) rows.push({ key: 'unread', kind: 'unread' });
    const continued =
      !!previous && !previous.action && !message.action && previous.from_id === message.from_id &&
      day === lastDay && message.date - previous.date < 300 && message.id !== unreadFrom;
    rows.push({ key: `m${message.id}`, kind: 'message', message, continued });
    previous = message;
  }
  for (const p of pending) {
    addDay(p.date);
    rows.push({ key: `p${p.randomId}`, kind: 'pending', pending: p });
  }
  return rows;
}

/** A first guess at a row's height until it is rendered and measured. */
export function estimate(row: Row): number {
  if (row.kind === 'day' || row.kind === 'unread') return 40;
  const text = row.kind === 'message' ? row.message.text : row.pending.text;
  let height = 44 + Math.ceil(text.length / 48) * 20;
  if (row.kind === 'message' && row.message.media) {
    height += row.message.media.kind === 'photo' ? photoBox(row.message.media).height + 8 : 56;
  }
  if (row.kind === 'message' && row.message.reply_to_id) height += 44;
  return height;
}

/** The first index whose row ends below y. */
export function rowAt(offsets: number[], y: number): number {
  let low = 0;
  let high = offsets.length - 2;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (offsets[mid + 1] <= y) low = mid + 1;
    else high = mid;
  }
  return Math.max(0, low);
}

/**
 * What a reply's header shows of its original: the message when loaded; `'deleted'` when it would be loaded but is not
 * (the loaded history runs unbroken from the newest message back to its oldest, or to the chat's start when complete,
 * and a deleted message leaves it); `undefined` while it is older than what is loaded (or the history is loading).
 */
export function replyOriginal(history: History, byId: ReadonlyMap<number, Message>, id: number): Message | 'deleted' | undefined {
  const found = byId.get(id);
  if (found) return found;
  if (history.loading && history.messages.length === 0) return undefined;
  if (history.complete) return 'deleted';
  const oldest = history.messages[0]?.id;
  return oldest !== undefined && id > oldest ? 'deleted' : undefined;
}
