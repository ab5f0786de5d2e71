import type { DraftMessage } from '../api/types';
import { dialogOf, updateDialog } from './chats';
import { api } from './connection';
import { peerFromKey } from './peers';
import { getState } from './store';

/**
 * Unsent text per chat. This browser keeps it at once (across reloads), and the server keeps it for the user's other
 * devices (messages.saveDraft) a moment after the typing stops; a draft saved on another device arrives as an event
 * and replaces this browser's.
 */
const SYNC_DELAY_MS = 1500;
const timers = new Map<string, ReturnType<typeof setTimeout>>();

const storageKey = (chatKey: string) => `messenger.draft.${getState().me?.id ?? 0}.${chatKey}`;

export function loadDraft(chatKey: string): string {
  return localStorage.getItem(storageKey(chatKey)) ?? dialogOf(chatKey)?.draft?.text ?? '';
}

export function saveDraft(chatKey: string, text: string): void {
  keepLocally(chatKey, text);
  clearTimeout(timers.get(chatKey));
  timers.delete(chatKey);
  // A cleared draft (a message was sent) goes to the server at once; typing waits for a pause.
  if (!text.trim()) void sync(chatKey);
  else timers.set(chatKey, setTimeout(() => void sync(chatKey), SYNC_DELAY_MS));
}

/** The draft changed on another device of the user. */
export function draftChanged(chatKey: string, draft: DraftMessage | null): void {
  updateDialog(chatKey, (d) => ({ ...d, draft }));
  keepLocally(chatKey, draft?.text ?? '');
}

function keepLocally(chatKey: string, text: string): void {
  if (text.trim()) localStorage.setItem(storageKey(chatKey), text);
  else localStorage.removeItem(storageKey(chatKey));
}

async function sync(chatKey: string): Promise<void> {
  timers.delete(chatKey);
  const text = localStorage.getItem(storageKey(chatKey)) ?? '';
  const server = dialogOf(chatKey)?.draft?.text ?? '';
  if (text === server) return;
  try {
    await api().messages.saveDraft({ peer: peerFromKey(chatKey), text });
    const draft = text ? { text, reply_to_id: null, date: Math.floor(Date.now() / 1000) } : null;
    updateDialog(chatKey, (d) => ({ ...d, draft }));
  } catch {
    // Kept in this browser; the next change tries again.
  }
}
