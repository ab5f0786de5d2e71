import { describe, expect, it } from 'vitest';
import type { Chat, Dialog, DialogFilter, User } from '../src/api/types';
import { ChatKind, MuteForever, PeerKind } from '../src/api/types';
import { blankFolder, dialogKind, dialogsIn, folderHolds, folderProblem, freeFolderId, unreadChatsIn } from '../src/ui/folders';

const now = 1_000_000_000;
const dialog = (kind: PeerKind, id: number, extra: Partial<Dialog> = {}): Dialog => ({
  peer: { kind, id },
  top_message: null,
  unread_count: 1,
  read_inbox_max_id: 0,
  read_outbox_max_id: 0,
  delivered_max_id: 0,
  last_activity: 0,
  ...extra,
});
const folder = (extra: Partial<DialogFilter>): DialogFilter => ({ ...blankFolder(2), title: 'F', ...extra });
const bob = dialog(PeerKind.User, 2);
const users = { 2: { id: 2 } as User, 3: { id: 3, bot: true } as User };
const chats = { 5: { id: 5, kind: ChatKind.Group } as Chat, 6: { id: 6, kind: ChatKind.LargeGroup } as Chat, 7: { id: 7, kind: ChatKind.Channel } as Chat };

describe('chat folders', () => {
  it('sorts chats into people, bots, groups and channels', () => {
    expect(dialogKind(bob, users, chats)).toBe('person');
    expect(dialogKind(dialog(PeerKind.User, 3), users, chats)).toBe('bot');
    expect(dialogKind(dialog(PeerKind.Chat, 5), users, chats)).toBe('group');
    expect(dialogKind(dialog(PeerKind.Chat, 6), users, chats)).toBe('group');
    expect(dialogKind(dialog(PeerKind.Chat, 7), users, chats)).toBe('channel');
    expect(dialogKind(dialog(PeerKind.Chat, 8), users, chats)).toBe('group');
  });

  it('follows the same rules as the .NET SDK', () => {
    const people = folder({ private_chats: true });
    expect(folderHolds(people, bob, 'person', now)).toBe(true);
    expect(folderHolds(people, bob, 'bot', now)).toBe(false);
    expect(folderHolds({ ...people, exclude_peers: [bob.peer] }, bob, 'person', now)).toBe(false);
    expect(folderHolds({ ...people, exclude_muted: true }, { ...bob, mute_until: MuteForever }, 'person', now)).toBe(false);
    expect(folderHolds({ ...people, exclude_muted: true }, { ...bob, mute_until: now / 1000 - 1 }, 'person', now)).toBe(true);
    expect(folderHolds({ ...people, exclude_read: true }, { ...bob, unread_count: 0 }, 'person', now)).toBe(false);
    expect(folderHolds({ ...people, exclude_read: true }, { ...bob, unread_count: 0, unread_mark: true }, 'person', now)).toBe(true);
    expect(folderHolds({ ...people, exclude_archived: true }, { ...bob, archived: true }, 'person', now)).toBe(false);
    expect(folderHolds(people, { ...bob, archived: true }, 'person', now)).toBe(true);
    const named = folder({ exclude_read: true, exclude_archived: true, include_peers: [bob.peer] });
    expect(folderHolds(named, { ...bob, archived: true, unread_count: 0 }, 'bot', now)).toBe(true);
  });

  it('lists a folder in the list order and counts its unread chats', () => {
    const dialogs = [bob, dialog(PeerKind.Chat, 5, { unread_count: 0 }), dialog(PeerKind.Chat, 7), dialog(PeerKind.User, 3)];
    const groups = folder({ id: 4, groups: true, channels: true });
    const state = { dialogs, folders: [groups], users, chats };
    expect(dialogsIn(state, 4, now).map((d) => d.peer.id)).toEqual([5, 7]);
    expect(dialogsIn(state, 0, now)).toBe(dialogs);
    expect(dialogsIn(state, 9, now)).toBe(dialogs);
    expect(unreadChatsIn(state, 4, now)).toBe(1);
  });

  it('finds a free id and says what the server would refuse', () => {
    expect(freeFolderId([])).toBe(2);
    expect(freeFolderId([folder({ id: 2 }), folder({ id: 3 }), folder({ id: 5 })])).toBe(4);
    expect(freeFolderId(Array.from({ length: 254 }, (_, i) => folder({ id: i + 2 })))).toBeNull();
    expect(folderProblem(folder({ title: '  ', groups: true }))).toMatch(/name/);
    expect(folderProblem(folder({ title: 'Thirteen char', groups: true }))).toMatch(/12/);
    expect(folderProblem(folder({ title: '👨‍👩‍👧‍👦 family 🏠🏠🏠', groups: true }))).toBeNull();
    expect(folderProblem(folder({ title: 'Empty' }))).toMatch(/kinds/);
    expect(folderProblem(folder({ title: 'Named', include_peers: [bob.peer] }))).toBeNull();
  });
});
