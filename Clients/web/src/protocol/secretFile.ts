// Secret chats' files (README, Secret chats; the .NET SDK's SecretFileCrypto does the same, and both reproduce the
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

/** A file that does not open: altered or cut short on the server, or another key. */
export class SecretFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretFileError';
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

/** The ciphertext of `file`, read a chunk at a time; `prefix` only for tests (16 random bytes otherwise). */
export async function encryptFile(file: Blob, key: Uint8Array, prefix: Uint8Array = sodium.randombytes_buf(FILE_PREFIX_BYTES)): Promise<Blob> {
  const parts: Uint8Array[] = [prefix];
  const chunks = fileChunks(file.size);
  for (let i = 0; i < chunks; i++) {
    const plain = new Uint8Array(await file.slice(i * FILE_CHUNK, (i + 1) * FILE_CHUNK).arrayBuffer());
    parts.push(sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, i === chunks - 1 ? FINAL : NOT_FINAL, null, nonce(prefix, i), key));
  }
  return new Blob(parts as BlobPart[]);
}

/** The plaintext of a whole ciphertext; throws SecretFileError unless every chunk opens and the last is marked last. */
export function decryptFile(cipher: Uint8Array, key: Uint8Array): Uint8Array {
  if (cipher.length < FILE_PREFIX_BYTES + FILE_TAG_BYTES) throw new SecretFileError('The file is cut short');
  const prefix = cipher.subarray(0, FILE_PREFIX_BYTES);
  const sealedChunk = FILE_CHUNK + FILE_TAG_BYTES;
  const plain: Uint8Array[] = [];
  let index = 0;
  for (let offset = FILE_PREFIX_BYTES; offset < cipher.length; offset += sealedChunk, index++) {
    const end = Math.min(cipher.length, offset + sealedChunk);
    const last = end === cipher.length;
    try {
      plain.push(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, cipher.subarray(offset, end), last ? FINAL : NOT_FINAL, nonce(prefix, index), key));
    } catch {
      throw new SecretFileError(last ? 'The file was altered or cut short' : `Part ${index} of the file was altered`);
    }
  }
  return concat(...plain);
}
