// Interop against a REAL server; skipped unless MESSENGER_URL is set, e.g.
//   dotnet Messenger.Host.dll --Messenger:Urls=http://127.0.0.1:5077 --Messenger:DataDirectory=/tmp/w1data \
//     --Messenger:Session:RegistrationsPerAddress=1000
//   MESSENGER_URL=http://127.0.0.1:5077 npx vitest run test/interop.test.ts
// The server key is read from /.well-known/messenger/server-key (trust on first use) unless MESSENGER_SERVER_KEY is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessengerClient } from '../src/api/client';
import { ChatKind, RpcError, chatPeer, userPeer, type MessengerEvent } from '../src/api/types';
import { MemoryKeyStore } from '../src/protocol/keystore';

const url = process.env.MESSENGER_URL;
const suffix = Math.random().toString(36).slice(2, 8);

function collect(client: MessengerClient): MessengerEvent[] {
  const events: MessengerEvent[] = [];
  client.events.subscribe((event) => events.push(event));
  return events;
}

async function until<T>(probe: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!url)('interop with a real server', () => {
  let serverPublicKeyHex = '';
  const clients: MessengerClient[] = [];
  const connect = async (keyStore = new MemoryKeyStore()) => {
    const client = await MessengerClient.connect({ url: url!, serverPublicKeyHex, keyStore, deviceName: 'vitest', platform: 'node' });
    clients.push(client);
    return client;
  };
  const account = async (name: string) => {
    const keyStore = new MemoryKeyStore();
    const client = await connect(keyStore);
    const username = `${name}_${suffix}`;
    await client.auth.register({ username, password: 'correct horse battery', display_name: name });
    const signedIn = await client.auth.signIn({ username, password: 'correct horse battery', device_name: 'vitest', platform: 'node' });
    return { client, signedIn, username, keyStore };
  };

  beforeAll(async () => {
    serverPublicKeyHex = process.env.MESSENGER_SERVER_KEY ?? (await (await fetch(new URL('/.well-known/messenger/server-key', url))).text()).trim();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it('registers two users, pushes a message live, reports delivery and replays it by getDifference', async () => {
    const alice = await account('alice');
    const bob = await account('bob');
    expect(alice.client.state).toBe('online');
    expect(alice.client.signedIn?.user.id).toBe(alice.signedIn.user.id);
    const aliceEvents = collect(alice.client);
    const bobEvents = collect(bob.client);
    await alice.client.startUpdates();
    await bob.client.startUpdates(0);

    const config = await alice.client.help.getConfig();
    expect(config.max_frame_bytes).toBeGreaterThan(512 * 1024);

    const sent = await alice.client.messages.send({ peer: userPeer(bob.signedIn.user.id), text: 'hello from the browser' });
    expect(sent.message.text).toBe('hello from the browser');

    const received = await until(() => bobEvents.find((e) => e.type === 'new_message'));
    expect(received).toMatchObject({ type: 'new_message', out: false, peer: { kind: 1, id: alice.signedIn.user.id } });
    // Bob's client reported it delivered by itself (messages.received): Alice sees the receipt.
    const delivered = await until(() => aliceEvents.find((e) => e.type === 'delivered'));
    expect(delivered).toMatchObject({ maxId: sent.message.id, peer: { kind: 1, id: bob.signedIn.user.id } });
    // Alice's own send is an event too (once).
    expect(aliceEvents.filter((e) => e.type === 'new_message')).toHaveLength(1);

    const difference = await bob.client.updates.getDifference({ pts: 0 });
    const replayed = difference.updates.map((u) => u.update).find((u) => u.type === 'new_message');
    expect(replayed).toMatchObject({ type: 'new_message', message: { id: sent.message.id, text: 'hello from the browser' } });

    const dialogs = await bob.client.messages.getDialogs();
    expect(dialogs.dialogs[0]).toMatchObject({ peer: { kind: 1, id: alice.signedIn.user.id }, top_message: { id: sent.message.id } });

    await bob.client.messages.readHistory({ peer: userPeer(alice.signedIn.user.id), max_id: sent.message.id });
    await until(() => aliceEvents.find((e) => e.type === 'read_outbox'));
  });

  it('keeps the signed-in user it remembers up to date after a profile change', async () => {
    const nina = await account('nina');
    await nina.client.account.updateProfile({ display_name: 'Nina Renamed', bio: 'hi' });
    expect(nina.client.signedIn?.user.display_name).toBe('Nina Renamed');
    expect((await nina.keyStore.loadSignedIn())?.user.display_name).toBe('Nina Renamed');
  });

  it('lists the users the caller blocked', async () => {
    const oscar = await account('oscar');
    const peggy = await account('peggy');
    await oscar.client.users.block({ user_id: peggy.signedIn.user.id });
    expect((await oscar.client.users.getBlocked()).user_ids).toEqual([peggy.signedIn.user.id]);
    await oscar.client.users.unblock({ user_id: peggy.signedIn.user.id });
    expect((await oscar.client.users.getBlocked()).user_ids).toEqual([]);
  });

  it('turns server errors into RpcError', async () => {
    const client = await connect();
    const error = await client.messages.getDialogs().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ name: 'AUTH_KEY_UNREGISTERED', code: 401 });
    const invalid = await client.auth.register({ username: 'x', password: 'correct horse battery', display_name: 'x' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ name: 'USERNAME_INVALID', code: 400 });
  });

  it('uploads in parts and downloads the same bytes', async () => {
    const alice = await account('carol');
    const bob = await account('dave');
    const bytes = new Uint8Array(1_300_000).map((_, i) => (i * 31) & 0xff);
    const progress: number[] = [];
    const media = await alice.client.uploadFile(new Blob([bytes], { type: 'application/octet-stream' }), { name: 'blob.bin', onProgress: (sent) => progress.push(sent) });
    expect(media.total_parts).toBe(3);
    expect(progress.at(-1)).toBe(bytes.length);
    const sent = await alice.client.messages.send({ peer: userPeer(bob.signedIn.user.id), text: 'a file', media });
    const history = await bob.client.messages.getHistory({ peer: userPeer(alice.signedIn.user.id) });
    const attached = history.messages.find((m) => m.id === sent.message.id)!.media!;
    expect(attached.size).toBe(bytes.length);
    const blob = await bob.client.downloadFile(attached);
    // Buffer.equals: vitest's deep equality is slow on a megabyte array.
    expect(Buffer.from(await blob.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('resumes the session after a dropped link and catches up on what was pushed meanwhile', async () => {
    const alice = await account('erin');
    const bob = await account('frank');
    const bobEvents = collect(bob.client);
    await bob.client.startUpdates();
    const states: string[] = [];
    bob.client.onState((s) => states.push(s));
    await (bob.client as unknown as { session: { dropLink(): Promise<void> } }).session.dropLink();
    await alice.client.messages.send({ peer: userPeer(bob.signedIn.user.id), text: 'while you were away' });
    await until(() => (bob.client.state === 'online' && states.includes('connecting') ? true : undefined), 10_000);
    const event = await until(() => bobEvents.find((e) => e.type === 'new_message'), 10_000);
    expect(event).toMatchObject({ message: { text: 'while you were away' } });
    expect((await bob.client.users.getUsers({ ids: [alice.signedIn.user.id] })).users[0]!.username).toBe(alice.username);
  });

  it('signs in a second device with a login token', async () => {
    const alice = await account('grace');
    const device = await connect();
    const deviceEvents = collect(device);
    const token = await device.auth.exportLoginToken({ device_name: 'second', platform: 'node' });
    await alice.client.auth.acceptLoginToken({ token: token.token });
    const accepted = await until(() => deviceEvents.find((e) => e.type === 'login_token_accepted'));
    expect(accepted).toMatchObject({ signedIn: { user: { id: alice.signedIn.user.id } } });
    await until(() => (device.signedIn ? true : undefined));
    const authorizations = await device.account.getAuthorizations();
    expect(authorizations.authorizations).toHaveLength(2);
    expect(authorizations.authorizations.filter((a) => a.current)).toHaveLength(1);
  });

  it('reports edits, deletions, typing and group changes as events', async () => {
    const alice = await account('heidi');
    const bob = await account('ivan');
    const bobEvents = collect(bob.client);
    await bob.client.startUpdates();
    const peer = userPeer(bob.signedIn.user.id);
    const sent = await alice.client.messages.send({ peer, text: 'first' });
    await alice.client.messages.edit({ peer, id: sent.message.id, text: 'first, edited' });
    await alice.client.messages.setTyping({ peer, action: 'typing' });
    await alice.client.messages.delete({ peer, ids: [sent.message.id], revoke: true });
    const group = await alice.client.groups.create({ title: 'small', user_ids: [bob.signedIn.user.id] });
    await until(() => bobEvents.find((e) => e.type === 'chat_updated'));
    const types = bobEvents.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['new_message', 'message_edited', 'typing', 'messages_deleted', 'chat_updated']));
    expect(bobEvents.find((e) => e.type === 'message_edited')).toMatchObject({ message: { text: 'first, edited', edit_date: expect.any(Number) } });
    expect(bobEvents.find((e) => e.type === 'typing')).toMatchObject({ userId: alice.signedIn.user.id, peer: { kind: 1, id: alice.signedIn.user.id } });
    expect(bobEvents.find((e) => e.type === 'chat_updated')).toMatchObject({ isMember: true, chat: { id: group.chat.id, title: 'small' } });
    // Pts of logged events only grow.
    const pts = bobEvents.flatMap((e) => ('pts' in e && !('channelId' in e) ? [e.pts] : []));
    expect(pts).toEqual([...pts].sort((a, b) => a - b));
  });

  it("follows a large group's own log and catches up on it with getChannelDifference", async () => {
    const alice = await account('judy');
    const bob = await account('ken');
    const big = await alice.client.groups.create({ title: 'big', user_ids: [bob.signedIn.user.id], large: true });
    expect(big.chat.kind).toBe(ChatKind.LargeGroup);
    const bobEvents = collect(bob.client);
    await bob.client.startUpdates(0);
    const live = await alice.client.messages.send({ peer: chatPeer(big.chat.id), text: 'to everyone' });
    expect(live.channel).toBe(true);
    const received = await until(() => bobEvents.find((e) => e.type === 'new_message' && e.message.id === live.message.id));
    expect(received).toMatchObject({ channelId: big.chat.id, out: false, peer: { kind: 2, id: big.chat.id } });

    // While Bob is away, more is posted; the same device started again from the persisted positions catches up.
    const [bobPts, bobChannelPts] = [bob.client.pts, bob.client.channelPts];
    expect(bobChannelPts.get(big.chat.id)).toBe(live.pts);
    await bob.client.close();
    const missed = await alice.client.messages.send({ peer: chatPeer(big.chat.id), text: 'while away' });
    const again = await connect(bob.keyStore);
    expect(again.signedIn?.user.id).toBe(bob.signedIn.user.id);
    const againEvents = collect(again);
    await again.startUpdates(bobPts, bobChannelPts);
    const caughtUp = await until(() => againEvents.find((e) => e.type === 'new_message'));
    expect(caughtUp).toMatchObject({ message: { id: missed.message.id, text: 'while away' }, channelId: big.chat.id });
    expect(againEvents.filter((e) => e.type === 'new_message')).toHaveLength(1);
  });

  it('reports a large group post made while the link was down, after a fresh start (the groups getState lists are followed)', async () => {
    const alice = await account('lars');
    const bob = await account('mona');
    const chat = (await alice.client.groups.create({ title: 'Large', user_ids: [bob.signedIn.user.id], large: true })).chat;
    await alice.client.messages.send({ peer: chatPeer(chat.id), text: 'before' });
    const bobEvents = collect(bob.client);
    await bob.client.startUpdates();
    const states: string[] = [];
    bob.client.onState((s) => states.push(s));

    await (bob.client as unknown as { session: { dropLink(): Promise<void> } }).session.dropLink();
    await alice.client.messages.send({ peer: chatPeer(chat.id), text: 'during the drop' });
    await until(() => (bob.client.state === 'online' && states.includes('connecting') ? true : undefined), 10_000);
    // The reconnect's catch-up reads the group's difference from where the start left it.
    const missed = await until(() => bobEvents.find((e) => e.type === 'new_message' && e.message.text === 'during the drop'), 10_000);
    expect(missed).toMatchObject({ channelId: chat.id, out: false });
    expect(bobEvents.filter((e) => e.type === 'new_message').map((e) => e.type === 'new_message' && e.message.text)).toEqual(['during the drop']);
  });

  it('notices when the device is revoked from another device', async () => {
    const alice = await account('leo');
    const second = await connect();
    const token = await second.auth.exportLoginToken();
    await alice.client.auth.acceptLoginToken({ token: token.token });
    await until(() => (second.signedIn ? true : undefined));
    const events = collect(second);
    await alice.client.account.resetOtherAuthorizations();
    // The server closes the revoked device's connection; its calls are refused from then on.
    const refused = await (async () => {
      for (let i = 0; i < 100; i++) {
        const result = await second.messages.getDialogs().catch((e: unknown) => e);
        if (result instanceof RpcError) return result;
        await new Promise((r) => setTimeout(r, 50));
      }
      return undefined;
    })();
    expect(refused).toMatchObject({ name: 'AUTH_KEY_UNREGISTERED' });
    expect(second.signedIn).toBeNull();
    expect(events).toContainEqual({ type: 'signed_out' });
  });
});
