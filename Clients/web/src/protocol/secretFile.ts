// Secret chats' files (docs/secret-chats.md; the .NET SDK's SecretFileCrypto does the same, and both reproduce the
// vector in test/secretFile.test.ts). A random 32-byte key per file; the ciphertext is
//   prefix (16 random bytes) || chunk_0 || chunk_1 || … || chunk_n
// with the plaintext in 64 KiB chunks (the last may be shorter; an empty file is one empty chunk), chunk i being
//   XChaCha20-Poly1305-IETF(key, nonce = prefix || i as uint64 LE, chunk, ad = [1] for the last chunk, [0] before)
// with its 16-byte tag. A file cut at a chunk boundary, reordered, extended or altered does not open.
import { concat } from './bytes';
import { sodium } from './sodium';

export const FILE_CHUNK = 64 * 1024;
export const FILE_PREFIX_BYTES = 16;
export const FILE_TAG_BYTES = 16;
export const FILE_KEY_BYTES = 32;
const SEALED_CHUNK = FILE_CHUNK + FILE_TAG_BYTES;

/**
 * The largest file (plaintext) this browser sends or opens in a secret chat. The server takes uploads up to
 * `MaxFileMegabytes` (2 GiB by default), but a tab encrypts and decrypts on its main thread and holds the result as a
 * Blob until it is shown or saved: past this a tab can run out of memory, so such a file is refused before any work.
 */
export const MAX_SECRET_FILE_BYTES = 256 * 1024 * 1024;

/** A file that does not open: altered or cut short on the server, or another key. */
export class SecretFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretFileError';
  }
}

/** A file above MAX_SECRET_FILE_BYTES: refused before it is encrypted, or before it is downloaded. */
export class SecretFileTooBigError extends Error {
  constructor(sending: boolean) {
    super(
      sending
        ? 'Files over 256 MB cannot be sent in a secret chat from the browser'
        : 'This file is over 256 MB: too big to open in a secret chat in the browser',
    );
    this.name = 'SecretFileTooBigError';
  }
}

export const newFileKey = (): Uint8Array => sodium.randombytes_buf(FILE_KEY_BYTES);

export const fileChunks = (size: number): number => Math.max(1, Math.ceil(size / FILE_CHUNK));

export const encryptedFileSize = (size: number): number => FILE_PREFIX_BYTES + size + FILE_TAG_BYTES * fileChunks(size);

function nonce(prefix: Uint8Array, index: number): Uint8Array {
  const bytes = new Uint8Array(FILE_PREFIX_BYTES + 8);
  bytes.set(prefix);
  new DataView(bytes.buffer).setBigUint64(FILE_PREFIX_BYTES, BigInt(index), true);
  return bytes;
}

const FINAL = new Uint8Array([1]);
const NOT_FINAL = new Uint8Array([0]);

/**
 * The ciphertext of `file`, read a chunk at a time; `prefix` only for tests (16 random bytes otherwise). Each sealed
 * chunk becomes a Blob of its own at once, so the ciphertext is never whole in the JS heap (the upload reads it back
 * in slices).
 */
export async function encryptFile(file: Blob, key: Uint8Array, prefix: Uint8Array = sodium.randombytes_buf(FILE_PREFIX_BYTES)): Promise<Blob> {
  const parts: Blob[] = [new Blob([prefix as BlobPart])];
  const chunks = fileChunks(file.size);
  for (let i = 0; i < chunks; i++) {
    const plain = new Uint8Array(await file.slice(i * FILE_CHUNK, (i + 1) * FILE_CHUNK).arrayBuffer());
    parts.push(new Blob([sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, i === chunks - 1 ? FINAL : NOT_FINAL, null, nonce(prefix, i), key) as BlobPart]));
  }
  return new Blob(parts);
}

function openChunk(sealed: Uint8Array, prefix: Uint8Array, index: number, last: boolean, key: Uint8Array): Uint8Array {
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, last ? FINAL : NOT_FINAL, nonce(prefix, index), key);
  } catch {
    throw new SecretFileError(last ? 'The file was altered or cut short' : `Part ${index} of the file was altered`);
  }
}

/** The plaintext of a whole ciphertext; throws SecretFileError unless every chunk opens and the last is marked last. */
export function decryptFile(cipher: Uint8Array, key: Uint8Array): Uint8Array {
  if (cipher.length < FILE_PREFIX_BYTES + FILE_TAG_BYTES) throw new SecretFileError('The file is cut short');
  const prefix = cipher.subarray(0, FILE_PREFIX_BYTES);
  const plain: Uint8Array[] = [];
  let index = 0;
  for (let offset = FILE_PREFIX_BYTES; offset < cipher.length; offset += SEALED_CHUNK, index++) {
    const end = Math.min(cipher.length, offset + SEALED_CHUNK);
    plain.push(openChunk(cipher.subarray(offset, end), prefix, index, end === cipher.length, key));
  }
  return concat(...plain);
}

/**
 * The plaintext of a ciphertext Blob as a Blob of `type`, one sealed chunk read, opened and let go at a time: the JS
 * heap holds one chunk, not the file (nor the 4–5 copies that reading it whole, decrypting and joining would make),
 * and the main thread gets a turn between chunks. Throws SecretFileError as decryptFile does; with `signal` aborted it
 * stops at the next chunk (its reason thrown).
 */
export async function decryptFileBlob(cipher: Blob, key: Uint8Array, type: string, signal?: AbortSignal): Promise<Blob> {
  if (cipher.size < FILE_PREFIX_BYTES + FILE_TAG_BYTES) throw new SecretFileError('The file is cut short');
  const prefix = new Uint8Array(await cipher.slice(0, FILE_PREFIX_BYTES).arrayBuffer());
  const parts: Blob[] = [];
  let index = 0;
  for (let offset = FILE_PREFIX_BYTES; offset < cipher.size; offset += SEALED_CHUNK, index++) {
    signal?.throwIfAborted();
    const end = Math.min(cipher.size, offset + SEALED_CHUNK);
    const sealed = new Uint8Array(await cipher.slice(offset, end).arrayBuffer());
    parts.push(new Blob([openChunk(sealed, prefix, index, end === cipher.size, key) as BlobPart]));
  }
  signal?.throwIfAborted();
  return new Blob(parts, { type });
}
