import { decode, encode } from '@msgpack/msgpack';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MessengerClient } from '../src/api/client';
import { REPEATABLE_METHODS } from '../src/api/repeatable';
import { ErrorNames, PeerKind } from '../src/api/types';
import { MemoryKeyStore } from '../src/protocol/keystore';
import { ready } from '../src/protocol/sodium';
import { FakeServer } from './fakeServer';

beforeAll(() => ready());

const clients: MessengerClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A client of `server`, which answers RESULT_DROPPED to the first `drops` calls of each method, then echoes the arguments. */
async function connect(server: FakeServer, drops = 1) {
  const seen = new Map<string, number>();
  server.onCall = (method, msgId, args) => {
    const count = (seen.get(method) ?? 0) + 1;
    seen.set(method, count);
    return count <= drops
      ? { kind: 'error', reqMsgId: msgId, name: ErrorNames.ResultDropped, code: 500, retryAfter: null }
      : { kind: 'result', reqMsgId: msgId, value: encode({ echoed: decode(args) }) };
  };
  const client = await MessengerClient.connect({
    url: 'http://localhost',
    serverPublicKeyHex: Buffer.from(server.key.publicKey).toString('hex'),
    keyStore: new MemoryKeyStore(),
    transport: server.transport,
    autoReceipt: false,
  });
  clients.push(client);
  return client;
}

const argsOf = (server: FakeServer, method: string) =>
  server.calls(method).map((e) => (e.body.kind === 'call' ? (decode(e.body.args) as Record<string, unknown>) : null));

describe('a call whose answer the server let go (RESULT_DROPPED)', () => {
  it('is sent once more when it is repeatable, as a new call with the same arguments (a send keeps its random_id)', async () => {
    const server = new FakeServer();
    const client = await connect(server);

    const answer = await client.messages.send({ peer: { kind: PeerKind.User, id: 7 }, text: 'only once' });

    const calls = server.calls('messages.send');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.msgId).not.toBe(calls[1]!.msgId);
    const [first, second] = argsOf(server, 'messages.send');
    expect(second).toEqual(first);
    expect((answer as unknown as { echoed: { random_id: unknown } }).echoed.random_id).toEqual(first!.random_id);
  });

  it('is thrown when the call is not repeatable, without sending it again', async () => {
    const server = new FakeServer();
    const client = await connect(server);

    await expect(client.users.block({ user_id: 7 })).rejects.toMatchObject({ name: ErrorNames.ResultDropped });

    expect(server.calls('users.block')).toHaveLength(1);
    expect(REPEATABLE_METHODS.has('users.block')).toBe(false);
  });

  it('is thrown when the repeat is let go too: once, not in a loop', async () => {
    const server = new FakeServer();
    const client = await connect(server, 5);

    await expect(client.upload.getFile({ media_id: 3, offset: 0, limit: 4096 })).rejects.toMatchObject({ name: ErrorNames.ResultDropped });

    expect(server.calls('upload.getFile')).toHaveLength(2);
  });
});

describe('a call given up whose answer still comes', () => {
  it('hands its answer, decoded, to the answeredLate it was made with', async () => {
    const server = new FakeServer();
    const client = await connect(server, 0);
    server.onCall = () => undefined;
    const taken: unknown[] = [];

    await expect(client.phone.joinGroupCall({ chat_id: 5 }, { timeoutMs: 20, answeredLate: (call) => taken.push(call) })).rejects.toMatchObject({ name: 'TIMEOUT' });
    server.push({ kind: 'result', reqMsgId: server.calls('phone.joinGroupCall')[0]!.msgId, value: encode({ id: 3, chat_id: 5, participants: [1] }) });

    await expect.poll(() => taken).toEqual([{ id: 3, chat_id: 5, participants: [1] }]);
  });
});
