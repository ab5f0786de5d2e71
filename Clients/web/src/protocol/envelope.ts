// The message layer, byte-compatible with Modules/Messenger.Contracts/Wire (MessagePack-CSharp):
// Frame = [session_id, envelope]; Envelope = [msg_id, seq_no, body]; body = union [kind, [fields…]].
import { Decoder, Encoder } from '@msgpack/msgpack';

export type Body =
  | { kind: 'call'; method: string; args: Uint8Array }
  | { kind: 'result'; reqMsgId: bigint; value: Uint8Array }
  | { kind: 'error'; reqMsgId: bigint; name: string; code: number; retryAfter: number | null }
  | { kind: 'ack'; msgIds: bigint[] }
  | { kind: 'updates'; type: string; payload: Uint8Array }
  | { kind: 'container'; envelopes: Envelope[] }
  | { kind: 'new_session'; firstMsgId: bigint; serverTimeMs: number }
  | { kind: 'ping'; pingId: bigint }
  | { kind: 'pong'; reqMsgId: bigint; pingId: bigint }
  | { kind: 'bad_msg'; badMsgId: bigint; errorCode: number; serverTimeMs: number };

export interface Envelope {
  msgId: bigint;
  seqNo: number;
  body: Body;
}

export interface Frame {
  sessionId: bigint;
  envelope: Envelope;
}

export const MAX_CONTAINER_ENVELOPES = 1024;

export const BadMsgCodes = { MsgIdTooLow: 16, MsgIdTooHigh: 17, MsgIdWrongParity: 18, InvalidContainer: 64 } as const;

const kinds = ['call', 'result', 'error', 'ack', 'updates', 'container', 'new_session', 'ping', 'pong', 'bad_msg'] as const;

/** Content bodies need an ack and count in seq_no; acks, containers and pings do not. */
export const isContent = (body: Body): boolean => body.kind !== 'ack' && body.kind !== 'container' && body.kind !== 'ping' && body.kind !== 'pong';

export class WireFormatError extends Error {}

// MessagePack-CSharp writes an integer in the smallest format that holds it; the JS encoder does the same for
// numbers below 2^32 and writes bigints as 64-bit. Passing small longs as numbers keeps the bytes identical.
const long = (value: bigint): number | bigint => (value >= -0x8000_0000n && value < 0x1_0000_0000n ? Number(value) : value);

const encoder = new Encoder({ useBigInt64: true });
const decoder = new Decoder({ useBigInt64: true });

function bodyFields(body: Body): unknown[] {
  switch (body.kind) {
    case 'call':
      return [body.method, body.args];
    case 'result':
      return [long(body.reqMsgId), body.value];
    case 'error':
      return [long(body.reqMsgId), body.name, body.code, body.retryAfter];
    case 'ack':
      return [body.msgIds.map(long)];
    case 'updates':
      return [body.type, body.payload];
    case 'container':
      return [body.envelopes.map(envelopeArray)];
    case 'new_session':
      return [long(body.firstMsgId), long(BigInt(body.serverTimeMs))];
    case 'ping':
      return [long(body.pingId)];
    case 'pong':
      return [long(body.reqMsgId), long(body.pingId)];
    case 'bad_msg':
      return [long(body.badMsgId), body.errorCode, long(BigInt(body.serverTimeMs))];
  }
}

function envelopeArray(envelope: Envelope): unknown[] {
  return [long(envelope.msgId), envelope.seqNo, [kinds.indexOf(envelope.body.kind), bodyFields(envelope.body)]];
}

export function encodeFrame(frame: Frame): Uint8Array {
  return encoder.encode([long(frame.sessionId), envelopeArray(frame.envelope)]);
}

export function decodeFrame(bytes: Uint8Array): Frame {
  const raw = decoder.decode(bytes);
  if (!Array.isArray(raw) || raw.length < 2) throw new WireFormatError('frame is not [session_id, envelope]');
  return { sessionId: asLong(raw[0]), envelope: readEnvelope(raw[1], false) };
}

function readEnvelope(raw: unknown, inContainer: boolean): Envelope {
  if (!Array.isArray(raw) || raw.length < 3) throw new WireFormatError('envelope is not [msg_id, seq_no, body]');
  return { msgId: asLong(raw[0]), seqNo: asInt(raw[1]), body: readBody(raw[2], inContainer) };
}

function readBody(raw: unknown, inContainer: boolean): Body {
  if (!Array.isArray(raw) || raw.length !== 2 || !Array.isArray(raw[1])) throw new WireFormatError('body is not [kind, fields]');
  const kind = kinds[asInt(raw[0])];
  const f = raw[1] as unknown[];
  switch (kind) {
    case 'call':
      return { kind, method: asString(f[0]), args: asBytes(f[1]) };
    case 'result':
      return { kind, reqMsgId: asLong(f[0]), value: asBytes(f[1]) };
    case 'error':
      return { kind, reqMsgId: asLong(f[0]), name: asString(f[1]), code: asInt(f[2]), retryAfter: f[3] == null ? null : asInt(f[3]) };
    case 'ack':
      return { kind, msgIds: asArray(f[0]).map(asLong) };
    case 'updates':
      return { kind, type: asString(f[0]), payload: asBytes(f[1]) };
    case 'container':
      if (inContainer) throw new WireFormatError('nested container');
      return { kind, envelopes: asArray(f[0]).map((inner) => readEnvelope(inner, true)) };
    case 'new_session':
      return { kind, firstMsgId: asLong(f[0]), serverTimeMs: Number(asLong(f[1])) };
    case 'ping':
      return { kind, pingId: asLong(f[0]) };
    case 'pong':
      return { kind, reqMsgId: asLong(f[0]), pingId: asLong(f[1]) };
    case 'bad_msg':
      return { kind, badMsgId: asLong(f[0]), errorCode: asInt(f[1]), serverTimeMs: Number(asLong(f[2])) };
    default:
      throw new WireFormatError(`unknown body kind ${String(raw[0])}`);
  }
}

function asLong(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw new WireFormatError('expected an integer');
}

function asInt(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new WireFormatError('expected a 32-bit integer');
}

function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new WireFormatError('expected a string');
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new WireFormatError('expected bytes');
}

function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  throw new WireFormatError('expected an array');
}
