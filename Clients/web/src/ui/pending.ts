import { getState } from './store';

/**
 * What this tab told the server, or is about to, that a closed or reloaded tab must not lose (docs/web-client.md,
 * "Closing the tab"): the read positions, the unread marks taken off, the chats whose draft changed and the delivered
 * receipt. Kept in `localStorage` `messenger.pending.<user id>` from the moment the user acts until the server answers,
 * server-side ids only (a draft's text stays where drafts.ts keeps it), and sent again at the next start (replay.ts).
 */
export interface Kept {
  /** Chat key → the read position to send (readHistory). */
  reads: Record<string, number>;
  /** Chat keys whose unread mark was taken off (markDialogUnread false). */
  unmarks: string[];
  /** Chat key → when its draft last changed here (ms, this browser's clock). */
  drafts: Record<string, number>;
  /** The highest incoming id to report delivered (messages.received); 0 for none. */
  received: number;
}

export const pendingKey = (userId: number) => `messenger.pending.${userId}`;

const empty = (): Kept => ({ reads: {}, unmarks: [], drafts: {}, received: 0 });

export function keptOf(userId: number): Kept {
  try {
    const raw = localStorage.getItem(pendingKey(userId));
    return raw ? { ...empty(), ...(JSON.parse(raw) as Partial<Kept>) } : empty();
  } catch {
    return empty();
  }
}

function change(edit: (kept: Kept) => void): void {
  const me = getState().me?.id;
  if (!me) return;
  const kept = keptOf(me);
  edit(kept);
  const nothing = !Object.keys(kept.reads).length && !kept.unmarks.length && !Object.keys(kept.drafts).length && !kept.received;
  try {
    if (nothing) localStorage.removeItem(pendingKey(me));
    else localStorage.setItem(pendingKey(me), JSON.stringify(kept));
  } catch {
    // A full storage keeps nothing: the call still goes as before.
  }
}

/** A read position only moves forward: the higher one is kept. */
export function keepRead(chatKey: string, maxId: number): void {
  change((k) => (k.reads[chatKey] = Math.max(k.reads[chatKey] ?? 0, maxId)));
}

/** The server has the chat read up to maxId: a higher position kept meanwhile stays. */
export function readSent(chatKey: string, maxId: number): void {
  change((k) => {
    if ((k.reads[chatKey] ?? 0) <= maxId) delete k.reads[chatKey];
  });
}

export function keepUnmark(chatKey: string): void {
  change((k) => {
    if (!k.unmarks.includes(chatKey)) k.unmarks.push(chatKey);
  });
}

/** The mark's removal reached the server, or the user marked the chat unread again (a replay must not undo that). */
export function unmarkDone(chatKey: string): void {
  change((k) => (k.unmarks = k.unmarks.filter((key) => key !== chatKey)));
}

export function keepDraft(chatKey: string, at: number): void {
  change((k) => (k.drafts[chatKey] = Math.max(k.drafts[chatKey] ?? 0, at)));
}

/** The draft as it was at `at` reached the server: a later change kept meanwhile stays. */
export function draftSent(chatKey: string, at: number): void {
  change((k) => {
    if ((k.drafts[chatKey] ?? 0) <= at) delete k.drafts[chatKey];
  });
}

export function keepReceived(maxId: number): void {
  change((k) => (k.received = Math.max(k.received, maxId)));
}

export function receivedSent(maxId: number): void {
  change((k) => {
    if (k.received <= maxId) k.received = 0;
  });
}

/** A sign-out: nothing of the account stays (forgetSession). */
export function clearPending(userId: number): void {
  localStorage.removeItem(pendingKey(userId));
}
