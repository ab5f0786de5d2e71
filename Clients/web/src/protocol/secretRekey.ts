// Re-keying of a secret chat (forward secrecy; docs/secret-chats.md): every 100 messages or 7 days the chat's keys are
// replaced by a generation made from a fresh X25519 exchange and the one before, and the old ones are wiped, so keys
// taken from a device later do not open what was sent long before. The exchange travels in ordinary encrypted messages
// (a body's `rekey`: request, accept, commit, abort); the server cannot tell them from others.
//
// These are the steps on a stored chat, synchronous and without I/O: the engine (secretChats.ts) runs them inside the
// IndexedDB transaction that read the chat, so a step and the messages it makes are saved together, before anything
// is sent, and one tab alone takes each step. A step's messages are sealed at once (under the generation they must go
// under: a commit under the one before the switch) and queued in the chat's `rekeySends`.
import { concat } from './bytes';
import {
  WeakKeyError,
  deriveRekeyedKeys,
  encryptBody,
  newSecretKeyPair,
  openPlaintext,
  secretRandomId,
  type RekeyAction,
} from './secret';
import type { HeldSecretKeys, LocalSecretChat } from './secretStore';
import { inOrder } from './secretSequence';
import { rememberSent } from './secretResend';

export interface RekeyLimits {
  /** Messages used under one generation before a new one is asked for (100). */
  afterMessages: number;
  /** Age of a generation (ms) before a new one is asked for (7 days). */
  afterMs: number;
  /** How long a request waits for its accept before it is aborted (ms, 7 days). */
  requestTimeoutMs: number;
}

const WEEK_MS = 7 * 86_400_000;
export const DEFAULT_REKEY_LIMITS: RekeyLimits = { afterMessages: 100, afterMs: WEEK_MS, requestTimeoutMs: WEEK_MS };

/** The previous generation is wiped once this many of the other side's messages opened under the current one. */
export const PREVIOUS_KEPT_FOR = 16;

/** Where a received message opened. */
export type OpenedUnder = 'current' | 'accepted' | 'previous';

/** A stored chat with the re-keying fields a record written before them lacks: generation 0, nothing used, begun now. */
export function withRekeyFields(chat: LocalSecretChat, now: number): LocalSecretChat {
  return {
    ...chat,
    generation: chat.generation ?? 0,
    keyUsed: chat.keyUsed ?? 0,
    keyCreated: chat.keyCreated ?? now,
    peerUnderCurrent: chat.peerUnderCurrent ?? 0,
    previousKeys: chat.previousKeys ?? null,
    rekeyOutgoing: chat.rekeyOutgoing ?? null,
    rekeyAccepted: chat.rekeyAccepted ?? null,
    rekeySends: chat.rekeySends ?? [],
    rekeyPaused: chat.rekeyPaused ?? false,
  };
}

/** The chat's current generation, or null while it has no keys. */
export function currentKeys(chat: LocalSecretChat): HeldSecretKeys | null {
  return chat.keyAdmin && chat.keyParticipant ? { generation: chat.generation ?? 0, keyAdmin: chat.keyAdmin, keyParticipant: chat.keyParticipant } : null;
}

const sendKey = (chat: LocalSecretChat, keys: HeldSecretKeys): Uint8Array => (chat.role === 'admin' ? keys.keyAdmin : keys.keyParticipant);
const receiveKey = (chat: LocalSecretChat, keys: HeldSecretKeys): Uint8Array => (chat.role === 'admin' ? keys.keyParticipant : keys.keyAdmin);

/**
 * Opens a message from the other side under the keys this device holds for the chat: the current generation, then the
 * accepted exchange's (the other side switched: the implicit commit), then the previous one (sent before it switched,
 * late or reordered). Null when none opens it.
 */
export function openReceived(chat: LocalSecretChat, randomId: number, data: Uint8Array): { plaintext: Uint8Array; under: OpenedUnder } | null {
  const tries: [OpenedUnder, HeldSecretKeys | null | undefined][] = [
    ['current', currentKeys(chat)],
    ['accepted', chat.rekeyAccepted?.keys],
    ['previous', chat.previousKeys],
  ];
  for (const [under, keys] of tries) {
    if (!keys) continue;
    const plaintext = openPlaintext(receiveKey(chat, keys), chat.id, randomId, data);
    if (plaintext) return { plaintext, under };
  }
  return null;
}

