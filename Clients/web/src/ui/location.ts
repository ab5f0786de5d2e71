import { LIVE_UNTIL_STOPPED, RpcError, type InputGeo, type Message, type MessageGeo } from '../api/types';
import { api } from './connection';
import { messageArrived, replaceMessage } from './messages';
import { currentTopic } from './topics';
import { peerFromKey } from './peers';

/** The live periods offered: 15 minutes, 1 hour, 8 hours (Telegram's). */
export const LIVE_PERIODS = [
  { seconds: 15 * 60, label: '15 min' },
  { seconds: 60 * 60, label: '1 h' },
  { seconds: 8 * 60 * 60, label: '8 h' },
] as const;

/** A live location of this tab moves at most this often, and only when it moved further than MIN_MOVE_METRES: a
 * phone's position jitters by metres every second, and each move is an update to everyone in the chat. */
export const MOVE_INTERVAL_MS = 10_000;
export const MIN_MOVE_METRES = 10;

const EARTH_RADIUS_METRES = 6_371_000;

/** The great-circle distance between two points (haversine), in metres. */
export function distanceMetres(a: { lat: number; long: number }, b: { lat: number; long: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLong = (b.long - a.long) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLong / 2) ** 2;
  return 2 * EARTH_RADIUS_METRES * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Whether the author may still move it at `nowSeconds`. A live location its author stopped has an end before the one
 * its period set (or, shared until stopped, an end at all): that one has ended whatever this device's clock says, which
 * may be a second behind the server's. */
export function isLive(geo: MessageGeo, nowSeconds: number, sentAt?: number): boolean {
  if (geo.live_period == null) return false;
  if (geo.live_until == null) return true;
  const stopped = geo.live_period === LIVE_UNTIL_STOPPED || (sentAt != null && geo.live_until < sentAt + geo.live_period);
  return !stopped && nowSeconds < geo.live_until;
}

/** "52.520008, 13.404954": six decimals, about 10 cm. */
export function coordinates(geo: { lat: number; long: number }): string {
  return `${geo.lat.toFixed(6)}, ${geo.long.toFixed(6)}`;
}

/** The place on OpenStreetMap, with a marker. */
export function mapLink(geo: { lat: number; long: number }): string {
  const lat = geo.lat.toFixed(6);
  const long = geo.long.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${long}#map=16/${lat}/${long}`;
}

/** "Live · updated just now / 2 min ago / 1 h ago" while live, "Live location ended" after. */
export function liveStatus(geo: MessageGeo, sentAt: number, nowSeconds: number): string {
  if (!isLive(geo, nowSeconds, sentAt)) return 'Live location ended';
  const minutes = Math.floor(Math.max(0, nowSeconds - (geo.move_date ?? sentAt)) / 60);
  if (minutes < 1) return 'Live · updated just now';
  if (minutes < 60) return `Live · updated ${minutes} min ago`;
  return `Live · updated ${Math.floor(minutes / 60)} h ago`;
}

/** A browser position as the server takes it: the accuracy in whole metres within its range, a heading only when moving. */
export function inputGeoOf(position: GeolocationPosition, livePeriod?: number): InputGeo {
  const { latitude, longitude, accuracy, heading, speed } = position.coords;
  const moving = livePeriod != null && heading != null && Number.isFinite(heading) && (speed ?? 0) > 0;
  return {
    lat: latitude,
    long: longitude,
    accuracy_radius: Number.isFinite(accuracy) ? Math.min(1500, Math.max(0, Math.round(accuracy))) : null,
    ...(livePeriod != null ? { live_period: livePeriod } : {}),
    // The browser's 0 is north, the server's north is 360 (its range is 1–360).
    ...(moving ? { heading: Math.round(heading!) % 360 || 360 } : {}),
  };
}

function currentPosition(): Promise<GeolocationPosition> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error('This browser cannot tell your location.'));
      return;
    }
    navigator.geolocation.getCurrentPosition(resolve, (error) => reject(new Error(positionError(error))), {
      enableHighAccuracy: true,
      timeout: 20_000,
      maximumAge: 30_000,
    });
  });
}

function positionError(error: GeolocationPositionError): string {
  if (error.code === error.PERMISSION_DENIED) return 'The browser was not allowed to tell your location.';
  if (error.code === error.TIMEOUT) return 'Your location could not be found in time.';
  return 'Your location is not available.';
}

/**
 * Sends where the user is now: a point, or with `livePeriod` (seconds) a live location this tab keeps moving; as a reply
 * to `replyToId` when given. Finding the position may take a while: when `signal` is aborted by then (the dialog was
 * cancelled), nothing is sent and nothing followed; false then. Once the send is under way a cancel is too late (the
 * message is out; its card has Stop sharing). It goes into the forum topic on screen when asked for, whatever the user
 * opened while the position was being found.
 */
