// The message layer over one link at a time (mirrors Clients/Messenger.Client/MessengerClient.cs): Noise IK handshake
// against the pinned server key, msg_ids, acks, containers, call timeouts, and reconnect with back-off that resumes
// the same session and resends every unanswered call with its original msg_id, so the server runs each call once.
import { RpcError, type ConnectionState } from '../api/types';
import { toHex } from './bytes';
import { decodePayload } from './codec';
import { Emitter } from './emitter';
import { BadMsgCodes, decodeFrame, encodeFrame, MAX_CONTAINER_ENVELOPES, type Body, type Envelope } from './envelope';
import { openFrame, sealFrame } from './frame';
import { MsgIdClock } from './msgid';
import { CipherState, HandshakeState, Patterns, type KeyPair } from './noise';
import { randomLong } from './random';

export const PROLOGUE = new TextEncoder().encode('messenger/1');

/** One transport connection (a SignalR hub connection in the browser; a fake in tests). */
export interface Link {
  handshake(message1: Uint8Array): Promise<Uint8Array>;
  send(frame: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface LinkHandlers {
  onFrame(frame: Uint8Array): void;
  onClose(error?: Error): void;
}

export type Transport = (handlers: LinkHandlers) => Promise<Link>;

export interface SessionOptions {
  transport: Transport;
  serverPublicKey: Uint8Array;
  deviceKey: KeyPair;
  /** Chosen once per app instance; a reconnect with the same id resumes the session. */
  sessionId?: bigint;
  callTimeoutMs?: number;
  connectTimeoutMs?: number;
  reconnectMinDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** How long received answers wait for an outgoing message to carry their ack. */
  ackDelayMs?: number;
  now?: () => number;
}

export interface SessionCallOptions {
  /** How long to wait for the answer; `Infinity`: until it comes (the call is resent on each new link with its msg_id),
   * the session closes or `signal` aborts — for a call whose outcome must not be guessed from the link's health. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Takes the answer should it still come once the call is given up (timed out, aborted; a call `mayChangeALog`
   * remembers): what the call did that the app keeps for itself and no update tells this tab (a secret message's date,
   * a voice chat's place). Called after the resync it asks for. */
  answeredLate?: (value: Uint8Array) => void;
}

export class ConnectionError extends Error {}

// A 512 KiB upload part must fit a frame (the server allows 600 KiB), so big calls go one per frame.
const MAX_ARGS_BYTES_PER_FRAME = 520 * 1024;
const MAX_ACKS_PER_ENVELOPE = 8192;

interface PendingCall {
  method: string;
  envelope: Envelope;
  /** Sent again on a new link: it may have run on the one before. */
  resent?: boolean;
  resolve(value: Uint8Array): void;
  reject(error: Error): void;
}

interface ActiveLink {
  link: Link;
  send: CipherState;
  receive: CipherState;
  abandoned: boolean;
}

/** Why the update stream should ask the server what changed: a new session, a new link, or the answer to a call given up
 * (its changes are pushed to this tab by nothing else). */
export type ResyncReason = 'new_session' | 'reconnected' | 'answer_after_giving_up';

const GIVEN_UP_LIMIT = 256;

/** Whether a call given up is remembered: one that may change a log. Not the reads — the update stream's own
 * (`updates.*`, which have their own retry), `help.*`, file transfers (`upload.*`), and the `get…`, `search…` and
 * `list…` calls (a search given up as the user types, a history page no longer wanted). As the SDK's GivenUpCalls. */
export function mayChangeALog(method: string): boolean {
  const dot = method.indexOf('.');
  const space = dot < 0 ? '' : method.slice(0, dot);
  const verb = method.slice(dot + 1);
  return !['updates', 'help', 'upload'].includes(space) && !/^(get|search|list)/.test(verb);
}

export class ProtocolSession {
  readonly sessionId: bigint;
  private readonly clock: MsgIdClock;
  private readonly pending = new Map<bigint, PendingCall>();
  private readonly pings = new Map<bigint, () => void>();
  private readonly stateEmitter = new Emitter<ConnectionState>();
  private readonly pushEmitter = new Emitter<{ kind: string; payload: Uint8Array }>();
  private readonly resyncEmitter = new Emitter<ResyncReason>();
  /** Calls given up (timed out, aborted) that may have gone out: the server may still run them and answer. Each with
   * what takes its answer, if anything does (`answeredLate`). */
  private readonly givenUp = new Map<bigint, ((value: Uint8Array) => void) | undefined>();
  private outbound: Envelope[] = [];
  private acks: bigint[] = [];
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private flushScheduled = false;
  private active: ActiveLink | null = null;
  private seqNo = 0;
  private closed = false;
  private currentState: ConnectionState = 'connecting';
  private reconnecting = false;
  private wake: (() => void) | undefined;
  /** Connections made so far (1 after open). */
  connectionCount = 0;

  constructor(private readonly options: SessionOptions) {
    this.sessionId = options.sessionId ?? randomLong();
    this.clock = new MsgIdClock(options.now ?? Date.now);
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  get devicePublicKeyHex(): string {
    return toHex(this.options.deviceKey.publicKey);
  }

  /** Server time minus local time (ms), from the handshake and bad_msg notices. */
  get clockOffsetMs(): number {
    return this.clock.offsetMs;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    return this.stateEmitter.subscribe(listener);
  }

  /** Pushed updates (`UpdatesBody`): kind and raw MessagePack payload. */
  onPush(listener: (kind: string, payload: Uint8Array) => void): () => void {
    return this.pushEmitter.subscribe(({ kind, payload }) => listener(kind, payload));
  }

  /** Pushes may have been lost: the server did not know the session, or a dropped link was replaced. */
  onResync(listener: (reason: ResyncReason) => void): () => void {
    return this.resyncEmitter.subscribe(listener);
  }

  /** Makes the first connection; throws ConnectionError when the server is unreachable or lacks the pinned key. */
  async open(): Promise<void> {
    await this.openLink();
  }

  /** Calls `method` with MessagePack-encoded args; resolves with the encoded result or rejects with RpcError. */
  call(method: string, args: Uint8Array, options: SessionCallOptions = {}): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new RpcError('CLIENT_CLOSED', 0));
    const envelope: Envelope = { msgId: this.clock.next(), seqNo: this.nextSeqNo(true), body: { kind: 'call', method, args } };
    return new Promise<Uint8Array>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.callTimeoutMs ?? 30_000;
      const { signal } = options;
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: Error) => {
        // The envelope may have been restamped (bad_msg): find the call by identity.
        for (const [id, call] of this.pending) {
          if (call !== pendingCall) continue;
          this.pending.delete(id);
          if (mayChangeALog(method)) this.giveUp(id, options.answeredLate);
        }
        finish();
        reject(error);
      };
      const onAbort = () => fail(new RpcError('ABORTED', 0, undefined, method));
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => fail(new RpcError('TIMEOUT', 0, undefined, method)), timeoutMs) : undefined;
      const pendingCall: PendingCall = {
        method,
        envelope,
        resolve: (value) => {
          finish();
          resolve(value);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(envelope.msgId, pendingCall);
      this.enqueue(envelope);
    });
  }

  /** A protocol-level ping (not an RPC): a round trip through the message layer. */
  ping(timeoutMs = this.options.callTimeoutMs ?? 30_000): Promise<void> {
    const envelope: Envelope = { msgId: this.clock.next(), seqNo: this.nextSeqNo(false), body: { kind: 'ping', pingId: randomLong() } };
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pings.delete(envelope.msgId);
        reject(new RpcError('TIMEOUT', 0));
      }, timeoutMs);
      this.pings.set(envelope.msgId, () => {
        clearTimeout(timer);
        resolve();
      });
      this.enqueue(envelope);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.ackTimer);
    this.wake?.();
    for (const call of this.pending.values()) call.reject(new RpcError('CLIENT_CLOSED', 0));
    this.pending.clear();
    const active = this.active;
    this.active = null;
    this.setState('offline');
    if (active) {
      active.abandoned = true;
      await active.link.close().catch(() => undefined);
    }
  }

  /** Ends the current back-off wait (the network is back). */
  retryNow(): void {
    this.wake?.();
  }

  /** Test hook: drops the current link the way a network failure would. */
  async dropLink(): Promise<void> {
    await this.active?.link.close();
  }

  private async openLink(): Promise<void> {
    this.setState('connecting');
    let link: Link | undefined;
    const candidate: { active?: ActiveLink } = {};
    try {
      link = await withTimeout(
        this.options.transport({
          onFrame: (frame) => candidate.active && this.onFrame(candidate.active, frame),
          onClose: () => candidate.active && this.onLinkClosed(candidate.active),
        }),
        this.options.connectTimeoutMs ?? 10_000,
      );
      const handshake = new HandshakeState({
        pattern: Patterns.IK!,
        initiator: true,
        prologue: PROLOGUE,
        localStatic: this.options.deviceKey,
        remoteStatic: this.options.serverPublicKey,
      });
      const message2 = await withTimeout(link.handshake(handshake.writeMessage()), this.options.connectTimeoutMs ?? 10_000);
      const info = decodePayload(handshake.readMessage(message2));
      // HandshakeInfo: [server_time_ms, protocol].
      if (Array.isArray(info) && typeof info[0] === 'number') this.clock.syncTo(info[0]);
      const [send, receive] = handshake.split();
      candidate.active = { link, send, receive, abandoned: false };
    } catch (error) {
      await link?.close().catch(() => undefined);
      this.setState('offline');
      throw new ConnectionError(
        `handshake failed (server unreachable, or it does not hold the pinned key): ${error instanceof Error ? error.message : String(error)}`,
      );
    }

    if (this.closed) {
      await link.close().catch(() => undefined);
      return;
    }
    this.connectionCount++;
    this.active = candidate.active;
    this.setState('online');
    // Resend what was never answered with the original msg_ids (the server runs each once), led by a ping that
    // binds the session at once so the server resends the answers it still holds. The ping is also the proof the server
    // waits for (a replayed message 1 gets through the handshake too): without a frame the connection is not the
    // device's (not online, sent no updates) and is closed after the handshake timeout, so it goes even when idle.
    for (const call of this.pending.values()) call.resent = true;
    const resend = [...this.pending.values()].map((call) => call.envelope).sort((a, b) => (a.msgId < b.msgId ? -1 : 1));
    const queued = this.outbound.filter((envelope) => envelope.body.kind !== 'call');
    this.outbound = [{ msgId: this.clock.next(), seqNo: this.nextSeqNo(false), body: { kind: 'ping', pingId: 0n } }, ...resend, ...queued];
    this.scheduleFlush();
  }

  private onLinkClosed(active: ActiveLink): void {
    if (active.abandoned || this.closed || this.active !== active) return;
    this.active = null;
    active.abandoned = true;
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    this.setState('connecting');
    let delay = this.options.reconnectMinDelayMs ?? 250;
    try {
      while (!this.closed) {
        await this.sleep(delay + Math.random() * (delay / 2));
        if (this.closed) return;
        try {
          await this.openLink();
          this.resyncEmitter.emit('reconnected');
          return;
        } catch {
          delay = Math.min(this.options.reconnectMaxDelayMs ?? 10_000, delay * 2);
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private enqueue(envelope: Envelope): void {
    this.outbound.push(envelope);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  // Frames are sealed in order on one link (the nonce is a counter) and SignalR keeps their order.
  private flush(): void {
    const active = this.active;
    if (!active || this.closed) return;
    while (this.outbound.length > 0 || this.acks.length > 0) {
      const batch: Envelope[] = [];
      let argsBytes = 0;
      while (this.outbound.length > 0 && batch.length < MAX_CONTAINER_ENVELOPES - 1) {
        const next = this.outbound[0]!;
        const size = next.body.kind === 'call' ? next.body.args.length : 0;
        if (batch.length > 0 && argsBytes + size > MAX_ARGS_BYTES_PER_FRAME) break;
        batch.push(this.outbound.shift()!);
        argsBytes += size;
      }
      this.takeAcks(batch);
      if (batch.length === 0) return;
      const outgoing: Envelope =
        batch.length === 1 ? batch[0]! : { msgId: this.clock.next(), seqNo: this.nextSeqNo(false), body: { kind: 'container', envelopes: batch } };
      const frame = sealFrame(active.send, encodeFrame({ sessionId: this.sessionId, envelope: outgoing }));
      // A failed send means the link is gone: unanswered calls stay pending and are resent on the next link.
      active.link.send(frame).catch(() => undefined);
    }
  }

  private takeAcks(batch: Envelope[]): void {
    if (this.acks.length === 0) return;
    const msgIds = this.acks.splice(0, MAX_ACKS_PER_ENVELOPE);
    batch.push({ msgId: this.clock.next(), seqNo: this.nextSeqNo(false), body: { kind: 'ack', msgIds } });
  }

  // Acks ride along with the next outgoing frame; if nothing goes out for a moment, they go alone.
  private acknowledge(msgId: bigint): void {
    this.acks.push(msgId);
    if (this.ackTimer !== undefined) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      if (this.acks.length > 0) this.scheduleFlush();
    }, this.options.ackDelayMs ?? 20);
  }

  private onFrame(active: ActiveLink, frame: Uint8Array): void {
    if (active.abandoned) return;
    let envelope: Envelope;
    try {
      envelope = decodeFrame(openFrame(active.receive, frame)).envelope;
    } catch {
      // A frame we cannot read means the link is corrupt: drop it and resume on a fresh one.
      void active.link.close();
      return;
    }
    this.handle(envelope);
  }

  private handle(envelope: Envelope): void {
    const body: Body = envelope.body;
    switch (body.kind) {
      case 'container':
        for (const inner of body.envelopes) this.handle(inner);
        break;
      case 'result': {
        this.acknowledge(envelope.msgId);
        const call = this.pending.get(body.reqMsgId);
        if (call) {
          this.pending.delete(body.reqMsgId);
          call.resolve(body.value);
        } else if (this.givenUp.has(body.reqMsgId)) {
          // It ran after its caller stopped waiting: what it changed is told to this tab by nothing else (its answer is
          // not observed, and the log's push skips the calling connection), so the update stream asks the server, and
          // what the app keeps of the call's outcome takes the answer.
          const late = this.givenUp.get(body.reqMsgId);
          this.givenUp.delete(body.reqMsgId);
          this.resyncEmitter.emit('answer_after_giving_up');
          if (late) takeLateAnswer(late, body.value);
        }
        break;
      }
      case 'error': {
        this.acknowledge(envelope.msgId);
        this.givenUp.delete(body.reqMsgId);
        const call = this.pending.get(body.reqMsgId);
        if (call) {
          this.pending.delete(body.reqMsgId);
          call.reject(new RpcError(body.name, body.code, body.retryAfter ?? undefined, call.method));
        }
        break;
      }
      case 'bad_msg':
        this.onBadMsg(body.badMsgId, body.errorCode, body.serverTimeMs);
        break;
      case 'new_session':
        this.acknowledge(envelope.msgId);
        this.resyncEmitter.emit('new_session');
        break;
      case 'updates':
        // Not acked: the server never resends a push (a missed one comes back through getDifference).
        this.pushEmitter.emit({ kind: body.type, payload: body.payload });
        break;
      case 'pong': {
        const resolve = this.pings.get(body.reqMsgId);
        this.pings.delete(body.reqMsgId);
        resolve?.();
        break;
      }
      default:
        break;
    }
  }

  // The server refused a msg_id without running the call: fix the clock, give the call a new msg_id, resend.
  private onBadMsg(badMsgId: bigint, errorCode: number, serverTimeMs: number): void {
    const call = this.pending.get(badMsgId);
    if (!call) return;
    this.pending.delete(badMsgId);
    if (errorCode === BadMsgCodes.MsgIdTooLow || errorCode === BadMsgCodes.MsgIdTooHigh) {
      this.clock.syncTo(serverTimeMs);
      if (errorCode === BadMsgCodes.MsgIdTooLow && call.resent) {
        // Resent after a reconnect and refused as too old: the session forgot its msg_id (300 s) and let its answer go,
        // so it may have run on the link before. Under a new msg_id it would run twice (a group created twice): it fails
        // as an answer let go does (client.call sends a repeatable one once more); what it did, if it ran, comes with
        // the reconnect's resync.
        call.reject(new RpcError('RESULT_DROPPED', 500, undefined, call.method));
        return;
      }
      call.envelope = { ...call.envelope, msgId: this.clock.next() };
      this.pending.set(call.envelope.msgId, call);
      this.enqueue(call.envelope);
      return;
    }
    call.reject(new RpcError(`BAD_MSG_${errorCode}`, 400, undefined, call.method));
  }

  /** Remembers a call given up, with what takes its late answer; the oldest half forgotten past 256 (msg ids grow with
   * time: an answer that late only goes untaken). */
  private giveUp(msgId: bigint, answeredLate: ((value: Uint8Array) => void) | undefined): void {
    this.givenUp.set(msgId, answeredLate);
    if (this.givenUp.size <= GIVEN_UP_LIMIT) return;
    const oldest = [...this.givenUp.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, GIVEN_UP_LIMIT / 2);
    for (const id of oldest) this.givenUp.delete(id);
  }

  private nextSeqNo(content: boolean): number {
    // MTProto's rule: content messages get odd numbers and advance the count; others reuse the even one.
    const count = content ? this.seqNo++ : this.seqNo;
    return count * 2 + (content ? 1 : 0);
  }

  private setState(state: ConnectionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.stateEmitter.emit(state);
  }
}

/** A late answer's taker that fails (throws, or rejects: it may write a store or make a call) is logged; it does not
 * stop the frame's other messages. */
function takeLateAnswer(late: (value: Uint8Array) => void, value: Uint8Array): void {
  const failed = (error: unknown) => console.error('The late answer to a call given up could not be taken', error);
  try {
    const result: unknown = late(value);
    if (result instanceof Promise) result.catch(failed);
  } catch (error) {
    failed(error);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
