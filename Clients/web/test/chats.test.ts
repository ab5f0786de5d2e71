import { describe, expect, it } from 'vitest';
import type { Dialog, Message } from '../src/api/types';
import { PeerKind } from '../src/api/types';
import { blankDialog, newerTop } from '../src/ui/chats';

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
