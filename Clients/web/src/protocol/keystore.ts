// The device's static X25519 key is its identity: after sign-in the server binds it to the account, so it is kept
// (IndexedDB in the browser) together with the sign-in it belongs to.
import { openDB, type IDBPDatabase } from 'idb';
import type { SignedIn } from '../api/types';
import { generateKeyPair, keyPairFromPrivate, type KeyPair } from './noise';

export interface DeviceKeyStore {
  /** The device key; made and stored on first use. Needs libsodium ready. */
  getOrCreate(): Promise<KeyPair>;
  loadSignedIn(): Promise<SignedIn | null>;
  saveSignedIn(signedIn: SignedIn | null): Promise<void>;
  /** Forgets the key and the sign-in (a new device identity on next connect). */
  clear(): Promise<void>;
}

export class MemoryKeyStore implements DeviceKeyStore {
  private key: KeyPair | undefined;
  private signedIn: SignedIn | null = null;

  async getOrCreate(): Promise<KeyPair> {
    this.key ??= generateKeyPair();
    return this.key;
  }

  async loadSignedIn(): Promise<SignedIn | null> {
    return this.signedIn;
  }

  async saveSignedIn(signedIn: SignedIn | null): Promise<void> {
    this.signedIn = signedIn;
  }

  async clear(): Promise<void> {
    this.key = undefined;
    this.signedIn = null;
  }
}

const STORE = 'device';

export class IndexedDbKeyStore implements DeviceKeyStore {
  private db: Promise<IDBPDatabase> | undefined;

  constructor(private readonly name = 'messenger') {}

  async getOrCreate(): Promise<KeyPair> {
    const db = await this.open();
    const stored = (await db.get(STORE, 'private_key')) as Uint8Array | undefined;
    if (stored) return keyPairFromPrivate(new Uint8Array(stored));
    const created = generateKeyPair();
    // add() fails when another tab stored a key meanwhile: then that one is the device's key.
    try {
      await db.add(STORE, created.privateKey, 'private_key');
      return created;
    } catch {
      return keyPairFromPrivate(new Uint8Array((await db.get(STORE, 'private_key')) as Uint8Array));
    }
  }

  async loadSignedIn(): Promise<SignedIn | null> {
    return ((await (await this.open()).get(STORE, 'signed_in')) as SignedIn | undefined) ?? null;
  }

  async saveSignedIn(signedIn: SignedIn | null): Promise<void> {
    const db = await this.open();
    if (signedIn) await db.put(STORE, signedIn, 'signed_in');
    else await db.delete(STORE, 'signed_in');
  }

  async clear(): Promise<void> {
    await (await this.open()).clear(STORE);
  }

  private open(): Promise<IDBPDatabase> {
    this.db ??= openDB(this.name, 1, { upgrade: (db) => void db.createObjectStore(STORE) });
    return this.db;
  }
}

export const defaultKeyStore = (): DeviceKeyStore =>
  typeof indexedDB === 'undefined' ? new MemoryKeyStore() : new IndexedDbKeyStore();
