// Messenger's service worker: it shows the Web Push notifications the server sends while this browser has no live
// connection (payload: {type: 'message', peer: {kind: 'user' | 'chat', id}, message_id, date, title, body, silent}), one
// per chat at a time (a silent message's without sound or vibration), and a click opens that chat in a tab of the app
// (focusing one if it is open). Another device's sign-in to the account ({type: 'new_authorization', authorization_id,
// device_name, platform, client_address, date}) shows "New sign-in to your account: <device> from <address>", and a
// click opens Settings → Devices. A secret message ({type: 'secret_message', chat_id, from_id, date, title, body, silent},
// pushed only to the device its chat is bound to, with nothing of its content) shows the sender's name and
// "🔒 New secret message", one notification per secret chat, and a click opens that secret chat ('s<chat_id>').
'use strict';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** The app's key of a chat ('u12', 'c5'), or null. */
function chatKey(peer) {
  if (!peer || (peer.kind !== 'user' && peer.kind !== 'chat') || !Number.isSafeInteger(peer.id)) return null;
  return (peer.kind === 'user' ? 'u' : 'c') + peer.id;
}

/** The app's key of a secret chat ('s123'), or null. */
function secretChatKey(notice) {
  return notice && notice.type === 'secret_message' && Number.isSafeInteger(notice.chat_id) && notice.chat_id > 0 ? `s${notice.chat_id}` : null;
}

/** The notice of another device's sign-in, or null when the payload is not one. */
function signInNotice(notice) {
  if (!notice || notice.type !== 'new_authorization' || !Number.isSafeInteger(notice.authorization_id)) return null;
  const device = typeof notice.device_name === 'string' && notice.device_name ? notice.device_name : 'A new device';
  const address = typeof notice.client_address === 'string' && notice.client_address ? ` from ${notice.client_address}` : '';
  return { title: 'New sign-in to your account', body: `${device}${address}`, tag: `sign-in-${notice.authorization_id}` };
}

/** Shows a pushed notice (anything unreadable as "New message"): the newer of a chat replaces the older. */
function showPush(notice) {
  const signIn = signInNotice(notice);
  if (signIn) {
    return self.registration.showNotification(`${signIn.title}: ${signIn.body}`, {
      body: 'Not you? Open Settings → Devices and terminate it.',
      tag: signIn.tag,
      data: { devices: true },
      requireInteraction: true,
    });
  }
  const secret = secretChatKey(notice);
  if (secret) {
    const title = typeof notice.title === 'string' && notice.title ? notice.title : 'Secret chat';
    const options = { body: '🔒 New secret message', tag: secret, data: { chat: secret }, renotify: true, silent: notice.silent === true };
    return self.registration.showNotification(title, options);
  }
  const chat = notice && notice.type === 'message' ? chatKey(notice.peer) : null;
  const title = chat && typeof notice.title === 'string' && notice.title ? notice.title : 'Messenger';
  const body = chat && typeof notice.body === 'string' ? notice.body : 'New message';
  const silent = chat !== null && notice.silent === true;
  return self.registration.showNotification(title, { body, tag: chat ?? 'messenger', data: { chat }, renotify: true, silent });
}

self.addEventListener('push', (event) => {
  let notice = null;
  try {
    notice = event.data ? event.data.json() : null;
  } catch {
    notice = null;
  }
  event.waitUntil(showPush(notice));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const chat = event.notification.data && event.notification.data.chat;
  const devices = !!(event.notification.data && event.notification.data.devices);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        if (devices) open.postMessage({ type: 'open-devices' });
        else if (chat) open.postMessage({ type: 'open-chat', chat });
        return;
      }
      await self.clients.openWindow(devices ? '/?settings=devices' : chat ? `/?chat=${chat}` : '/');
    })(),
  );
});
