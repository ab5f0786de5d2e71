import { describe, expect, it } from 'vitest';
import type { Dialog, Message } from '../src/api/types';
import { PeerKind } from '../src/api/types';
import { blankDialog, lastUnsent, newerTop, receivedUpTo, uploadingUnsent, withUnsent } from '../src/ui/chats';
import type { OutboxEntry } from '../src/ui/outbox';
import { peerKey, unsentText } from '../src/ui/peers';
import type { Upload } from '../src/ui/store';

const peer = { kind: PeerKind.User, id: 7 };

function message(id: number, text: string, edit_date: number | null): Message {
  return { id, from_id: 7, to_peer: { kind: PeerKind.User, id: 1 }, date: 100, text, reply_to_id: null, edit_date } as Message;
}

function dialog(top: Message): Dialog {
  return { ...blankDialog(peer), top_message: top };
}

describe('a chat list read while pushes kept coming', () => {
  it('keeps an edit of the newest message that arrived meanwhile', () => {
    const fetched = dialog(message(3, 'Second, to be edited', null));
    const merged = newerTop(fetched, [dialog(message(3, 'Second, edited', 120))]);
    expect(merged.top_message?.text).toBe('Second, edited');
  });

  it('takes the server\u2019s message when it is as new or newer, or another message', () => {
    expect(newerTop(dialog(message(3, 'server', 130)), [dialog(message(3, 'local', 120))]).top_message?.text).toBe('server');
    expect(newerTop(dialog(message(4, 'newer message', null)), [dialog(message(3, 'local', 120))]).top_message?.text).toBe('newer message');
    expect(newerTop(dialog(message(3, 'server', null)), []).top_message?.text).toBe('server');
  });
});

describe('a chat list read at start or after a resync', () => {
  const row = (peerId: number, kind: PeerKind, top: Message | null): Dialog => ({ ...blankDialog({ kind, id: peerId }), top_message: top });
  const from = (id: number, fromId: number): Message => ({ ...message(id, 'x', null), from_id: fromId });

  it('reports delivered up to the newest incoming private-chat message the rows carry', () => {
    const rows = [row(7, PeerKind.User, from(12, 7)), row(8, PeerKind.User, from(15, 8)), row(9, PeerKind.User, null)];
    expect(receivedUpTo(rows, 1)).toBe(15);
  });

  it('leaves out the user\u2019s own messages, Saved Messages and groups', () => {
    const rows = [row(7, PeerKind.User, from(20, 1)), row(1, PeerKind.User, from(21, 1)), row(5, PeerKind.Chat, from(22, 7)), row(8, PeerKind.User, from(3, 8))];
    expect(receivedUpTo(rows, 1)).toBe(3);
    expect(receivedUpTo(rows.slice(0, 3), 1)).toBe(0);
  });
});

describe('a chat list with messages waiting in the outbox', () => {
  const row = (id: number, last_activity: number, pinned = false): Dialog => ({ ...blankDialog({ kind: PeerKind.User, id }), last_activity, pinned });
  const unsent = (key: string, date: number, text = 'written offline', error?: string): OutboxEntry => ({ key, randomId: date, text, replyToId: null, media: null, date, error });
  const order = (dialogs: Dialog[]) => dialogs.map((d) => peerKey(d.peer));
  const list = [row(1, 500, true), row(2, 400), row(3, 300)];

  it('moves a chat up to when its newest unsent message was written, pinned chats staying first', () => {
    expect(order(withUnsent(list, [unsent('u3', 450)]))).toEqual(['u1', 'u3', 'u2']);
    expect(order(withUnsent(list, [unsent('u3', 350)]))).toEqual(['u1', 'u2', 'u3']);
  });

  it('puts a chat whose message was written in the same second as another chat\u2019s newest above it', () => {
    const withTops = [{ ...row(2, 400), top_message: message(9, 'stored', null) }, { ...row(3, 300), top_message: message(5, 'older', null) }];
    expect(order(withUnsent(withTops, [unsent('u3', 400)]))).toEqual(['u3', 'u2']);
  });

  it('lists a chat the server does not list yet, and is the server’s order again once the outbox is empty', () => {
    const shown = withUnsent(list, [unsent('u9', 420), unsent('c5', 410)]);
    expect(order(shown)).toEqual(['u1', 'u9', 'c5', 'u2', 'u3']);
    expect(shown.find((d) => peerKey(d.peer) === 'u9')?.top_message).toBeNull();
    expect(withUnsent(list, [])).toBe(list);
  });

  it('previews the last one written, refused or not, and nothing for a chat with none', () => {
    const outbox = [unsent('u2', 10, 'first'), unsent('u3', 11, 'elsewhere'), unsent('u2', 12, 'second', 'The message is too long')];
    expect(lastUnsent(outbox, 'u2')?.text).toBe('second');
    expect(lastUnsent(outbox, 'u2')?.error).toBe('The message is too long');
    expect(lastUnsent(outbox, 'u1')).toBeUndefined();
  });
});

