// A client built only from the README's protocol section, with a Noise implementation that is not ours
// (noise-protocol: JavaScript over libsodium, https://github.com/emilbayes/noise-protocol), against a REAL server.
// Like interop.test.ts it is skipped unless MESSENGER_URL is set (the .NET test run sets it); nothing from src/ is used.
import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { decode, encode } from '@msgpack/msgpack';
import sodium from 'libsodium-wrappers';
import noise, { type Split } from 'noise-protocol';
import createCipher from 'noise-protocol/cipher';
import createCipherState from 'noise-protocol/cipher-state';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const url = process.env.MESSENGER_URL;
const PROLOGUE = new TextEncoder().encode('messenger/1');
const MAX_TRANSPORT_PLAINTEXT = 65519;
const cipherState = createCipherState({ cipher: createCipher() });
const msgpack = { useBigInt64: true } as const;

type Envelope = [msgId: bigint, seqNo: number | bigint, body: [kind: number, fields: unknown[]]];

/**
 * The transport keys in the Noise specification's terms. noise-protocol names its split from the side that processed
 * the last handshake message: the writer gets `tx` = the first CipherState (the spec's initiator → responder key). In
 * IK the responder writes the last message, so an IK initiator's `rx` is the key it sends with (the spec's c1: the
 * server, checked against the official vectors, opens client frames with it) and `tx` the one it receives with.
 */
function initiatorKeys(split: Split): { send: Uint8Array; receive: Uint8Array } {
  return { send: split.rx, receive: split.tx };
}

/** One connection: the handshake, then frames of `[session_id, envelope]` both ways. */
class BareClient {
  private readonly received: Envelope[] = [];
  private keys?: { send: Uint8Array; receive: Uint8Array };
  private lastMsgId = 0n;
  closed = false;

  private constructor(private readonly hub: HubConnection, readonly sessionId: bigint) {}

  static async connect(baseUrl: string): Promise<BareClient> {
    const hub = new HubConnectionBuilder()
      .withUrl(new URL('/rpc', baseUrl).toString())
      .withHubProtocol(new MessagePackHubProtocol())
      .configureLogging(LogLevel.None)
      .build();
    const client = new BareClient(hub, BigInt.asIntN(64, BigInt(`0x${Buffer.from(sodium.randombytes_buf(8)).toString('hex')}`)));
    hub.on('Receive', (frame: Uint8Array) => client.receive(frame));
    hub.onclose(() => (client.closed = true));
    await hub.start();
    return client;
  }

  /** Noise IK as initiator, pinning `serverKey`; returns message 2's payload, decoded. */
  async handshake(serverKey: Uint8Array): Promise<unknown> {
    const state = noise.initialize('IK', true, PROLOGUE, noise.keygen(), null, serverKey);
    try {
      const message1 = new Uint8Array(32 + 48 + 16);
      noise.writeMessage(state, new Uint8Array(0), message1);
      const message2: Uint8Array = await this.hub.invoke('Handshake', message1.subarray(0, noise.writeMessage.bytes));
      const payload = new Uint8Array(message2.length);
      const split = noise.readMessage(state, message2, payload);
      expect(split, 'IK is complete after message 2').toBeDefined();
      this.keys = initiatorKeys(split!);
      return decode(payload.subarray(0, noise.readMessage.bytes), msgpack);
    } finally {
      noise.destroy(state);
    }
  }

  /** Sends a call; returns its msg_id. */
  async call(method: string, args: Record<string, unknown>): Promise<bigint> {
    const msgId = this.nextMsgId();
    await this.send([msgId, 1, [0, [method, encode(args, msgpack)]]]);
    return msgId;
  }

  async send(envelope: Envelope): Promise<void> {
    const plain = encode([this.sessionId, envelope], msgpack);
    const parts: Uint8Array[] = [];
    for (let at = 0; at < plain.length; at += MAX_TRANSPORT_PLAINTEXT) {
      const chunk = plain.subarray(at, Math.min(plain.length, at + MAX_TRANSPORT_PLAINTEXT));
      const sealed = new Uint8Array(2 + chunk.length + 16);
      cipherState.encryptWithAd(this.keys!.send, sealed.subarray(2), new Uint8Array(0), chunk);
      new DataView(sealed.buffer).setUint16(0, cipherState.encryptWithAd.bytesWritten);
      parts.push(sealed);
    }

    await this.hub.send('Send', Buffer.concat(parts));
  }

