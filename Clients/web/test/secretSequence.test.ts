// The receiving side of secret chats' sequence numbers (protocol/secretSequence.ts), fed what a malicious server could
// deliver, with the same cases as the SDK's SecretSequenceTests; and the numbered bodies of the shared vectors
// (test/secret-vectors.json, `sequence`), which the SDK's SecretChatCryptoTests reproduces too.
import { describe, expect, it, beforeAll } from 'vitest';
import { fromHex, toHex } from '../src/protocol/bytes';
import { deriveKeys, encodeBody, openPlaintext, parseBody, sealPlaintext, type SecretBody } from '../src/protocol/secret';
import {
  MAX_SEQUENCE_GAPS,
  RESEND_AFTER_MS,
  SEQUENCE_GRACE_MS,
  acceptSequence,
  inOrder,
  loseOne,
  takeToAsk,
  nextSequenceDue,
  readSequence,
  reportOverdue,
  reportedMissing,
  type InboundSequence,
  type SequenceRead,
  type SequenceVerdict,
} from '../src/protocol/secretSequence';
import { ready } from '../src/protocol/sodium';
import { encode } from '@msgpack/msgpack';
import vectors from './secret-vectors.json';

beforeAll(() => ready());

const NOW = 1_764_900_000_000;
const numbered = (outSeq: number): SequenceRead => ({ outSeq, inSeq: 0, valid: true });
const unnumbered: SequenceRead = { valid: true };

/** Feeds the reads in order: the verdicts, and the state after the last. */
function feed(state: InboundSequence | undefined, reads: SequenceRead[], now = NOW): { verdicts: SequenceVerdict[]; state: InboundSequence | undefined } {
  const verdicts: SequenceVerdict[] = [];
  for (const read of reads) {
    const result = acceptSequence(state, read, now);
    verdicts.push(result.verdict);
    state = result.state;
  }
  return { verdicts, state };
}

