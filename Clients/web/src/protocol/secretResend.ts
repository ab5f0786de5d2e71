// Resend requests of a secret chat (docs/secret-chats.md, Resend requests; the SDK's SecretChatEngine.Resend.cs does the
// same): a gap the other side's bodies left (protocol/secretSequence.ts) is asked for again once it is RESEND_AFTER_MS
// old, by a numbered body `{resend: {start, end}}`, once per gap; the other side answers each number in the range under
// that number, sealed under its current keys with a new random_id: a text or a delete as it was, naming its first
// random_id (`resent`), a file message as it was with the file the chat holds on the server (sent by reference, never
// uploaded again: `resentFileId`; `{gone: true}` if the server refuses it), a body nobody was shown (a step, a request, a
// message since deleted for both) as `{date}` alone, and one it no longer holds (too old, deleted, self-destructed) as
// `{gone: true}`. Pure: the engine (secretChats.ts) seals what these return in the transaction that reads the chat.
import type { SecretBody } from './secret';
import type { LocalSecretChat, SecretMessage, SentBody, StoredSecretFile } from './secretStore';

/** How many of its last numbers a chat answers for, and for how long. Its messages are found by their number
 * (`outSeq`); the chat record keeps the others (deletes for both, bodies nobody is shown), which are few. */
export const SENT_KEPT = 1000;
export const SENT_KEPT_MS = 7 * 24 * 3600 * 1000;

/** The chat keeping what the number `seq` carried (the oldest let go beyond SENT_KEPT or SENT_KEPT_MS). */
export function rememberSent(chat: LocalSecretChat, seq: number, kind: SentBody['kind'], randomId: number, now: number, ids?: number[]): LocalSecretChat {
  const entry: SentBody = { seq, kind, randomId, date: now };
  if (ids) entry.delete = ids;
  const outSeq = chat.outSeq ?? 0;
  const kept = [...(chat.sent ?? []).filter((b) => b.seq !== seq && b.date >= now - SENT_KEPT_MS && b.seq >= outSeq - SENT_KEPT), entry];
  return { ...chat, sent: kept.slice(Math.max(0, kept.length - SENT_KEPT)) };
}

/** A body's number given back (the server refused it, nothing sealed after): nothing is kept for it. */
export const forgetSent = (chat: LocalSecretChat, seq: number): LocalSecretChat => ({ ...chat, sent: (chat.sent ?? []).filter((b) => b.seq !== seq) });

/** The bodies (without their in_seq) that answer a request for `start..end`: numbers not sent yet are passed over, only
 * the last SENT_KEPT numbers are answered, none while the queue already holds that many (a peer asking without end). */
export function resendAnswers(
  chat: LocalSecretChat,
  range: { start: number; end: number },
  messages: SecretMessage[],
  self: number,
  now: number,
): SecretBody[] {
  if ((chat.rekeySends?.length ?? 0) >= SENT_KEPT) return [];
  const outSeq = chat.outSeq ?? 0;
  const seconds = Math.floor(now / 1000);
  const answers: SecretBody[] = [];
  for (let seq = Math.max(range.start, outSeq - SENT_KEPT); seq <= Math.min(range.end, outSeq - 1); seq++) {
    const kept = chat.sent?.find((b) => b.seq === seq && b.date >= now - SENT_KEPT_MS);
    // The message's date is the server's once sent (seconds), the sender's clock before: either is when it went.
    const message = kept ? undefined : messages.find((m) => m.from === self && m.outSeq === seq && (!m.file || m.file.id > 0) && m.date * 1000 >= now - SENT_KEPT_MS);
    let body: SecretBody;
    // A step, a request, or a message this device deleted for both (nobody is to see it): only its number goes.
    if (kept?.kind === 'control') body = { date: seconds };
    else if (kept?.kind === 'delete' && kept.delete) body = { delete: kept.delete, date: seconds, resent: kept.randomId };
    else if (message) {
      body = { text: message.text, date: message.date, ttl: message.ttl };
      if (message.replyTo !== null) body.reply_to = message.replyTo;
      if (message.file) body.file = fileBody(message.file);
      body.resent = message.randomId;
    } else body = { gone: true, date: seconds };
    answers.push({ ...body, out_seq: seq });
  }
  return answers;
}

/** The server's id of the file an answer sends again (by reference: the chat holds it), or 0 for a body with no file. */
export function resentFileId(body: SecretBody, messages: SecretMessage[], self: number): number {
  if (!body.file || body.resent === undefined) return 0;
  return messages.find((m) => m.from === self && m.randomId === body.resent)?.file?.id ?? 0;
}

/** What the encrypted body said of the file, without where this device keeps it. */
function fileBody(file: StoredSecretFile): NonNullable<SecretBody['file']> {
  const { key, name, mime, size, width, height, duration, thumb } = file;
  const body: NonNullable<SecretBody['file']> = { key, name, mime, size };
  if (width !== undefined) body.width = width;
  if (height !== undefined) body.height = height;
  if (duration !== undefined) body.duration = duration;
  if (thumb !== undefined) body.thumb = thumb;
  return body;
}
