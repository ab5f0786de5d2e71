// Signing out leaves nothing of the account's drafts in this browser's storage (review s42-r2, finding 3), and the
// drafts still waiting for a pause in the typing reach the server first, so the next sign-in finds them there.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerKind, type Dialog } from '../src/api/types';

const server = vi.hoisted(() => ({ saves: [] as string[], signOuts: 0, savesBeforeSignOut: -1, failSaves: false }));

vi.mock('../src/ui/connection', () => {
  const missing = (): Promise<never> => Promise.reject(new Error('not faked'));
  const anything: object = new Proxy(() => missing(), { get: (_target, name) => (name === 'then' ? undefined : missing) });
  const api = {
    signedIn: null,
    pts: 0,
    messages: {
      saveDraft: async ({ text }: { text: string }) => {
        if (server.failSaves) throw new Error('connection lost');
        server.saves.push(text);
        return {};
      },
    },
    auth: {
      signOut: async () => {
        server.signOuts++;
        server.savesBeforeSignOut = server.saves.length;
        return {};
      },
    },
  };
  return { api: () => new Proxy(api, { get: (target, name: string) => (name in target ? (target as Record<string, unknown>)[name] : anything) }) };
});

import { forgetSession, signOut } from '../src/ui/account';
import { blankDialog } from '../src/ui/chats';
import { clearDrafts, loadDraft, saveDraft } from '../src/ui/drafts';
import { keepInOutbox } from '../src/ui/outbox';
import { setState, type AppState } from '../src/ui/store';
import { emptyLocalStorage } from './fakeConnection';

function draftKeys(): string[] {
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i)!);
  return keys.filter((key) => key.startsWith('messenger.draft.'));
}

function signedInAs(id: number): void {
  const dialogs: Dialog[] = [blankDialog({ kind: PeerKind.User, id: 2 }), blankDialog({ kind: PeerKind.User, id: 3 })];
  setState({ phase: 'ready', me: { id } as AppState['me'], dialogs } as Partial<AppState>);
}

beforeEach(() => {
  emptyLocalStorage();
  server.saves = [];
  server.signOuts = 0;
  server.savesBeforeSignOut = -1;
  server.failSaves = false;
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('drafts at sign-out', () => {
  it('leaves no draft of the account in localStorage, nor its outbox, when the session is forgotten', () => {
    signedInAs(1);
    saveDraft('u2', 'half-typed: the new door code is 4711');
    saveDraft('u3', 'another chat');
    keepInOutbox(1, { key: 'u2', randomId: 7, text: 'unsent', replyToId: null, media: null, date: 0 });
    expect(draftKeys()).toHaveLength(2);

    forgetSession();

    expect(draftKeys()).toEqual([]);
    expect(localStorage.getItem('messenger.outbox.1')).toBeNull();
  });

  it("clears one account's drafts and keeps another's", () => {
    localStorage.setItem('messenger.draft.2.u5', "someone else's");
    signedInAs(1);
    saveDraft('u2', 'mine');

    clearDrafts(1);

    expect(draftKeys()).toEqual(['messenger.draft.2.u5']);
  });

  it('sends the drafts still waiting for a pause to the server before signing out, and nothing is typed into it later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    signedInAs(1);
    saveDraft('u2', 'typed just before signing out');

    await signOut();

    expect(server.saves).toEqual(['typed just before signing out']);
    expect(server.savesBeforeSignOut).toBe(1);
    expect(server.signOuts).toBe(1);
    expect(draftKeys()).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.saves).toHaveLength(1);

    // The same account signed in again: the draft comes from the server, not from this browser.
    signedInAs(1);
    expect(loadDraft('u2')).toBe('');
  });

  it('signs out even when a draft cannot be saved, and still leaves none behind', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    signedInAs(1);
    server.failSaves = true;
    saveDraft('u2', 'written offline');

    await signOut();

    expect(server.signOuts).toBe(1);
    expect(draftKeys()).toEqual([]);
  });
});