describe('sequence numbers: the receiver', () => {
  it('applies numbers in order and counts them as received in order', () => {
    const { verdicts, state } = feed(undefined, [0, 1, 2].map(numbered));
    expect(verdicts).toEqual(['apply', 'apply', 'apply']);
    expect(state).toEqual({ sequenced: true, next: 3, gaps: [] });
    expect(inOrder(state)).toBe(3);
  });

  it('applies a reordered later one at once, takes the earlier as late, and reports nothing', () => {
    const { verdicts, state } = feed(undefined, [0, 2, 1].map(numbered));
    expect(verdicts).toEqual(['apply', 'apply', 'late']);
    expect(state!.gaps).toEqual([]);
    expect(inOrder(state)).toBe(3);
    expect(reportOverdue(state, NOW + SEQUENCE_GRACE_MS)).toBeNull();
  });

  it('reports a dropped one once the grace is over, and no longer when it comes late after all', () => {
    const fed = feed(undefined, [0, 3].map(numbered));
    // Its sender is asked for it first.
    expect(nextSequenceDue(fed.state)).toBe(NOW + RESEND_AFTER_MS);
    const { state, asked } = takeToAsk(fed.state, NOW + RESEND_AFTER_MS)!;
    expect(asked).toHaveLength(1);
    expect(nextSequenceDue(state)).toBe(NOW + SEQUENCE_GRACE_MS);
    expect(reportOverdue(state, NOW + SEQUENCE_GRACE_MS - 1)).toBeNull();
    const reported = reportOverdue(state, NOW + SEQUENCE_GRACE_MS)!;
    expect(reportedMissing(state)).toBe(0);
    expect(reportedMissing(reported)).toBe(2);
    expect(nextSequenceDue(reported)).toBeNull();
    expect(reportOverdue(reported, NOW + 10 * SEQUENCE_GRACE_MS)).toBeNull();
    const late = acceptSequence(reported, numbered(2), NOW + 2 * SEQUENCE_GRACE_MS);
    expect(late.verdict).toBe('late');
    expect(reportedMissing(late.state)).toBe(1);
    expect(inOrder(late.state)).toBe(1);
  });

  it('asks for a gap once, after the resend delay, and not again for what is left of it', () => {
    const { state } = feed(undefined, [0, 4].map(numbered));
    expect(takeToAsk(state, NOW + RESEND_AFTER_MS - 1)).toBeNull();
    const first = takeToAsk(state, NOW + RESEND_AFTER_MS)!;
    expect(first.asked.map((g) => [g.from, g.to])).toEqual([[1, 4]]);
    expect(takeToAsk(first.state, NOW + SEQUENCE_GRACE_MS)).toBeNull();
    const late = acceptSequence(first.state, numbered(2), NOW + RESEND_AFTER_MS + 1);
    expect(late.verdict).toBe('late');
    expect(late.state.gaps.map((g) => [g.from, g.to])).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(takeToAsk(late.state, NOW + SEQUENCE_GRACE_MS)).toBeNull();
    expect(nextSequenceDue(late.state)).toBe(NOW + SEQUENCE_GRACE_MS);
  });

  it('counts a number answered gone as lost at once, and a second answer changes nothing', () => {
    const { state } = feed(undefined, [0, 2].map(numbered));
    const late = acceptSequence(state, numbered(1), NOW + RESEND_AFTER_MS);
    expect(late.verdict).toBe('late');
    const lost = loseOne(late.state);
    expect(lost.gaps).toEqual([]);
    expect(inOrder(lost)).toBe(3);
    expect(reportedMissing(lost)).toBe(1);
    expect(acceptSequence(lost, numbered(1), NOW + SEQUENCE_GRACE_MS).verdict).toBe('replay');
  });

  it('splits a gap a late number falls inside, and drops that number the second time', () => {
    const { state } = feed(undefined, [0, 5, 3].map(numbered));
    expect(state!.gaps.map((g) => [g.from, g.to])).toEqual([
      [1, 3],
      [4, 5],
    ]);
    expect(acceptSequence(state, numbered(3), NOW).verdict).toBe('replay');
  });

  it('drops a number already received (a replay)', () => {
    const { verdicts, state } = feed(undefined, [0, 1, 0, 1].map(numbered));
    expect(verdicts).toEqual(['apply', 'apply', 'replay', 'replay']);
    expect(state!.next).toBe(2);
  });

  it('takes bodies without numbers until the first numbered one, then refuses them', () => {
    const { verdicts, state } = feed(undefined, [unnumbered, unnumbered, numbered(0), unnumbered, { valid: false }]);
    expect(verdicts).toEqual(['apply', 'apply', 'apply', 'refused', 'refused']);
    expect(state!.sequenced).toBe(true);
  });

  it('expects the first numbered body to be 0, so one dropped before it is a gap', () => {
    const { state } = feed(undefined, [unnumbered, numbered(2)]);
    expect(state!.gaps.map((g) => [g.from, g.to])).toEqual([[0, 2]]);
  });

  it('lets the oldest gap go beyond the limit', () => {
    const { state } = feed(undefined, Array.from({ length: MAX_SEQUENCE_GAPS + 1 }, (_, i) => numbered(2 * i + 1)));
    expect(state!.gaps).toHaveLength(MAX_SEQUENCE_GAPS);
    expect(state!.gaps[0].from).toBe(2);
    expect(acceptSequence(state, numbered(0), NOW).verdict).toBe('replay');
  });

  it('reads the numbers of any map, and refuses ones out of range', () => {
    expect(readSequence(encodeBody({ text: 'hi', date: 5 }))).toEqual({ valid: true });
    expect(readSequence(encode({ whatever: 1, out_seq: 7, in_seq: 3 }))).toEqual({ valid: true, outSeq: 7, inSeq: 3 });
    for (const bad of [-1, 2 ** 53, '3', 1.5]) expect(readSequence(encode({ text: 'hi', date: 5, out_seq: bad }))).toEqual({ valid: false });
    expect(readSequence(new Uint8Array([0xc1]))).toEqual({ valid: false });
  });
});

