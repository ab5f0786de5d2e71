import { beforeAll, describe, expect, it } from 'vitest';
import { openFrame, sealFrame } from '../src/protocol/frame';
import { CipherState, MAX_PLAINTEXT_LENGTH, NoiseError } from '../src/protocol/noise';
import { ready } from '../src/protocol/sodium';

beforeAll(() => ready());

const pair = () => {
  const key = crypto.getRandomValues(new Uint8Array(32));
  return [new CipherState(key), new CipherState(key)] as const;
};

describe('frame chunking', () => {
  it('puts a small plaintext in one length-prefixed Noise message', () => {
    const [send, receive] = pair();
    const frame = sealFrame(send, Uint8Array.of(1, 2, 3));
    expect(frame.length).toBe(2 + 3 + 16);
    expect((frame[0]! << 8) | frame[1]!).toBe(19);
    expect(Array.from(openFrame(receive, frame))).toEqual([1, 2, 3]);
  });

  it('cuts a plaintext larger than a Noise message into chunks of at most 65535 bytes', () => {
    const [send, receive] = pair();
    const plaintext = crypto.getRandomValues(new Uint8Array(60_000)).slice();
    const big = new Uint8Array(MAX_PLAINTEXT_LENGTH * 2 + 10);
    for (let i = 0; i < big.length; i += plaintext.length) big.set(plaintext.subarray(0, Math.min(plaintext.length, big.length - i)), i);
    const frame = sealFrame(send, big);
    expect(frame.length).toBe(big.length + 3 * 18);
    expect((frame[0]! << 8) | frame[1]!).toBe(65535);
    expect(Buffer.from(openFrame(receive, frame)).equals(Buffer.from(big))).toBe(true);
  });

  it('refuses a truncated or tampered frame', () => {
    const [send, receive] = pair();
    const frame = sealFrame(send, Uint8Array.of(1, 2, 3));
    expect(() => openFrame(receive, frame.subarray(0, frame.length - 1))).toThrow(NoiseError);
    expect(() => openFrame(receive, new Uint8Array(0))).toThrow(NoiseError);
    const tampered = frame.slice();
    tampered[5]! ^= 0x40;
    expect(() => openFrame(receive, tampered)).toThrow(NoiseError);
  });
});
