import { useEffect, useReducer, useRef } from 'preact/hooks';
import type { CallView } from './calls';
import type { GroupCallView } from './groupCalls';
import type { NewSignIn } from './signIns';
import type { OutboxEntry } from './outbox';
import type { SecretChatView } from './secret';
import type { SecretMessage } from '../protocol/secretStore';
import type { Chat, ConnectionState, Contact, Dialog, DialogFilter, ForumTopics, GroupCall, InputMedia, MemberRole, Message, ReplyQuote, ScheduledMessage, User } from '../api/types';

/** A message this device is sending: shown with a clock until the server stores it. */
export interface PendingMessage {
  randomId: number;
  text: string;
  replyToId: number | null;
  media: InputMedia | null;
  date: number;
  failed: boolean;
  /** Sent without sound. */
  silent?: boolean;
  /** The part of the replied message it quotes. */
  quote?: ReplyQuote | null;
  /** The forum topic it goes to (absent or 0: General, or no topics). */
  topicId?: number;
  /** Why the server refused it (`failed`): only a definite refusal, never a missing answer. */
  error?: string;
  /** A try went unanswered or the server was busy: it is still sending (sent again by itself), and may be stored already. */
  waiting?: boolean;
}

export interface History {
  /** Oldest first. */
  messages: Message[];
  /** No older messages on the server. */
  complete: boolean;
  loading: boolean;
  pending: PendingMessage[];
}

export interface Upload {
  id: number;
  name: string;
  /** The file's MIME type and, once known, its length in seconds: the chat list names its kind as for a stored message. */
  type: string;
  duration?: number | null;
  /** When it was chosen (seconds): its chat's last activity in the chat list until its message is stored. */
  date: number;
  progress: number;
  abort: AbortController;
  /** The caption that goes with the file: back into the message box if the upload is dismissed or cancelled. */
  caption?: string;
  error?: string;
  /** The failure may pass by itself: the upload resumes when the connection comes back (or a moment later). */
  waiting?: boolean;
  /** Resumes the failed upload now (`true`, Retry) or gives it up (`false`, Dismiss). */
  resume?: (go: boolean) => void;
  /** The file could not be kept on this device (over the cap, or the browser's storage refused it): a reload or a
   * closed tab loses it until its upload is done, and its row says so. */
  notKept?: boolean;
}

export interface Presence {
  online: boolean;
  lastSeen: number;
  /** Their privacy hides it: "last seen recently". */
  hidden?: boolean;
}

export type Panel = 'settings' | 'contacts' | 'info' | 'thread' | 'newChat' | 'newGroup' | null;

