import { decode, encode } from '@msgpack/msgpack';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { userPeer, type Message } from '../src/api/types';
import { toDifference } from '../src/protocol/codec';
import { noticeOptions } from '../src/ui/notifications';

const NEW_MESSAGE = 0;

/** A message as the server writes it (a MessagePack map without its nil keys; `silent` only when true) — or, with
 * `silent: false`, as a server that wrote every key did. */
const wireMessage = (id: number, silent?: boolean) => ({
  id,
  from_id: 2,
  to_peer: userPeer(1),
  date: 1_733_097_600,
  text: `m${id}`,
  ...(silent === undefined ? {} : { silent }),
});

const difference = (...messages: object[]) =>
  toDifference(
    decode(
      encode({
        updates: messages.map((message, i) => ({ pts: i + 1, pts_count: 1, date: 1_733_097_600, update: [NEW_MESSAGE, { message }] })),
        state: { pts: messages.length, date: 0 },
        slice: false,
        too_long: false,
      }),
    ),
  );

const messages = (d: ReturnType<typeof difference>): Message[] =>
  d.updates.map((u) => (u.update.type === 'new_message' ? u.update.message : (null as never)));

describe('silent messages', () => {
  it('decodes the flag of a new_message, and reads a message without the key as not silent', () => {
    const [quiet, loud, old] = messages(difference(wireMessage(1, true), wireMessage(2, false), wireMessage(3)));

    expect(quiet.silent).toBe(true);
    expect(loud.silent).toBe(false);
    expect(old.silent).toBeUndefined();
    expect(noticeOptions(quiet, 'psst', 'u2')).toEqual({ body: 'psst', tag: 'u2', silent: true });
    expect(noticeOptions(loud, 'hey', 'u2').silent).toBe(false);
    expect(noticeOptions(old, 'hi', 'u2').silent).toBe(false);
  });

  it("the service worker shows a pushed silent message quietly, and anything but a true flag with sound", async () => {
    const shown: { title: string; options: NotificationOptions }[] = [];
    const handlers: Record<string, (event: unknown) => void> = {};
    const self = {
      addEventListener: (type: string, handler: (event: unknown) => void) => (handlers[type] = handler),
      registration: { showNotification: async (title: string, options: NotificationOptions) => void shown.push({ title, options }) },
    };
    runInNewContext(readFileSync(new URL('../public/sw.js', import.meta.url), 'utf8'), { self, URL });
    const push = async (payload: object) => {
      let done: Promise<unknown> = Promise.resolve();
      handlers.push({ data: { json: () => payload }, waitUntil: (p: Promise<unknown>) => (done = p) });
      await done;
    };
    const notice = { type: 'message', peer: { kind: 'user', id: 7 }, message_id: 1, date: 0, title: 'Alice', body: 'psst' };

    await push({ ...notice, silent: true });
    await push({ ...notice, silent: false });
    await push({ ...notice, silent: 'yes' });
    await push(notice);

    expect(shown.map((s) => s.options.silent)).toEqual([true, false, false, false]);
    expect(shown[0]).toMatchObject({ title: 'Alice', options: { body: 'psst', tag: 'u7' } });
  });
});
