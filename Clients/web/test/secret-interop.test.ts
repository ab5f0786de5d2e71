// Secret chats of the browser code against a REAL server (skipped unless MESSENGER_URL is set; see interop.test.ts):
// two devices' engines with their own stores talk through the host, which sees ciphertext only.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessengerClient } from '../src/api/client';
import { RpcError } from '../src/api/types';
import { MemoryKeyStore } from '../src/protocol/keystore';
import { SecretChats } from '../src/protocol/secretChats';
import { SecretStore } from '../src/protocol/secretStore';

const url = process.env.MESSENGER_URL;
const suffix = Math.random().toString(36).slice(2, 8);

async function eventually(probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!url)('secret chats with a real server', { timeout: 90_000 }, () => {
  let serverPublicKeyHex = '';
  const clients: MessengerClient[] = [];
  const engines: SecretChats[] = [];

  /** One device of a (new or existing) account, its engine fed by the client's events as the app does. */
  const device = async (name: string, register: boolean) => {
    const client = await MessengerClient.connect({ url: url!, serverPublicKeyHex, keyStore: new MemoryKeyStore(), deviceName: 'vitest', platform: 'node' });
    clients.push(client);
    const username = `${name}_${suffix}`;
    if (register) await client.auth.register({ username, password: 'correct horse battery', display_name: name });
    const signedIn = await client.auth.signIn({ username, password: 'correct horse battery', device_name: `vitest ${register ? 1 : 2}`, platform: 'node' });
    const store = new SecretStore(`secret-interop-${name}-${suffix}-${register}`);
    const engine = new SecretChats({ api: client.secret, store, selfId: signedIn.user.id, onChange: () => undefined });
    engines.push(engine);
    client.events.subscribe((event) => {
      if (event.type === 'secret_chat') void engine.handleChat(event.chat);
      else if (event.type === 'new_encrypted_message') void engine.handleMessage(event.message);
      else if (event.type === 'encrypted_read') void engine.handleRead(event.chatId, event.maxDate);
    });
    await client.startUpdates();
    return { client, engine, store, id: signedIn.user.id };
  };

  beforeAll(async () => {
    serverPublicKeyHex = process.env.MESSENGER_SERVER_KEY ?? (await (await fetch(new URL('/.well-known/messenger/server-key', url))).text()).trim();
  });

  afterAll(async () => {
    engines.forEach((e) => e.stop());
    await Promise.all(clients.map((c) => c.close()));
  });

  it('a request is taken by one device of the other user, messages go both ways, receipts, timers, delete for both and the end', async () => {
    const alice = await device('sally', true);
    const bob = await device('sam', true);
    const bobTablet = await device('sam', false);

    const chatId = await alice.engine.request(bob.id);
    await eventually(async () => (await alice.store.chat(chatId))?.state === 'ready');
    // Bob's log now holds the request and its acceptance. Until both of his devices have handled both, the one that
    // did not take it may not have seen the request yet: it would then look like the taker while it has nothing, and
    // take the request a moment later only to drop it on the acceptance (a device whose pushes lag under load).
    const { pts } = await bob.client.updates.getState();
    await eventually(async () => bob.client.pts >= pts && bobTablet.client.pts >= pts);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await Promise.all([bob.engine.idle(), bobTablet.engine.idle()]);
    // One of Bob's two devices took it; the other forgot its attempt.
    await eventually(async () => !!(await bob.store.chat(chatId)) !== !!(await bobTablet.store.chat(chatId)));
    const [taker, other] = (await bob.store.chat(chatId)) ? [bob, bobTablet] : [bobTablet, bob];
    await eventually(async () => (await taker.store.chat(chatId))?.state === 'ready');
    expect((await taker.store.chat(chatId))!.verification).toBe((await alice.store.chat(chatId))!.verification);
    expect(await other.store.chats()).toEqual([]);

    const hello = await alice.engine.send(chatId, 'Hello over the real server');
    await eventually(async () => (await taker.store.messages(chatId)).some((m) => m.text === 'Hello over the real server'));
    await taker.engine.markRead(chatId);
    await eventually(async () => (await alice.store.message(chatId, hello.randomId))?.read === true);
    await taker.engine.send(chatId, 'And back', hello.randomId);
    await eventually(async () => (await alice.store.messages(chatId)).some((m) => m.text === 'And back' && m.replyTo === hello.randomId));

    // The other device of Bob may not send in it.
    await expect(other.client.secret.sendEncrypted({ chat_id: chatId, random_id: 5, data: new Uint8Array(64) })).rejects.toMatchObject({
      name: 'ENCRYPTION_DEVICE_INVALID',
    });

    // A 1 s timer: gone on both sides once read.
    await alice.engine.setTtl(chatId, 1);
    const burning = await alice.engine.send(chatId, 'Gone in a second');
    await eventually(async () => !!(await taker.store.message(chatId, burning.randomId)));
    await taker.engine.markRead(chatId);
    await eventually(async () => !(await taker.store.message(chatId, burning.randomId)) && !(await alice.store.message(chatId, burning.randomId)));

    await taker.engine.deleteForBoth(chatId, [hello.randomId]);
    await eventually(async () => !(await alice.store.message(chatId, hello.randomId)));

    await alice.engine.deleteChat(chatId, true);
    await eventually(async () => (await taker.store.chat(chatId))?.state === 'discarded');
    expect(await taker.store.messages(chatId)).toEqual([]);
    await expect(taker.engine.send(chatId, 'too late')).rejects.toBeInstanceOf(RpcError);
    const listed = (await taker.client.secret.getChats()).chats.find((c) => c.id === chatId);
    expect(listed).toMatchObject({ state: 2, reason: 'ended', history_deleted: true });
  });
});
