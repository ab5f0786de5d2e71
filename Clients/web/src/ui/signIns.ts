import { api } from './connection';
import { formatDateTime } from './format';
import { notificationSetting } from './notifications';
import { getState, setState } from './store';

/** Another device's sign-in to the account (a `new_authorization` event). */
export interface NewSignIn {
  authorizationId: number;
  deviceName: string;
  platform: string;
  clientAddress: string;
  /** Unix seconds. */
  date: number;
}

/** Devices this one let in with their login token: their sign-in is no news here. While an acceptance is under way its
 * device's id is not known yet (the alert may come before the answer), so alerts wait for it. */
const acceptedHere = new Set<number>();
let accepting: Promise<unknown> | null = null;

/** Runs this device's acceptance of another device's login token (`accept` answers that device's authorization). */
export async function acceptSignIn<T extends { id: number }>(accept: () => Promise<T>): Promise<T> {
  const running = accept();
  accepting = running.catch(() => undefined);
  try {
    const device = await running;
    acceptedHere.add(device.id);
    return device;
  } finally {
    accepting = null;
  }
}

/** Another device signed in to the account: a notice until dismissed, and a desktop notification where they are on. */
export function newSignIn(signIn: NewSignIn): void {
  if (accepting) {
    // After the acceptance's own continuation (which records the id) has run.
    void accepting.then(() => setTimeout(() => newSignIn(signIn), 0));
    return;
  }

  // This device's own sign-in, read back when its stream resumed from before it, or one it let in itself.
  if (signIn.authorizationId === api().signedIn?.authorization_id || acceptedHere.has(signIn.authorizationId)) return;
  if (getState().newSignIns.some((s) => s.authorizationId === signIn.authorizationId)) return;
  const { authorizationId, deviceName, platform, clientAddress, date } = signIn;
  setState((s) => ({ newSignIns: [...s.newSignIns, { authorizationId, deviceName, platform, clientAddress, date }] }));
  void announceSignIn(signIn);
}

export function signInText(signIn: NewSignIn): string {
  return `New sign-in: ${signIn.deviceName} (${signIn.platform}) from ${signIn.clientAddress || 'an unknown address'} at ${formatDateTime(signIn.date)}.`;
}

export function dismissSignIn(authorizationId: number): void {
  setState((s) => ({ newSignIns: s.newSignIns.filter((x) => x.authorizationId !== authorizationId) }));
}

/** Settings, scrolled to its Devices section (where a device can be terminated). */
/** What a new device's QR code holds: this server's web client, which opens *Add a device* with the token filled in
 * (never accepted by itself), so a phone signed in to the web client scans it with its camera. */
export function loginLinkOf(origin: string, token: string): string {
  return `${origin}/?login=${encodeURIComponent(token)}`;
}

/** Settings at *Add a device* (a login link opened, the token waiting in the state for it). */
export function openAddDevice(): void {
  setState({ panel: 'settings' });
  setTimeout(() => document.getElementById('settings-token')?.scrollIntoView({ block: 'start' }), 0);
}

export function openDevices(): void {
  setState({ panel: 'settings' });
  setTimeout(() => document.getElementById('settings-devices')?.scrollIntoView({ block: 'start' }), 0);
}

/** A security notice: shown whether or not the tab is in front, unlike a message. */
async function announceSignIn(signIn: NewSignIn): Promise<void> {
  if (notificationSetting() !== 'on') return;
  const body = `${signInText(signIn)} Not you? Open Settings → Devices.`;
  const tag = `sign-in-${signIn.authorizationId}`;
  try {
    const notification = new Notification('New sign-in to your account', { body, tag });
    notification.onclick = () => {
      window.focus();
      openDevices();
      notification.close();
    };
  } catch {
    // Where only a service worker may notify (Chrome on Android), the app's does, when it has one (push on).
    const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration('/') : undefined;
    await registration?.showNotification('New sign-in to your account', { body, tag }).catch(() => undefined);
  }
}
