import { MessengerClient } from '../api/client';
import type { MediaDescription } from '../api/media';
import type { InputMedia, MessageMedia } from '../api/types';
import { applyEvent } from './events';
import { deviceName } from './account';
import { resendOutbox, resumeUploads } from './messages';
import { rejoinGroupCall } from './groupCalls';
import { resumeSecretChats } from './secret';
import { getState, setState } from './store';
import { testSetting } from './testSettings';

let client: MessengerClient | null = null;

/** The connected client; the UI only renders screens that call it once boot() has set it. */
export function api(): MessengerClient {
  if (!client) throw new Error('Not connected yet');
  return client;
}

/** The pinned server key: the host writes it into the page; a dev page without it asks the server (trust on first use). */
async function serverKey(): Promise<string> {
  const pinned = document.querySelector<HTMLMetaElement>('meta[name="messenger-server-key"]')?.content.trim();
  if (pinned) return pinned;
  const response = await fetch('/.well-known/messenger/server-key');
  if (!response.ok) throw new Error(`The server key is unavailable (${response.status})`);
  return (await response.text()).trim();
}

/** Tests only (docs/web-client.md): a browser whose localStorage holds a number of milliseconds under this key gives
 * up a silent link after that long instead of 15 s. */
export const SERVER_TIMEOUT_KEY = 'messenger.serverTimeoutMs';

/** Tests only (docs/web-client.md): a number of milliseconds under this key caps the wait between two attempts to
 * reconnect instead of 10 s, so a test that restarts its server does not wait for the back-off. */
export const RECONNECT_MAX_DELAY_KEY = 'messenger.reconnectMaxDelayMs';

export async function connect(): Promise<MessengerClient> {
  const connected = await MessengerClient.connect({
    url: location.origin,
    serverPublicKeyHex: await serverKey(),
    deviceName: deviceName(),
    platform: 'web',
    serverTimeoutMs: testSetting(SERVER_TIMEOUT_KEY),
    reconnectMaxDelayMs: testSetting(RECONNECT_MAX_DELAY_KEY),
  });
  client = connected;
  const online = (state: typeof connected.state) => {
    setState((s) => ({ conn: state, everOnline: s.everOnline || state === 'online' }));
    // Back online: a device terminated meanwhile learns it here (the client reports signed_out on a 401).
    if (state === 'online' && getState().phase === 'ready') {
      void connected.updates.getState().catch(() => undefined);
      resendOutbox();
      resumeUploads();
      void rejoinGroupCall();
      // Secret chats: a log not read back yet is read now; requests, acceptances and sends left unfinished go.
      void resumeSecretChats().catch(() => undefined);
    }
  };
  online(connected.state);
  connected.onState(online);
  connected.events.subscribe(applyEvent);
  return connected;
}

export function upload(
  file: File,
  options: { signal: AbortSignal; onProgress: (fraction: number) => void; describe?: MediaDescription; fileId?: number; resume?: boolean },
): Promise<InputMedia> {
  return api().uploadFile(file, {
    describe: options.describe,
    fileId: options.fileId,
    resume: options.resume,
    name: file.name,
    mimeType: file.type || 'application/octet-stream',
    signal: options.signal,
    onProgress: (sent: number, total: number) => options.onProgress(total ? sent / total : 0),
  });
}

export function downloadThumb(media: MessageMedia): Promise<Blob> {
  return api().downloadThumbnail(media);
}

export function download(media: MessageMedia, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<Blob> {
  return api().downloadFile(media, {
    signal,
    onProgress: onProgress && ((received: number, total: number) => onProgress(total ? received / total : 0)),
  });
}