describe('sequence numbers: the shared vectors', () => {
  it('encodes each numbered body to the vector bytes (numbers last, out_seq first) and seals it to its data', () => {
    const c = vectors.cases[0];
    const keys = deriveKeys(fromHex(c.a_secret), fromHex(c.g_a), fromHex(c.g_b), true);
    expect(vectors.sequence).toHaveLength(4);
    for (const m of vectors.sequence) {
      const key = m.from === 'admin' ? keys.adminToParticipant : keys.participantToAdmin;
      const body = m.body as unknown as SecretBody;
      expect(toHex(encodeBody(body))).toBe(m.plaintext);
      expect(toHex(sealPlaintext(key, m.chat_id, m.random_id, fromHex(m.plaintext), fromHex(m.nonce)))).toBe(m.data);
      const opened = openPlaintext(key, m.chat_id, m.random_id, fromHex(m.data))!;
      expect(readSequence(opened)).toEqual({ valid: true, outSeq: m.body.out_seq, inSeq: m.body.in_seq });
      expect(parseBody(opened)).toMatchObject({ out_seq: m.body.out_seq, in_seq: m.body.in_seq });
    }
  });

  it('encodes and reads the resend bodies as the vectors have them (a request, a text and a delete sent again, an empty body, gone, a file sent again)', () => {
    const c = vectors.cases[0];
    const keys = deriveKeys(fromHex(c.a_secret), fromHex(c.g_a), fromHex(c.g_b), true);
    expect(vectors.resend).toHaveLength(6);
    const parsed = vectors.resend.map((m) => {
      const key = m.from === 'admin' ? keys.adminToParticipant : keys.participantToAdmin;
      // A file's key is hex in the JSON.
      const raw = m.body as unknown as SecretBody & { file?: { key: unknown } };
      const body = raw.file ? { ...raw, file: { ...raw.file, key: fromHex(raw.file.key as unknown as string) } } : raw;
      expect(toHex(encodeBody(body as SecretBody))).toBe(m.plaintext);
      expect(toHex(sealPlaintext(key, m.chat_id, m.random_id, fromHex(m.plaintext), fromHex(m.nonce)))).toBe(m.data);
      const opened = openPlaintext(key, m.chat_id, m.random_id, fromHex(m.data))!;
      expect(readSequence(opened)).toEqual({ valid: true, outSeq: m.body.out_seq, inSeq: m.body.in_seq });
      return parseBody(opened);
    });
    expect(parsed[0]).toEqual({ date: 1764900700, resend: { start: 1, end: 4 }, out_seq: 1, in_seq: 1 });
    expect(parsed[1]).toMatchObject({ text: 'sent again', reply_to: 502, resent: 505, out_seq: 1 });
    expect(parsed[2]).toMatchObject({ delete: [505], resent: 506, out_seq: 2 });
    // Nothing but its date and numbers: ignored, only its number counts.
    expect(parsed[3]).toBeNull();
    expect(parsed[4]).toEqual({ date: 1764900701, gone: true, out_seq: 4, in_seq: 2 });
    expect(parsed[5]).toMatchObject({ text: 'the report', resent: 507, out_seq: 5, file: { name: 'report.pdf', mime: 'application/pdf', size: 70000 } });
    expect(parsed[5]!.file!.key).toEqual(Uint8Array.from({ length: 32 }, (_, i) => i));
  });

  it('ignores a resend with a bad range and a resent random_id out of bounds', () => {
    for (const resend of [{ start: 3, end: 2 }, { start: -1, end: 2 }, { start: 1 }]) expect(parseBody(encode({ resend, date: 5 }))).toBeNull();
    expect(parseBody(encode({ text: 'hi', date: 5, resent: 0 }))).toBeNull();
    expect(parseBody(encode({ text: 'hi', date: 5, resent: 'x' }))).toBeNull();
  });
});
