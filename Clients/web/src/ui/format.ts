import { ErrorNames, MaxPinnedTopics, RpcError } from '../api/types';
import type { Report } from '../api/types';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'long', year: 'numeric' });

const DAY_MS = 86_400_000;

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** A message's time in its bubble: "14:05". */
export function formatTime(unixSeconds: number): string {
  return timeFormat.format(unixSeconds * 1000);
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A moment told in full, "4 Dec 2026, 17:03" (a sign-in's). */
export function formatDateTime(unixSeconds: number): string {
  return dateTimeFormat.format(unixSeconds * 1000);
}

/** A chat row's time: today "14:05", this week "Tue", older "3 Mar". */
export function formatListTime(unixSeconds: number): string {
  const ms = unixSeconds * 1000;
  const today = startOfDay(Date.now());
  if (ms >= today) return timeFormat.format(ms);
  if (ms >= today - 6 * DAY_MS) return weekdayFormat.format(ms);
  return shortDateFormat.format(ms);
}

/** The key of the local calendar day of a unix time, for day separators. */
export function dayKey(unixSeconds: number): number {
  return startOfDay(unixSeconds * 1000);
}

/** A day separator's label: "Today", "Yesterday" or the date. */
export function formatDay(dayStartMs: number): string {
  const today = startOfDay(Date.now());
  if (dayStartMs === today) return 'Today';
  if (dayStartMs === startOfDay(today - DAY_MS / 2)) return 'Yesterday';
  return dayFormat.format(dayStartMs);
}

/** "last seen just now / 5 minutes ago / today at 14:05 / 3 Mar". */
/** A user's presence as a chat header says it: "online", "last seen recently" (hidden by their privacy), or when. */
export function presenceText(presence: { online: boolean; lastSeen: number; hidden?: boolean }): string {
  return presence.online ? 'online' : presence.hidden ? 'last seen recently' : formatLastSeen(presence.lastSeen);
}

export function formatLastSeen(unixSeconds: number): string {
  return unixSeconds ? `last seen ${formatAgo(unixSeconds)}` : 'last seen a long time ago';
}

/** A past moment told from now: "just now", "5 minutes ago", "today at 14:05", "3 Mar at 14:05". */
export function formatAgo(unixSeconds: number): string {
  const ms = unixSeconds * 1000;
  const minutes = Math.floor((Date.now() - ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  if (ms >= startOfDay(Date.now())) return `today at ${timeFormat.format(ms)}`;
  return `${shortDateFormat.format(ms)} at ${timeFormat.format(ms)}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.slice(0, 2).map((w) => [...w][0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/** What people are told for the common errors; any other name is read as a sentence ("Poll closed"). */
const errorSentences: Readonly<Record<string, string>> = {
  CREDENTIALS_INVALID: 'Wrong username or password',
  PASSWORD_INVALID: 'Wrong password',
  PASSWORD_EXPIRED: 'This temporary password has expired: ask an admin for a new one',
  PASSWORD_CHANGE_REQUIRED: 'Choose a new password first',
  USERNAME_OCCUPIED: 'This username is taken: choose another',
  USERNAME_INVALID: 'This username cannot be used: use 5–32 letters, digits or underscores',
  USERNAME_NOT_MODIFIED: 'That is already your username',
  PASSWORD_TOO_SHORT: 'The password is too short: use at least 8 characters',
  PASSWORD_TOO_LONG: 'The password is too long',
  DISPLAY_NAME_INVALID: 'Enter a name of 1–64 characters, without control or invisible characters',
  BIO_TOO_LONG: 'The bio is too long: at most 140 characters',
  BIO_INVALID: 'The bio cannot hold control characters, line breaks or invisible characters',
  REGISTRATION_CLOSED: 'This server does not take new accounts: ask its admin for an invite code',
  INVITE_CODE_INVALID: 'This invite code is not valid',
  INVITE_CODE_EXPIRED: 'This invite code has expired or been used up',
  // A group's or channel's invite link or code (groups.checkInvite, groups.joinByInvite), not the server's sign-up code.
  INVITE_HASH_INVALID: 'There is no group or channel with this invite: check the link or code',
  INVITE_HASH_EXPIRED: 'This invite has expired, been used up or withdrawn: ask for a new one',
  USER_ALREADY_PARTICIPANT: 'Already a member',
  USER_BLOCKED: 'This account is blocked: ask the server admin',
  TWO_FACTOR_CODE_INVALID: 'Wrong code: enter the current code from your authenticator app',
  TWO_FACTOR_CODE_REQUIRED: 'Enter the code from your authenticator app',
  ADMIN_REQUIRED: 'Only a server admin can do this',
  LAST_ADMIN: 'The server needs at least one admin: make someone else an admin first',
  MESSAGE_EMPTY: 'The message is empty',
  MESSAGE_TOO_LONG: 'The message is too long',
  MESSAGE_TEXT_INVALID: 'The message holds control characters, which cannot be sent',
  CHAT_ABOUT_INVALID: 'The description holds control characters, which cannot be saved',
  REPORT_COMMENT_INVALID: 'The comment holds control characters, which cannot be sent',
  MEDIA_CAPTION_TOO_LONG: 'The caption is too long',
  PHOTO_INVALID: 'This file type is not accepted: use a PNG, JPEG, GIF or WebP image',
  PHOTO_TOO_BIG: 'The photo is too big',
  FILE_TOO_BIG: 'The file is too big for this server',
  QUOTA_EXCEEDED: 'Your storage on this server is full: delete some files first',
  STORAGE_FULL: 'The server is out of storage space: try again later',
  INTERNAL: 'Something went wrong on the server: try again',
  SERVER_SHUTTING_DOWN: 'The server is restarting: try again in a moment',
  TIMEOUT: 'The server did not answer: check your connection and try again',
  CLIENT_CLOSED: 'Not connected',
};

/** A failed call as a sentence for people: the common errors' own words, any other error's name read as a sentence. */
export function errorText(error: unknown): string {
  if (error instanceof RpcError) {
    if (error.name === ErrorNames.SlowModeWait) return `Slow mode: you can send again in ${error.retryAfter ?? 0} s`;
    // Its wait is up to a day (until an abandoned upload expires): said in hours, and what frees a place sooner.
    if (error.name === ErrorNames.UploadsTooMany) {
      return `Too many uploads unfinished: send the files being uploaded first, or try again in ${Math.max(1, Math.ceil((error.retryAfter ?? 0) / 3600))} h`;
    }
    if (error.retryAfter) {
      // FLOOD_WAIT: on messages.* the user's posts are past the server's per-user rate; so are a group's changes and
      // calls and secret chat requests, which post or notify; elsewhere sign-in attempts.
      const what = error.method?.startsWith('messages.') || error.method === 'secret.sendEncrypted' ? 'Sending too fast'
        : error.method?.startsWith('groups.') || error.method === 'phone.requestCall' || error.method === 'secret.requestChat' ? 'Too fast'
        : 'Too many attempts';
      return `${what}, try again in ${error.retryAfter} s`;
    }
    if (error.name === ErrorNames.UserPrivacyRestricted) return 'Their privacy settings do not let you add them: send them an invite link';
    if (error.name === ErrorNames.PinnedTopicsTooMuch) return `At most ${MaxPinnedTopics} topics can be pinned`;
    if (error.name === ErrorNames.UserBannedInChat) return 'An admin removed you from this group; only an admin can add you back';
    if (error.name === ErrorNames.UserIsBlocked) return 'This person does not accept your messages';
    if (error.name === ErrorNames.YouBlockedUser) return 'You blocked this person: unblock them first';
    if (error.name === ErrorNames.EncryptionDeclined) return 'This secret chat has ended';
    if (error.name === ErrorNames.EncryptionIdInvalid) return 'This secret chat is not available';
    if (error.name === ErrorNames.EncryptionDeviceInvalid) return 'This secret chat is on another of your devices';
    if (error.name === ErrorNames.EncryptedMessageInvalid) return 'The message is too long to send';
    if (error.name === ErrorNames.SecretChatsTooMuch) return 'Too many of your secret chat invitations are still unanswered';
    return errorSentences[error.name] ?? error.name.toLowerCase().replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  }
  return error instanceof Error ? error.message : String(error);
}

/** Where a reported message was, for the admins' list: "in <group>", "in a deleted group" (its title went with it), or
 * "to <reporter>" (a private chat, between the reporter and the author). */
export function reportPlace(report: Pick<Report, 'chat_title' | 'chat_deleted' | 'reporter_id'>, name: (userId: number) => string): string {
  if (report.chat_deleted) {
    return 'in a deleted group';
  }

  return report.chat_title ? `in ${report.chat_title}` : `to ${name(report.reporter_id)}`;
}
