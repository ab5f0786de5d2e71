import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/protocol/bytes';
import { ready } from '../src/protocol/sodium';
import { CipherState, HandshakeState, NoiseError, Patterns, dh, generateKeyPair, hmac, keyPairFromPrivate } from '../src/protocol/noise';

interface Vector {
  protocol_name: string;
  init_prologue: string;
  init_static?: string;
  init_ephemeral: string;
  init_remote_static?: string;
  resp_prologue: string;
  resp_static?: string;
  resp_ephemeral?: string;
  resp_remote_static?: string;
  handshake_hash?: string;
  messages: { payload: string; ciphertext: string }[];
}

// The repository's shared vectors (official cacophony format), relative to Clients/web/test.
const vectorsPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/vectors/noise-25519-chachapoly-blake2b.json');
const vectors = (JSON.parse(readFileSync(vectorsPath, 'utf8')) as { vectors: Vector[] }).vectors;
const patternOf = (v: Vector) => v.protocol_name.split('_')[1]!;
const keyOf = (hex?: string) => (hex ? keyPairFromPrivate(fromHex(hex)) : undefined);

beforeAll(() => ready());

describe('Noise vectors', () => {
  it('include IK and XX', () => {
    expect(vectors.map(patternOf)).toEqual(expect.arrayContaining(['IK', 'XX']));
  });

  for (const vector of vectors) {
    it(`${vector.protocol_name}: both roles reproduce every message and the handshake hash`, () => {
      const pattern = Patterns[patternOf(vector)]!;
      const initiator = new HandshakeState({
        pattern,
        initiator: true,
        prologue: fromHex(vector.init_prologue),
        localStatic: keyOf(vector.init_static),
        localEphemeral: keyOf(vector.init_ephemeral),
        remoteStatic: vector.init_remote_static ? fromHex(vector.init_remote_static) : undefined,
      });
      const responder = new HandshakeState({
        pattern,
        initiator: false,
        prologue: fromHex(vector.resp_prologue),
        localStatic: keyOf(vector.resp_static),
        localEphemeral: keyOf(vector.resp_ephemeral),
        remoteStatic: vector.resp_remote_static ? fromHex(vector.resp_remote_static) : undefined,
      });
      let initiatorCiphers: [CipherState, CipherState] | undefined;
      let responderCiphers: [CipherState, CipherState] | undefined;
      vector.messages.forEach((message, index) => {
        const initiatorSends = index % 2 === 0;
        const payload = fromHex(message.payload);
        let ciphertext: Uint8Array;
        let received: Uint8Array;
        if (index < pattern.messages.length) {
          const [writer, reader] = initiatorSends ? [initiator, responder] : [responder, initiator];
          ciphertext = writer.writeMessage(payload);
          received = reader.readMessage(ciphertext);
          if (index === pattern.messages.length - 1) {
            initiatorCiphers = initiator.split();
            responderCiphers = responder.split();
            if (vector.handshake_hash) {
              expect(toHex(initiator.handshakeHash)).toBe(vector.handshake_hash);
              expect(toHex(responder.handshakeHash)).toBe(vector.handshake_hash);
            }
          }
        } else {
          const [send, receive] = initiatorSends ? [initiatorCiphers![0], responderCiphers![1]] : [responderCiphers![0], initiatorCiphers![1]];
          ciphertext = send.encrypt(payload);
          received = receive.decrypt(ciphertext);
        }
        expect(toHex(ciphertext), `message ${index}`).toBe(message.ciphertext);
        expect(toHex(received)).toBe(message.payload);
      });
    });
  }
});

describe('Noise safety', () => {
  it('refuses an all-zero DH result (low-order public key)', () => {
    const local = generateKeyPair();
    expect(() => dh(local, new Uint8Array(32))).toThrow(NoiseError);
    // Order-8 point of Curve25519 (a standard low-order key), not all zeros itself.
    const lowOrder = fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800');
    expect(() => dh(local, lowOrder)).toThrow(NoiseError);
  });

  it('an IK responder refuses an initiator whose ephemeral key is low-order', () => {
    const server = generateKeyPair();
    const client = new HandshakeState({ pattern: Patterns.IK!, initiator: true, prologue: new Uint8Array(0), localStatic: generateKeyPair(), remoteStatic: server.publicKey });
    const message = client.writeMessage();
    message.fill(0, 0, 32);
    const responder = new HandshakeState({ pattern: Patterns.IK!, initiator: false, prologue: new Uint8Array(0), localStatic: server });
    expect(() => responder.readMessage(message)).toThrow(NoiseError);
  });

  it('a wrong pinned server key fails the IK handshake', () => {
    const server = generateKeyPair();
    const client = new HandshakeState({ pattern: Patterns.IK!, initiator: true, prologue: new Uint8Array(0), localStatic: generateKeyPair(), remoteStatic: generateKeyPair().publicKey });
    const responder = new HandshakeState({ pattern: Patterns.IK!, initiator: false, prologue: new Uint8Array(0), localStatic: server });
    expect(() => responder.readMessage(client.writeMessage())).toThrow(NoiseError);
  });

  it('a tampered transport message fails and does not advance the nonce', () => {
    const key = new Uint8Array(32).fill(7);
    const send = new CipherState(key);
    const receive = new CipherState(key);
    const good = send.encrypt(Uint8Array.of(1, 2, 3));
    const bad = good.slice();
    bad[0]! ^= 1;
    expect(() => receive.decrypt(bad)).toThrow(NoiseError);
    expect(Array.from(receive.decrypt(good))).toEqual([1, 2, 3]);
  });

  it('HMAC-BLAKE2b is RFC 2104 HMAC over BLAKE2b-512 with a 128-byte block (not keyed BLAKE2b)', () => {
    // Reference values from Python's hmac.new(key, data, hashlib.blake2b).
    const text = new TextEncoder();
    expect(toHex(hmac(text.encode('key'), text.encode('The quick brown fox jumps over the lazy dog')))).toBe(
      '92294f92c0dfb9b00ec9ae8bd94d7e7d8a036b885a499f149dfe2fd2199394aaaf6b8894a1730cccb2cd050f9bcf5062a38b51b0dab33207f8ef35ae2c9df51b',
    );
    expect(toHex(hmac(new Uint8Array(200).fill(3), Uint8Array.of(9)))).toBe(
      'd04ae0d54d787dcb68815f2e1e6e0b8a326cb31340f5677f870e5cc185b96cd926705d9d5fc0d3bb9b6ceea2383e66f210e965f40b72f48be18c9c7600f89e42',
    );
  });
});

