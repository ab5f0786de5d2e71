// Sequence numbers of a secret chat (docs/secret-chats.md, Sequence numbers): each body carries `out_seq`, the sender's
// number for it (0, 1, 2, … over every body it sends in the chat: texts, files, deletes, key changes' steps), and
// `in_seq`, how many of the other side's bodies it had received in order. The receiving side here is the same state
// machine as the SDK's (Clients/Messenger.Client/SecretSequence.cs): bodies are applied as they come (nothing waits in
// memory for a number that may never come), the numbers skipped are kept as gaps that bodies coming late fill, and a gap
// still open a minute after it was found is reported. Pure and synchronous: the engine runs it inside the IndexedDB
// transaction that stores the body's effect, so the numbers are saved with it.
import { decode } from '@msgpack/msgpack';

/** Numbers [from, to) not received, found missing at `since` (ms, local clock); `reported` once the user was told. */
export interface SequenceGap {
  from: number;
  to: number;
  since: number;
  reported: boolean;
  /** When its sender was asked to send it again (ms, local clock; absent: not yet). A gap is asked once. */
  asked?: number;
}

/** What this device received of the other side's numbered bodies. */
export interface InboundSequence {
  /** A body with a number came: from now on one without is refused. */
  sequenced: boolean;
  /** One more than the highest number received (0 before any). */
  next: number;
  /** Numbers below `next` not received (yet), oldest first. */
  gaps: SequenceGap[];
  /** Numbers whose body its sender no longer held when asked again (answered `gone`): lost for good. */
  lost?: number;
}

/** apply: the next, or one after a gap; late: one of the missing numbers; replay: a number received already (dropped);
 * refused: no number where they are due, or one that cannot be read (reported as undecryptable). */
export type SequenceVerdict = 'apply' | 'late' | 'replay' | 'refused';

export interface SequenceRead {
  outSeq?: number;
  inSeq?: number;
  valid: boolean;
}

/** How long a number may stay missing before the user is told (a body reordered on the way, or sent again, comes within it). */
export const SEQUENCE_GRACE_MS = 60_000;
/** How long a gap waits before its sender is asked to send it again (bodies merely reordered have come by then). */
export const RESEND_AFTER_MS = 5_000;
/** Gaps kept per chat; beyond, the oldest is let go (its bodies, should they still come, are dropped as replays). */
export const MAX_SEQUENCE_GAPS = 256;
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

export const emptyInbound = (): InboundSequence => ({ sequenced: false, next: 0, gaps: [] });

/** The other side's bodies received in order: the `in_seq` this device sends. */
export const inOrder = (state: InboundSequence | undefined): number => (state ? (state.gaps[0]?.from ?? state.next) : 0);

/** The numbers missing longer than the grace, and those lost (what the user was told). */
export const reportedMissing = (state: InboundSequence | undefined): number =>
  (state?.gaps ?? []).filter((g) => g.reported).reduce((sum, g) => sum + g.to - g.from, 0) + (state?.lost ?? 0);

/** A number its sender answered `gone`: taken like any (by acceptSequence), and counted lost. */
export const loseOne = (state: InboundSequence): InboundSequence => ({ ...state, lost: (state.lost ?? 0) + 1 });

const dueToAsk = (g: SequenceGap, now: number): boolean => g.asked === undefined && now - g.since >= RESEND_AFTER_MS;

/** The gaps open for RESEND_AFTER_MS or longer and not asked for yet, and the state with them marked asked at `now`; null
 * when none is due. Each gap is asked once, so two peers can never keep asking each other. */
export function takeToAsk(state: InboundSequence | undefined, now: number): { state: InboundSequence; asked: SequenceGap[] } | null {
  const asked = (state?.gaps ?? []).filter((g) => dueToAsk(g, now));
  if (!state || asked.length === 0) return null;
  return { state: { ...state, gaps: state.gaps.map((g) => (dueToAsk(g, now) ? { ...g, asked: now } : g)) }, asked };
}

const validNumber = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The numbers of any opened plaintext, whatever else it holds (a body this client cannot use still took its number);
 * not valid when it is no map or either is not an integer in 0..2^53 − 1. */
export function readSequence(plaintext: Uint8Array): SequenceRead {
  let raw: unknown;
  try {
    raw = decode(plaintext, { useBigInt64: true });
  } catch {
    return { valid: false };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Uint8Array) return { valid: false };
  const map = raw as Record<string, unknown>;
  const read: SequenceRead = { valid: true };
  for (const [key, name] of [
    ['out_seq', 'outSeq'],
    ['in_seq', 'inSeq'],
  ] as const) {
    if (!(key in map)) continue;
    const value = typeof map[key] === 'bigint' ? Number(map[key]) : map[key];
    if (!validNumber(value) || (typeof map[key] === 'bigint' && BigInt(value) !== map[key])) return { valid: false };
    read[name] = value;
  }
  return read;
}

/** Takes a body's numbers into the state: the verdict, and the state after it (a new object; the one given is unchanged). */
export function acceptSequence(previous: InboundSequence | undefined, read: SequenceRead, now: number): { verdict: SequenceVerdict; state: InboundSequence } {
  const state: InboundSequence = previous ? { ...previous, gaps: previous.gaps.map((g) => ({ ...g })) } : emptyInbound();
  if (!read.valid || (read.outSeq === undefined && state.sequenced)) return { verdict: 'refused', state };
  // A body from before sequence numbers, in a chat that has had none yet.
  if (read.outSeq === undefined) return { verdict: 'apply', state };
  const number = read.outSeq;
  state.sequenced = true;
  if (number >= state.next) {
    if (number > state.next) {
      state.gaps.push({ from: state.next, to: number, since: now, reported: false });
      if (state.gaps.length > MAX_SEQUENCE_GAPS) state.gaps.shift();
    }
    state.next = number + 1;
    return { verdict: 'apply', state };
  }
  const at = state.gaps.findIndex((g) => g.from <= number && number < g.to);
  if (at < 0) return { verdict: 'replay', state };
  const gap = state.gaps[at];
  const parts: SequenceGap[] = [];
  if (gap.from < number) parts.push({ ...gap, to: number });
  if (number + 1 < gap.to) parts.push({ ...gap, from: number + 1 });
  state.gaps.splice(at, 1, ...parts);
  return { verdict: 'late', state };
}

/** The state with the gaps open for the grace or longer marked reported, or null when none newly is. */
export function reportOverdue(state: InboundSequence | undefined, now: number): InboundSequence | null {
  if (!state?.gaps.some((g) => !g.reported && now - g.since >= SEQUENCE_GRACE_MS)) return null;
  return { ...state, gaps: state.gaps.map((g) => (!g.reported && now - g.since >= SEQUENCE_GRACE_MS ? { ...g, reported: true } : g)) };
}

/** When the next gap not reported (or not asked for) yet is due (ms, local clock), or null. */
export function nextSequenceDue(state: InboundSequence | undefined): number | null {
  const due = (state?.gaps ?? [])
    .filter((g) => g.asked === undefined || !g.reported)
    .map((g) => g.since + (g.asked === undefined ? RESEND_AFTER_MS : SEQUENCE_GRACE_MS));
  return due.length > 0 ? Math.min(...due) : null;
}
