// Noise_*_25519_ChaChaPoly_BLAKE2b over libsodium, mirroring Modules/Messenger.Contracts/Noise.
// Call `await ready()` (sodium.ts) before using anything here.
import { concat, isAllZero } from './bytes';
import { sodium } from './sodium';

export class NoiseError extends Error {}

export const DH_LENGTH = 32;
export const HASH_LENGTH = 64;
export const TAG_LENGTH = 16;
export const MAX_MESSAGE_LENGTH = 65535;
export const MAX_PLAINTEXT_LENGTH = MAX_MESSAGE_LENGTH - TAG_LENGTH;
const BLOCK_LENGTH = 128;

export interface KeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = sodium.crypto_box_keypair();
  return { publicKey, privateKey };
}

export function keyPairFromPrivate(privateKey: Uint8Array): KeyPair {
  return { privateKey, publicKey: sodium.crypto_scalarmult_base(privateKey) };
}

export function hash(...data: Uint8Array[]): Uint8Array {
  return sodium.crypto_generichash(HASH_LENGTH, concat(...data), null);
}

/** HMAC (RFC 2104) over BLAKE2b-512 with its 128-byte block; libsodium's keyed BLAKE2b is a different function. */
export function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const block = new Uint8Array(BLOCK_LENGTH);
  block.set(key.length > BLOCK_LENGTH ? hash(key) : key);
  const inner = block.map((b) => b ^ 0x36);
  const outer = block.map((b) => b ^ 0x5c);
  return hash(outer, hash(inner, data));
}

export function hkdf(chainingKey: Uint8Array, inputKeyMaterial: Uint8Array): [Uint8Array, Uint8Array] {
  const temporaryKey = hmac(chainingKey, inputKeyMaterial);
  const first = hmac(temporaryKey, Uint8Array.of(1));
  const second = hmac(temporaryKey, concat(first, Uint8Array.of(2)));
  return [first, second];
}

export function dh(local: KeyPair, remotePublicKey: Uint8Array): Uint8Array {
  if (remotePublicKey.length !== DH_LENGTH) throw new NoiseError('bad public key length');
  let shared: Uint8Array;
  try {
    shared = sodium.crypto_scalarmult(local.privateKey, remotePublicKey);
  } catch {
    // libsodium refuses some low-order points itself; the result is the same refusal.
    throw new NoiseError('low-order public key (all-zero DH result)');
  }
  // A low-order point gives an all-zero secret that an attacker knows: refuse it.
  if (isAllZero(shared)) throw new NoiseError('low-order public key (all-zero DH result)');
  return shared;
}

/** ChaChaPoly nonce: 4 zero bytes, then the 64-bit counter little-endian (Noise spec §12.3). */
function nonceBytes(counter: bigint): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(4, counter, true);
  return nonce;
}

const MAX_NONCE = 0xffff_ffff_ffff_ffffn;

/** A key and a 64-bit nonce counter (spec §5.1). One writer per direction: the nonce is a counter. */
export class CipherState {
  private key: Uint8Array | null;
  private nonce = 0n;

  constructor(key: Uint8Array | null = null) {
    this.key = key;
  }

  get hasKey(): boolean {
    return this.key !== null;
  }

  initializeKey(key: Uint8Array): void {
    this.key = key;
    this.nonce = 0n;
  }

  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (!this.key) return plaintext.slice();
    if (plaintext.length > MAX_PLAINTEXT_LENGTH) throw new NoiseError('plaintext too long');
    const ciphertext = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, ad, null, nonceBytes(this.nextNonce()), this.key);
    this.nonce++;
    return ciphertext;
  }

  /** A failed decryption does not advance the nonce (and the connection is dropped anyway). */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (!this.key) return ciphertext.slice();
    if (ciphertext.length < TAG_LENGTH || ciphertext.length > MAX_MESSAGE_LENGTH) throw new NoiseError('bad ciphertext length');
    let plaintext: Uint8Array;
    try {
      plaintext = sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonceBytes(this.nextNonce()), this.key);
    } catch {
      throw new NoiseError('decryption failed');
    }
    this.nonce++;
    return plaintext;
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    return this.encryptWithAd(new Uint8Array(0), plaintext);
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    return this.decryptWithAd(new Uint8Array(0), ciphertext);
  }

  private nextNonce(): bigint {
    // 2^64-1 is reserved by the spec.
    if (this.nonce === MAX_NONCE) throw new NoiseError('nonce exhausted');
    return this.nonce;
  }
}

