// A transport frame is one or more Noise transport messages, each prefixed with its length (2 bytes big-endian,
// the Noise spec's framing); larger plaintexts are cut into chunks (FrameCodec.cs).
import { CipherState, MAX_PLAINTEXT_LENGTH, NoiseError, TAG_LENGTH } from './noise';

export function sealFrame(cipher: CipherState, plaintext: Uint8Array): Uint8Array {
  const chunks = Math.max(1, Math.ceil(plaintext.length / MAX_PLAINTEXT_LENGTH));
  const frame = new Uint8Array(plaintext.length + chunks * (2 + TAG_LENGTH));
  let offset = 0;
  let rest = plaintext;
  do {
    const chunk = rest.subarray(0, Math.min(MAX_PLAINTEXT_LENGTH, rest.length));
    rest = rest.subarray(chunk.length);
    const sealed = cipher.encrypt(chunk);
    frame[offset] = sealed.length >> 8;
    frame[offset + 1] = sealed.length & 0xff;
    frame.set(sealed, offset + 2);
    offset += 2 + sealed.length;
  } while (rest.length > 0);
  return frame;
}

/** Decrypts a whole frame; throws NoiseError when it is truncated or tampered with. */
export function openFrame(cipher: CipherState, frame: Uint8Array): Uint8Array {
  if (frame.length === 0) throw new NoiseError('empty frame');
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let offset = 0; offset < frame.length; ) {
    if (frame.length - offset < 2) throw new NoiseError('truncated frame: no chunk length');
    const length = (frame[offset]! << 8) | frame[offset + 1]!;
    if (length < TAG_LENGTH || frame.length < offset + 2 + length) throw new NoiseError('truncated frame: chunk shorter than its length');
    const part = cipher.decrypt(frame.subarray(offset + 2, offset + 2 + length));
    parts.push(part);
    total += part.length;
    offset += 2 + length;
  }
  if (parts.length === 1) return parts[0]!;
  const plaintext = new Uint8Array(total);
  let written = 0;
  for (const part of parts) {
    plaintext.set(part, written);
    written += part.length;
  }
  return plaintext;
}
