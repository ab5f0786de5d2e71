// What the user did just before the tab closed or reloaded (ui/flush.ts, ui/pending.ts): the delayed calls go at once
// on pagehide, what the server has not answered is kept per account, and the next start sends it again.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerKind, RpcError, type Dialog } from '../src/api/types';

type Call = { method: string; args: Record<string, unknown>; answer(): void; fail(e: unknown): void };
const server = vi.hoisted(() => ({ calls: [] as Call[], receipt: null as { maxId: number; sent: Promise<boolean> } | null }));

vi.mock('../src/ui/connection', () => {
  const missing = (): Promise<never> => Promise.reject(new Error('not faked'));
  const recorded = (method: string) => (args: Record<string, unknown>) =>
    new Promise((resolve, reject) => server.calls.push({ method, args, answer: () => resolve({ pts: 0, pts_count: 0 }), fail: reject }));
  const messages = new Proxy(
    {
      readHistory: recorded('readHistory'),
      markDialogUnread: recorded('markDialogUnread'),
      received: recorded('received'),
      saveDraft: recorded('saveDraft'),
    },
    { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? missing },
  );
  const anything: object = new Proxy({}, { get: () => missing });
  const api = { messages, flushReceipt: () => server.receipt };
  return { api: () => new Proxy(api, { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? anything }), upload: missing };
});

import { blankDialog, dialogOf } from '../src/ui/chats';
import { loadDraft, saveDraft } from '../src/ui/drafts';
import { replayDrafts, replayKept, sendPendingNow } from '../src/ui/flush';
import { markRead, openChat } from '../src/ui/messages';
import { keptOf, keepRead, keepReceived, keepUnmark, pendingKey } from '../src/ui/pending';
import { setState, type AppState } from '../src/ui/store';
import { UpdateStream } from '../src/protocol/updates';
import { emptyLocalStorage } from './fakeConnection';

const ME = 1;
const bob = 'u2';
const settle = () => vi.advanceTimersByTimeAsync(1);
const calls = (method: string) => server.calls.filter((c) => c.method === method);

function withDialog(change: Partial<Dialog> = {}): void {
  const dialog: Dialog = { ...blankDialog({ kind: PeerKind.User, id: 2 }), ...change };
  setState({ phase: 'ready', me: { id: ME } as AppState['me'], dialogs: [dialog], histories: {}, active: null } as Partial<AppState>);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  emptyLocalStorage();
  server.calls = [];
  server.receipt = null;
  withDialog({ unread_count: 3 });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('a read', () => {
  it('is kept from the moment it is made, goes at once when the page hides, and is forgotten once the server has it', async () => {
    markRead(bob, 40);
    expect(keptOf(ME).reads).toEqual({ [bob]: 40 });
    await settle();
    expect(calls('readHistory')).toHaveLength(0);

    sendPendingNow();
    await settle();
    expect(calls('readHistory').map((c) => c.args.max_id)).toEqual([40]);
    // Its delay passing sends nothing twice.
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls('readHistory')).toHaveLength(1);

    calls('readHistory')[0].answer();
    await settle();
    expect(localStorage.getItem(pendingKey(ME))).toBeNull();
  });

  it('stays kept when the call does not reach the server, and keeps the higher position made meanwhile', async () => {
    markRead(bob, 40);
    sendPendingNow();
    await settle();
    markRead(bob, 45);
    calls('readHistory')[0].answer();
    await settle();
    expect(keptOf(ME).reads).toEqual({ [bob]: 45 });

    sendPendingNow();
    await settle();
    calls('readHistory')[1].fail(new Error('connection lost'));
    await settle();
    expect(keptOf(ME).reads).toEqual({ [bob]: 45 });
  });

  it('is kept per account', () => {
    markRead(bob, 40);
    expect(keptOf(2).reads).toEqual({});
    expect(keptOf(ME).reads).toEqual({ [bob]: 40 });
  });
});

describe('an unread mark taken off', () => {
  it('is kept until the server answers', async () => {
    withDialog({ unread_mark: true });
    openChat(bob);
    expect(dialogOf(bob)?.unread_mark).toBe(false);
    expect(keptOf(ME).unmarks).toEqual([bob]);
    const call = calls('markDialogUnread')[0];
    expect(call.args).toEqual({ peer: { kind: PeerKind.User, id: 2 }, unread: false });

    call.answer();
    await settle();
    expect(keptOf(ME).unmarks).toEqual([]);
  });
});

