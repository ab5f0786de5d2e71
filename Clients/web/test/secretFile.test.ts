// Secret chats' file encryption (protocol/secretFile.ts): round trips at the chunk boundaries, the final marker, and
// every way a stored file can be spoiled. The vector is the one the .NET SDK's SecretFileCryptoTests checks.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FILE_CHUNK,
  FILE_PREFIX_BYTES,
  FILE_TAG_BYTES,
  SecretFileError,
  decryptFile,
  decryptFileBlob,
  encryptFile,
  encryptedFileSize,
  newFileKey,
} from '../src/protocol/secretFile';
import { ready, sodium } from '../src/protocol/sodium';

const SEALED = FILE_CHUNK + FILE_TAG_BYTES;
/** SHA-256 of the ciphertext of 70,000 bytes i % 251 under key 0…31 and prefix 0…15 (Messenger.Tests SecretFileCryptoTests). */
const VECTOR_SHA256 = 'ca9e553b5fa757d359f715dcfd79e8a468a7201f73941bdbfc302959a601d4e0';

beforeAll(ready);

const bytesOf = async (blob: Blob): Promise<Uint8Array> => new Uint8Array(await blob.arrayBuffer());

describe('secret file encryption', () => {
  it.each([0, 1, FILE_CHUNK - 1, FILE_CHUNK, FILE_CHUNK + 1, 3 * FILE_CHUNK + 12_345])('gives a %i-byte file back', async (size) => {
    const plain = sodium.randombytes_buf(size);
    const key = newFileKey();
    const cipher = await bytesOf(await encryptFile(new Blob([plain as BlobPart]), key));
    expect(cipher.length).toBe(encryptedFileSize(size));
    expect(decryptFile(cipher, key)).toEqual(plain);
  });

  it('reproduces the shared vector, chunks and final tag included', async () => {
    const plain = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const prefix = Uint8Array.from({ length: 16 }, (_, i) => i);
    const cipher = await bytesOf(await encryptFile(new Blob([plain as BlobPart]), key, prefix));
    expect(cipher.length).toBe(FILE_PREFIX_BYTES + 70_000 + 2 * FILE_TAG_BYTES);
    expect(createHash('sha256').update(cipher).digest('hex')).toBe(VECTOR_SHA256);
    // The last chunk is sealed as the last (ad [1]), the first as not (ad [0]).
    const nonce1 = new Uint8Array(24);
    nonce1.set(prefix);
    nonce1[16] = 1;
    expect(() => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, cipher.subarray(FILE_PREFIX_BYTES + SEALED), new Uint8Array([0]), nonce1, key)).toThrow();
    expect(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, cipher.subarray(FILE_PREFIX_BYTES + SEALED), new Uint8Array([1]), nonce1, key)).toEqual(
      plain.subarray(FILE_CHUNK),
    );
  });

  it('refuses a file altered, cut, extended, reordered or under another key', async () => {
    const plain = sodium.randombytes_buf(3 * FILE_CHUNK + 100);
    const key = newFileKey();
    const cipher = await bytesOf(await encryptFile(new Blob([plain as BlobPart]), key));
    const flipped = cipher.slice();
    flipped[FILE_PREFIX_BYTES + FILE_CHUNK + 7]! ^= 1;
    const reordered = cipher.slice();
    reordered.set(cipher.subarray(FILE_PREFIX_BYTES, FILE_PREFIX_BYTES + SEALED), FILE_PREFIX_BYTES + SEALED);
    reordered.set(cipher.subarray(FILE_PREFIX_BYTES + SEALED, FILE_PREFIX_BYTES + 2 * SEALED), FILE_PREFIX_BYTES);
    const spoiled = [
      flipped,
      cipher.subarray(0, FILE_PREFIX_BYTES + 3 * SEALED), // the last chunk dropped: the one before is not marked last
      cipher.subarray(0, cipher.length - 10),
      new Uint8Array([...cipher, 0]),
      reordered,
      cipher.subarray(0, 20),
    ];
    for (const bad of spoiled) expect(() => decryptFile(bad, key)).toThrow(SecretFileError);
    expect(() => decryptFile(cipher, newFileKey())).toThrow(SecretFileError);
  });

  it('decrypts a ciphertext Blob chunk by chunk to the same bytes, and refuses every spoiled copy as the whole-buffer reader does', async () => {
    for (const size of [0, FILE_CHUNK, 3 * FILE_CHUNK + 12_345]) {
      const plain = sodium.randombytes_buf(size);
      const key = newFileKey();
      const cipher = await encryptFile(new Blob([plain as BlobPart]), key);
      const opened = await decryptFileBlob(cipher, key, 'image/png');
      expect(opened.type).toBe('image/png');
      expect(await bytesOf(opened)).toEqual(plain);
    }
    const plain = sodium.randombytes_buf(2 * FILE_CHUNK + 100);
    const key = newFileKey();
    const cipher = await bytesOf(await encryptFile(new Blob([plain as BlobPart]), key));
    const flipped = cipher.slice();
    flipped[FILE_PREFIX_BYTES + SEALED + 3]! ^= 1;
    for (const bad of [flipped, cipher.subarray(0, FILE_PREFIX_BYTES + 2 * SEALED), new Uint8Array([...cipher, 0]), cipher.subarray(0, 20)]) {
      await expect(decryptFileBlob(new Blob([bad as BlobPart]), key, '')).rejects.toThrow(SecretFileError);
    }
    const gone = new AbortController();
    gone.abort();
    await expect(decryptFileBlob(new Blob([cipher as BlobPart]), key, '', gone.signal)).rejects.toThrow();
  });
});
