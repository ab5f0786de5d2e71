// The app's side of secret chats (ui/secret.ts): reading back the log at sign-in, and the databases of this browser.
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RpcError, type Difference } from '../src/api/types';
import { openDB } from 'idb';
import { SecretStore } from '../src/protocol/secretStore';
import { ready } from '../src/protocol/sodium';

/** The server as far as the secret chats' catch-up goes: the log can be made to fail, and what was asked is kept. */
const server = vi.hoisted(() => ({
  pts: 20,
  failing: false,
  tooLong: false,
  asked: [] as number[],
  /** Sign-ins still to be refused as ALREADY_SIGNED_IN (the device had a session), and the sign-outs made. */
  alreadySignedIn: 0,
  signOuts: 0,
  user: 0,
}));

vi.mock('../src/ui/connection', () => {
  const missing = (): Promise<never> => Promise.reject(new Error('not faked'));
  // Any other method, top-level or in a namespace, fails as a lost connection would.
  const anything: object = new Proxy(() => missing(), { get: (_target, name) => (name === 'then' ? undefined : missing) });
  const api = {
    signedIn: null,
    get pts() {
      return server.pts;
    },
    updates: {
      getDifference: async ({ pts }: { pts: number }): Promise<Difference> => {
        server.asked.push(pts);
        if (server.failing) throw new Error('connection lost');
        return { updates: [], state: { pts: server.pts, date: 0 }, slice: false, too_long: server.tooLong, channels: null };
      },
    },
    auth: {
      signIn: async () => {
        if (server.alreadySignedIn-- > 0) throw new RpcError('ALREADY_SIGNED_IN', 400);
        return { user: { id: server.user, display_name: 'Me' }, authorization_id: 1, is_admin: false };
      },
      signOut: async () => {
        server.signOuts++;
        return {};
      },
    },
    secret: new Proxy({ getChats: async () => ({ chats: [] }) }, { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? missing }),
  };
  return { api: () => new Proxy(api, { get: (target, name: string) => (name in target ? (target as Record<string, unknown>)[name] : anything) }) };
});

import { resumeSession, signIn } from '../src/ui/account';
import { catchUpSecretChats, noteLogPosition, resumeSecretChats, startSecretChats, stopSecretChats } from '../src/ui/secret';
import { getState } from '../src/ui/store';

beforeAll(() => ready());

let userId = 500;

afterEach(() => {
  stopSecretChats();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  server.failing = false;
  server.tooLong = false;
  server.asked = [];
});

/** Runs the faked clock on until `work` is done (IndexedDB answers on real turns of the event loop in between). */
async function finish<T>(work: Promise<T>): Promise<T> {
  let done = false;
  const result = work.finally(() => (done = true));
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(500);
  }
  return result;
}

async function savedPts(id: number): Promise<number | null> {
  const store = SecretStore.forUser(id);
  const pts = await store.loadPts();
  await store.close();
  return pts;
}

describe('reading back the log at sign-in', () => {
  it('keeps the position where it was when the log cannot be read, and reads it from there once back online', async () => {
    const me = ++userId;
    const seeded = SecretStore.forUser(me);
    await seeded.savePts(10);
    await seeded.close();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    server.failing = true;
    startSecretChats(me);
    await finish(catchUpSecretChats(20));
    expect(server.asked).toEqual([10, 10, 10, 10, 10]);
    expect(await savedPts(me)).toBe(10);
    expect(getState().secretSynced).toBe(false);
    // Events handled live meanwhile do not move it past the part not read.
    noteLogPosition();
    await finish(new Promise((resolve) => setTimeout(resolve, 5000)));
    expect(await savedPts(me)).toBe(10);

    server.failing = false;
    server.asked = [];
    await finish(resumeSecretChats());
    expect(await savedPts(me)).toBe(20);
    expect(server.asked).toEqual([10]);
    expect(getState().secretSynced).toBe(true);
  });

  it('catches up an account whose log is still empty (the stream starts at 0)', async () => {
    const me = ++userId;
    server.pts = 0;
    try {
      startSecretChats(me);
      await catchUpSecretChats(0);
    } finally {
      server.pts = 20;
    }
    expect(await savedPts(me)).toBe(0);
    expect(getState().secretSynced).toBe(true);
  });

  it('saves the position once the log answered too_long (nothing more to read there)', async () => {
    const me = ++userId;
    const seeded = SecretStore.forUser(me);
    await seeded.savePts(3);
    await seeded.close();
    server.tooLong = true;
    startSecretChats(me);
    await catchUpSecretChats(20);
    expect(server.asked).toEqual([3]);
    expect(await savedPts(me)).toBe(20);
  });
});

const secretDatabases = async (): Promise<string[]> =>
  (await indexedDB.databases()).map((d) => d.name!).filter((name) => name.startsWith('messenger-secret-')).sort();

async function seed(id: number): Promise<void> {
  const store = SecretStore.forUser(id);
  await store.addMessage({ chatId: 1, randomId: 1, from: 2, date: 1, text: 'left behind', ttl: 0, read: true, expires: null, replyTo: null });
  await store.close();
}

describe('the secret databases of this browser', () => {
  it('a sign-in deletes those of other accounts (a sign-out cut short left them), and leaves other databases alone', async () => {
    const [other, me] = [++userId, ++userId];
    await seed(other);
    await seed(me);
    const unrelated = await openDB('messenger-unrelated', 1, { upgrade: (db) => void db.createObjectStore('x') });
    unrelated.close();
    startSecretChats(me);
    await vi.waitFor(async () => expect(await secretDatabases()).not.toContain(`messenger-secret-${other}`));
    expect(await secretDatabases()).toContain(`messenger-secret-${me}`);
    expect((await indexedDB.databases()).map((d) => d.name)).toContain('messenger-unrelated');
  });

  it('a sign-out deletes every one of them', async () => {
    const [other, me] = [++userId, ++userId];
    await seed(other);
    startSecretChats(me);
    await vi.waitFor(async () => expect(await secretDatabases()).toContain(`messenger-secret-${me}`));
    stopSecretChats(true);
    await vi.waitFor(async () => expect(await secretDatabases()).toEqual([]));
  });

  it('the app opening signed out deletes what a sign-out cut short left', async () => {
    await seed(++userId);
    await resumeSession();
    await vi.waitFor(async () => expect(await secretDatabases()).toEqual([]));
  });

  it('signing in again over a session the device still had (ALREADY_SIGNED_IN) starts from an empty store', async () => {
    const me = ++userId;
    await seed(me);
    server.user = me;
    server.alreadySignedIn = 1;
    vi.stubGlobal('navigator', { userAgent: 'Firefox/140' });
    vi.stubGlobal('window', { isSecureContext: false });
    await signIn('me', 'secret password');
    expect(server.signOuts).toBe(1);
    const store = SecretStore.forUser(me);
    expect(await store.messages(1)).toEqual([]);
    await store.close();
  });
});
