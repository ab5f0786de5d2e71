// Secret chats' cryptography (docs/secret-chats.md; vectors in test/secret-vectors.json, reproduced by the .NET SDK
// too). Each side makes an X25519 key pair for the chat; the admin (initiator) sends g_a, the participant answers g_b.
//   keys = BLAKE2b-512("messenger-secret/1" || X25519(own, peer) || g_a || g_b)
//   keys[0..32] encrypts what the admin sends, keys[32..64] what the participant sends
//   h = BLAKE2b-256(keys): key_fingerprint = h[0..6] little-endian, the verification code = hex of h[0..16]
//   data = nonce(24) || XChaCha20-Poly1305-IETF(key, nonce, plaintext, ad = chat_id LE64 || random_id LE64)
// The server relays `data` and never holds a key.
// Re-keying (forward secrecy): generation n+1 of a chat's keys comes from a fresh X25519 exchange carried inside
// messages (a body's `rekey` action) and the 64 bytes of generation n:
//   keys(n+1) = BLAKE2b-512("messenger-secret-rekey/1" || X25519(own_new, peer_new) || keys(n) || g_init || g_acc)
// with the same directions (keys[0..32] from the chat's admin, whoever started the exchange) and fingerprint.
import { decode, encode } from '@msgpack/msgpack';
import { concat, isAllZero, toHex } from './bytes';
import { sodium } from './sodium';

const LABEL = new TextEncoder().encode('messenger-secret/1');
const REKEY_LABEL = new TextEncoder().encode('messenger-secret-rekey/1');
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** The shortest `data` the server takes: a nonce, the tag and at least one byte. */
export const MIN_DATA_BYTES = NONCE_BYTES + TAG_BYTES + 1;
export const MAX_DATA_BYTES = 65_536;
/** The longest text as shown, as for ordinary messages. */
export const MAX_SECRET_TEXT = 4096;
/** The longest self-destruct timer a received message keeps (a week; the app offers at most a day): a longer one is
 * taken as this, so a peer cannot name a time the browser's timers overflow on. */
export const MAX_SECRET_TTL = 7 * 86_400;

export interface SecretKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** The keys of one chat as seen from one side: what it encrypts with, what it decrypts with. */
export interface SecretKeys {
  /** keys[0..32]: what the admin sends. */
  adminToParticipant: Uint8Array;
  /** keys[32..64]: what the participant sends. */
  participantToAdmin: Uint8Array;
  /** h[0..6] as a little-endian unsigned integer (48 bits). */
  fingerprint: number;
  /** Hex of h[0..16] in 8 groups of 4, the same on both devices. */
  verification: string;
}

/** What a secret message carries once decrypted (a MessagePack map with these string keys). */
export interface SecretBody {
  text?: string;
  /** "Delete for both": the random_ids of messages to delete (no text then). */
  delete?: number[];
  /** The sender's unix seconds. */
  date: number;
  /** Self-destruct seconds after the recipient first displayed it; 0 or absent: none. */
  ttl?: number;
  reply_to?: number;
  /** A file (photo or other): `text` is then its caption, possibly empty. */
  file?: SecretFileBody;
  /** A step of a key change (no text, delete or file then): never shown. */
  rekey?: RekeyAction;
  /** The sender's number for this body (0, 1, 2, … over every body it sends in the chat); absent from a client before
   * sequence numbers (protocol/secretSequence.ts). */
  out_seq?: number;
  /** How many of the other side's bodies the sender had received in order. */
  in_seq?: number;
  /** A resend request (nothing else then): the other side is asked for its bodies numbered start..end (both included)
   * again (protocol/secretResend.ts). Never shown. */
  resend?: { start: number; end: number };
  /** A text or delete sent again at a resend request, under its first number: the random_id its first sending had. */
  resent?: number;
  /** The answer to a resend request for a number whose body its sender no longer holds: the number came, the body is lost. */
  gone?: boolean;
}

/** The `rekey` map of a body: one step of an exchange of new keys, named by the id its initiator chose. */
export type RekeyAction =
  | { op: 'request'; id: number; /** g_init */ g: Uint8Array }
  | { op: 'accept'; id: number; /** g_acc */ g: Uint8Array; /** The new generation's fingerprint. */ fp: number }
  | { op: 'commit'; id: number; fp: number }
  | { op: 'abort'; id: number };

/** A generation after the first: both direction keys (keys[0..32] from the admin) and their fingerprint. */
export interface RekeyedKeys {
  adminToParticipant: Uint8Array;
  participantToAdmin: Uint8Array;
  fingerprint: number;
}