  /** The first envelope (containers unpacked) that `match` accepts, waiting up to 5 s for it. */
  async expect(match: (envelope: Envelope) => boolean): Promise<Envelope> {
    const end = Date.now() + 5000;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      if (this.closed || Date.now() > end) throw new Error(`no such envelope; got ${JSON.stringify(this.received, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async result(msgId: bigint): Promise<Record<string, unknown>> {
    const [, , [kind, fields]] = await this.expect(([, , [k, f]]) => (k === 1 || k === 2) && f[0] === msgId);
    if (kind === 2) throw new Error(`error ${String(fields[1])} (${String(fields[2])})`);
    return decode(fields[1] as Uint8Array, msgpack) as Record<string, unknown>;
  }

  async close(): Promise<void> {
    await this.hub.stop();
  }

  /** About unixtime·2³², divisible by 4, strictly increasing. */
  private nextMsgId(): bigint {
    const now = (BigInt(Date.now()) << 32n) / 1000n;
    this.lastMsgId = (now > this.lastMsgId ? now : this.lastMsgId + 4n) & ~3n;
    return this.lastMsgId;
  }

  private receive(frame: Uint8Array): void {
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < frame.length;) {
      const length = (frame[at] << 8) | frame[at + 1];
      const plain = new Uint8Array(length - 16);
      cipherState.decryptWithAd(this.keys!.receive, plain, new Uint8Array(0), frame.subarray(at + 2, at + 2 + length));
      pieces.push(plain);
      at += 2 + length;
    }

    const [sessionId, envelope] = decode(Buffer.concat(pieces), msgpack) as [bigint, Envelope];
    expect(sessionId).toBe(this.sessionId);
    const unpack = (e: Envelope): Envelope[] => (e[2][0] === 5 ? (e[2][1][0] as Envelope[]).flatMap(unpack) : [e]);
    this.received.push(...unpack(envelope));
  }
}

describe.skipIf(!url)('an independent Noise implementation against a real server', () => {
  let serverKey = new Uint8Array(0);
  const clients: BareClient[] = [];
  const connect = async () => {
    const client = await BareClient.connect(url!);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    await sodium.ready;
    const served = (await (await fetch(new URL('/.well-known/messenger/server-key', url))).text()).trim();
    expect(served).toMatch(/^[0-9a-f]{64}$/);
    serverKey = Buffer.from(served, 'hex');
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  it('completes Noise_IK_25519_ChaChaPoly_BLAKE2b and gets the server time and protocol name in message 2', async () => {
    const client = await connect();

    const payload = (await client.handshake(serverKey)) as [bigint, string];

    expect(payload[1]).toBe('messenger/1');
    expect(Math.abs(Number(payload[0]) - Date.now())).toBeLessThan(60_000);
  });

  it('calls help.ping and help.getConfig in encrypted frames, and the fingerprint is BLAKE2b-256 of the served key', async () => {
    const client = await connect();
    await client.handshake(serverKey);

    const ping = await client.result(await client.call('help.ping', { id: 42 }));
    const config = await client.result(await client.call('help.getConfig', {}));

    expect(Number(ping.id)).toBe(42);
    const fingerprint = Buffer.from(sodium.crypto_generichash(32, serverKey, null)).toString('hex').match(/.{4}/g)!.join(' ');
    expect(config.key_fingerprint).toBe(fingerprint);
    // A session the server did not know yet is announced with new_session.
    await client.expect(([, , [kind]]) => kind === 6);
  });

  it('answers an unknown method with 400 METHOD_INVALID', async () => {
    const client = await connect();
    await client.handshake(serverKey);

    const msgId = await client.call('nope.nothing', {});

    const [, , [, fields]] = await client.expect(([, , [k, f]]) => k === 2 && f[0] === msgId);
    expect(fields[1]).toBe('METHOD_INVALID');
    expect(Number(fields[2])).toBe(400);
  });

  it('is refused when it pins another server key', async () => {
    const client = await connect();

    await expect(client.handshake(noise.keygen().publicKey)).rejects.toThrow();
  });
});