export async function sendLocation(key: string, livePeriod?: number, replyToId: number | null = null, signal?: AbortSignal): Promise<boolean> {
  const topic = currentTopic(key);
  const position = await currentPosition();
  if (signal?.aborted) return false;
  const geo = inputGeoOf(position, livePeriod);
  const sent = await api().messages.send({ peer: peerFromKey(key), text: '', geo, reply_to_id: replyToId, topic_id: topic });
  messageArrived(sent.message);
  if (livePeriod != null) track(key, sent.message);
  return true;
}

interface Tracking {
  key: string;
  watch: number;
  /** Where the server has it, and when this tab last moved it (ms). */
  last: { lat: number; long: number };
  movedAt: number;
  /** A position held back until MOVE_INTERVAL_MS has passed since the last move. */
  waiting: GeolocationPosition | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** Fires at the end of the live period: the watch goes even when the device does not move. */
  end: ReturnType<typeof setTimeout> | null;
  busy: boolean;
}

const tracked = new Map<number, Tracking>();

/** Whether this tab is moving the live location `id`. */
export function isTracking(id: number): boolean {
  return tracked.has(id);
}

/** Follows the browser's position (watchPosition) and moves the live location `message` with it until it ends. */
function track(key: string, message: Message): void {
  if (!message.geo || tracked.has(message.id) || !('geolocation' in navigator)) return;
  const entry: Tracking = {
    key,
    watch: 0,
    last: { lat: message.geo.lat, long: message.geo.long },
    movedAt: Date.now(),
    waiting: null,
    timer: null,
    end: null,
    busy: false,
  };
  const until = message.geo.live_until;
  if (until != null) entry.end = setTimeout(() => untrack(message.id), Math.max(0, until * 1000 - Date.now()));
  entry.watch = navigator.geolocation.watchPosition(
    (position) => {
      if (until != null && Date.now() / 1000 >= until) {
        untrack(message.id);
        return;
      }
      entry.waiting = position;
      schedule(message.id, entry, message.geo!.live_period!);
    },
    () => undefined,
    { enableHighAccuracy: true },
  );
  tracked.set(message.id, entry);
}

function schedule(id: number, entry: Tracking, livePeriod: number): void {
  if (entry.timer || entry.busy || !entry.waiting) return;
  const wait = entry.movedAt + MOVE_INTERVAL_MS - Date.now();
  if (wait > 0) {
    entry.timer = setTimeout(() => {
      entry.timer = null;
      schedule(id, entry, livePeriod);
    }, wait);
    return;
  }
  const position = entry.waiting;
  entry.waiting = null;
  const next = inputGeoOf(position, livePeriod);
  if (distanceMetres(entry.last, next) <= MIN_MOVE_METRES) return;
  entry.busy = true;
  // The live period is the message's already: an edit that names it must not change it, so it is left out.
  const { live_period: _, ...moved } = next;
  api()
    .messages.editLiveLocation({ peer: peerFromKey(entry.key), id, geo: moved })
    .then((sent) => {
      entry.last = { lat: next.lat, long: next.long };
      entry.movedAt = Date.now();
      replaceMessage(entry.key, sent.message);
    })
    .catch((error: unknown) => {
      // Refused (ended elsewhere, gone, the chat left, signed out): following on would only repeat it. Only a flood
      // wait, a message-id notice the session retries (BAD_MSG_*), or no answer at all (offline, a server error), is worth
      // another move.
      if (error instanceof RpcError && error.code >= 400 && error.code < 500 && error.name !== 'FLOOD_WAIT' && !error.name.startsWith('BAD_MSG_')) untrack(id);
      entry.movedAt = Date.now();
    })
    .finally(() => {
      entry.busy = false;
      if (tracked.has(id)) schedule(id, entry, livePeriod);
    });
}

function untrack(id: number): void {
  const entry = tracked.get(id);
  if (!entry) return;
  navigator.geolocation.clearWatch(entry.watch);
  if (entry.timer) clearTimeout(entry.timer);
  if (entry.end) clearTimeout(entry.end);
  tracked.delete(id);
}

/** This tab stops following every live location it moves (signing out: the next account must not share this one's
 * position). The locations stay live on the server until their period ends or they are stopped on another device. */
export function untrackAll(): void {
  for (const id of [...tracked.keys()]) untrack(id);
}

/** A message changed (an edit from the server): one this tab follows that is no longer live — stopped on another
 * device, ended by the server — is no longer followed. */
export function liveLocationChanged(message: Message): void {
  if (tracked.has(message.id) && !(message.geo && isLive(message.geo, Date.now() / 1000, message.date))) untrack(message.id);
}

/** Messages deleted: one this tab follows is no longer followed. */
export function liveLocationsGone(ids: number[]): void {
  for (const id of ids) untrack(id);
}

/** Ends the user's live location `message` for everyone (from any of their devices); this tab stops following it. */
export async function stopLiveLocation(key: string, message: Message): Promise<void> {
  untrack(message.id);
  const sent = await api().messages.editLiveLocation({ peer: peerFromKey(key), id: message.id, stop: true });
  replaceMessage(key, sent.message);
}
