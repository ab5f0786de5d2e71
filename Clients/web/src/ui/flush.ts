import { RpcError } from '../api/types';
import { api } from './connection';
import { flushDrafts, replayDraft, sendDraftsNow } from './drafts';
import { flushReads } from './messages';
import { keepReceived, keptOf, readSent, receivedSent, unmarkDone } from './pending';
import { peerFromKey } from './peers';
import { getState } from './store';

// What a closed or reloaded tab would lose (docs/web-client.md, "Closing the tab"): the calls waiting out a delay go
// at once when the page is hidden or closed, and what the server has not answered (pending.ts) goes again at the next
// start.

/** The page is being hidden or closed: every call waiting out its delay goes now, over the open connection. */
export function sendPendingNow(): void {
  if (getState().phase !== 'ready') return;
  void flushReads();
  sendDraftsNow();
  try {
    const receipt = api().flushReceipt();
    if (receipt) {
      keepReceived(receipt.maxId);
      void receipt.sent.then((sent) => sent && receivedSent(receipt.maxId));
    }
  } catch {
    // Not connected yet: nothing waits.
  }
}

let watching = false;

/** Once per page: `pagehide` (a close, a reload, a navigation) and the page hidden (a tab switch; on a phone often the
 * last moment a page runs) send what waits. */
export function watchPageHide(): void {
  if (watching) return;
  watching = true;
  addEventListener('pagehide', sendPendingNow);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && sendPendingNow());
}

/** Before *Sign out*: the reads and drafts waiting go now, and the sign-out waits (at most a few seconds) for them. */
export function flushBeforeSignOut(): Promise<void> {
  return flushDrafts(flushReads());
}

/**
 * At the start, before the chat list is read: the delivered receipt, read positions and unread-mark removals the server
 * had not answered when the tab closed go again (each is idempotent on the server: a read position only moves forward).
 * One the server refuses (the chat is gone, say) is dropped; one that fails on the way stays for the next start.
 */
export async function replayKept(): Promise<void> {
  const me = getState().me?.id;
  if (!me) return;
  const kept = keptOf(me);
  const calls: Promise<void>[] = [];
  const settle = (call: Promise<unknown>, done: () => void) =>
    calls.push(call.then(done, (error) => (error instanceof RpcError ? done() : undefined)));
  if (kept.received > 0) settle(api().messages.received({ max_id: kept.received }), () => receivedSent(kept.received));
  for (const [key, maxId] of Object.entries(kept.reads)) {
    settle(api().messages.readHistory({ peer: peerFromKey(key), max_id: maxId }), () => readSent(key, maxId));
  }
  for (const key of kept.unmarks) settle(api().messages.markDialogUnread({ peer: peerFromKey(key), unread: false }), () => unmarkDone(key));
  await Promise.all(calls);
}

/** After the chat list is read (it carries the server's drafts and their dates): the drafts that had not reached the
 * server go, unless it holds a newer one (drafts.ts, replayDraft). */
export async function replayDrafts(): Promise<void> {
  const me = getState().me?.id;
  if (!me) return;
  await Promise.all(Object.entries(keptOf(me).drafts).map(([key, at]) => replayDraft(key, at).catch(() => undefined)));
}
