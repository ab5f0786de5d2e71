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

/** Another device signed in to the account: a notice until dismissed, and a desktop notification where they are on. */
export function newSignIn(signIn: NewSignIn): void {
  // This device's own sign-in, read back when its stream resumed from before it.
  if (signIn.authorizationId === api().signedIn?.authorization_id) return;
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
