// Call arguments and results: MessagePack maps with the contracts' string keys. Ids fit in JS numbers, so
// 64-bit integers decode to numbers; byte arrays are Uint8Array (MessagePack bin).
import { decode, encode } from '@msgpack/msgpack';
import { UpdateTypes, type ChannelDifference, type Difference, type LoggedUpdate, type Update } from '../api/types';
import { WireFormatError } from './envelope';

export const encodePayload = (value: unknown): Uint8Array => encode(value);

/** Call arguments: a map of the call's fields, an empty map for a call without any (getState, signOut…). */
export const encodeArgs = (args: object): Uint8Array => encode(args);

export const decodePayload = (bytes: Uint8Array): unknown => decode(bytes);

/** C# `Update` is a MessagePack union `[index, map]`; the TS side is a union tagged by `type`. */
export function toUpdate(raw: unknown): Update {
  if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== 'number' || typeof raw[1] !== 'object' || raw[1] === null) {
    throw new WireFormatError('update is not [index, map]');
  }
  const type = UpdateTypes[raw[0]];
  if (!type) throw new WireFormatError(`unknown update index ${raw[0]}`);
  return { type, ...(raw[1] as object) } as Update;
}

/** The wire form of an update (for tests and fakes). */
export function fromUpdate(update: Update): [number, object] {
  const { type, ...fields } = update;
  return [UpdateTypes.indexOf(type), fields];
}

interface RawLogged {
  pts: number;
  pts_count: number;
  date: number;
  update: unknown;
}

export const toLoggedUpdates = (raw: RawLogged[]): LoggedUpdate[] => raw.map((u) => ({ ...u, update: toUpdate(u.update) }));

export const toDifference = (raw: unknown): Difference => {
  const d = raw as Difference & { updates: RawLogged[] };
  return { ...d, updates: toLoggedUpdates(d.updates), channels: d.channels ?? null };
};

export const toChannelDifference = (raw: unknown): ChannelDifference => {
  const d = raw as ChannelDifference & { updates: RawLogged[] };
  return { ...d, updates: toLoggedUpdates(d.updates) };
};
