// Messenger's service worker: it shows the Web Push notifications the server sends while this browser has no live
// connection (payload: {type: 'message', peer: {kind: 'user' | 'chat', id}, message_id, date, title, body, silent}), one
// per chat at a time (a silent message's without sound or vibration), and a click opens that chat in a tab of the app
// (focusing one if it is open).
'use strict';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** The app's key of a chat ('u12', 'c5'), or null. */
function chatKey(peer) {
  if (!peer || (peer.kind !== 'user' && peer.kind !== 'chat') || !Number.isSafeInteger(peer.id)) return null;
  return (peer.kind === 'user' ? 'u' : 'c') + peer.id;
}

/** Shows a pushed notice (anything unreadable as "New message"): the newer of a chat replaces the older. */
function showPush(notice) {
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
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        if (chat) open.postMessage({ type: 'open-chat', chat });
        return;
      }
      await self.clients.openWindow(chat ? `/?chat=${chat}` : '/');
    })(),
  );
});