/** What the encrypted body says of its file (protocol/secretFile.ts encrypts the file itself). */
export interface SecretFileBody {
  /** The file's own key (32 bytes). */
  key: Uint8Array;
  name: string;
  mime: string;
  /** Plaintext bytes. */
  size: number;
  width?: number;
  height?: number;
  duration?: number;
  /** A small JPEG (≤ 4 KiB) the sender made, shown before the file is downloaded. */
  thumb?: Uint8Array;
}

/** The longest caption as shown, as for ordinary media. */
export const MAX_SECRET_CAPTION = 1024;
/** The largest thumb carried inside an encrypted body. */
export const MAX_SECRET_THUMB_BYTES = 4096;

/** A peer key that cannot be used: not 32 bytes, or of low order (X25519 with it is all zero whatever the secret). */
export class WeakKeyError extends Error {
  constructor() {
    super('The other device sent an unusable key');
    this.name = 'WeakKeyError';
  }
}

export function newSecretKeyPair(): SecretKeyPair {
  const secretKey = sodium.randombytes_buf(32);
  return { secretKey, publicKey: sodium.crypto_scalarmult_base(secretKey) };
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return sodium.crypto_scalarmult_base(secretKey);
}

/** X25519 of the own secret and the peer's public key; refuses a low-order peer key (libsodium throws on an all-zero
 * result, and the check stays here should a build not). */
export function sharedSecret(ownSecret: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  if (peerPublic.length !== 32 || ownSecret.length !== 32) throw new WeakKeyError();
  let shared: Uint8Array;
  try {
    shared = sodium.crypto_scalarmult(ownSecret, peerPublic);
  } catch {
    throw new WeakKeyError();
  }
  if (isAllZero(shared)) throw new WeakKeyError();
  return shared;
}

/** True for a key no chat may use (wrong length or low order): checked with a fresh random secret. */
export function isWeakPublicKey(publicKey: Uint8Array): boolean {
  try {
    sharedSecret(sodium.randombytes_buf(32), publicKey);
    return false;
  } catch {
    return true;
  }
}

/** Both direction keys, the fingerprint and the verification code; `ownSecret` is the admin's for g_b or the
 * participant's for g_a (the peer key is the other of the two). */
export function deriveKeys(ownSecret: Uint8Array, gA: Uint8Array, gB: Uint8Array, admin: boolean): SecretKeys {
  const shared = sharedSecret(ownSecret, admin ? gB : gA);
  const keys = sodium.crypto_generichash(64, concat(LABEL, shared, gA, gB), null);
  const h = sodium.crypto_generichash(32, keys, null);
  return {
    adminToParticipant: keys.slice(0, 32),
    participantToAdmin: keys.slice(32, 64),
    fingerprint: fingerprintOf(h),
    verification: toHex(h.slice(0, 16)).match(/.{4}/g)!.join(' '),
  };
}

/** h[0..6] as a little-endian unsigned integer (48 bits: exact in a JS number). */
function fingerprintOf(h: Uint8Array): number {
  let fingerprint = 0;
  for (let i = 5; i >= 0; i--) fingerprint = fingerprint * 256 + h[i]!;
  return fingerprint;
}

/**
 * Generation n+1 from generation n's keys (`previous`: admin→participant then participant→admin, 64 bytes) and an
 * exchange: `ownSecret` is this side's new secret, `gInit` the new public key of the side that started the exchange and
 * `gAcc` the accepter's (one of them is this side's). WeakKeyError for a low-order peer key.
 */
export function deriveRekeyedKeys(ownSecret: Uint8Array, previous: Uint8Array, gInit: Uint8Array, gAcc: Uint8Array, initiator: boolean): RekeyedKeys {
  if (previous.length !== 64 || gInit.length !== 32 || gAcc.length !== 32) throw new WeakKeyError();
  const shared = sharedSecret(ownSecret, initiator ? gAcc : gInit);
  const keys = sodium.crypto_generichash(64, concat(REKEY_LABEL, shared, previous, gInit, gAcc), null);
  shared.fill(0);
  const result = {
    adminToParticipant: keys.slice(0, 32),
    participantToAdmin: keys.slice(32, 64),
    fingerprint: fingerprintOf(sodium.crypto_generichash(32, keys, null)),
  };
  keys.fill(0);
  return result;
}

/** The key this side encrypts with and the one it decrypts with. */
export function directionKeys(keys: Pick<SecretKeys, 'adminToParticipant' | 'participantToAdmin'>, admin: boolean): { send: Uint8Array; receive: Uint8Array } {
  return admin
    ? { send: keys.adminToParticipant, receive: keys.participantToAdmin }
    : { send: keys.participantToAdmin, receive: keys.adminToParticipant };
}

