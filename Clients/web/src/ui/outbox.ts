import type { InputMedia, ReplyQuote } from '../api/types';
import { getState, setState } from './store';

/** A message this device has not had stored yet, kept across reloads until the server answers it or the user
 * discards it. Sent again with the same random id: the server stores it once whatever happened before. */
export interface OutboxEntry {
  key: string;
  randomId: number;
  text: string;
  replyToId: number | null;
  media: InputMedia | null;
  date: number;
  /** Sent without sound (absent in entries kept by older versions of the app). */
  silent?: boolean;
  /** The part of the replied message it quotes (absent in entries kept by older versions of the app). */
  quote?: ReplyQuote | null;
  /** The forum topic it goes to (absent: General, or no topics). */
  topicId?: number;
  /** Why the server refused it (too long, blocked…): it waits for the user's Retry or Discard, not sent again by itself. */
  error?: string;
}

const storageKey = (userId: number) => `messenger.outbox.${userId}`;

export function outboxEntries(userId: number): OutboxEntry[] {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey(userId)) ?? '[]') as unknown;
    return Array.isArray(stored) ? (stored as OutboxEntry[]).filter((e) => typeof e?.randomId === 'number' && typeof e.key === 'string') : [];
  } catch {
    return [];
  }
}

function write(userId: number, entries: OutboxEntry[]): void {
  // The chat list shows each chat's newest unsent message (even when the browser's storage refused it).
  if (userId === getState().me?.id) setState({ outbox: entries });
  try {
    if (entries.length) localStorage.setItem(storageKey(userId), JSON.stringify(entries));
    else localStorage.removeItem(storageKey(userId));
  } catch {
    // Storage full or unavailable: the message is still sent from memory, only a reload would lose it.
  }
}

export function keepInOutbox(userId: number, entry: OutboxEntry): void {
  write(userId, [...outboxEntries(userId).filter((e) => e.randomId !== entry.randomId), entry]);
}

/** Records the server's refusal of the message (or, `undefined`, that the user sends it again). */
export function markInOutbox(userId: number, randomId: number, error: string | undefined): void {
  const entries = outboxEntries(userId);
  if (entries.some((e) => e.randomId === randomId)) write(userId, entries.map((e) => (e.randomId === randomId ? { ...e, error } : e)));
}

export function dropFromOutbox(userId: number, randomId: number): void {
  const entries = outboxEntries(userId);
  if (entries.some((e) => e.randomId === randomId)) write(userId, entries.filter((e) => e.randomId !== randomId));
}

/** Signing out leaves nothing of the account's unsent messages on this browser. */
export function clearOutbox(userId: number): void {
  write(userId, []);
}

/** The signed-in user's outbox as the app shows it (the chat list's previews), read again when another tab of this
 * browser changes it: its messages go from here too. */
export function loadOutbox(userId: number): void {
  setState({ outbox: outboxEntries(userId) });
}

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    const me = getState().me?.id;
    if (me && event.key === storageKey(me)) loadOutbox(me);
  });
}