export interface AppState {
  /** changePassword: signed in with an admin's temporary password, which must be replaced before anything loads. */
  phase: 'boot' | 'auth' | 'changePassword' | 'ready';
  bootError: string | null;
  conn: ConnectionState;
  /** Set once the first connection came up: the offline banner only shows after that. */
  everOnline: boolean;
  me: User | null;
  /** Most recent activity first. */
  dialogs: Dialog[];
  /** The user's messages kept in this browser's outbox until the server stores them (outbox.ts), oldest first: the
   * chat list shows a chat's newest as its last message. */
  outbox: OutboxEntry[];
  /** The user's chat folders in their tabs' order (folders.ts). */
  folders: DialogFilter[];
  /** The folder whose chats the list shows (0: all chats). */
  folder: number;
  /** chat id → requests to join waiting, in chats this user administers (known once asked or told). */
  joinRequests: Record<number, number>;
  /** Reports waiting for the server's admins, when this user is one (0 otherwise): openReports.ts. */
  openReports: number;
  users: Record<number, User>;
  /** The user's contact list by user id (contacts.ts): the names the user gave people, shown for them everywhere. */
  contacts: Record<number, Contact>;
  chats: Record<number, Chat>;
  /** Groups this user left or was removed from (their history stays readable while open). */
  leftChats: Record<number, boolean>;
  /** The user's own role in each group (from groups.getFull): a plain member may not post in a channel. */
  myRoles: Record<number, MemberRole>;
  presence: Record<number, Presence>;
  /** peer key → user id → expiry (ms). */
  typing: Record<string, Record<number, number>>;
  histories: Record<string, History>;
  /** peer key → the user's messages waiting to be sent there (known once the chat was opened). */
  scheduled: Record<string, ScheduledMessage[]>;
  uploads: Record<string, Upload[]>;
  active: string | null;
  /** A message to scroll to once its chat shows (a search result). */
  focus: { key: string; messageId: number } | null;
  /** The voice call on screen, if any (calls.ts). */
  call: CallView | null;
  /** The group voice chat this tab is in (groupCalls.ts), and the ones known going on, by chat id. */
  groupCall: GroupCallView | null;
  groupCalls: Record<number, GroupCall>;
  /** Why the last attempt to join a voice chat failed, shown in that chat. */
  groupCallError: { chatId: number; text: string } | null;
  panel: Panel;
  /** The message of the open chat whose thread the 'thread' panel shows. */
  thread: number | null;
  /** The topic of the open forum on screen (0: General); null: its topic list (topics.ts). */
  topic: number | null;
  /** chat id → its topics as last read (topics.ts). */
  forumTopics: Record<number, ForumTopics>;
  /** `<peer key>:<topic id>` → how far a topic's own pages reached (its older messages are fetched by topic). */
  topicPaging: Record<string, { complete: boolean; loading: boolean }>;
  /** peer key → message id → how far the user has read its thread (threads.ts; known from pages and events). */
  threadReads: Record<string, Record<number, number>>;
  /** peer key → a count that moves whenever the chat's pinned messages may have changed (a pin event, an edit, a
   * delete): the pinned bar reads the list again when it moves. */
  pinsTouched: Record<string, number>;
  /** The messages that left this user's chats (deleted for them on any device, or for everyone), the most recent
   * {@link deletedIdsKept}, oldest first: a large group's log tells every member of a change to a message, and one
   * this user deleted is not brought back by it (events.ts). */
  deletedIds: number[];
  /** An invite code from a `/join/<code>` link, offered in the New chat dialog once signed in. */
  joinCode: string | null;
  /** A chat to open once signed in (a click on a push notification with no tab open). */
  pendingChat: string | null;
  /** With it, a message to show there (a message's link). */
  pendingMessage: number | null;
  /** Settings → Devices to open once signed in (a click on a sign-in's push notification with no tab open). */
  pendingDevices: boolean;
  /** A login token from a `/?login=<token>` link (a new device's QR code), offered under *Add a device* once signed in:
   * never accepted without the user's click. */
  pendingLoginToken: string | null;
  /** After a sign-in by recovery code: how many are left, said above the chat list until dismissed. */
  recoveryCodesLeft: number | null;
  /** Other devices that signed in to the account while this one was signed in, oldest first, until dismissed. */
  newSignIns: NewSignIn[];
  /** The secret chats this device holds the keys of, by id (secret.ts; their keys stay in the store). */
  secretChats: Record<number, SecretChatView>;
  /** Their local histories, oldest first. */
  secretMessages: Record<number, SecretMessage[]>;
  /** This tab's secret chats have caught up: the log read back and the server's list of chats handled (secret.ts). */
  secretSynced: boolean;
  /** Their database waits for a tab of an older build to close (it holds it at its version): no secret chat shows. */
  secretStoreBlocked: boolean;
}

let state: AppState = {
  phase: 'boot',
  bootError: null,
  conn: 'connecting',
  everOnline: false,
  me: null,
  dialogs: [],
  outbox: [],
  folders: [],
  folder: 0,
  joinRequests: {},
  openReports: 0,
  threadReads: {},
  pinsTouched: {},
  deletedIds: [],
  users: {},
  contacts: {},
  chats: {},
  leftChats: {},
  myRoles: {},
  presence: {},
  typing: {},
  histories: {},
  scheduled: {},
  uploads: {},
  active: null,
  focus: null,
  call: null,
  groupCall: null,
  groupCalls: {},
  groupCallError: null,
  panel: null,
  thread: null,
  topic: null,
  forumTopics: {},
  topicPaging: {},
  joinCode: null,
  pendingChat: null,
  pendingMessage: null,
  pendingDevices: false,
  pendingLoginToken: null,
  recoveryCodesLeft: null,
  newSignIns: [],
  secretChats: {},
  secretMessages: {},
  secretSynced: false,
  secretStoreBlocked: false,
};

const listeners = new Set<() => void>();
let notifyQueued = false;

export function getState(): AppState {
  return state;
}

/** Merges a patch into the state; listeners run once per microtask however many patches came. */
export function setState(patch: Partial<AppState> | ((s: AppState) => Partial<AppState>)): void {
  state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
  if (notifyQueued) return;
  notifyQueued = true;
  queueMicrotask(() => {
    notifyQueued = false;
    listeners.forEach((listener) => listener());
  });
}

/** Re-renders the component when the selected slice changes (compared with Object.is). */
export function useApp<T>(select: (s: AppState) => T): T {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const selected = select(state);
  const latest = useRef({ select, selected });
  latest.current = { select, selected };
  useEffect(() => {
    const listener = () => {
      if (!Object.is(latest.current.select(state), latest.current.selected)) rerender(0);
    };
    listeners.add(listener);
    listener();
    return () => void listeners.delete(listener);
  }, []);
  return selected;
}

/** How many of the ids of deleted messages {@link AppState.deletedIds} keeps. */
export const deletedIdsKept = 1024;

export const emptyHistory: History = { messages: [], complete: false, loading: false, pending: [] };

/** The chat's pinned messages may have changed: its pinned bar reads them again. */
export function touchPins(key: string): void {
  setState((s) => ({ pinsTouched: { ...s.pinsTouched, [key]: (s.pinsTouched[key] ?? 0) + 1 } }));
}
