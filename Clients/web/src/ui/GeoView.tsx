import { useEffect, useState } from 'preact/hooks';
import type { Message, MessageGeo } from '../api/types';
import { errorText } from './format';
import { Icon } from './Icon';
import { LIVE_PERIODS, coordinates, isLive, liveStatus, mapLink, sendLocation, stopLiveLocation } from './location';
import { Modal } from './Modal';

/** Renders again every 30 s while `ticking`: a live location's "updated … ago" and its end show on time. */
function useTicks(ticking: boolean): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setTick((t) => t + 1), 30_000);
    return () => clearInterval(timer);
  }, [ticking]);
}

/** A location message's card: a pin, the coordinates, the accuracy, a live location's state, and a link to the map;
 * its author may stop a live one. */
export function GeoView({ chatKey, message, geo, mine }: { chatKey: string; message: Message; geo: MessageGeo; mine: boolean }) {
  const live = geo.live_period != null;
  const now = Math.floor(Date.now() / 1000);
  const running = isLive(geo, now, message.date);
  useTicks(running);
  const [error, setError] = useState('');
  const [stopping, setStopping] = useState(false);
  const stop = async () => {
    setStopping(true);
    setError('');
    try {
      await stopLiveLocation(chatKey, message);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStopping(false);
    }
  };
  return (
    <div class="geo" role="group" aria-label={live ? 'Live location' : 'Location'} data-testid="geo">
      <span class="geo__pin" aria-hidden="true">
        📍
      </span>
      <div class="geo__body">
        <span class="geo__coordinates" data-testid="geo-coordinates">
          {coordinates(geo)}
        </span>
        {geo.accuracy_radius != null && <span class="geo__accuracy">±{geo.accuracy_radius} m</span>}
        {live && (
          <span class={`geo__live${running ? ' geo__live--on' : ''}`} data-testid="geo-live">
            {liveStatus(geo, message.date, now)}
          </span>
        )}
        <a class="geo__map" href={mapLink(geo)} target="_blank" rel="noopener noreferrer">
          Open in OpenStreetMap
        </a>
        {mine && running && (
          <button type="button" class="btn btn--small" onClick={() => void stop()} disabled={stopping}>
            Stop sharing
          </button>
        )}
        {error && (
          <span class="geo__error" role="alert">
            {error}
          </span>
        )}
      </div>
    </div>
  );
}

/** The composer's location choices: where the user is now, once, or live for a while; a reply to `replyToId` when
 * given (`onSent` then clears the composer's reply). Closed while the position is being found, nothing is sent. */
export function LocationDialog({
  chatKey,
  replyToId = null,
  onSent,
  onClose,
}: {
  chatKey: string;
  replyToId?: number | null;
  onSent?: () => void;
  onClose: () => void;
}) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // Aborted when the dialog goes (Cancel, Escape, the chat changed): a position arriving after that sends nothing.
  const [closed] = useState(() => new AbortController());
  useEffect(() => () => closed.abort(), []);
  const send = async (livePeriod?: number) => {
    setBusy(true);
    setError('');
    try {
      if (!(await sendLocation(chatKey, livePeriod, replyToId, closed.signal))) return;
      // Closed while the send was on its way: the composer's reply (or a new one since) is not this dialog's to clear.
      if (closed.signal.aborted) return;
      onSent?.();
      onClose();
    } catch (e) {
      if (closed.signal.aborted) return;
      setError(e instanceof Error && !('code' in e) ? e.message : errorText(e));
      setBusy(false);
    }
  };
  return (
    <Modal title="Share location" onClose={onClose}>
      <div class="form">
        <button type="button" class="btn btn--primary" onClick={() => void send()} disabled={busy}>
          <Icon name="pin" /> Send my current location
        </button>
        {LIVE_PERIODS.map((p) => (
          <button type="button" class="btn" key={p.seconds} onClick={() => void send(p.seconds)} disabled={busy}>
            Share live location for {p.label}
          </button>
        ))}
        {busy && <p role="status">Finding your location…</p>}
        {error && <p role="alert">{error}</p>}
      </div>
    </Modal>
  );
}
