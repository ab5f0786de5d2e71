// A server side of the protocol in the test process: answers the IK handshake with its own key, decrypts the
// client's frames and lets a test answer envelopes — enough to test the session layer without the real host.
import { encode } from '@msgpack/msgpack';
import { decodeFrame, encodeFrame, type Body, type Envelope } from '../src/protocol/envelope';
import { openFrame, sealFrame } from '../src/protocol/frame';
import { CipherState, HandshakeState, Patterns, generateKeyPair, type KeyPair } from '../src/protocol/noise';
import { PROLOGUE, type Link, type LinkHandlers, type Transport } from '../src/protocol/session';

export interface Received {
  link: number;
  sessionId: bigint;
  envelope: Envelope;
}

export class FakeServer {
  readonly key: KeyPair = generateKeyPair();
  /** Every top-level envelope the server received, in order. */
  readonly frames: Received[] = [];
  serverTimeMs: () => number = () => Date.now();
  links = 0;
  /** Answers calls; return undefined to leave a call unanswered. */
  onCall: (method: string, msgId: bigint, args: Uint8Array) => Body | undefined = () => undefined;
  refuseConnections = false;
  private current: { handlers: LinkHandlers; send?: CipherState; receive?: CipherState; closed: boolean } | undefined;
  private nextId = 1n;

  readonly transport: Transport = async (handlers) => {
    if (this.refuseConnections) throw new Error('connection refused');
    const link = ++this.links;
    const state: { handlers: LinkHandlers; send?: CipherState; receive?: CipherState; closed: boolean } = { handlers, closed: false };
    this.current = state;
    const result: Link = {
      handshake: async (message1) => {
        const responder = new HandshakeState({ pattern: Patterns.IK!, initiator: false, prologue: PROLOGUE, localStatic: this.key });
        responder.readMessage(message1);
        const message2 = responder.writeMessage(encode([this.serverTimeMs(), 'messenger/1']));
        [state.send, state.receive] = responder.split();
        return message2;
      },
      send: async (frame) => {
        if (state.closed) throw new Error('closed');
        const parsed = decodeFrame(openFrame(state.receive!, frame));
        this.frames.push({ link, sessionId: parsed.sessionId, envelope: parsed.envelope });
        this.route(parsed.envelope);
      },
      close: async () => this.drop(state),
    };
    return result;
  };

  /** Every envelope received, containers opened. */
  get envelopes(): Envelope[] {
    return this.frames.flatMap((f) => (f.envelope.body.kind === 'container' ? f.envelope.body.envelopes : [f.envelope]));
  }

  calls(method?: string): Envelope[] {
    return this.envelopes.filter((e) => e.body.kind === 'call' && (method === undefined || e.body.method === method));
  }

  acked(): bigint[] {
    return this.envelopes.flatMap((e) => (e.body.kind === 'ack' ? e.body.msgIds : []));
  }

  /** Sends an envelope to the client on the current link; returns its msg_id. */
  push(body: Body): bigint {
    const msgId = (BigInt(Math.floor(this.serverTimeMs() / 1000)) << 32n) | (this.nextId++ << 2n) | 1n;
    const state = this.current!;
    const frame = sealFrame(state.send!, encodeFrame({ sessionId: 0n, envelope: { msgId, seqNo: 1, body } }));
    queueMicrotask(() => state.closed || state.handlers.onFrame(frame));
    return msgId;
  }

  /** Drops the current link as a network failure would. */
  dropLink(): void {
    if (this.current) this.drop(this.current);
  }

  private drop(state: { handlers: LinkHandlers; closed: boolean }): void {
    if (state.closed) return;
    state.closed = true;
    queueMicrotask(() => state.handlers.onClose(new Error('dropped')));
  }

  private route(envelope: Envelope): void {
    const body = envelope.body;
    if (body.kind === 'container') body.envelopes.forEach((inner) => this.route(inner));
    else if (body.kind === 'call') {
      const answer = this.onCall(body.method, envelope.msgId, body.args);
      if (answer) this.push(answer);
    }
  }
}
