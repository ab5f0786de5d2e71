import { decode, encode } from '@msgpack/msgpack';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RpcError } from '../src/api/types';
import { MsgIdClock } from '../src/protocol/msgid';
import { generateKeyPair } from '../src/protocol/noise';
import { ConnectionError, mayChangeALog, ProtocolSession } from '../src/protocol/session';
import { ready } from '../src/protocol/sodium';
import { FakeServer } from './fakeServer';
import { until } from './helpers';

beforeAll(() => ready());

const sessions: ProtocolSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function open(server: FakeServer, options: Partial<ConstructorParameters<typeof ProtocolSession>[0]> = {}) {
  const session = new ProtocolSession({
    transport: server.transport,
    serverPublicKey: server.key.publicKey,
    deviceKey: generateKeyPair(),
    reconnectMinDelayMs: 5,
    reconnectMaxDelayMs: 20,
    ...options,
  });
  sessions.push(session);
  await session.open();
  return session;
}

const echo = (server: FakeServer) => {
  server.onCall = (_method, msgId, args) => ({ kind: 'result', reqMsgId: msgId, value: args });
};

describe('session layer', () => {
  it('answers a call and acks the result later, batched', async () => {
    const server = new FakeServer();
    echo(server);
    const session = await open(server);
    expect(session.state).toBe('online');
    const results = await Promise.all([1, 2, 3].map((i) => session.call('help.ping', encode({ id: i }))));
    expect(results.map((r) => decode(r))).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const calls = server.calls('help.ping');
    expect(calls).toHaveLength(3);
    // Three calls made in one tick travel in one container frame.
    expect(server.frames.some((f) => f.envelope.body.kind === 'container' && f.envelope.body.envelopes.length >= 3)).toBe(true);
    await until(() => server.acked().length === 3);
    // One ack envelope carries all three.
    expect(server.envelopes.filter((e) => e.body.kind === 'ack')).toHaveLength(1);
    for (const call of calls) {
      expect(call.msgId % 4n).toBe(0n);
      expect(call.seqNo % 2).toBe(1);
    }
  });

  it('uses the server clock from the handshake for msg_ids', async () => {
    const server = new FakeServer();
    server.serverTimeMs = () => Date.now() + 3_600_000;
    echo(server);
    const session = await open(server);
    await session.call('help.ping', encode({ id: 1 }));
    const seconds = MsgIdClock.secondsOf(server.calls()[0]!.msgId);
    expect(Math.abs(seconds - (Date.now() + 3_600_000) / 1000)).toBeLessThan(5);
  });

  it('turns an error body into RpcError', async () => {
    const server = new FakeServer();
    server.onCall = (_m, msgId) => ({ kind: 'error', reqMsgId: msgId, name: 'FLOOD_WAIT', code: 420, retryAfter: 7 });
    const session = await open(server);
    const error = await session.call('auth.signIn', encode({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ name: 'FLOOD_WAIT', code: 420, retryAfter: 7, method: 'auth.signIn' });
  });

  it('restamps and resends a call refused as bad_msg, correcting the clock', async () => {
    const server = new FakeServer();
    let refused = false;
    server.onCall = (_m, msgId, args) => {
      if (refused) return { kind: 'result', reqMsgId: msgId, value: args };
      refused = true;
      return { kind: 'bad_msg', badMsgId: msgId, errorCode: 17, serverTimeMs: Date.now() - 120_000 };
    };
    const session = await open(server);
    const result = await session.call('help.ping', encode({ id: 5 }));
    expect(decode(result)).toEqual({ id: 5 });
    const [first, second] = server.calls();
    expect(second!.msgId).not.toBe(first!.msgId);
    expect(session.clockOffsetMs).toBeLessThan(-110_000);
    expect(MsgIdClock.secondsOf(second!.msgId)).toBeLessThan(MsgIdClock.secondsOf(first!.msgId) - 100);
  });

  it('fails a call resent after a reconnect and refused as too old with RESULT_DROPPED instead of running it again', async () => {
    const server = new FakeServer();
    const session = await open(server);
    const pending = session.call('groups.create', encode({ title: 'Aged' }));
    pending.catch(() => undefined);
    await until(() => server.calls().length === 1);
    // The first link's answer is lost with it; the session on the server forgot the msg_id meanwhile. (Under a new
    // msg_id the call would run again: answered.)
    const aged = server.calls()[0]!.msgId;
    server.onCall = (_m, msgId, args) =>
      msgId === aged ? { kind: 'bad_msg', badMsgId: msgId, errorCode: 16, serverTimeMs: Date.now() } : { kind: 'result', reqMsgId: msgId, value: args };
    server.dropLink();
    await expect(pending).rejects.toMatchObject({ name: 'RESULT_DROPPED' });
    const [first, resent, ...more] = server.calls('groups.create');
    expect(resent!.msgId).toBe(first!.msgId);
    expect(more).toEqual([]);

    // A call refused as too old on its first link (a clock behind) is still restamped and sent again.
    echo(server);
    let refused = false;
    server.onCall = (_m, msgId, args) => {
      if (refused) return { kind: 'result', reqMsgId: msgId, value: args };
      refused = true;
      return { kind: 'bad_msg', badMsgId: msgId, errorCode: 16, serverTimeMs: Date.now() + 400_000 };
    };
    expect(decode(await session.call('groups.create', encode({ title: 'Now' })))).toEqual({ title: 'Now' });
  });

  it('reconnects after a dropped link, resumes the session and resends unanswered calls with their msg_ids', async () => {
    const server = new FakeServer();
    const session = await open(server);
    const states: string[] = [];
    session.onState((s) => states.push(s));
    const resyncs: string[] = [];
    session.onResync((r) => resyncs.push(r));
    const pending = session.call('messages.send', encode({ text: 'x' }));
    await until(() => server.calls().length === 1);
    echo(server);
    server.dropLink();
    expect(decode(await pending)).toEqual({ text: 'x' });
    const [first, resent] = server.calls('messages.send');
    expect(resent!.msgId).toBe(first!.msgId);
    const links = new Set(server.frames.map((f) => f.link));
    expect(links).toEqual(new Set([1, 2]));
    expect(new Set(server.frames.map((f) => f.sessionId)).size).toBe(1);
    expect(states).toEqual(['connecting', 'online']);
    expect(resyncs).toEqual(['reconnected']);
  });

  it('keeps a call made without a time limit waiting through a long outage, and resends it with its msg_id', async () => {
    const server = new FakeServer();
    // A 1 ms limit for the others: the call below would time out at once if the limit applied to it.
    const session = await open(server, { callTimeoutMs: 1 });
    let outcome: unknown = 'waiting';
    const pending = session.call('messages.send', encode({ text: 'm1' }), { timeoutMs: Infinity });
    pending.then((v) => (outcome = v), (e: unknown) => (outcome = e));
    await until(() => server.calls('messages.send').length === 1);
    server.refuseConnections = true;
    server.dropLink();
    // A call with the default limit times out meanwhile: the one without a limit is still waiting after it.
    await expect(session.call('help.ping', encode({}))).rejects.toMatchObject({ name: 'TIMEOUT' });
    expect(outcome).toBe('waiting');
    echo(server);
    server.refuseConnections = false;
    session.retryNow();
    expect(decode(await pending)).toEqual({ text: 'm1' });
    const [first, resent] = server.calls('messages.send');
    expect(resent!.msgId).toBe(first!.msgId);
  });

  it('backs off while the server is unreachable and comes back online', async () => {
    const server = new FakeServer();
    const session = await open(server);
    const states: string[] = [];
    session.onState((s) => states.push(s));
    server.refuseConnections = true;
    server.dropLink();
    // Each failed attempt shows 'offline' until the next one ('connecting').
    await until(() => server.links === 1 && states.filter((s) => s === 'offline').length >= 2);
    expect(session.state).not.toBe('online');
    server.refuseConnections = false;
    await until(() => session.state === 'online', 2000);
    expect(states.slice(0, 3)).toEqual(['connecting', 'offline', 'connecting']);
  });

  it('fails to open against a server without the pinned key', async () => {
    const server = new FakeServer();
    const wrong = new ProtocolSession({ transport: server.transport, serverPublicKey: generateKeyPair().publicKey, deviceKey: generateKeyPair() });
    await expect(wrong.open()).rejects.toBeInstanceOf(ConnectionError);
  });

  it('times out a call and honours an abort signal', async () => {
    const server = new FakeServer();
    const session = await open(server);
    await expect(session.call('help.ping', encode({}), { timeoutMs: 20 })).rejects.toMatchObject({ name: 'TIMEOUT' });
    const controller = new AbortController();
    const call = session.call('help.ping', encode({}), { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'ABORTED' });
  });

  it('asks for a resync when the answer to a call it gave up still comes, and not for an error or an answer awaited', async () => {
    const server = new FakeServer();
    const session = await open(server);
    const resyncs: string[] = [];
    session.onResync((r) => resyncs.push(r));
    const controller = new AbortController();
    const call = session.call('messages.send', encode({ text: 'given up' }), { signal: controller.signal });
    await until(() => server.calls('messages.send').length === 1);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'ABORTED' });
    const failing = session.call('messages.send', encode({ text: 'refused' }), { timeoutMs: 20 });
    await expect(failing).rejects.toMatchObject({ name: 'TIMEOUT' });
    const [givenUp, refused] = server.calls('messages.send');

    server.push({ kind: 'error', reqMsgId: refused!.msgId, name: 'MESSAGE_EMPTY', code: 400, retryAfter: null });
    server.push({ kind: 'result', reqMsgId: givenUp!.msgId, value: encode({}) });
    await until(() => resyncs.length === 1);
    server.push({ kind: 'result', reqMsgId: givenUp!.msgId, value: encode({}) });
    // The update stream's own read, timed out: its late answer asks for nothing (the stream retries it itself).
    await expect(session.call('updates.getDifference', encode({ pts: 1 }), { timeoutMs: 20 })).rejects.toMatchObject({ name: 'TIMEOUT' });
    server.push({ kind: 'result', reqMsgId: server.calls('updates.getDifference')[0]!.msgId, value: encode({}) });
    echo(server);
    await session.call('help.ping', encode({}));
    expect(resyncs).toEqual(['answer_after_giving_up']);
  });

  it('gives the late answer of a call given up to what the call left to take it, after asking for the resync; not an error\'s, nor an answer awaited', async () => {
    const server = new FakeServer();
    const session = await open(server);
    const events: string[] = [];
    session.onResync((r) => events.push(r));
    const late = (name: string) => (value: Uint8Array) => events.push(`${name}:${JSON.stringify(decode(value))}`);
    const controller = new AbortController();
    const aborted = session.call('phone.joinGroupCall', encode({ chat_id: 5 }), { signal: controller.signal, answeredLate: late('aborted') });
    await until(() => server.calls('phone.joinGroupCall').length === 1);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'ABORTED' });
    await expect(session.call('secret.sendEncrypted', encode({ random_id: 1 }), { timeoutMs: 20, answeredLate: late('timedOut') })).rejects.toMatchObject({
      name: 'TIMEOUT',
    });
    await expect(session.call('secret.sendEncrypted', encode({ random_id: 2 }), { timeoutMs: 20, answeredLate: late('refused') })).rejects.toMatchObject({
      name: 'TIMEOUT',
    });
    const [joined] = server.calls('phone.joinGroupCall');
    const [timedOut, refused] = server.calls('secret.sendEncrypted');

    server.push({ kind: 'error', reqMsgId: refused!.msgId, name: 'ENCRYPTION_DECLINED', code: 400, retryAfter: null });
    server.push({ kind: 'result', reqMsgId: timedOut!.msgId, value: encode({ date: 7 }) });
    server.push({ kind: 'result', reqMsgId: joined!.msgId, value: encode({ id: 3 }) });
    await until(() => events.length === 4);
    // Taken once: the same answer again (resent) finds nothing remembered.
    server.push({ kind: 'result', reqMsgId: joined!.msgId, value: encode({ id: 3 }) });
    // Awaited, the answer goes to the caller only.
    server.onCall = (_method, msgId) => ({ kind: 'result', reqMsgId: msgId, value: encode({ date: 8 }) });
    expect(decode(await session.call('secret.sendEncrypted', encode({ random_id: 3 }), { answeredLate: late('awaited') }))).toEqual({ date: 8 });
    expect(events).toEqual(['answer_after_giving_up', 'timedOut:{"date":7}', 'answer_after_giving_up', 'aborted:{"id":3}']);
  });

  it('remembers given-up calls that may change a log, not the reads', () => {
    const remembered = ['messages.send', 'messages.forward', 'messages.readHistory', 'groups.leave', 'admin.resolveReport'];
    expect(remembered.map(mayChangeALog)).toEqual(remembered.map(() => true));
    const reads = ['updates.getDifference', 'messages.getHistory', 'messages.search', 'admin.listUsers', 'upload.saveFilePart', 'help.ping'];
    expect(reads.map(mayChangeALog)).toEqual(reads.map(() => false));
  });

  it('reports a new session and pushed updates, and acks the new session only', async () => {
    const server = new FakeServer();
    const session = await open(server);
    const resyncs: string[] = [];
    const pushes: string[] = [];
    session.onResync((r) => resyncs.push(r));
    session.onPush((kind) => pushes.push(kind));
    const newSession = server.push({ kind: 'new_session', firstMsgId: 4n, serverTimeMs: Date.now() });
    const update = server.push({ kind: 'updates', type: 'updates.logged', payload: encode({ updates: [] }) });
    await until(() => pushes.length === 1 && resyncs.length === 1);
    expect(resyncs).toEqual(['new_session']);
    await until(() => server.acked().length === 1);
    // Well past the ack delay: the update is never acked (the server does not resend pushes).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.acked()).toEqual([newSession]);
    expect(server.acked()).not.toContain(update);
  });

  it('sends a call larger than a Noise message in one chunked frame, and big calls one per frame', async () => {
    const server = new FakeServer();
    server.onCall = (_m, msgId, args) => ({ kind: 'result', reqMsgId: msgId, value: encode(args.length) });
    const session = await open(server);
    const part = new Uint8Array(512 * 1024).fill(7);
    const sizes = await Promise.all([session.call('upload.saveFilePart', part), session.call('upload.saveFilePart', part)]);
    expect(sizes.map((s) => decode(s))).toEqual([part.length, part.length]);
    const frames = server.frames.filter((f) => f.envelope.body.kind === 'call' || f.envelope.body.kind === 'container');
    expect(frames.filter((f) => f.envelope.body.kind === 'call')).toHaveLength(2);
  });
});
