// The app's side of secret chats (ui/secret.ts): reading back the log at sign-in, and the databases of this browser.
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Difference } from '../src/api/types';
import { SecretStore } from '../src/protocol/secretStore';
import { ready } from '../src/protocol/sodium';

/** The server as far as the secret chats' catch-up goes: the log can be made to fail, and what was asked is kept. */
const server = vi.hoisted(() => ({
  pts: 20,
  failing: false,
  tooLong: false,
  asked: [] as number[],
}));

vi.mock('../src/ui/connection', () => {
  const missing = (): Promise<never> => Promise.reject(new Error('not faked'));
  const anything: object = new Proxy({}, { get: () => missing });
  const api = {
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
    secret: new Proxy({ getChats: async () => ({ chats: [] }) }, { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? missing }),
  };
  return { api: () => new Proxy(api, { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? anything }) };
});

import { catchUpSecretChats, noteLogPosition, resumeSecretChats, startSecretChats, stopSecretChats } from '../src/ui/secret';

beforeAll(() => ready());

let userId = 500;

afterEach(() => {
  stopSecretChats();
  vi.useRealTimers();
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
    // Events handled live meanwhile do not move it past the part not read.
    noteLogPosition();
    await finish(new Promise((resolve) => setTimeout(resolve, 5000)));
    expect(await savedPts(me)).toBe(10);

    server.failing = false;
    server.asked = [];
    await finish(resumeSecretChats());
    expect(await savedPts(me)).toBe(20);
    expect(server.asked).toEqual([10]);
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
