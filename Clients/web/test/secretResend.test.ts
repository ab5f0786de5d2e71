// What a device answers a resend request with (protocol/secretResend.ts; the SDK's SecretChatEngine.Resend.cs does the
// same): each number of the range it kept again, under that number.
import { describe, expect, it } from 'vitest';
import { SENT_KEPT, SENT_KEPT_MS, rememberSent, resendAnswers, resentFileId } from '../src/protocol/secretResend';
import type { LocalSecretChat, SecretMessage } from '../src/protocol/secretStore';

const NOW = 1_764_900_000_000;
const SELF = 1;
const chat = { id: 7, outSeq: 0, sent: [] } as unknown as LocalSecretChat;
const message = (randomId: number, text: string, extra: Partial<SecretMessage> = {}): SecretMessage => ({
  chatId: 7, randomId, from: SELF, date: NOW / 1000, text, ttl: 0, read: false, expires: null, replyTo: null, ...extra,
});

describe('resend requests: the answers', () => {
  it('sends a text and a delete again naming their first random_id, a step empty, and what is not held as gone', () => {
    let c: LocalSecretChat = { ...chat, outSeq: 6 };
    c = rememberSent(c, 1, 'control', 12, NOW);
    c = rememberSent(c, 2, 'delete', 13, NOW, [99]);
    // A message deleted for both by this device: nobody is to see it, only its number goes.
    c = rememberSent(c, 5, 'control', 99, NOW);
    const file = { id: 0, encryptedSize: 0, key: new Uint8Array(32), name: 'a.pdf', mime: 'application/pdf', size: 9 };
    const messages = [message(11, 'hello', { replyTo: 5, ttl: 30, outSeq: 0 }), message(15, 'a file', { file, outSeq: 4 })];

    const answers = resendAnswers(c, { start: 0, end: 100 }, messages, SELF, NOW + 1000);

    expect(answers).toEqual([
      { text: 'hello', date: NOW / 1000, ttl: 30, reply_to: 5, resent: 11, out_seq: 0 },
      { date: 1_764_900_001, out_seq: 1 },
      { delete: [99], date: 1_764_900_001, resent: 13, out_seq: 2 },
      // Deleted here (not held), a file the server never took (no id to send again by): gone.
      { gone: true, date: 1_764_900_001, out_seq: 3 },
      { gone: true, date: 1_764_900_001, out_seq: 4 },
      { date: 1_764_900_001, out_seq: 5 },
    ]);
    // A file the server holds goes again with the same file, by reference (resentFileId).
    const held = { ...file, id: 44, encryptedSize: 57, width: 3, upload: { file_id: 1, total_parts: 1 } };
    const withFile = resendAnswers({ ...chat, outSeq: 5 }, { start: 4, end: 4 }, [message(15, 'a file', { file: held, outSeq: 4 })], SELF, NOW);
    expect(withFile).toEqual([
      { text: 'a file', date: NOW / 1000, ttl: 0, file: { key: file.key, name: 'a.pdf', mime: 'application/pdf', size: 9, width: 3 }, resent: 15, out_seq: 4 },
    ]);
    expect(resentFileId(withFile[0], [message(15, 'a file', { file: held, outSeq: 4 })], SELF)).toBe(44);
    expect(resentFileId(answers[0], messages, SELF)).toBe(0);
    // Another's message under the same number is not this device's.
    expect(resendAnswers({ ...chat, outSeq: 1 }, { start: 0, end: 0 }, [message(11, 'theirs', { from: 2, outSeq: 0 })], SELF, NOW)[0]).toMatchObject({ gone: true });
  });

  it('passes over numbers not sent yet, answers only the last numbers, and nothing while the queue is full', () => {
    let c: LocalSecretChat = { ...chat, outSeq: 0 };
    for (let seq = 0; seq < SENT_KEPT + 10; seq++) c = rememberSent({ ...c, outSeq: seq + 1 }, seq, 'control', seq + 1, NOW);
    expect(c.sent).toHaveLength(SENT_KEPT);
    const answers = resendAnswers(c, { start: 0, end: 1e9 }, [], SELF, NOW);
    expect(answers).toHaveLength(SENT_KEPT);
    expect(answers[0].out_seq).toBe(10);
    expect(answers.at(-1)!.out_seq).toBe(SENT_KEPT + 9);
    expect(resendAnswers({ ...c, rekeySends: Array(SENT_KEPT).fill({}) }, { start: 0, end: 5 }, [], SELF, NOW)).toEqual([]);
  });

  it('forgets what is older than a week', () => {
    const c = rememberSent({ ...chat, outSeq: 1 }, 0, 'control', 1, NOW);
    const later = rememberSent({ ...c, outSeq: 2 }, 1, 'control', 2, NOW + SENT_KEPT_MS + 1);
    expect(later.sent!.map((b) => b.seq)).toEqual([1]);
    const late = NOW + SENT_KEPT_MS + 1000;
    expect(resendAnswers(c, { start: 0, end: 0 }, [], SELF, late)).toEqual([{ gone: true, date: Math.floor(late / 1000), out_seq: 0 }]);
    expect(resendAnswers({ ...chat, outSeq: 1 }, { start: 0, end: 0 }, [message(11, 'old', { outSeq: 0 })], SELF, late)).toEqual([
      { gone: true, date: Math.floor(late / 1000), out_seq: 0 },
    ]);
  });
});
