import type { DraftMessage } from '../api/types';
import { dialogOf, updateDialog } from './chats';
import { api } from './connection';
import { peerFromKey } from './peers';
import { draftSent, keepDraft } from './pending';
import { getState } from './store';

/**
 * Unsent text per chat. This browser keeps it at once (across reloads), and the server keeps it for the user's other
 * devices (messages.saveDraft) a moment after the typing stops; a draft saved on another device arrives as an event
 * and replaces this browser's.
 */
const SYNC_DELAY_MS = 1500;
/** How long a sign-out waits for the drafts' saves on their way (flushDrafts) before it goes ahead anyway. */
const FLUSH_WAIT_MS = 3000;
const timers = new Map<string, ReturnType<typeof setTimeout>>();

// By storage key: the text the server holds as far as this browser knows (the last one it saved there, or one from
// another device), and the chat's save on its way, after which the next one waits.
const onServer = new Map<string, string>();
const saving = new Map<string, Promise<void>>();

const storageKey = (chatKey: string) => `messenger.draft.${getState().me?.id ?? 0}.${chatKey}`;

export function loadDraft(chatKey: string): string {
  return localStorage.getItem(storageKey(chatKey)) ?? dialogOf(chatKey)?.draft?.text ?? '';
}

export function saveDraft(chatKey: string, text: string): void {
  keepLocally(chatKey, text);
  // Until the server has it (pending.ts): a tab closed before then sends it at the next start.
  keepDraft(chatKey, Date.now());
  clearTimeout(timers.get(chatKey));
  timers.delete(chatKey);
  // A cleared draft (a message was sent) goes to the server at once; typing waits for a pause.
  if (!text.trim()) void sync(chatKey);
  else timers.set(chatKey, setTimeout(() => void sync(chatKey), SYNC_DELAY_MS));
}

/**
 * Before a sign-out: the drafts still waiting for a pause in the typing go to the server now, and this waits (at most
 * FLUSH_WAIT_MS) for every save on its way and the other calls given (the reads flushed with them), so that clearDrafts
 * then drops nothing the server lacks. A save that fails (offline) is lost with the sign-out, as the outbox's messages
 * are.
 */
export async function flushDrafts(also: Promise<unknown>[] = []): Promise<void> {
  sendDraftsNow();
  let waited: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled([...saving.values(), ...also]),
    new Promise((resolve) => (waited = setTimeout(resolve, FLUSH_WAIT_MS))),
  ]);
  clearTimeout(waited);
}

/** The drafts still waiting for a pause in the typing go to the server now (the tab is being hidden or closed). */
export function sendDraftsNow(): void {
  for (const [chatKey, timer] of timers) {
    clearTimeout(timer);
    void sync(chatKey);
  }
}

/**
 * At the start after a tab was closed before the server had the chat's draft that changed here at `at` (ms): it is
 * saved now, unless the server's draft (the chat list's, read just before) is newer, from another device — then the
 * server's stays and this browser takes it.
 */
export async function replayDraft(chatKey: string, at: number): Promise<void> {
  const serverDraft = dialogOf(chatKey)?.draft ?? null;
  if (serverDraft && serverDraft.date * 1000 >= at) {
    draftSent(chatKey, at);
    if ((localStorage.getItem(storageKey(chatKey)) ?? '') !== serverDraft.text) draftChanged(chatKey, serverDraft);
    return;
  }
  await sync(chatKey);
}

/**
 * Signing out (or deleting the account) leaves nothing of the account's drafts on this browser: its
 * `messenger.draft.<user id>.*` keys go, and what this module holds in memory. The server keeps the drafts for the
 * next sign-in (flushDrafts sent the last ones).
 */
export function clearDrafts(userId: number): void {
  for (const timer of timers.values()) clearTimeout(timer);
  timers.clear();
  onServer.clear();
  saving.clear();
  const prefix = `messenger.draft.${userId}.`;
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  for (const key of keys) localStorage.removeItem(key);
}

/** The draft changed on another device of the user. */
export function draftChanged(chatKey: string, draft: DraftMessage | null): void {
  onServer.set(storageKey(chatKey), draft?.text ?? '');
  updateDialog(chatKey, (d) => ({ ...d, draft }));
  keepLocally(chatKey, draft?.text ?? '');
}

function keepLocally(chatKey: string, text: string): void {
  if (text.trim()) localStorage.setItem(storageKey(chatKey), text);
  else localStorage.removeItem(storageKey(chatKey));
}

/**
 * Saves the chat's text on the server, one save at a time per chat, each reading the newest text when its turn comes.
 * A text cleared while the typed one was on its way (a caption sent with its file) was once skipped as "the server has
 * nothing" — the chat's draft said so until that save answered —, and the answer then made the typed text the chat's
 * draft, which the message box took back: the caption came back after its file was sent.
 */
function sync(chatKey: string): Promise<void> {
  timers.delete(chatKey);
  const key = storageKey(chatKey);
  const turn = (saving.get(key) ?? Promise.resolve()).then(() => save(chatKey, key));
  saving.set(key, turn);
  void turn.finally(() => saving.get(key) === turn && saving.delete(key));
  return turn;
}

async function save(chatKey: string, key: string): Promise<void> {
  const at = Date.now();
  const text = localStorage.getItem(key) ?? '';
  if (text === (onServer.get(key) ?? dialogOf(chatKey)?.draft?.text ?? '')) {
    draftSent(chatKey, at);
    return;
  }
  try {
    await api().messages.saveDraft({ peer: peerFromKey(chatKey), text });
    draftSent(chatKey, at);
    onServer.set(key, text);
    // The chat's draft only while it is still this browser's text: a newer one is saved next.
    if ((localStorage.getItem(key) ?? '') !== text) return;
    const draft = text ? { text, reply_to_id: null, date: Math.floor(Date.now() / 1000) } : null;
    updateDialog(chatKey, (d) => ({ ...d, draft }));
  } catch {
    // Kept in this browser; the next change tries again.
  }
}