describe('a chat list with files uploading', () => {
  const row = (id: number, last_activity: number): Dialog => ({ ...blankDialog({ kind: PeerKind.User, id }), last_activity });
  const order = (dialogs: Dialog[]) => dialogs.map((d) => peerKey(d.peer));
  const uploading = (id: number, name: string, type: string, date: number, more: Partial<Upload> = {}): Upload => ({
    id,
    name,
    type,
    date,
    progress: 0.3,
    abort: new AbortController(),
    ...more,
  });
  const preview = (unsent: ReturnType<typeof lastUnsent>) => unsent && unsentText(unsent);

  it('previews the file as its stored message will be named, from the moment it is chosen', () => {
    expect(preview(lastUnsent([], 'u2', [uploading(1, 'report.pdf', 'application/pdf', 10)]))).toBe('report.pdf');
    expect(preview(lastUnsent([], 'u2', [uploading(1, 'cat.jpg', 'image/jpeg', 10, { caption: 'look' })]))).toBe('Photo, look');
    expect(preview(lastUnsent([], 'u2', [uploading(1, 'voice-1733097600000.webm', 'audio/webm', 10, { duration: 6.6 })]))).toBe(
      'Voice message 0:07',
    );
    expect(lastUnsent([], 'u1', [])).toBeUndefined();
  });

  it('is the last unsent message when chosen after (or in the same second as) a text of the outbox', () => {
    const outbox: OutboxEntry[] = [{ key: 'u2', randomId: 5, text: 'written offline', replyToId: null, media: null, date: 10 }];
    expect(preview(lastUnsent(outbox, 'u2', [uploading(1, 'report.pdf', 'application/pdf', 10)]))).toBe('report.pdf');
    expect(preview(lastUnsent(outbox, 'u2', [uploading(1, 'report.pdf', 'application/pdf', 9)]))).toBe('written offline');
  });

  it('shows a failed upload as refused, and one waiting for the network with its clock', () => {
    const refused = uploading(1, 'report.pdf', 'application/pdf', 10, { error: 'The file is too large' });
    expect(lastUnsent([], 'u2', [refused])?.error).toBe('The file is too large');
    const waiting = uploading(1, 'report.pdf', 'application/pdf', 10, { error: 'no answer', waiting: true });
    expect(lastUnsent([], 'u2', [waiting])?.error).toBeUndefined();
  });

  it('moves the chat up while the file uploads, lists a chat not listed yet, and is the server’s order once it is gone', () => {
    const list = [row(2, 400), row(3, 300)];
    expect(order(withUnsent(list, uploadingUnsent({ u3: [uploading(1, 'a.pdf', 'application/pdf', 450)] })))).toEqual(['u3', 'u2']);
    expect(order(withUnsent(list, uploadingUnsent({ u9: [uploading(1, 'a.pdf', 'application/pdf', 420)] })))).toEqual(['u9', 'u2', 'u3']);
    expect(withUnsent(list, uploadingUnsent({ u3: [] }))).toBe(list);
  });

  it('keeps the same list while only the progress changes', () => {
    const first = uploadingUnsent({ u3: [uploading(1, 'a.pdf', 'application/pdf', 450)] });
    expect(uploadingUnsent({ u3: [uploading(1, 'a.pdf', 'application/pdf', 450, { progress: 0.9 })] })).toBe(first);
    expect(uploadingUnsent({ u3: [uploading(1, 'a.pdf', 'application/pdf', 450, { error: 'refused' })] })).not.toBe(first);
  });
});
