// The tab's own notification of a secret message (ui/notifications.ts announceSecret): the push's rules and words.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MuteForever, userPeer, type User } from '../src/api/types';

vi.mock('../src/ui/connection', () => ({
  api: () => {
    throw new Error('no server here');
  },
}));

import { blankDialog } from '../src/ui/chats';
import { SECRET_NOTICE_BODY, announceSecret } from '../src/ui/notifications';
import { setState } from '../src/ui/store';
import { announceIncoming, type SecretChatView } from '../src/ui/secret';
import type { SecretMessage } from '../src/protocol/secretStore';

type Shown = { title: string; options: NotificationOptions };

const ALICE = 7;
const CAROL = 9;
const CHAT = 4_503_599_627_370_495;

let shown: Shown[] = [];

const user = (id: number, display_name: string) => ({ id, display_name, username: display_name.toLowerCase() }) as unknown as User;
const now = () => Math.floor(Date.now() / 1000);

beforeEach(() => {
  shown = [];
  vi.stubGlobal(
    'Notification',
    class {
      static permission = 'granted';
      onclick: (() => void) | null = null;
      constructor(title: string, options: NotificationOptions) {
        shown.push({ title, options });
      }
    },
  );
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });
  vi.stubGlobal('document', { visibilityState: 'hidden', hasFocus: () => false });
  setState({ users: { [ALICE]: user(ALICE, 'Alice'), [CAROL]: user(CAROL, 'Carol') }, contacts: {}, dialogs: [], active: null });
});

afterEach(() => vi.unstubAllGlobals());

/** What the app's service worker shows for the push of the same secret message. */
async function pushed(notice: object): Promise<Shown> {
  const seen: Shown[] = [];
  const handlers: Record<string, (event: unknown) => void> = {};
  const self = {
    addEventListener: (type: string, handler: (event: unknown) => void) => (handlers[type] = handler),
    registration: { showNotification: async (title: string, options: NotificationOptions) => void seen.push({ title, options }) },
  };
  runInNewContext(readFileSync(new URL('../public/sw.js', import.meta.url), 'utf8'), { self, URL });
  let done: Promise<unknown> = Promise.resolve();
  handlers.push({ data: { json: () => notice }, waitUntil: (p: Promise<unknown>) => (done = p) });
  await done;
  return seen[0];
}

describe("the tab's notification of a secret message", () => {
  it("says what the push says: the sender's name and '🔒 New secret message', one per secret chat", async () => {
    await announceSecret(CHAT, ALICE, now());

    const notice = { type: 'secret_message', chat_id: CHAT, from_id: ALICE, date: now(), title: 'Alice', body: SECRET_NOTICE_BODY, silent: false };
    const push = await pushed(notice);
    expect(shown).toEqual([{ title: 'Alice', options: { body: '🔒 New secret message', tag: `s${CHAT}`, silent: false } }]);
    expect(shown[0].title).toBe(push.title);
    expect(shown[0].options).toMatchObject({ body: push.options.body, tag: push.options.tag, silent: push.options.silent });
  });

  it('is quiet for a message sent without sound', async () => {
    await announceSecret(CHAT, ALICE, now(), true);

    expect(shown).toHaveLength(1);
    expect(shown[0].options).toMatchObject({ body: SECRET_NOTICE_BODY, silent: true });
  });

  it('shows nothing while the private chat with the sender is muted, and again once the mute is over', async () => {
    setState({ dialogs: [{ ...blankDialog(userPeer(ALICE)), mute_until: MuteForever }] });
    await announceSecret(CHAT, ALICE, now());
    await announceSecret(CHAT, ALICE, now(), true);
    expect(shown).toEqual([]);

    // Another person's muted chat does not matter; a mute that ended does not either.
    const carol = { ...blankDialog(userPeer(CAROL)), mute_until: MuteForever };
    setState({ dialogs: [carol, { ...blankDialog(userPeer(ALICE)), mute_until: now() - 60 }] });
    await announceSecret(CHAT, ALICE, now());
    expect(shown.map((s) => s.title)).toEqual(['Alice']);
  });

  it('shows nothing for a catch-up older than two minutes, nor for the secret chat in front', async () => {
    await announceSecret(CHAT, ALICE, now() - 600);
    setState({ active: `s${CHAT}` });
    vi.stubGlobal('document', { visibilityState: 'visible', hasFocus: () => true });
    await announceSecret(CHAT, ALICE, now());

    expect(shown).toEqual([]);
  });

  it("of a received message: quiet when it was sent without sound, none when its sender marked it a control message", async () => {
    const view: SecretChatView = { id: CHAT, role: 'admin', peerId: ALICE, state: 'ready', date: 1, fingerprint: 0, verification: '', reason: null, ttl: 0, peerReadDate: 0, readDateSent: 0, lastDate: 1 };
    setState({ secretChats: { [CHAT]: view } });
    const message = (text: string, silent?: boolean): SecretMessage => ({
      chatId: CHAT,
      randomId: 3,
      from: ALICE,
      date: now(),
      text,
      ttl: 0,
      read: false,
      expires: null,
      replyTo: null,
      ...(silent ? { silent } : {}),
    });
    await announceIncoming({ kind: 'incoming', chatId: CHAT, message: message('quiet', true) });
    await announceIncoming({ kind: 'incoming', chatId: CHAT, message: message('a control message'), service: true });
    await announceIncoming({ kind: 'incoming', chatId: CHAT, message: message('aloud') });

    expect(shown.map((s) => [s.title, s.options.silent])).toEqual([
      ['Alice', true],
      ['Alice', false],
    ]);
  });
});
