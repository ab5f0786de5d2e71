import { chatKeyOf } from './chatLink';
import { api } from './connection';

const SETTING = 'messenger.push';

/** Web Push on this browser: whether it can, and what the user chose. */
export type PushStatus = 'unsupported' | 'off' | 'on';

export function pushStatus(): PushStatus {
  if (!pushSupported()) return 'unsupported';
  return localStorage.getItem(SETTING) === 'on' ? 'on' : 'off';
}

function pushSupported(): boolean {
  return window.isSecureContext && 'serviceWorker' in navigator && typeof PushManager !== 'undefined' && typeof Notification !== 'undefined';
}

function base64Url(bytes: ArrayBuffer | null): string {
  if (!bytes) throw new Error('the browser gave no subscription key');
  let text = '';
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const bytes = new Uint8Array(a);
  return bytes.every((byte, i) => byte === b[i]);
}

/**
 * Subscribes this browser to the server's pushes (the service worker `/sw.js` shows them) and tells the server, so a
 * new message is announced even when no tab of the app is open. The browser's permission for notifications must have
 * been given. Throws with the browser's reason when it cannot subscribe (no push service reachable, for one).
 */
export async function enablePush(): Promise<void> {
  if (!pushSupported()) throw new Error('this browser cannot receive pushes');
  await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  const registration = await navigator.serviceWorker.ready;
  const key = fromBase64Url((await api().account.getPushKey()).vapid_public_key);
  let subscription = await registration.pushManager.getSubscription();
  // A subscription made for another server key (the server's data was replaced) would never receive: made again.
  if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  await api().account.registerPush({
    endpoint: subscription.endpoint,
    p256dh: base64Url(subscription.getKey('p256dh')),
    auth: base64Url(subscription.getKey('auth')),
  });
  localStorage.setItem(SETTING, 'on');
}

/** No more pushes to this browser: the server forgets its subscription, and the browser drops it. */
export async function disablePush(): Promise<void> {
  localStorage.setItem(SETTING, 'off');
  if (!pushSupported()) return;
  await api()
    .account.unregisterPush()
    .catch(() => undefined);
  const registration = await navigator.serviceWorker.getRegistration('/');
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
}

/** After each sign-in and start: when on, the subscription is given to the server again (it drops one its push service
 * calls gone, and forgets it when the device signs out). */
export async function renewPush(): Promise<void> {
  if (pushStatus() === 'on' && Notification.permission === 'granted') await enablePush().catch(() => undefined);
}

/** A click on a push notification asks an open tab to show its chat (a secret chat's too: `s<id>`), or (a sign-in's)
 * Settings → Devices. */
export function listenToServiceWorker(openChat: (key: string) => void, openDevices: () => void): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as { type?: string; chat?: string } | null;
    const chat = data?.type === 'open-chat' ? chatKeyOf(data.chat) : null;
    if (chat) openChat(chat);
    if (data?.type === 'open-devices') openDevices();
  });
}
