import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/protocol/bytes';
import {
  WeakKeyError,
  decryptBody,
  deriveKeys,
  deriveRekeyedKeys,
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
  sharedSecret,
  type SecretBody,
} from '../src/protocol/secret';
import { ready } from '../src/protocol/sodium';
import { decode, encode } from '@msgpack/msgpack';
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

interface RekeyVector {
  chat_id: number;
  generation: number;
  initiator: 'admin' | 'participant';
  exchange_id: number;
  previous_keys: string;
  init_secret: string;
  acc_secret: string;
  g_init: string;
  g_acc: string;
  shared: string;
  key_admin_to_participant: string;
  key_participant_to_admin: string;
  key_fingerprint: number;
  bodies: Record<'request' | 'accept' | 'commit' | 'abort', string>;
  messages: VectorMessage[];
}

describe('re-keying vectors', () => {
  const rekeys = vectors.rekey as RekeyVector[];
  const first = vectors.cases[0]!;

  it('chains each generation from the one before, starting at the first case\'s keys', () => {
    expect(rekeys.map((r) => r.generation)).toEqual([1, 2]);
    expect(rekeys[0]!.previous_keys).toBe(first.key_admin_to_participant + first.key_participant_to_admin);
    expect(rekeys[1]!.previous_keys).toBe(rekeys[0]!.key_admin_to_participant + rekeys[0]!.key_participant_to_admin);
    for (const r of rekeys) expect(r.chat_id).toBe(first.chat_id);
  });

  for (const r of rekeys) {
    describe(`generation ${r.generation} (started by the ${r.initiator})`, () => {
      const initSecret = fromHex(r.init_secret);
      const accSecret = fromHex(r.acc_secret);
      const previous = fromHex(r.previous_keys);

      it('derives g_init, g_acc, the shared secret, both direction keys and the fingerprint on both sides', () => {
        expect(toHex(publicKeyOf(initSecret))).toBe(r.g_init);
        expect(toHex(publicKeyOf(accSecret))).toBe(r.g_acc);
        expect(toHex(sharedSecret(initSecret, fromHex(r.g_acc)))).toBe(r.shared);
        expect(toHex(sharedSecret(accSecret, fromHex(r.g_init)))).toBe(r.shared);
        const initiator = deriveRekeyedKeys(initSecret, previous, fromHex(r.g_init), fromHex(r.g_acc), true);
        const accepter = deriveRekeyedKeys(accSecret, previous, fromHex(r.g_init), fromHex(r.g_acc), false);
        for (const keys of [initiator, accepter]) {
          expect(toHex(keys.adminToParticipant)).toBe(r.key_admin_to_participant);
          expect(toHex(keys.participantToAdmin)).toBe(r.key_participant_to_admin);
          expect(keys.fingerprint).toBe(r.key_fingerprint);
        }
      });

      it('reads the four bodies as their actions, and its own encoding of each reads back the same', () => {
        const g = { request: fromHex(r.g_init), accept: fromHex(r.g_acc) };
        const expected: Record<string, SecretBody> = {
          request: { date: 1764900100 + r.generation, rekey: { op: 'request', id: r.exchange_id, g: g.request } },
          accept: { date: 1764900200 + r.generation, rekey: { op: 'accept', id: r.exchange_id, g: g.accept, fp: r.key_fingerprint } },
          commit: { date: 1764900300 + r.generation, rekey: { op: 'commit', id: r.exchange_id, fp: r.key_fingerprint } },
          abort: { date: 1764900400 + r.generation, rekey: { op: 'abort', id: r.exchange_id } },
        };
        for (const [op, hex] of Object.entries(r.bodies)) {
          const body = parseBody(fromHex(hex));
          expect(body, op).toEqual(expected[op]);
          // Integer widths may differ from the vector's: the decoded values must not.
          expect(parseBody(encodeBody(body!)), op).toEqual(expected[op]);
          expect(decode(encodeBody(body!)), op).toEqual(decode(fromHex(hex)));
        }
      });

      for (const m of r.messages) {
        it(`opens the ${m.from}'s message ${m.random_id} under this generation, and no other`, () => {
          const keys = deriveRekeyedKeys(accSecret, previous, fromHex(r.g_init), fromHex(r.g_acc), false);
          const key = m.from === 'admin' ? keys.adminToParticipant : keys.participantToAdmin;
          expect(toHex(encodeBody(m.body))).toBe(m.plaintext);
          expect(toHex(sealPlaintext(key, r.chat_id, m.random_id, fromHex(m.plaintext), fromHex(m.nonce)))).toBe(m.data);
          expect(decryptBody(key, r.chat_id, m.random_id, fromHex(m.data))).toEqual(m.body);
          // The generation before does not open it, nor the other direction.
          const before = m.from === 'admin' ? previous.slice(0, 32) : previous.slice(32, 64);
          expect(decryptBody(before, r.chat_id, m.random_id, fromHex(m.data))).toBe('undecryptable');
          expect(decryptBody(m.from === 'admin' ? keys.participantToAdmin : keys.adminToParticipant, r.chat_id, m.random_id, fromHex(m.data))).toBe('undecryptable');
        });
      }
    });
  }

  it('refuses every low-order point as the other side\'s new key, whichever side it is', () => {
    const r = rekeys[0]!;
    const previous = fromHex(r.previous_keys);
    for (const point of vectors.low_order_points) {
      expect(() => deriveRekeyedKeys(fromHex(r.init_secret), previous, fromHex(r.g_init), fromHex(point), true)).toThrow(WeakKeyError);
      expect(() => deriveRekeyedKeys(fromHex(r.acc_secret), previous, fromHex(point), fromHex(r.g_acc), false)).toThrow(WeakKeyError);
    }
    expect(() => deriveRekeyedKeys(fromHex(r.acc_secret), previous.slice(0, 32), fromHex(r.g_init), fromHex(r.g_acc), false)).toThrow(WeakKeyError);
  });

  it('ignores a malformed rekey: an unknown op, no id or 0, g not 32 bytes, fp missing, not a map', () => {
    const g = new Uint8Array(32).fill(9);
    const bad: unknown[] = [
      { op: 'rotate', id: 5 },
      { op: 'request', g },
      { op: 'request', id: 0, g },
      { op: 'request', id: 2 ** 53, g },
      { op: 'request', id: 'x', g },
      { op: 'request', id: 5, g: g.slice(1) },
      { op: 'request', id: 5 },
      { op: 'accept', id: 5, g },
      { op: 'accept', id: 5, fp: 3 },
      { op: 'accept', id: 5, g, fp: -1 },
      { op: 'commit', id: 5 },
      { op: 'commit', id: 5, fp: 'x' },
      { op: 'abort' },
      'abort',
      [1, 2],
      null,
    ];
    for (const rekey of bad) expect(parseBody(encode({ rekey, date: 1 })), JSON.stringify(rekey)).toBeNull();
    // A key change is that alone: a text beside it is not shown.
    expect(parseBody(encode({ rekey: { op: 'abort', id: 5 }, text: 'hi', date: 1 }))).toEqual({ date: 1, rekey: { op: 'abort', id: 5 } });
    expect(parseBody(encode({ rekey: { op: 'abort', id: -5 }, date: 1 }))).toEqual({ date: 1, rekey: { op: 'abort', id: -5 } });
  });
});
