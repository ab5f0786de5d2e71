import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

type Shown = { title: string; options: NotificationOptions & { renotify?: boolean } };
type Window = { url: string; focus: () => Promise<void>; postMessage: (message: unknown) => void };

/** The app's service worker (`public/sw.js`) run on its own, with a `self` that records what it shows and opens. */
function serviceWorker(windows: Window[] = []) {
  const shown: Shown[] = [];
  const opened: string[] = [];
  const handlers: Record<string, (event: unknown) => void> = {};
  const self = {
    location: { origin: 'https://chat.example.org' },
    addEventListener: (type: string, handler: (event: unknown) => void) => (handlers[type] = handler),
    registration: { showNotification: async (title: string, options: NotificationOptions) => void shown.push({ title, options }) },
    clients: { matchAll: async () => windows, openWindow: async (url: string) => void opened.push(url), claim: async () => undefined },
  };
  runInNewContext(readFileSync(new URL('../public/sw.js', import.meta.url), 'utf8'), { self, URL });
  const dispatch = async (type: string, event: object) => {
    let done: Promise<unknown> = Promise.resolve();
    handlers[type]({ ...event, waitUntil: (p: Promise<unknown>) => (done = p) });
    await done;
  };
  return {
    shown,
    opened,
    push: (payload: object) => dispatch('push', { data: { json: () => payload } }),
    click: (notification: Shown) => dispatch('notificationclick', { notification: { data: notification.options.data, close: () => undefined } }),
  };
}

const secret = {
  type: 'secret_message',
  chat_id: 4_503_599_627_370_495,
  from_id: 7,
  date: 1_733_097_600,
  title: 'Alice',
  body: '🔒 New secret message',
  silent: false,
};

describe('the service worker and secret messages', () => {
  it("shows the sender's name and no content, one notification per secret chat, silent when sent so", async () => {
    const sw = serviceWorker();

    await sw.push(secret);
    await sw.push({ ...secret, silent: true, body: 'anything the server might put here' });
    await sw.push({ ...secret, title: '' });

    expect(sw.shown[0]).toEqual({
      title: 'Alice',
      options: { body: '🔒 New secret message', tag: 's4503599627370495', data: { chat: 's4503599627370495' }, renotify: true, silent: false },
    });
    expect(sw.shown[1].options).toMatchObject({ body: '🔒 New secret message', tag: 's4503599627370495', silent: true });
    expect(sw.shown[2].title).toBe('Secret chat');
  });

  it('reads a secret notice without a usable chat id as a plain "New message"', async () => {
    const sw = serviceWorker();

    await sw.push({ ...secret, chat_id: '12' });
    await sw.push({ ...secret, chat_id: 2 ** 53 });
    await sw.push({ ...secret, chat_id: 0 });

    expect(sw.shown.map((s) => [s.title, s.options.body, s.options.tag])).toEqual([
      ['Messenger', 'New message', 'messenger'],
      ['Messenger', 'New message', 'messenger'],
      ['Messenger', 'New message', 'messenger'],
    ]);
  });

  it('a click opens the secret chat: in a new tab as /?chat=s<id>, or in the open one by a message', async () => {
    const closed = serviceWorker();
    await closed.push({ ...secret, chat_id: 42 });
    await closed.click(closed.shown[0]);
    expect(closed.opened).toEqual(['/?chat=s42']);

    const messages: unknown[] = [];
    let focused = false;
    const tab: Window = {
      url: 'https://chat.example.org/',
      focus: async () => void (focused = true),
      postMessage: (message) => messages.push(message),
    };
    const open = serviceWorker([tab]);
    await open.push({ ...secret, chat_id: 42 });
    await open.click(open.shown[0]);
    expect(focused).toBe(true);
    expect(messages).toEqual([{ type: 'open-chat', chat: 's42' }]);
    expect(open.opened).toEqual([]);
  });
});