function int64Le(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt(value), true);
  return bytes;
}

const associatedData = (chatId: number, randomId: number): Uint8Array => concat(int64Le(chatId), int64Le(randomId));

/** The MessagePack map of a body, its keys in a fixed order (text, delete, date, ttl, reply_to) and only those set; a
 * key change's body is `{rekey: {op, id, g?, fp?}, date}` alone. */
export function encodeBody(body: SecretBody): Uint8Array {
  const map: Record<string, unknown> = {};
  if (body.rekey) {
    const { op, id } = body.rekey;
    const rekey: Record<string, unknown> = { op, id };
    if (body.rekey.op === 'request' || body.rekey.op === 'accept') rekey.g = body.rekey.g;
    if (body.rekey.op === 'accept' || body.rekey.op === 'commit') rekey.fp = body.rekey.fp;
    return encode(withSequence({ rekey, date: body.date }, body));
  }
  if (body.resend) return encode(withSequence({ resend: { start: body.resend.start, end: body.resend.end }, date: body.date }, body));
  if (body.gone) return encode(withSequence({ gone: true, date: body.date }, body));
  if (body.text !== undefined) map.text = body.text;
  if (body.delete !== undefined) map.delete = body.delete;
  map.date = body.date;
  if (body.ttl !== undefined) map.ttl = body.ttl;
  if (body.reply_to !== undefined) map.reply_to = body.reply_to;
  if (body.file !== undefined) {
    const { key, name, mime, size, width, height, duration, thumb } = body.file;
    const file: Record<string, unknown> = { key, name, mime, size };
    if (width !== undefined) file.width = width;
    if (height !== undefined) file.height = height;
    if (duration !== undefined) file.duration = duration;
    if (thumb !== undefined) file.thumb = thumb;
    map.file = file;
  }
  if (body.resent !== undefined) map.resent = body.resent;
  return encode(withSequence(map, body));
}

/** The sequence numbers go last in every kind of body, out_seq first: a body without them is the map it always was. */
function withSequence(map: Record<string, unknown>, body: SecretBody): Record<string, unknown> {
  if (body.out_seq !== undefined) map.out_seq = body.out_seq;
  if (body.in_seq !== undefined) map.in_seq = body.in_seq;
  return map;
}

/** A decrypted plaintext as a body; null when it is no map, or has neither a text nor a delete list (ignored, as
 * the specification says: a newer client's kind of message), or a `rekey` that is malformed. Unknown keys are left
 * out; a body with `rekey` is that action alone. */
export function parseBody(plaintext: Uint8Array): SecretBody | null {
  let raw: unknown;
  try {
    raw = decode(plaintext);
  } catch {
    return null;
  }
  if (!isMap(raw)) return null;
  const map = raw;
  const date = safeInteger(map.date) ?? 0;
  if ('rekey' in map) {
    const rekey = parseRekey(map.rekey);
    return rekey ? withNumbers({ date, rekey }, map) : null;
  }
  if ('resend' in map) {
    const range = isMap(map.resend) ? map.resend : {};
    const start = safeInteger(range.start);
    const end = safeInteger(range.end);
    return start !== undefined && end !== undefined && start >= 0 && start <= end ? withNumbers({ date, resend: { start, end } }, map) : null;
  }
  if (map.gone === true) return withNumbers({ date, gone: true }, map);
  // A re-sent body names the random_id its message had: the same bounds as any random_id.
  const resent = safeInteger(map.resent);
  if ('resent' in map && (resent === undefined || resent < 1)) return null;
  const ttl = safeInteger(map.ttl);
  const replyTo = safeInteger(map.reply_to);
  const body: SecretBody = { date };
  if (ttl !== undefined && ttl > 0) body.ttl = Math.min(ttl, MAX_SECRET_TTL);
  if (replyTo !== undefined && replyTo !== 0) body.reply_to = replyTo;
  const file = parseFile(map.file);
  if (file) {
    body.file = file;
    body.text = typeof map.text === 'string' ? map.text : '';
  } else if (typeof map.text === 'string' && map.text.length > 0) body.text = map.text;
  if (Array.isArray(map.delete)) {
    const ids = map.delete.map(safeInteger).filter((id): id is number => id !== undefined && id !== 0);
    if (ids.length > 0 && body.text === undefined) body.delete = ids;
  }
  if (resent !== undefined) body.resent = resent;
  return body.text !== undefined || body.delete !== undefined ? withNumbers(body, map) : null;
}

