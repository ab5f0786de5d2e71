import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../src/protocol/bytes';
import { IndexedDbKeyStore, MemoryKeyStore } from '../src/protocol/keystore';
import { ready } from '../src/protocol/sodium';

beforeAll(() => ready());

const signedIn = { user: { id: 3, username: 'alice', display_name: 'Alice', bio: '' }, authorization_id: 9, is_admin: false };

describe('device key store', () => {
  it('keeps one device key and the sign-in in IndexedDB across store objects (page reloads)', async () => {
    const first = new IndexedDbKeyStore('keystore-test-1');
    const key = await first.getOrCreate();
    expect(toHex(key.publicKey)).toHaveLength(64);
    await first.saveSignedIn(signedIn);

    const reloaded = new IndexedDbKeyStore('keystore-test-1');
    expect(toHex((await reloaded.getOrCreate()).publicKey)).toBe(toHex(key.publicKey));
    expect(await reloaded.loadSignedIn()).toEqual(signedIn);

    await reloaded.saveSignedIn(null);
    expect(await first.loadSignedIn()).toBeNull();
    await reloaded.clear();
    expect(toHex((await reloaded.getOrCreate()).publicKey)).not.toBe(toHex(key.publicKey));
  });

  it('two tabs creating the key at once end up with the same one', async () => {
    const [a, b] = await Promise.all([new IndexedDbKeyStore('keystore-test-2').getOrCreate(), new IndexedDbKeyStore('keystore-test-2').getOrCreate()]);
    expect(toHex(a.publicKey)).toBe(toHex(b.publicKey));
  });

  it('has an in-memory fallback', async () => {
    const store = new MemoryKeyStore();
    const key = await store.getOrCreate();
    expect(await store.getOrCreate()).toBe(key);
    expect(await store.loadSignedIn()).toBeNull();
  });
});