describe('the next start', () => {
  it('sends the receipt, the reads and the mark removals kept, and forgets each once answered', async () => {
    keepReceived(77);
    keepRead(bob, 40);
    keepRead('c5', 12);
    keepUnmark(bob);
    const replayed = replayKept();
    await settle();
    expect(server.calls.map((c) => [c.method, c.args])).toEqual([
      ['received', { max_id: 77 }],
      ['readHistory', { peer: { kind: PeerKind.User, id: 2 }, max_id: 40 }],
      ['readHistory', { peer: { kind: PeerKind.Chat, id: 5 }, max_id: 12 }],
      ['markDialogUnread', { peer: { kind: PeerKind.User, id: 2 }, unread: false }],
    ]);
    server.calls[0].answer();
    server.calls[1].answer();
    // The server refuses one (the group is gone): sending it again would not help.
    server.calls[2].fail(new RpcError('CHAT_ID_INVALID', 400));
    // One lost on the way stays for the start after.
    server.calls[3].fail(new Error('connection lost'));
    await replayed;
    expect(keptOf(ME)).toEqual({ reads: {}, unmarks: [bob], drafts: {}, received: 0 });
  });

  it('sends nothing when nothing is kept', async () => {
    await replayKept();
    await replayDrafts();
    expect(server.calls).toEqual([]);
  });
});

describe('the delivered receipt', () => {
  it('is kept when the page hides with one waiting, until the stream\'s call is answered', async () => {
    let answer: (sent: boolean) => void = () => undefined;
    server.receipt = { maxId: 9, sent: new Promise<boolean>((resolve) => (answer = resolve)) };
    sendPendingNow();
    expect(keptOf(ME).received).toBe(9);
    answer(false);
    await settle();
    expect(keptOf(ME).received).toBe(9);

    server.receipt = { maxId: 9, sent: Promise.resolve(true) };
    sendPendingNow();
    await settle();
    expect(keptOf(ME).received).toBe(0);
  });

  it('waiting out its delay in the stream goes at once when flushed', async () => {
    const sent: number[] = [];
    const stream = new UpdateStream(
      {
        getState: async () => ({ pts: 0, date: 0 }),
        getDifference: async () => Promise.reject(new Error('none')),
        getChannelDifference: async () => Promise.reject(new Error('none')),
        received: async (maxId) => void sent.push(maxId),
      },
      { selfId: () => ME, receiptDelayMs: 60_000 },
    );
    await stream.start();
    stream.observeReceived(9);
    await settle();
    expect(sent).toEqual([]);
    const receipt = stream.flushReceipt();
    expect(receipt?.maxId).toBe(9);
    expect(await receipt?.sent).toBe(true);
    expect(sent).toEqual([9]);
    expect(stream.flushReceipt()).toBeNull();
    stream.stop();
  });
});

describe('a draft', () => {
  it('typed just before the page hides is saved at once, and kept until the server has it', async () => {
    saveDraft(bob, 'See you at');
    expect(Object.keys(keptOf(ME).drafts)).toEqual([bob]);
    sendPendingNow();
    await settle();
    expect(calls('saveDraft').map((c) => c.args.text)).toEqual(['See you at']);
    calls('saveDraft')[0].answer();
    await settle();
    expect(keptOf(ME).drafts).toEqual({});
  });

  it('left unsaved is saved at the next start over an older draft on the server', async () => {
    saveDraft(bob, 'Newer here');
    withDialog({ draft: { text: 'Older there', reply_to_id: null, date: Math.floor(Date.now() / 1000) - 60 } });
    const replayed = replayDrafts();
    await settle();
    expect(calls('saveDraft').map((c) => c.args.text)).toEqual(['Newer here']);
    calls('saveDraft')[0].answer();
    await replayed;
    expect(keptOf(ME).drafts).toEqual({});
  });

  it('left unsaved is not sent over a newer draft from another device, which this browser takes', async () => {
    saveDraft(bob, 'Typed here first');
    withDialog({ draft: { text: 'Written on the phone later', reply_to_id: null, date: Math.floor(Date.now() / 1000) + 60 } });
    await replayDrafts();
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls('saveDraft')).toEqual([]);
    expect(loadDraft(bob)).toBe('Written on the phone later');
    expect(keptOf(ME).drafts).toEqual({});
  });
});
