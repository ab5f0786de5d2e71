import { useApp } from './store';

/** Shown while the connection is down after it was up once; the client reconnects and catches up by itself. */
export function OfflineBanner() {
  const conn = useApp((s) => s.conn);
  const everOnline = useApp((s) => s.everOnline);
  const offline = everOnline && conn !== 'online';
  return (
    <div class={`offline-banner${offline ? ' offline-banner--shown' : ''}`} role="status" aria-live="polite">
      {offline ? 'Offline — reconnecting…' : ''}
    </div>
  );
}