/** Seals `action` under `keys` (this side's direction) and queues it to be sent. */
function queue(chat: LocalSecretChat, action: RekeyAction, keys: HeldSecretKeys, now: number): LocalSecretChat {
  const randomId = secretRandomId();
  const outSeq = chat.outSeq ?? 0;
  const body = { rekey: action, date: Math.floor(now / 1000), out_seq: outSeq, in_seq: inOrder(chat.inbound) };
  const data = encryptBody(sendKey(chat, keys), chat.id, randomId, body);
  return rememberSent({ ...chat, outSeq: outSeq + 1, rekeySends: [...(chat.rekeySends ?? []), { randomId, data }] }, outSeq, 'control', randomId, now);
}

/** The next generation becomes current (nothing used, begun now); the current one becomes the previous; both
 * exchanges end, the outgoing one's secret wiped. */
export function switchTo(chat: LocalSecretChat, next: HeldSecretKeys, now: number): LocalSecretChat {
  const current = currentKeys(chat);
  chat.rekeyOutgoing?.secretKey.fill(0);
  return {
    ...chat,
    keyAdmin: next.keyAdmin,
    keyParticipant: next.keyParticipant,
    generation: next.generation,
    keyUsed: 0,
    keyCreated: now,
    peerUnderCurrent: 0,
    previousKeys: current,
    rekeyOutgoing: null,
    rekeyAccepted: null,
  };
}

function dropOutgoing(chat: LocalSecretChat): LocalSecretChat {
  chat.rekeyOutgoing?.secretKey.fill(0);
  return { ...chat, rekeyOutgoing: null };
}

/** Queues `abort {id}`; no exchange starts again before the next ordinary message (checkRekey). */
const abort = (chat: LocalSecretChat, id: number, current: HeldSecretKeys, now: number): LocalSecretChat =>
  queue({ ...chat, rekeyPaused: true }, { op: 'abort', id }, current, now);

/** A text, delete or file this device encrypted or decrypted under the current generation: counted, and an abort's
 * pause is over. */
export const countUse = (chat: LocalSecretChat): LocalSecretChat => ({ ...chat, keyUsed: (chat.keyUsed ?? 0) + 1, rekeyPaused: false });

const keyBytes = (keys: HeldSecretKeys): Uint8Array => concat(keys.keyAdmin, keys.keyParticipant);

/**
 * A message from the other side opened under `under` and was counted: the implicit commit when it opened under the
 * accepted exchange's keys, the count of the other side's messages under the current generation (the previous goes at
 * 16), and, for a text, delete or file (`used`), the use of the current generation. One under the previous counts for
 * nothing.
 */
export function afterReceived(chat: LocalSecretChat, under: OpenedUnder, used: boolean, now: number): LocalSecretChat {
  if (under === 'previous') return chat;
  let next = under === 'accepted' && chat.rekeyAccepted ? switchTo(chat, chat.rekeyAccepted.keys, now) : chat;
  const peerUnderCurrent = (next.peerUnderCurrent ?? 0) + 1;
  next = used ? { ...countUse(next), peerUnderCurrent } : { ...next, peerUnderCurrent };
  if (peerUnderCurrent >= PREVIOUS_KEPT_FOR && next.previousKeys) next = { ...next, previousKeys: null };
  return next;
}

