import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerKind, RpcError, type Message, type MessageGeo } from '../src/api/types';

/** The server as far as sharing a location goes: sends answer a message, moves answer what `move` says. */
const server = vi.hoisted(() => ({
  sent: [] as object[],
  moves: [] as object[],
  move: null as null | (() => Promise<unknown>),
  date: 0,
}));

vi.mock('../src/ui/connection', () => {
  const missing = (): Promise<never> => Promise.reject(new Error('not faked'));
  const anything: object = new Proxy({}, { get: () => missing });
  const messages = new Proxy(
    {
      send: (args: { geo: { lat: number; long: number; live_period?: number }; reply_to_id?: number | null }) => {
        server.sent.push(args);
        const period = args.geo.live_period;
        const message = {
          id: 100 + server.sent.length,
          from_id: 1,
          to_peer: { kind: PeerKind.User, id: 2 },
          date: server.date,
          text: '',
          reply_to_id: args.reply_to_id ?? null,
          geo: { ...args.geo, live_until: period == null ? null : server.date + period },
        };
        return Promise.resolve({ message, pts: 1, pts_count: 1, channel: false });
      },
      editLiveLocation: (args: object) => {
        server.moves.push(args);
        return server.move ? server.move() : missing();
      },
    },
    { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? missing },
  );
  return { api: () => new Proxy({ messages }, { get: (target, name: string) => (target as Record<string, unknown>)[name] ?? anything }) };
});

import { isTracking, liveLocationChanged, sendLocation, untrackAll } from '../src/ui/location';
import { messagesGone, replaceMessage } from '../src/ui/messages';

/** A browser whose position arrives when `arrive` is called, and whose watches are counted. */
function fakeGeolocation() {
  const watching = new Set<number>();
  const watchers = new Map<number, PositionCallback>();
  let pending: PositionCallback[] = [];
  let next = 1;
  const position = (lat: number): GeolocationPosition =>
    ({ coords: { latitude: lat, longitude: 13.4, accuracy: 10, altitude: null, altitudeAccuracy: null, heading: null, speed: null }, timestamp: 0 }) as GeolocationPosition;
  const geolocation = {
    getCurrentPosition: (found: PositionCallback) => pending.push(found),
    watchPosition: (moved: PositionCallback) => {
      watching.add(next);
      watchers.set(next, moved);
      return next++;
    },
    clearWatch: (id: number) => watching.delete(id),
  };
  vi.stubGlobal('navigator', { geolocation });
  return {
    watching,
    arrive: (lat = 52.52) => {
      const waiting = pending;
      pending = [];
      waiting.forEach((found) => found(position(lat)));
    },
    move: (lat: number) => watchers.forEach((moved, id) => watching.has(id) && moved(position(lat))),
  };
}

const key = 'u2';

/** Shares a live location for `period` seconds, the position found at once. */
async function share(browser: ReturnType<typeof fakeGeolocation>, period = 900): Promise<Message> {
  const sending = sendLocation(key, period);
  browser.arrive();
  expect(await sending).toBe(true);
  const id = 100 + server.sent.length;
  expect(isTracking(id)).toBe(true);
  const sent = server.sent[server.sent.length - 1] as { geo: MessageGeo };
  return { id, from_id: 1, to_peer: { kind: PeerKind.User, id: 2 }, date: server.date, text: '', geo: { ...sent.geo, live_until: server.date + period } };
}

describe('following a live location', () => {
  let browser: ReturnType<typeof fakeGeolocation>;

  beforeEach(() => {
    vi.useFakeTimers();
    server.sent = [];
    server.moves = [];
    server.move = null;
    server.date = Math.floor(Date.now() / 1000);
    browser = fakeGeolocation();
  });

  afterEach(() => {
    untrackAll();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('stops following when the period ends, though the device never moved', async () => {
    const message = await share(browser, 900);

    vi.advanceTimersByTime(899_000);
    expect(isTracking(message.id)).toBe(true);
    vi.advanceTimersByTime(1_000);

    expect(isTracking(message.id)).toBe(false);
    expect(browser.watching.size).toBe(0);
  });

  it('stops following when it is stopped on another device, and not when it merely moved', async () => {
    const message = await share(browser);

    replaceMessage(key, { ...message, geo: { ...message.geo!, lat: 52.6, move_date: server.date + 5 } });
    expect(isTracking(message.id)).toBe(true);
    replaceMessage(key, { ...message, geo: { ...message.geo!, live_until: server.date + 30 } });

    expect(isTracking(message.id)).toBe(false);
    expect(browser.watching.size).toBe(0);
  });

  it('stops following one shared until stopped once the server ends it', async () => {
    const message = await share(browser, 0x7fffffff);
    const running = { ...message, geo: { ...message.geo!, live_until: null } };
    liveLocationChanged(running);
    expect(isTracking(message.id)).toBe(true);

    liveLocationChanged({ ...running, geo: { ...running.geo, live_until: server.date + 1 } });

    expect(isTracking(message.id)).toBe(false);
  });

  it('stops following when the message is deleted', async () => {
    const message = await share(browser);
    const other = await share(browser);

    messagesGone(key, [message.id]);

    expect(isTracking(message.id)).toBe(false);
    expect(isTracking(other.id)).toBe(true);
    expect(browser.watching.size).toBe(1);
  });

  it('stops following every live location on sign-out', async () => {
    const first = await share(browser);
    const second = await share(browser, 3600);

    untrackAll();

    expect([isTracking(first.id), isTracking(second.id)]).toEqual([false, false]);
    expect(browser.watching.size).toBe(0);
    vi.advanceTimersByTime(3_600_000);
  });

  it('stops following when a move is refused, but not for a flood wait or no answer', async () => {
    const message = await share(browser);
    server.move = () => Promise.reject(new RpcError('FLOOD_WAIT', 420, 5));
    vi.advanceTimersByTime(10_000);
    browser.move(52.6);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.moves).toHaveLength(1);
    expect(isTracking(message.id)).toBe(true);

    server.move = () => Promise.reject(new RpcError('CONNECTION_LOST', 0));
    browser.move(52.7);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.moves).toHaveLength(2);
    expect(isTracking(message.id)).toBe(true);

    server.move = () => Promise.reject(new RpcError('CHAT_NOT_FOUND', 404));
    browser.move(52.8);
    await vi.advanceTimersByTimeAsync(10_000);

    expect(server.moves).toHaveLength(3);
    expect(isTracking(message.id)).toBe(false);
    expect(browser.watching.size).toBe(0);
  });

  it('sends nothing and follows nothing when cancelled while the position is being found', async () => {
    const cancel = new AbortController();
    const sending = sendLocation(key, 900, null, cancel.signal);

    cancel.abort();
    browser.arrive();

    expect(await sending).toBe(false);
    expect(server.sent).toEqual([]);
    expect(browser.watching.size).toBe(0);
  });

  it('sends a location as a reply', async () => {
    const sending = sendLocation(key, undefined, 42);
    browser.arrive();
    await sending;

    expect(server.sent).toEqual([expect.objectContaining({ reply_to_id: 42, text: '' })]);
    expect(browser.watching.size).toBe(0);
  });
});