type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss';

export interface HandshakePattern {
  name: string;
  initiatorPreMessage: Token[];
  responderPreMessage: Token[];
  messages: Token[][];
}

export const Patterns: Record<string, HandshakePattern> = {
  NN: { name: 'NN', initiatorPreMessage: [], responderPreMessage: [], messages: [['e'], ['e', 'ee']] },
  NK: { name: 'NK', initiatorPreMessage: [], responderPreMessage: ['s'], messages: [['e', 'es'], ['e', 'ee']] },
  NX: { name: 'NX', initiatorPreMessage: [], responderPreMessage: [], messages: [['e'], ['e', 'ee', 's', 'es']] },
  KK: { name: 'KK', initiatorPreMessage: ['s'], responderPreMessage: ['s'], messages: [['e', 'es', 'ss'], ['e', 'ee', 'se']] },
  XK: { name: 'XK', initiatorPreMessage: [], responderPreMessage: ['s'], messages: [['e', 'es'], ['e', 'ee'], ['s', 'se']] },
  XX: { name: 'XX', initiatorPreMessage: [], responderPreMessage: [], messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']] },
  IK: { name: 'IK', initiatorPreMessage: [], responderPreMessage: ['s'], messages: [['e', 'es', 's', 'ss'], ['e', 'ee', 'se']] },
  IX: { name: 'IX', initiatorPreMessage: [], responderPreMessage: [], messages: [['e', 's'], ['e', 'ee', 'se', 's', 'es']] },
};

export interface HandshakeOptions {
  pattern: HandshakePattern;
  initiator: boolean;
  prologue: Uint8Array;
  localStatic?: KeyPair;
  remoteStatic?: Uint8Array;
  /** Fixed ephemeral key (test vectors); generated when absent. */
  localEphemeral?: KeyPair;
}

/** HandshakeState with its SymmetricState (spec §5.2–5.3); psk-free patterns only. */
export class HandshakeState {
  private readonly pattern: HandshakePattern;
  private readonly initiator: boolean;
  private readonly s: KeyPair | undefined;
  private e: KeyPair | undefined;
  private rs: Uint8Array | undefined;
  private re: Uint8Array | undefined;
  private messageIndex = 0;
  private ck: Uint8Array;
  private h: Uint8Array;
  private readonly cipher = new CipherState();

  constructor(options: HandshakeOptions) {
    this.pattern = options.pattern;
    this.initiator = options.initiator;
    this.s = options.localStatic;
    this.rs = options.remoteStatic;
    this.e = options.localEphemeral;
    const name = new TextEncoder().encode(`Noise_${this.pattern.name}_25519_ChaChaPoly_BLAKE2b`);
    this.h = name.length <= HASH_LENGTH ? concat(name, new Uint8Array(HASH_LENGTH - name.length)) : hash(name);
    this.ck = this.h;
    this.mixHash(options.prologue);
    for (const token of this.pattern.initiatorPreMessage) this.mixPreMessageKey(token, true);
    for (const token of this.pattern.responderPreMessage) this.mixPreMessageKey(token, false);
  }

  get isComplete(): boolean {
    return this.messageIndex >= this.pattern.messages.length;
  }

  get handshakeHash(): Uint8Array {
    return this.h;
  }

  get remoteStaticPublicKey(): Uint8Array | undefined {
    return this.rs;
  }

  private get isMyTurn(): boolean {
    return (this.messageIndex % 2 === 0) === this.initiator;
  }

  writeMessage(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
    if (this.isComplete || !this.isMyTurn) throw new NoiseError("not this side's turn to write a handshake message");
    const parts: Uint8Array[] = [];
    for (const token of this.pattern.messages[this.messageIndex]!) {
      if (token === 'e') {
        this.e ??= generateKeyPair();
        parts.push(this.e.publicKey);
        this.mixHash(this.e.publicKey);
      } else if (token === 's') {
        parts.push(this.encryptAndHash(this.requireStatic().publicKey));
      } else {
        this.mixDh(token);
      }
    }
    parts.push(this.encryptAndHash(payload));
    this.messageIndex++;
    const message = concat(...parts);
    if (message.length > MAX_MESSAGE_LENGTH) throw new NoiseError('handshake message too long');
    return message;
  }

  readMessage(message: Uint8Array): Uint8Array {
    if (this.isComplete || this.isMyTurn) throw new NoiseError("not this side's turn to read a handshake message");
    if (message.length > MAX_MESSAGE_LENGTH) throw new NoiseError('handshake message too long');
    let rest = message;
    const take = (length: number): Uint8Array => {
      if (rest.length < length) throw new NoiseError('handshake message too short');
      const taken = rest.slice(0, length);
      rest = rest.subarray(length);
      return taken;
    };
    for (const token of this.pattern.messages[this.messageIndex]!) {
      if (token === 'e') {
        this.re = take(DH_LENGTH);
        this.mixHash(this.re);
      } else if (token === 's') {
        this.rs = this.decryptAndHash(take(DH_LENGTH + (this.cipher.hasKey ? TAG_LENGTH : 0)));
      } else {
        this.mixDh(token);
      }
    }
    const payload = this.decryptAndHash(rest);
    this.messageIndex++;
    return payload;
  }

  /** The transport ciphers: [send, receive] for this side. */
  split(): [CipherState, CipherState] {
    if (!this.isComplete) throw new NoiseError('handshake not complete');
    const [first, second] = hkdf(this.ck, new Uint8Array(0));
    const initiatorToResponder = new CipherState(first.slice(0, 32));
    const responderToInitiator = new CipherState(second.slice(0, 32));
    return this.initiator ? [initiatorToResponder, responderToInitiator] : [responderToInitiator, initiatorToResponder];
  }

  private mixPreMessageKey(token: Token, initiatorKey: boolean): void {
    if (token !== 's') throw new NoiseError('only static keys are used in pre-messages here');
    const key = initiatorKey === this.initiator ? this.requireStatic().publicKey : this.rs;
    if (!key) throw new NoiseError('the remote static key must be known in advance');
    this.mixHash(key);
  }

  private mixDh(token: Token): void {
    // The first letter names the initiator's key, the second the responder's (spec §7.1).
    const [initiatorKey, responderKey] = [token[0], token[1]];
    const [localToken, remoteToken] = this.initiator ? [initiatorKey, responderKey] : [responderKey, initiatorKey];
    const local = localToken === 'e' ? this.e : this.requireStatic();
    const remote = remoteToken === 'e' ? this.re : this.rs;
    if (!local) throw new NoiseError('no local ephemeral key');
    if (!remote) throw new NoiseError(`no remote ${remoteToken === 'e' ? 'ephemeral' : 'static'} key`);
    this.mixKey(dh(local, remote));
  }

  private requireStatic(): KeyPair {
    if (!this.s) throw new NoiseError('this pattern needs a local static key');
    return this.s;
  }

  private mixHash(data: Uint8Array): void {
    this.h = hash(this.h, data);
  }

  private mixKey(inputKeyMaterial: Uint8Array): void {
    const [ck, key] = hkdf(this.ck, inputKeyMaterial);
    this.ck = ck;
    // HASHLEN is 64: the cipher key is the first 32 bytes (spec §5.2).
    this.cipher.initializeKey(key.slice(0, 32));
  }

  private encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.cipher.encryptWithAd(this.h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  private decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.cipher.decryptWithAd(this.h, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }
}
