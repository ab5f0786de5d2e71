import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/protocol/bytes';
import {
  WeakKeyError,
  decryptBody,
  deriveKeys,
  directionKeys,
  encodeBody,
  encryptBody,
  isWeakPublicKey,
  newSecretKeyPair,
  MAX_SECRET_TTL,
  openPlaintext,
  parseBody,
  publicKeyOf,
  sealPlaintext,
} from '../src/protocol/secret';
import { ready } from '../src/protocol/sodium';
import { encode } from '@msgpack/msgpack';
import vectors from './secret-vectors.json';

beforeAll(() => ready());

interface VectorMessage {
  from: 'admin' | 'participant';
  random_id: number;
  nonce: string;
  plaintext: string;
  body: { text?: string; date: number; ttl?: number; reply_to?: number; delete?: number[] };
  data: string;
}

describe('secret chat vectors', () => {
  for (const [index, c] of vectors.cases.entries()) {
    describe(`case ${index} (chat ${c.chat_id})`, () => {
      it('derives the same public keys, direction keys, fingerprint and verification code on both sides', () => {
        const a = fromHex(c.a_secret);
        const b = fromHex(c.b_secret);
        expect(toHex(publicKeyOf(a))).toBe(c.g_a);
        expect(toHex(publicKeyOf(b))).toBe(c.g_b);
        const admin = deriveKeys(a, fromHex(c.g_a), fromHex(c.g_b), true);
        const participant = deriveKeys(b, fromHex(c.g_a), fromHex(c.g_b), false);
        for (const keys of [admin, participant]) {
          expect(toHex(keys.adminToParticipant)).toBe(c.key_admin_to_participant);
          expect(toHex(keys.participantToAdmin)).toBe(c.key_participant_to_admin);
          expect(keys.fingerprint).toBe(c.key_fingerprint);
          expect(keys.verification).toBe(c.verification);
        }
        expect(c.verification).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
      });

      for (const m of c.messages as VectorMessage[]) {
        it(`encrypts and decrypts the ${m.from}'s message ${m.random_id} byte for byte`, () => {
          const keys = deriveKeys(fromHex(c.a_secret), fromHex(c.g_a), fromHex(c.g_b), true);
          const key = m.from === 'admin' ? keys.adminToParticipant : keys.participantToAdmin;
          expect(toHex(encodeBody(m.body))).toBe(m.plaintext);
          expect(toHex(sealPlaintext(key, c.chat_id, m.random_id, fromHex(m.plaintext), fromHex(m.nonce)))).toBe(m.data);

          // The receiving side decrypts with its receive key.
          const receiver = deriveKeys(fromHex(m.from === 'admin' ? c.b_secret : c.a_secret), fromHex(c.g_a), fromHex(c.g_b), m.from !== 'admin');
          const { receive } = directionKeys(receiver, m.from !== 'admin');
          expect(toHex(openPlaintext(receive, c.chat_id, m.random_id, fromHex(m.data))!)).toBe(m.plaintext);
          const body = decryptBody(receive, c.chat_id, m.random_id, fromHex(m.data));
          const expected: Record<string, unknown> = { ...m.body };
          if (!expected.ttl) delete expected.ttl;
          expect(body).toEqual(expected);
        });
      }

      it('refuses a message under another chat id, another random_id, the wrong key or with a flipped byte', () => {
        const m = c.messages[0] as VectorMessage;
        const keys = deriveKeys(fromHex(c.a_secret), fromHex(c.g_a), fromHex(c.g_b), true);
        const data = fromHex(m.data);
        expect(decryptBody(keys.participantToAdmin, c.chat_id, m.random_id, data)).toBe('undecryptable');
        expect(decryptBody(keys.adminToParticipant, c.chat_id + 1, m.random_id, data)).toBe('undecryptable');
        expect(decryptBody(keys.adminToParticipant, c.chat_id, m.random_id + 1, data)).toBe('undecryptable');
        const flipped = data.slice();
        flipped[30] ^= 1;
        expect(decryptBody(keys.adminToParticipant, c.chat_id, m.random_id, flipped)).toBe('undecryptable');
        expect(decryptBody(keys.adminToParticipant, c.chat_id, m.random_id, data.slice(0, 40))).toBe('undecryptable');
      });
    });
  }
});

describe('low-order points', () => {
  for (const point of vectors.low_order_points) {
    it(`refuses ${point.slice(0, 16)}… as the peer's key`, () => {
      const own = newSecretKeyPair();
      expect(isWeakPublicKey(fromHex(point))).toBe(true);
      expect(() => deriveKeys(own.secretKey, own.publicKey, fromHex(point), true)).toThrow(WeakKeyError);
      expect(() => deriveKeys(own.secretKey, fromHex(point), own.publicKey, false)).toThrow(WeakKeyError);
    });
  }

  it('refuses a key that is not 32 bytes and takes a fresh one', () => {
    expect(isWeakPublicKey(new Uint8Array(31).fill(9))).toBe(true);
    expect(isWeakPublicKey(newSecretKeyPair().publicKey)).toBe(false);
  });
});

describe('secret message bodies', () => {
  it('round-trips a fresh pair of devices with random nonces', () => {
    const a = newSecretKeyPair();
    const b = newSecretKeyPair();
    const admin = deriveKeys(a.secretKey, a.publicKey, b.publicKey, true);
    const participant = deriveKeys(b.secretKey, a.publicKey, b.publicKey, false);
    expect(admin.verification).toBe(participant.verification);
    const data = encryptBody(directionKeys(admin, true).send, 99, 5, { text: 'hi', date: 1, ttl: 5 });
    const again = encryptBody(directionKeys(admin, true).send, 99, 5, { text: 'hi', date: 1, ttl: 5 });
    expect(toHex(data)).not.toBe(toHex(again));
    expect(decryptBody(directionKeys(participant, false).receive, 99, 5, data)).toEqual({ text: 'hi', date: 1, ttl: 5 });
  });

  it('ignores a map with neither text nor delete, keeps unknown keys out and drops unusable fields', () => {
    expect(parseBody(encode({ date: 5, sticker: 'x' }))).toBeNull();
    expect(parseBody(encode([1, 2]))).toBeNull();
    expect(parseBody(new Uint8Array([0xc1]))).toBeNull();
    expect(parseBody(encode({ text: 'a', date: 5, colour: 'red', ttl: -3, reply_to: 'x' }))).toEqual({ text: 'a', date: 5 });
    expect(parseBody(encode({ delete: [1, 'x', 0, 2], date: 5 }))).toEqual({ delete: [1, 2], date: 5 });
    expect(parseBody(encode({ text: '', date: 5 }))).toBeNull();
  });

  it('takes a self-destruct timer beyond a week as a week (a longer one would overflow the browser\'s timers)', () => {
    expect(parseBody(encode({ text: 'a', date: 5, ttl: MAX_SECRET_TTL }))).toEqual({ text: 'a', date: 5, ttl: MAX_SECRET_TTL });
    expect(parseBody(encode({ text: 'a', date: 5, ttl: MAX_SECRET_TTL + 1 }))).toEqual({ text: 'a', date: 5, ttl: MAX_SECRET_TTL });
    expect(parseBody(encode({ text: 'a', date: 5, ttl: 2 ** 53 - 1 }))).toEqual({ text: 'a', date: 5, ttl: MAX_SECRET_TTL });
    expect(MAX_SECRET_TTL).toBe(7 * 86_400);
  });
});
