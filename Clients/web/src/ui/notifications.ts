import type { Message, Peer } from '../api/types';
import { MuteForever, PeerKind, isMuted } from '../api/types';
import { dialogOf, ensureChats, ensureUsers, updateDialog } from './chats';
import { api } from './connection';
import { openChat } from './messages';
import { peerFromKey, peerKey, peerTitle, previewText, userName } from './peers';
import { mentions } from './rich';
import { getState } from './store';
import { inMutedTopic } from './topics';

const SETTING = 'messenger.notifications';
/** A message older than this when it arrives (a catch-up after being offline) is not announced. */
const FRESH_SECONDS = 120;

export type NotificationSetting = 'unsupported' | 'denied' | 'off' | 'on';

/** Desktop notifications: the browser's permission and this user's choice on this browser. */
export function notificationSetting(): NotificationSetting {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  return Notification.permission === 'granted' && localStorage.getItem(SETTING) !== 'off' ? 'on' : 'off';
}

/** Asks the browser's permission (a click must lead here) and turns notifications on if given. */
export async function enableNotifications(): Promise<NotificationSetting> {
  if (typeof Notification === 'undefined') return 'unsupported';
  const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  if (permission === 'granted') localStorage.setItem(SETTING, 'on');
  return notificationSetting();
}

export function disableNotifications(): void {
  localStorage.setItem(SETTING, 'off');
}

/**
 * A message's notification options: one per chat (the newer replaces the older, `tag`); a message sent without sound
 * is shown all the same, quietly (no sound, no vibration), as Telegram does — a mention in it too.
 */
export function noticeOptions(message: Pick<Message, 'silent'>, body: string, tag: string): NotificationOptions {
  return { body, tag, silent: message.silent === true };
}

/**
 * Announces an incoming message unless notifications are off, the chat or (in a forum) the message's topic is muted,
 * the message is old (a catch-up), or the user is looking at that chat. One notification per chat at a time (the newer
 * replaces the older); a silent message's is shown without sound.
 */
export async function announce(message: Message, peer: Peer): Promise<void> {
  const key = peerKey(peer);
  const me = getState().me;
  if (notificationSetting() !== 'on' || message.from_id === me?.id) return;
  // A muted chat or topic stays quiet unless the message mentions this user by name.
  const mentioned = !!me && mentions(message.text, me.username);
  if (isMuted(dialogOf(key)) && !mentioned) return;
  if (Date.now() / 1000 - message.date > FRESH_SECONDS) return;
  if (getState().active === key && document.visibilityState === 'visible' && document.hasFocus()) return;
  // A first message from someone new: their name (and a group's title) is fetched before it is shown.
  await Promise.all([ensureUsers([message.from_id]), peer.kind === PeerKind.Chat ? ensureChats([peer.id]) : Promise.resolve()]).catch(
    () => undefined,
  );
  if (!mentioned && peer.kind === PeerKind.Chat && (await inMutedTopic(key, message))) return;
  const state = getState();
  const title = peerTitle(state, peer);
  const text = previewText(state, message);
  const body = peer.id === message.from_id || message.action ? text : `${userName(state, message.from_id)}: ${text}`;
  try {
    const notification = new Notification(title, noticeOptions(message, body, key));
    notification.onclick = () => {
      window.focus();
      openChat(key);
      notification.close();
    };
  } catch {
    // Some browsers (Chrome on Android) show notifications only from a service worker: the app's, when it has one
    // (push on); a click there opens the chat through it.
    const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration('/') : undefined;
    await registration?.showNotification(title, { ...noticeOptions(message, body, key), data: { chat: key } }).catch(() => undefined);
  }
}

/**
 * Announces a ringing call while this tab is not in front (a call rings even in a muted chat): a notification that
 * stays until it is answered or ends (the caller closes it) and brings the tab forward, where Accept waits.
 */
export async function announceCall(callerId: number, callId: number, video: boolean): Promise<Notification | null> {
  if (notificationSetting() !== 'on' || (document.visibilityState === 'visible' && document.hasFocus())) return null;
  await ensureUsers([callerId]).catch(() => undefined);
  try {
    const notification = new Notification(userName(getState(), callerId), {
      body: video ? 'Incoming video call' : 'Incoming call',
      tag: `call-${callId}`,
      requireInteraction: true,
    });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
    return notification;
  } catch {
    // Where only a service worker may notify, the call shows when the tab is opened again (it rings for a while).
    return null;
  }
}

/** Mutes the chat for good, or unmutes it; the user's other devices follow (notify_settings). */
export async function setMuted(key: string, muted: boolean): Promise<void> {
  const mute_until = muted ? MuteForever : 0;
  await api().messages.updateNotifySettings({ peer: peerFromKey(key), mute_until });
  muteChanged(key, mute_until);
}

export function muteChanged(key: string, muteUntil: number): void {
  updateDialog(key, (d) => ({ ...d, mute_until: muteUntil }));
}

/** What a notification says of every secret message, in the tab as in a push (`public/sw.js`): that one came, not what. */
export const SECRET_NOTICE_BODY = '🔒 New secret message';

/**
 * Announces a new message of a secret chat as Telegram does, and as the service worker shows its push: the sender's
 * name and "🔒 New secret message" (its text stays in the app). Under a private message's rules: notifications on, the
 * private chat with the sender not muted (a secret chat has no mute of its own; the server's push follows the same
 * mute), fresh, not the chat in front; a message sent without sound (`silent`) is shown quietly.
 */
export async function announceSecret(chatId: number, peerId: number, date: number, silent = false): Promise<void> {
  const key = `s${chatId}`;
  if (notificationSetting() !== 'on' || Date.now() / 1000 - date > FRESH_SECONDS) return;
  if (isMuted(dialogOf(peerKey({ kind: PeerKind.User, id: peerId })))) return;
  if (getState().active === key && document.visibilityState === 'visible' && document.hasFocus()) return;
  await ensureUsers([peerId]).catch(() => undefined);
  const title = userName(getState(), peerId);
  const options = noticeOptions({ silent }, SECRET_NOTICE_BODY, key);
  try {
    const notification = new Notification(title, options);
    notification.onclick = () => {
      window.focus();
      openChat(key);
      notification.close();
    };
  } catch {
    // Where only a service worker may notify (Chrome on Android), the app's shows it, and its click opens the chat.
    const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration('/') : undefined;
    await registration?.showNotification(title, { ...options, data: { chat: key } }).catch(() => undefined);
  }
}
