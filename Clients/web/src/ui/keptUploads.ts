import { openDB, type IDBPDatabase } from 'idb';
import type { ReplyQuote } from '../api/types';
import type { MediaDescription } from '../api/media';
import { testSetting } from './testSettings';

/** A file being uploaded for a message of a regular chat, kept (the file itself too) until its message is stored, so a
 * reload, a crash or a closed tab does not lose it: the app resumes its upload under the same file id (the server keeps
 * the parts it has) and sends the message with the same random id (stored once whatever happened before). */
export interface KeptUpload {
  userId: number;
  /** The random id its message is sent with; the entry's key. */
  randomId: number;
  fileId: number;
  key: string;
  /** The file's content (IndexedDB keeps a Blob on disk; a File comes back as a Blob, hence its name and type beside). */
  file: Blob;
  name: string;
  type: string;
  caption: string;
  replyToId: number | null;
  quote: ReplyQuote | null;
  topicId: number | null;
  /** What the sender knew of it beyond the file (the voice recorder's duration). */
  known?: MediaDescription;
  /** When it was kept (ms): kept uploads resume in the order they were chosen. */
  keptAt: number;
}

/** The largest file kept across a reload: a larger one lives only in the page while it uploads, as every file did
 * before (a copy of it would take that much of the browser's disk quota again, for the few minutes of its upload). */
export const KEEP_UPLOAD_MAX_BYTES = 256 * 1024 * 1024;

/** A test-only cap in place of KEEP_UPLOAD_MAX_BYTES (docs/web-client.md), so a test need not choose a 256 MiB file. */
export const KEEP_UPLOAD_MAX_BYTES_KEY = 'messenger.keptUploadCapBytes';

const DATABASE = 'messenger.uploads';
const STORE = 'uploads';

let database: Promise<IDBPDatabase> | undefined;

function open(): Promise<IDBPDatabase> {
  database ??= openDB(DATABASE, 1, {
    upgrade: (db) => {
      const store = db.createObjectStore(STORE, { keyPath: 'randomId' });
      store.createIndex('userId', 'userId');
    },
  });
  // No IndexedDB (a private window of some browsers): nothing is kept, and the next call tries again.
  database.catch(() => (database = undefined));
  return database;
}

/** The writes one after another, in the order asked: an entry dropped right after it was kept stays dropped. */
let writes: Promise<unknown> = Promise.resolve();

function inOrder<T>(write: () => Promise<T>): Promise<T> {
  const done = writes.then(write, write);
  writes = done.catch(() => undefined);
  return done;
}

/** Keeps the upload; false when it is not kept (too large, storage full or unavailable): it goes on from memory. */
export function keepUpload(entry: KeptUpload): Promise<boolean> {
  if (entry.file.size > (testSetting(KEEP_UPLOAD_MAX_BYTES_KEY) ?? KEEP_UPLOAD_MAX_BYTES)) return Promise.resolve(false);
  return inOrder(async () => {
    await (await open()).put(STORE, entry);
    return true;
  }).catch(() => false);
}

export function dropUpload(randomId: number): Promise<void> {
  return inOrder(async () => (await open()).delete(STORE, randomId)).catch(() => undefined);
}

/** The user's kept uploads, in the order they were chosen. */
export async function keptUploads(userId: number): Promise<KeptUpload[]> {
  try {
    await writes;
    const kept = (await (await open()).getAllFromIndex(STORE, 'userId', userId)) as KeptUpload[];
    // One whose file did not come back as a Blob can never be sent: it goes.
    for (const broken of kept.filter((e) => !(e.file instanceof Blob))) void dropUpload(broken.randomId);
    return kept.filter((e) => e.file instanceof Blob).sort((a, b) => a.keptAt - b.keptAt);
  } catch {
    return [];
  }
}

/** Signing out leaves none of the account's files on this browser. */
export function clearUploads(userId: number): Promise<void> {
  return inOrder(async () => {
    const db = await open();
    const tx = db.transaction(STORE, 'readwrite');
    for (const randomId of await tx.store.index('userId').getAllKeys(userId)) await tx.store.delete(randomId);
    await tx.done;
  }).catch(() => undefined);
}