/** A key change's action from the other side (opened under any key held for the chat). */
export function applyRekey(chat: LocalSecretChat, action: RekeyAction, now: number): LocalSecretChat {
  const current = currentKeys(chat);
  if (!current || chat.state !== 'ready') return chat;
  switch (action.op) {
    case 'request':
      return onRequest(chat, current, action.id, action.g, now);
    case 'accept': {
      const outgoing = chat.rekeyOutgoing;
      if (!outgoing || outgoing.id !== action.id) return chat;
      let keys;
      try {
        keys = deriveRekeyedKeys(outgoing.secretKey, keyBytes(current), outgoing.g, action.g, true);
      } catch (error) {
        if (!(error instanceof WeakKeyError)) throw error;
        return abort(dropOutgoing(chat), action.id, current, now);
      }
      if (keys.fingerprint !== action.fp) return abort(dropOutgoing(chat), action.id, current, now);
      // The commit goes under the generation the other side still uses; all after it under the new one.
      const switched = switchTo(chat, { generation: current.generation + 1, keyAdmin: keys.adminToParticipant, keyParticipant: keys.participantToAdmin }, now);
      return queue(switched, { op: 'commit', id: action.id, fp: keys.fingerprint }, current, now);
    }
    case 'commit': {
      const accepted = chat.rekeyAccepted;
      return accepted && accepted.id === action.id && accepted.fingerprint === action.fp ? switchTo(chat, accepted.keys, now) : chat;
    }
    case 'abort': {
      let next = chat;
      if (next.rekeyOutgoing?.id === action.id) next = { ...dropOutgoing(next), rekeyPaused: true };
      if (next.rekeyAccepted?.id === action.id) next = { ...next, rekeyAccepted: null, rekeyPaused: true };
      return next;
    }
  }
}

function onRequest(chat: LocalSecretChat, current: HeldSecretKeys, id: number, gInit: Uint8Array, now: number): LocalSecretChat {
  let next = chat;
  const outgoing = next.rekeyOutgoing;
  if (outgoing) {
    // Both asked at once: the larger id wins (the other side accepts ours); the same id, drawn by both, is aborted.
    if (outgoing.id > id) return next;
    next = dropOutgoing(next);
    if (outgoing.id === id) return abort(next, id, current, now);
  }
  const accepted = next.rekeyAccepted;
  if (accepted) {
    // The same request again (a resend): the same accept again.
    if (accepted.id === id) return queue(next, { op: 'accept', id, g: accepted.g, fp: accepted.fingerprint }, current, now);
    next = { ...next, rekeyAccepted: null };
  }
  const own = newSecretKeyPair();
  let keys;
  try {
    keys = deriveRekeyedKeys(own.secretKey, keyBytes(current), gInit, own.publicKey, false);
  } catch (error) {
    if (!(error instanceof WeakKeyError)) throw error;
    return abort(next, id, current, now);
  } finally {
    own.secretKey.fill(0);
  }
  next = {
    ...next,
    rekeyAccepted: {
      id,
      g: own.publicKey,
      keys: { generation: current.generation + 1, keyAdmin: keys.adminToParticipant, keyParticipant: keys.participantToAdmin },
      fingerprint: keys.fingerprint,
    },
  };
  // Sent under the current generation, as everything until the switch.
  return queue(next, { op: 'accept', id, g: own.publicKey, fp: keys.fingerprint }, current, now);
}

/**
 * After a text, delete or file sent or received (never after a key change's step, which would answer an abort with a
 * request at once), and at start: a request unanswered for too long is aborted, and a chat whose current generation was
 * used enough or is old enough starts an exchange — when it is ready, neither an exchange of its own nor an accepted one
 * waits, and no abort came or went since the last such message.
 */
export function checkRekey(chat: LocalSecretChat, now: number, limits: RekeyLimits): LocalSecretChat {
  const current = currentKeys(chat);
  if (!current || chat.state !== 'ready') return chat;
  let next = chat;
  const outgoing = next.rekeyOutgoing;
  if (outgoing && now - outgoing.date >= limits.requestTimeoutMs) next = abort(dropOutgoing(next), outgoing.id, current, now);
  if (next.rekeyOutgoing || next.rekeyAccepted || next.rekeyPaused) return next;
  const due = (next.keyUsed ?? 0) >= limits.afterMessages || now - (next.keyCreated ?? now) >= limits.afterMs;
  if (!due) return next;
  const own = newSecretKeyPair();
  const id = secretRandomId();
  next = { ...next, rekeyOutgoing: { id, secretKey: own.secretKey, g: own.publicKey, date: now } };
  return queue(next, { op: 'request', id, g: own.publicKey }, current, now);
}

/** Everything the chat held for re-keying, wiped (the chat ended). */
export function wipeRekey(chat: LocalSecretChat): LocalSecretChat {
  chat.rekeyOutgoing?.secretKey.fill(0);
  return { ...chat, previousKeys: null, rekeyOutgoing: null, rekeyAccepted: null, rekeySends: [], rekeyPaused: false, rekeyRetryAt: null, rekeyRetryFlood: false, rekeyAttempts: 0 };
}