/** The body's sequence numbers as read (their check is protocol/secretSequence.ts's readSequence). */
function withNumbers(body: SecretBody, map: Record<string, unknown>): SecretBody {
  const outSeq = safeInteger(map.out_seq);
  const inSeq = safeInteger(map.in_seq);
  if (outSeq !== undefined) body.out_seq = outSeq;
  if (inSeq !== undefined) body.in_seq = inSeq;
  return body;
}

const isMap = (raw: unknown): raw is Record<string, unknown> => typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !(raw instanceof Uint8Array);

/** A body's `rekey`, or null when malformed: an unknown op, an id missing or 0 (or beyond 2^53 − 1), `g` not 32 bytes
 * for a request or an accept, `fp` missing for an accept or a commit. `g` is copied out of the decoded plaintext. */
function parseRekey(raw: unknown): RekeyAction | null {
  if (!isMap(raw)) return null;
  const id = safeInteger(raw.id);
  if (id === undefined || id === 0) return null;
  const g = raw.g instanceof Uint8Array && raw.g.length === 32 ? raw.g.slice() : null;
  const fp = safeInteger(raw.fp);
  const fpOk = fp !== undefined && fp >= 0 && fp < 2 ** 48;
  switch (raw.op) {
    case 'request':
      return g ? { op: 'request', id, g } : null;
    case 'accept':
      return g && fpOk ? { op: 'accept', id, g, fp: fp! } : null;
    case 'commit':
      return fpOk ? { op: 'commit', id, fp: fp! } : null;
    case 'abort':
      return { op: 'abort', id };
    default:
      return null;
  }
}

/** A body's `file`, or undefined when absent or unusable (no 32-byte key, no name, no size). */
function parseFile(raw: unknown): SecretFileBody | undefined {
  if (!isMap(raw)) return undefined;
  const map = raw;
  const size = safeInteger(map.size);
  if (!(map.key instanceof Uint8Array) || map.key.length !== 32 || typeof map.name !== 'string' || !map.name || size === undefined || size < 0) return undefined;
  const file: SecretFileBody = { key: map.key, name: map.name, mime: typeof map.mime === 'string' && map.mime ? map.mime : 'application/octet-stream', size };
  const width = safeInteger(map.width);
  const height = safeInteger(map.height);
  const duration = safeInteger(map.duration);
  if (width !== undefined && height !== undefined && width > 0 && height > 0) {
    file.width = width;
    file.height = height;
  }
  if (duration !== undefined && duration >= 0) file.duration = duration;
  if (map.thumb instanceof Uint8Array && map.thumb.length > 0 && map.thumb.length <= MAX_SECRET_THUMB_BYTES) file.thumb = map.thumb;
  return file;
}

function safeInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  return undefined;
}

/** nonce || ciphertext of a plaintext; `nonce` only for tests (24 random bytes otherwise). */
export function sealPlaintext(key: Uint8Array, chatId: number, randomId: number, plaintext: Uint8Array, nonce: Uint8Array = sodium.randombytes_buf(NONCE_BYTES)): Uint8Array {
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associatedData(chatId, randomId), null, nonce, key);
  return concat(nonce, sealed);
}

/** The plaintext of `data`, or null when it does not open with this key for this chat and random_id. */
export function openPlaintext(key: Uint8Array, chatId: number, randomId: number, data: Uint8Array): Uint8Array | null {
  if (data.length < MIN_DATA_BYTES) return null;
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, data.subarray(NONCE_BYTES), associatedData(chatId, randomId), data.subarray(0, NONCE_BYTES), key);
  } catch {
    return null;
  }
}

export const encryptBody = (key: Uint8Array, chatId: number, randomId: number, body: SecretBody): Uint8Array =>
  sealPlaintext(key, chatId, randomId, encodeBody(body));

/** The body of a received message: 'undecryptable' when it fails to open (dropped, never shown), null when it
 * opens but is nothing this client shows. */
export function decryptBody(key: Uint8Array, chatId: number, randomId: number, data: Uint8Array): SecretBody | null | 'undecryptable' {
  const plaintext = openPlaintext(key, chatId, randomId, data);
  return plaintext ? parseBody(plaintext) : 'undecryptable';
}

/** A non-zero random id within JS's safe integers (≤ 2^53−1), as the specification asks. */
export function secretRandomId(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  const id = (words[0]! & 0x1fffff) * 0x1_0000_0000 + words[1]!;
  return id === 0 ? 1 : id;
}
