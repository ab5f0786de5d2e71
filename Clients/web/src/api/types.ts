// TypeScript mirrors of Modules/Messenger.Contracts (MessagePack string keys, exactly as on the wire).
// Ids and times are 64-bit on the server; every id and time the server hands out fits in a JS number
// (ids are sequential, times are unix seconds). Client-chosen random ids are drawn within 2^53 too.

// ---- Users, auth, account -------------------------------------------------------------------------------

export interface User {
  id: number;
  username: string;
  display_name: string;
  bio: string;
  /** A deleted account: empty username, display name "Deleted Account"; its chat can be read, not written to. */
  deleted?: boolean;
  /** The profile photo (anyone signed in may download it), if any. */
  photo?: MessageMedia | null;
  /** A group's webhook poster: it posts, never reads, and cannot be written to. */
  bot?: boolean;
}

/** A person in the user's contact list under the name the user gave them; `mutual`: they have the user too. */
export interface Contact {
  user_id: number;
  name: string;
  mutual: boolean;
}

/** contacts.getContacts: the user's contacts, sorted by name. */
export interface ContactList {
  contacts: Contact[];
}

/** contacts.addContact: the contact as stored and the user's log position after the change. */
export interface SavedContact {
  contact: Contact;
  pts: number;
  pts_count: number;
}

/** The names a contact may have: 1–64 characters after trimming, no control characters (the server's rule). */
export const MaxContactName = 64;

/** account.setupTwoFactor: a TOTP secret (base32) and its `otpauth://` URI for a QR code. */
export interface TwoFactorSetup {
  secret: string;
  uri: string;
}

/** `account.getPushKey`: the server's VAPID public key (base64url), a push subscription's `applicationServerKey`. */
export interface PushKey {
  vapid_public_key: string;
}

export interface TwoFactorStatus {
  enabled: boolean;
  /** Unused one-time recovery codes (0 while two-step verification is off). */
  recovery_codes_left?: number;
  /** New recovery codes: only in the answer that made them (enableTwoFactor, regenerateRecoveryCodes), never again. */
  recovery_codes?: string[] | null;
}

/** A group's incoming webhook (groups.createWebhook): posts as its bot user `bot_user_id`, named `name`. */
export interface Webhook {
  id: number;
  chat_id: number;
  name: string;
  bot_user_id: number;
  created_by: number;
  created_at: number;
}

/** A new webhook and its secret path (`/hooks/<token>` on this server), told only once. */
export interface WebhookCreated {
  webhook: Webhook;
  path: string;
}

export interface WebhookList {
  webhooks: Webhook[];
}

export interface UserList {
  users: User[];
}

/** `users.getBlocked`: whom the caller has blocked. */
export interface BlockedUsers {
  user_ids: number[];
}

export interface RegisteredUser {
  user: User;
  is_admin: boolean;
}

export interface SignedIn {
  user: User;
  authorization_id: number;
  is_admin: boolean;
  /** Set when a recovery code signed this device in: how many unused ones are left. */
  recovery_codes_left?: number | null;
  /** The password was an admin's temporary one: until account.changePassword replaces it, every other call but
   * auth.signOut and help.* answers 403 PASSWORD_CHANGE_REQUIRED, and no updates come. */
  password_change_required?: boolean;
}

export interface LoginToken {
  token: string;
  qr_data: string;
  /** Unix seconds. */
  expires_at: number;
}

/** One signed-in device of the account. Times are unix seconds. */
export interface Authorization {
  id: number;
  device_name: string;
  platform: string;
  client_address: string;
  created_at: number;
  last_active_at: number;
  current: boolean;
}

export interface Authorizations {
  authorizations: Authorization[];
}

/** After how many days without a call a device of the account is signed out by the server. */
export interface AuthorizationTtl {
  authorization_ttl_days: number;
}

/** The choices of `account.setAuthorizationTTL` (days), and the default of an account that never chose. */
export const AuthorizationTtlDays = { allowed: [7, 30, 90, 180, 365], default: 180 } as const;

/** The answer of calls that only succeed or fail (an empty MessagePack array on the wire). */
export type Done = readonly never[];

export interface Pong {
  id: number;
}

export interface ServerConfig {
  /** Unix milliseconds. */
  server_time: number;
  version: string;
  key_fingerprint: string;
  max_frame_bytes: number;
  max_calls_in_flight: number;
  max_container_size: number;
  handshake_timeout_s: number;
  /** Any account was ever made on the server (false: the next one registered is the first, and becomes the admin). */
  has_accounts: boolean;
  /** What auth.register asks of a new account now (a server without accounts is open whatever it is configured to). */
  registration: 'open' | 'invite_only' | 'closed';
}

// ---- Admin ----------------------------------------------------------------------------------------------

export interface Invite {
  code: string;
  uses: number;
  expires_at: number | null;
}

export interface AdminUser {
  id: number;
  username: string;
  display_name: string;
  is_admin: boolean;
  is_blocked: boolean;
  created_at: number;
  devices: number;
  /** A deleted account (its row stays, as "Deleted Account"). */
  deleted?: boolean;
  /** Two-step verification is on. */
  two_factor?: boolean;
  /** A webhook's poster. */
  bot?: boolean;
}

export interface UserPage {
  users: AdminUser[];
  total: number;
}

/** admin.getServerStats: what the server holds and the room it has left. */
export interface ServerStats {
  accounts: number;
  bots: number;
  messages: number;
  chats: number;
  database_bytes: number;
  media_files: number;
  media_bytes: number;
  disk_free_bytes: number;
  /** Why writes are refused now (STORAGE_FULL), if they are. */
  storage_problem: string | null;
  /** `Messenger:Session:RegistrationMode` as the server reads it. */
  registration_mode: 'Open' | 'InviteOnly' | 'Closed';
}

/** bots.create / bots.resetToken: the bot and its token, told once. */
export interface BotToken {
  bot: User;
  token: string;
}

/** One of a bot's commands (bots.getCommands): typed as `/command`. */
export interface BotCommand {
  command: string;
  description: string;
}

/** admin.getAuditLog: one admin action — when (unix s), who (0: the server's console), what, to whom, and a detail. */
export interface AuditEntry {
  id: number;
  date: number;
  actor_id: number;
  action: string;
  user_id: number | null;
  detail: string | null;
}

/** admin.getReports: one user's report of one message, with the message as it was when reported. `chat_title` is null
 * for a private chat (between the reporter and the author) and for a deleted group (`chat_deleted`); `state` is `open`,
 * `dismissed` or `deleted`. */
export interface Report {
  id: number;
  reporter_id: number;
  reason: string;
  comment: string | null;
  date: number;
  chat_id: number;
  chat_title: string | null;
  msg_id: number;
  from_id: number;
  text: string;
  media: string | null;
  msg_date: number;
  state: 'open' | 'dismissed' | 'deleted';
  resolved_by: number | null;
  resolved_at: number | null;
  chat_deleted?: boolean;
}

/** admin.getBackups / admin.backupNow: the server's scheduled backups, newest first (`directory` empty: none taken). */
export interface BackupList {
  directory: string;
  interval_minutes: number;
  keep: number;
  backups: { name: string; taken_at: number }[];
  /** The latest attempt's, when it failed. */
  last_failure: { at: number; reason: string } | null;
}

// ---- Messages -------------------------------------------------------------------------------------------

export const PeerKind = { User: 1, Chat: 2 } as const;
export type PeerKind = (typeof PeerKind)[keyof typeof PeerKind];

/** A chat as the caller addresses it: `{kind: 1, id: userId}` (private) or `{kind: 2, id: chatId}` (group). */
export interface Peer {
  kind: PeerKind;
  id: number;
}

export const userPeer = (id: number): Peer => ({ kind: PeerKind.User, id });
export const chatPeer = (id: number): Peer => ({ kind: PeerKind.Chat, id });
export const samePeer = (a: Peer, b: Peer): boolean => a.kind === b.kind && a.id === b.id;
/** A stable string key for maps: "u12" / "c5". */
export const peerKey = (peer: Peer): string => (peer.kind === PeerKind.User ? 'u' : 'c') + peer.id;

export const ServiceActions = {
  Create: 'create',
  AddMembers: 'add_members',
  RemoveMember: 'remove_member',
  Leave: 'leave',
  JoinByInvite: 'join_by_invite',
  /** An admin approved the user's request to join (posted as the user). */
  JoinByRequest: 'join_by_request',
  EditTitle: 'edit_title',
  EditPhoto: 'edit_photo',
  EditAbout: 'edit_about',
  DeletePhoto: 'delete_photo',
  SetAdmin: 'set_admin',
  UnsetAdmin: 'unset_admin',
  TransferOwnership: 'transfer_ownership',
  ConvertToLarge: 'convert_to_large',
  PinMessage: 'pin_message',
  SetTtl: 'set_ttl',
  EditPermissions: 'edit_permissions',
  PhoneCall: 'phone_call',
  /** A group's voice chat began (no period) or ended (period: the seconds it lasted). */
  GroupCall: 'group_call',
  /** Topics turned on (period 1) or off (0). */
  ToggleForum: 'toggle_forum',
  /** A forum topic opened: the message's id is the topic's; title and icon_color describe it. */
  TopicCreate: 'topic_create',
  /** A forum topic renamed, recoloured, closed or reopened (what changed is set). */
  TopicEdit: 'topic_edit',
} as const;
export type ServiceActionKind = (typeof ServiceActions)[keyof typeof ServiceActions];

/** A link's preview: plain text read from the page's Open Graph tags (any part may be missing). */
export interface WebPage {
  url: string;
  site_name: string | null;
  title: string | null;
  description: string | null;
}

/** A bot's buttons under its message, in rows: each has `callback_data` (pressed: `messages.getBotCallbackAnswer`) or a `url`. */
export interface ReplyMarkup {
  inline_keyboard: InlineButton[][];
}

export interface InlineButton {
  text: string;
  callback_data?: string | null;
  url?: string | null;
}

/** The bot's answer to a pressed button: a message to show (an alert to dismiss when `alert`), or a URL to open. */
export interface BotCallbackAnswer {
  message: string | null;
  alert: boolean;
  url: string | null;
}

/** What a service message records (its text is empty). */
export interface ServiceAction {
  kind: ServiceActionKind | string;
  user_ids: number[];
  title: string | null;
  /** `set_ttl`: the chat's auto-delete period in seconds (0: turned off); `edit_permissions`: the slow mode;
   * `phone_call`: the seconds talked. */
  period?: number | null;
  /** `phone_call`: with cameras. */
  video?: boolean;
  /** `topic_create`, `topic_edit` (what changed): the topic's icon colour (RGB). */
  icon_color?: number | null;
  /** `topic_edit`: closed (true) or reopened (false). */
  closed?: boolean | null;
  /** `topic_edit`: pinned (true) or unpinned (false) at the top of the topic list. */
  pinned?: boolean | null;
}

export const MediaKinds = { Photo: 'photo', Video: 'video', Audio: 'audio', Document: 'document' } as const;
export type MediaKind = (typeof MediaKinds)[keyof typeof MediaKinds];

/**
 * The media a message carries; read the bytes with `downloadFile(media)` (upload.getFile). `width`/`height` are the
 * displayed size of an image. Images the server decoded carry `thumb` (read it with `downloadThumbnail(media)`,
 * upload.getFile with `thumb: true`) and usually `preview` (an inline JPEG of at most 40 px and 1 KiB, to show blurred
 * at once); both are absent (nil, or missing in descriptors older than thumbnails).
 */
export interface MessageMedia {
  id: number;
  kind: MediaKind | string;
  name: string;
  mime_type: string;
  size: number;
  width: number | null;
  height: number | null;
  thumb?: MediaThumb | null;
  preview?: Uint8Array | null;
  /** Seconds, as the sender's client gave them (videos and audio); absent or null otherwise. */
  duration?: number | null;
}

/** A media's thumbnail: a JPEG of `width` × `height` (longest side ≤ 320) and `size` bytes. */
export interface MediaThumb {
  width: number;
  height: number;
  size: number;
}

/** A finished upload to attach to `messages.send`; `thumb` (a finished upload of a small image, ≤ 200 KiB: a video's
 * frame) becomes the media's thumbnail; `duration` (seconds) for videos and audio, `width`/`height` for videos. */
export interface InputMedia {
  file_id: number;
  total_parts: number;
  name: string;
  mime_type: string;
  thumb?: InputThumb | null;
  duration?: number | null;
  width?: number | null;
  height?: number | null;
}

/** The finished upload of a thumbnail image (`InputMedia.thumb`). */
export interface InputThumb {
  file_id: number;
  total_parts: number;
}

/**
 * A stored message, the same for every viewer: `from_id` sent it to `to_peer`. There is no "out" flag on the wire:
 * a message is outgoing when `from_id` is the viewer (see `isOutgoing`), and the viewer's dialog peer is `peerOf`.
 * Dates are unix seconds.
 */
export interface Message {
  id: number;
  from_id: number;
  to_peer: Peer;
  date: number;
  text: string;
  /** This and every key below it are left out of the wire form when nil: absent and null mean the same. */
  reply_to_id?: number | null;
  edit_date?: number | null;
  action?: ServiceAction | null;
  media?: MessageMedia | null;
  /** Not on the wire (the server lists reactions beside the messages, MessageList.reactions): this client's copy of
   * them, kept on the message it shows; absent or null when nobody reacted. */
  reactions?: ReactionCount[] | null;
  /** This client's copy of the user's own reaction, if any. */
  my_reaction?: string | null;
  /** A forwarded copy: who wrote the original. */
  fwd_from_id?: number | null;
  /** A poll (then `text` is empty): its question and options, which never change. */
  poll?: Poll | null;
  /** Posted while the chat's auto-delete was on: deleted for everyone this many seconds after `date`. */
  ttl_period?: number | null;
  /** The preview of the text's first link, added by the server after the send (an `edit_message` without `edit_date`). */
  web_page?: WebPage | null;
  /** A bot's buttons. */
  reply_markup?: ReplyMarkup | null;
  /** Sent without sound: announced like any message, but quietly (no sound, no vibration). The server writes it only
   * when true (absent: not silent). */
  silent?: boolean;
  /** A reply that quotes part of the replied message: that part as it was when the reply was sent (an edit or a deletion
   * of the original leaves it as it is). */
  reply_quote?: ReplyQuote | null;
  /** A location message (then `text` is empty and there is no media): a point, or a live location its author moves
   * (an `edit_message` without `edit_date`) until `live_until`. */
  geo?: MessageGeo | null;
  /** The forum topic it is in (its `topic_create` message's id); absent or 0: General, or a chat without topics. */
  topic_id?: number;
  /** Not on the wire (the server lists a poll's votes beside the messages, MessageList.polls): this client's copy. */
  poll_results?: PollResults | null;
}

/** A location to send (`geo` of messages.send) or to move a live one to (messages.editLiveLocation): degrees, the
 * accuracy in metres (0–1500), a live period in seconds (60–86400, or LIVE_UNTIL_STOPPED), a heading 1–360. */
export interface InputGeo {
  lat: number;
  long: number;
  accuracy_radius?: number | null;
  live_period?: number | null;
  heading?: number | null;
}

/** A message's place: a point, or a live location while `live_period` is set and `live_until` (unix seconds; null while
 * one shared until stopped runs) is ahead; `move_date` is when it last moved (null: not since it was sent). */
export interface MessageGeo {
  lat: number;
  long: number;
  accuracy_radius?: number | null;
  live_period?: number | null;
  heading?: number | null;
  live_until?: number | null;
  move_date?: number | null;
}

/** Telegram's live period that lasts until its author stops it (0x7FFFFFFF). */
export const LIVE_UNTIL_STOPPED = 0x7fffffff;

/** A poll as its author wrote it (messages.sendPoll). */
export interface Poll {
  question: string;
  options: string[];
  multiple_choice: boolean;
  public_voters: boolean;
  /** A quiz: one right answer. Its `correct_option` and `solution` are sent by its author only; readers learn them from
   * their `PollResults` once they have answered, the quiz is closed, or they wrote it. */
  quiz?: boolean;
  correct_option?: number | null;
  solution?: string | null;
}

/** A poll's votes: count per option, people who voted, the reader's own choices (empty: not voted), closed or not. */
export interface PollResults {
  msg_id: number;
  counts: number[];
  voters: number;
  my_choices: number[];
  closed: boolean;
  /** A quiz's right answer and explanation, once the reader may know them. */
  correct_option?: number | null;
  solution?: string | null;
}

/** messages.sendVote / messages.closePoll's answer. */
export interface PollChanged {
  results: PollResults;
  pts: number;
  pts_count: number;
  channel: boolean;
}

/** messages.getPollVoters: who chose an option (latest first), and how many did. */
export interface PollVoters {
  user_ids: number[];
  total: number;
}

export interface ReactionCount {
  reaction: string;
  count: number;
}

/** messages.sendReaction's answer: the message's reactions now and the caller's own. */
export interface ReactionsChanged {
  reactions: ReactionCount[];
  my_reaction: string | null;
  pts: number;
  pts_count: number;
  channel: boolean;
}

export const isOutgoing = (message: Message, viewerId: number): boolean => message.from_id === viewerId;

/** The chat a message is in, as `viewerId` addresses it (mirrors C# `Message.PeerFor`). */
export const peerOf = (message: Message, viewerId: number): Peer =>
  message.to_peer.kind === PeerKind.User && message.to_peer.id === viewerId ? userPeer(message.from_id) : message.to_peer;

export interface SentMessage {
  message: Message;
  pts: number;
  pts_count: number;
  channel: boolean;
}

export interface AffectedMessages {
  pts: number;
  pts_count: number;
  channel: boolean;
}

/** Part of the replied message a reply quotes: `text` standing at `offset` in its text (UTF-16 units, as JavaScript
 * counts). The server trims the ends' whitespace, checks it (QUOTE_TEXT_INVALID, QUOTE_OFFSET_INVALID) and corrects the
 * offset when the text stands elsewhere; 1–1024 characters. */
export interface ReplyQuote {
  text: string;
  offset: number;
}

/** A message waiting to be sent at `date` (messages.sendScheduled); `id` names it until then. */
export interface ScheduledMessage {
  id: number;
  peer: Peer;
  text: string;
  date: number;
  random_id: number;
  reply_to_id: number | null;
  /** Its file, if any (then `text` is the caption). */
  media?: MessageMedia | null;
  /** It will be sent without sound. */
  silent?: boolean;
  /** The part of the replied message it quotes. */
  quote?: ReplyQuote | null;
  /** The forum topic it goes to (absent or 0: General, or no topics). */
  topic_id?: number;
}

export interface ScheduledMessages {
  messages: ScheduledMessage[];
}

/** messages.getReadParticipants: who has read a message. */
export interface ReadParticipants {
  user_ids: number[];
}

/** One batch of messages.deleteHistory: the caller's log position after it, and the max_id of the next batch (0: done). */
export interface AffectedHistory {
  pts: number;
  pts_count: number;
  offset: number;
}

/** Messages, newest first (History in the UI's words). */
export interface MessageList {
  messages: Message[];
  /** The reactions of the listed messages that have any, with the reader's own. */
  reactions?: MessageReactions[] | null;
  /** The results of the polls among the listed messages, with the reader's own choices. */
  polls?: PollResults[] | null;
  /** How many messages answer each listed message that has any (its thread: messages.getReplies). */
  replies?: ReplyCount[] | null;
}

export interface MessageReactions {
  msg_id: number;
  reactions: ReactionCount[];
  my_reaction: string | null;
}
export type History = MessageList;

/** The content filters of messages.search (SearchFilters): each a kind of the chat's shared media; `voice` is any audio. */
export const SearchFilters = { Photos: 'photos', Videos: 'videos', Documents: 'documents', Voice: 'voice', Links: 'links', Geo: 'geo' } as const;
export type SearchFilter = (typeof SearchFilters)[keyof typeof SearchFilters];

export interface Dialog {
  peer: Peer;
  top_message: Message | null;
  unread_count: number;
  read_inbox_max_id: number;
  read_outbox_max_id: number;
  delivered_max_id: number;
  last_activity: number;
  /** The chat's newest pinned message (for everyone in it), or null. */
  pinned_message?: Message | null;
  /** How many pinned messages the user sees in the chat (messages.getPinned lists them). */
  pinned_count?: number;
  /** The user's own mute: unix seconds, 0 when not muted ({@link MuteForever} for good). */
  mute_until?: number;
  /** The chat's auto-delete period for everyone in it, in seconds (0: off). */
  ttl_period?: number;
  /** Group messages naming this user or answering theirs that they have not read (messages.getUnreadMentions). */
  unread_mentions_count?: number;
  /** The user's unsent text in this chat (kept for all their devices), or null. */
  draft?: DraftMessage | null;
  /** Kept at the top of the user's list (pinned chats come first, the most recently pinned first). */
  pinned?: boolean;
  /** Moved out of the main list into the user's archive (it stays there when messages come). */
  archived?: boolean;
  /** Marked unread by the user to come back to (taken off when the chat is opened). */
  unread_mark?: boolean;
}

/**
 * A chat folder (C# `DialogFilter`): a named view of the user's chat list, kept on the server for all their devices.
 * Which chats it holds is decided here (folders.ts): the chats it names, plus those of the kinds it takes that it
 * does not leave out. `id` 2–255 (0 is "all chats", 1 the archive).
 */
export interface DialogFilter {
  id: number;
  title: string;
  private_chats: boolean;
  bots: boolean;
  groups: boolean;
  channels: boolean;
  exclude_muted: boolean;
  exclude_read: boolean;
  exclude_archived: boolean;
  include_peers: Peer[];
  exclude_peers: Peer[];
}

export interface DraftMessage {
  text: string;
  reply_to_id: number | null;
  date: number;
  quote?: ReplyQuote | null;
}

/** `mute_until` for a chat muted until unmuted (2³¹ − 1, as the server's NotifySettings.MuteForever). */
export const MuteForever = 2147483647;

/** Whether a dialog is muted now. */
export const isMuted = (dialog: Pick<Dialog, 'mute_until'> | undefined, nowMs = Date.now()): boolean =>
  (dialog?.mute_until ?? 0) * 1000 > nowMs;

export interface Dialogs {
  dialogs: Dialog[];
  total: number;
}

/** messages.pin's answer: the chat's newest pinned message now (null: none), how many are pinned, and the service
 * message posted, if any. */
export interface PinResult {
  pinned: Message | null;
  count?: number;
  service_message: Message | null;
  pts: number;
  pts_count: number;
  channel: boolean;
}

export interface ForwardedMessages {
  messages: Message[];
  pts: number;
  pts_count: number;
  channel: boolean;
}

export const TypingActions = { Typing: 'typing', Cancel: 'cancel', Upload: 'upload' } as const;
export type TypingAction = (typeof TypingActions)[keyof typeof TypingActions];

// ---- Groups ---------------------------------------------------------------------------------------------

export const ChatKind = { Group: 2, LargeGroup: 3, Channel: 4 } as const;
export type ChatKind = (typeof ChatKind)[keyof typeof ChatKind];

/** A group chat; `pts` is the position of its own log (large groups and channels; 0 for small groups). */
export interface Chat {
  id: number;
  kind: ChatKind;
  title: string;
  creator_id: number;
  member_count: number;
  date: number;
  pts: number;
  /** The group's photo (members may download it). */
  photo?: MessageMedia | null;
  /** The group's description (empty: none). */
  about?: string;
  /** What its plain members may do (admins may do all of it). */
  permissions?: ChatPermissions | null;
  /** Seconds a plain member waits between two posts (0: no slow mode). */
  slow_mode?: number;
  /** Organised in topics (groups.toggleForum). */
  forum?: boolean;
  /** Set only in the `chat` update that tells the members the creator deleted the chat (groups.delete). */
  deleted?: boolean;
}

/** What a group's plain members may do (groups.editPermissions); `send_messages` covers every post. */
export interface ChatPermissions {
  send_messages: boolean;
  send_media: boolean;
  send_polls: boolean;
  add_members: boolean;
  pin_messages: boolean;
  change_info: boolean;
  /** Create topics in a forum, and pin them (off by default). */
  manage_topics?: boolean;
}

/** One topic of a forum (messages.getForumTopics); id 0 is General. */
export interface ForumTopic {
  id: number;
  title: string;
  icon_color: number;
  closed: boolean;
  creator_id: number;
  date: number;
  top_message: number;
  unread_count: number;
  read_max_id: number;
  /** Pinned to the top of the list for everyone (messages.updatePinnedTopic); absent from older servers. */
  pinned?: boolean;
  /** This user's own mute of the topic (unix seconds, as a dialog's); 0 or absent: not muted on its own. */
  mute_until?: number;
}

/** At most this many topics are pinned in one forum. */
export const MaxPinnedTopics = 5;

/** A page of a forum's topics, with their newest messages. */
export interface ForumTopics {
  topics: ForumTopic[];
  messages: Message[];
  count: number;
}

/** The colours a topic's icon may have (RGB); the first is the default. */
export const TopicColors = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f] as const;

/** Who a privacy setting lets in: anyone, the users one has a private chat with, or nobody. */
/** `Contacts`: the people in the user's own contact list (whether they have the user in theirs does not matter). */
export const PrivacyRule = { Everybody: 0, Chats: 1, Nobody: 2, Contacts: 3 } as const;
export type PrivacyRule = (typeof PrivacyRule)[keyof typeof PrivacyRule];

/** account.getPrivacy / setPrivacy: who sees one's presence, who may add one to groups. */
export interface PrivacySettings {
  last_seen: PrivacyRule;
  group_invites: PrivacyRule;
  calls: PrivacyRule;
}

/** The slow mode's choices, in seconds (0: off). */
export const SlowModes = [0, 10, 30, 60, 300, 900, 3600] as const;

/** groups.getBanned: the users an admin removed from a chat, and how many there are. */
export interface ChatBans {
  user_ids: number[];
  total: number;
}

export const hasOwnLog = (chat: Chat): boolean => chat.kind === ChatKind.LargeGroup || chat.kind === ChatKind.Channel;

export const MemberRole = { Member: 0, Admin: 1, Creator: 2 } as const;
export type MemberRole = (typeof MemberRole)[keyof typeof MemberRole];

export interface ChatMember {
  user_id: number;
  role: MemberRole;
  joined_at: number;
}

export interface ChatFull {
  chat: Chat;
  members: ChatMember[];
  /** The caller's own role (it may not be among the members listed). */
  my_role: MemberRole;
}

export interface ChatChanged {
  chat: Chat;
  message: Message | null;
  pts: number;
  pts_count: number;
  channel: boolean;
}

export interface ChatInvite {
  code: string;
  chat_id: number;
  expires_at: number | null;
  usage_limit: number | null;
  usage: number;
  created_by: number;
  date: number;
  revoked: boolean;
  /** Joining by it is a request an admin approves (groups.getJoinRequests). */
  request_needed: boolean;
}

/** What an invite code leads to, before joining (groups.checkInvite); `chat_id` is set when the user is in it already. */
export interface InvitePreview {
  title: string;
  about: string;
  kind: ChatKind;
  member_count: number;
  request_needed: boolean;
  /** The user's request to join waits for an admin. */
  requested: boolean;
  chat_id: number;
}

export interface JoinRequests {
  requests: { user_id: number; date: number }[];
  total: number;
}

// ---- Updates (wire) -------------------------------------------------------------------------------------

export interface NewMessageUpdate {
  type: 'new_message';
  message: Message;
  /** The sender's random_id of the message: only in the sender's own log (on each of their devices, live and in
   * updates.getDifference), never in a recipient's nor in a large group's log; absent from entries logged before. */
  random_id?: number | null;
}
export interface EditMessageUpdate {
  type: 'edit_message';
  message: Message;
}
export interface DeleteMessagesUpdate {
  type: 'delete_messages';
  peer: Peer;
  ids: number[];
  /** The chat's unread count for this user now, when the delete changed it; null or absent when it did not, in a large
   * group's or channel's shared log, and from an older server. */
  unread_count?: number | null;
}
export interface ReadInboxUpdate {
  type: 'read_inbox';
  peer: Peer;
  max_id: number;
  still_unread: number;
  /** Of those still unread, how many mention this user (groups). */
  unread_mentions?: number;
}
export interface ReadOutboxUpdate {
  type: 'read_outbox';
  peer: Peer;
  max_id: number;
}
export interface DeliveredUpdate {
  type: 'delivered';
  peer: Peer;
  max_id: number;
}
export interface TypingUpdate {
  type: 'typing';
  peer: Peer;
  user_id: number;
  action: TypingAction | string;
  expires_in: number;
}
export interface UserStatusUpdate {
  type: 'user_status';
  user_id: number;
  online: boolean;
  /** Unix seconds. */
  last_seen: number;
  /** The user's privacy hides their presence: show "last seen recently". */
  hidden?: boolean;
}
export interface ChatUpdate {
  type: 'chat';
  chat: Chat;
  is_member: boolean;
}
/** The chat's pinned messages changed: `ids` pinned (`pinned`) or taken off; `message` is the newest pinned now (null:
 * none) and `count` how many are. Entries from before the list carry no `ids` (`message` was the only pin). */
export interface PinnedMessageUpdate {
  type: 'pinned_message';
  peer: Peer;
  message: Message | null;
  ids?: number[] | null;
  pinned?: boolean;
  count?: number;
}
export interface MessageReactionsUpdate {
  type: 'message_reactions';
  peer: Peer;
  msg_id: number;
  /** Who reacted; 0 in a channel, whose entries name nobody (and carry no reaction): only the totals change. */
  user_id: number;
  reaction: string | null;
  reactions: ReactionCount[];
}
/** A poll's counts changed (a vote, a vote taken back) or it was closed; `my_choices` is set only when the user's own
 * choices changed (in the user's own log), null otherwise. */
export interface MessagePollUpdate {
  type: 'message_poll';
  peer: Peer;
  msg_id: number;
  counts: number[];
  voters: number;
  closed: boolean;
  my_choices: number[] | null;
  correct_option?: number | null;
  solution?: string | null;
}
/** The user's messages waiting to be sent in the chat changed: `messages` are those waiting now, soonest first. */
export interface ScheduledMessagesUpdate {
  type: 'scheduled_messages';
  peer: Peer;
  messages: ScheduledMessage[];
}
export interface UserUpdate {
  type: 'user';
  user: User;
}
export interface DialogPinnedUpdate {
  type: 'dialog_pinned';
  peer: Peer;
  pinned: boolean;
}
export interface DialogArchivedUpdate {
  type: 'dialog_archived';
  peer: Peer;
  archived: boolean;
}
/** How many answer message `msg_id` (its thread), the newest of them, and — for a thread the reader follows (wrote the
 * message, answered in it, or read it) — how far they read it and how many answers by others come after. */
export interface ReplyCount {
  msg_id: number;
  count: number;
  max_id?: number;
  read_max_id?: number | null;
  unread_count?: number;
}
/** The user read the thread of `msg_id` up to `read_max_id` on some device; with `topic`, the forum's topic `msg_id`
 * (0: General) instead of that message's answers. */
export interface ReadThreadUpdate {
  type: 'read_thread';
  peer: Peer;
  msg_id: number;
  read_max_id: number;
  topic?: boolean;
}
export interface DialogUnreadMarkUpdate {
  type: 'dialog_unread_mark';
  peer: Peer;
  unread: boolean;
}
export interface DialogFilterUpdate {
  type: 'dialog_filter';
  id: number;
  filter: DialogFilter | null;
}
export interface PendingJoinRequestsUpdate {
  type: 'pending_join_requests';
  chat_id: number;
  count: number;
  recent_requesters: number[];
}
export interface DialogFilterOrderUpdate {
  type: 'dialog_filter_order';
  order: number[];
}
export interface DraftMessageUpdate {
  type: 'draft_message';
  peer: Peer;
  draft: DraftMessage | null;
}
export interface NotifySettingsUpdate {
  type: 'notify_settings';
  peer: Peer;
  mute_until: number;
  /** Only this topic of the forum was muted or unmuted (0: General); absent: the chat. */
  topic_id?: number | null;
}

/**
 * C# `Update` (a MessagePack union `[index, map]`); decoded into a tagged union with `type`.
 * Union indexes: 0 new_message, 1 edit_message, 2 delete_messages, 3 read_inbox, 4 read_outbox, 5 delivered,
 * 6 typing, 7 user_status, 8 chat, 9 pinned_message, 10 notify_settings, 11 message_reactions, 12 draft_message,
 * 13 dialog_pinned, 14 user (ephemeral), 15 dialog_archived, 16 dialog_unread_mark, 17 message_poll,
 * 18 scheduled_messages, 19 bot_callback_query (bots' logs only), 20 phone_call, 21 phone_signal (ephemeral),
 * 22 dialog_filter, 23 dialog_filter_order, 24 pending_join_requests (admins' logs), 25 group_call,
 * 26 group_call_signal (ephemeral), 27 new_authorization, 28 contact, 29 open_reports (admins' logs), 30 read_thread,
 * 31 secret_chat, 32 new_encrypted_message (the recipient's log only), 33 encrypted_read, 34 encrypted_typing (ephemeral).
 */
export type Update =
  | NewMessageUpdate
  | EditMessageUpdate
  | DeleteMessagesUpdate
  | ReadInboxUpdate
  | ReadOutboxUpdate
  | DeliveredUpdate
  | TypingUpdate
  | UserStatusUpdate
  | ChatUpdate
  | PinnedMessageUpdate
  | NotifySettingsUpdate
  | MessageReactionsUpdate
  | DraftMessageUpdate
  | DialogPinnedUpdate
  | UserUpdate
  | DialogArchivedUpdate
  | DialogUnreadMarkUpdate
  | MessagePollUpdate
  | ScheduledMessagesUpdate
  | BotCallbackQueryUpdate
  | PhoneCallUpdate
  | PhoneCallSignalUpdate
  | DialogFilterUpdate
  | DialogFilterOrderUpdate
  | PendingJoinRequestsUpdate
  | GroupCallUpdate
  | GroupCallSignalUpdate
  | NewAuthorizationUpdate
  | ContactUpdate
  | OpenReportsUpdate
  | ReadThreadUpdate
  | SecretChatUpdate
  | NewEncryptedMessageUpdate
  | EncryptedReadUpdate
  | EncryptedTypingUpdate;

export const UpdateTypes = [
  'new_message',
  'edit_message',
  'delete_messages',
  'read_inbox',
  'read_outbox',
  'delivered',
  'typing',
  'user_status',
  'chat',
  'pinned_message',
  'notify_settings',
  'message_reactions',
  'draft_message',
  'dialog_pinned',
  'user',
  'dialog_archived',
  'dialog_unread_mark',
  'message_poll',
  'scheduled_messages',
  'bot_callback_query',
  'phone_call',
  'phone_signal',
  'dialog_filter',
  'dialog_filter_order',
  'pending_join_requests',
  'group_call',
  'group_call_signal',
  'new_authorization',
  'contact',
  'open_reports',
  'read_thread',
  'secret_chat',
  'new_encrypted_message',
  'encrypted_read',
  'encrypted_typing',
] as const satisfies readonly Update['type'][];

// ---- Secret chats (end-to-end; the server relays ciphertext) ---------------------------------------------

export const SecretChatState = { Requested: 0, Ready: 1, Discarded: 2 } as const;
export type SecretChatState = (typeof SecretChatState)[keyof typeof SecretChatState];

/** A secret chat between one device of the admin (who asked) and one of the participant. `reason` once discarded:
 * cancelled, declined, ended, device_signed_out, account_deleted; `history_deleted`: the discarding side asked both to
 * delete the history. */
export interface SecretChat {
  id: number;
  admin_id: number;
  participant_id: number;
  state: SecretChatState;
  date: number;
  g_a: Uint8Array;
  g_b?: Uint8Array | null;
  key_fingerprint?: number;
  reason?: string | null;
  history_deleted?: boolean;
}

/** An encrypted message as relayed: `data` is nonce || ciphertext (protocol/secret.ts). */
export interface EncryptedMessage {
  chat_id: number;
  random_id: number;
  from_id: number;
  date: number;
  data: Uint8Array;
  silent?: boolean;
  /** The encrypted file it carries (its key and what it is are inside `data`). */
  file?: EncryptedFile | null;
  /** The sender marked its body a control message (a delete, a key exchange): the server pushes no notification of it;
   * what it is, the decrypted body says. */
  service?: boolean;
}

/** A secret chat's encrypted file on the server: a media id (upload.getFile, the chat's members only) and the
 * ciphertext's size. */
export interface EncryptedFile {
  id: number;
  size: number;
}

/** The encrypted file secret.sendEncrypted attaches: a finished upload (`file_id`, `total_parts`), or with `id` (the
 * others 0) a file this user already sent in the chat and the chat still holds, sent again without an upload
 * (`ENCRYPTED_FILE_INVALID` for any other). */
export interface InputEncryptedFile {
  file_id: number;
  total_parts: number;
  id?: number;
}

export interface SentEncryptedMessage {
  date: number;
  file?: EncryptedFile | null;
}

export interface SecretChats {
  chats: SecretChat[];
}

export interface SecretChatUpdate {
  type: 'secret_chat';
  chat: SecretChat;
}
export interface NewEncryptedMessageUpdate {
  type: 'new_encrypted_message';
  message: EncryptedMessage;
}
/** The other side read the chat's messages up to `max_date` (their server dates). */
export interface EncryptedReadUpdate {
  type: 'encrypted_read';
  chat_id: number;
  max_date: number;
  date: number;
}
export interface EncryptedTypingUpdate {
  type: 'encrypted_typing';
  chat_id: number;
  user_id: number;
}

/** A press of a bot's button, in the bot's own log only: people's clients never see one. */
export interface BotCallbackQueryUpdate {
  type: 'bot_callback_query';
}

// ---- Calls ----------------------------------------------------------------------------------------------

export const CallState = { Ringing: 0, Active: 1, Ended: 2 } as const;
export type CallState = (typeof CallState)[keyof typeof CallState];

/** A one-to-one voice call, signalled through the server (WebRTC); `sdp` is the offer (ringing, to the callee) or
 * the answer (active, to the caller); `reason` once ended: hangup, cancelled, declined, missed, disconnected. */
export interface PhoneCall {
  id: number;
  caller_id: number;
  callee_id: number;
  state: CallState;
  date: number;
  sdp?: string | null;
  reason?: string | null;
  started_at?: number;
  duration?: number;
  /** With cameras: the callee answers with theirs. */
  video?: boolean;
}

export interface IceServer {
  urls: string[];
  username?: string | null;
  credential?: string | null;
}

export interface CallConfig {
  ice_servers: IceServer[];
  ring_timeout: number;
}

export interface PhoneCallUpdate {
  type: 'phone_call';
  call: PhoneCall;
}

export interface PhoneCallSignalUpdate {
  type: 'phone_signal';
  call_id: number;
  from_id: number;
  data: string;
}

/** A group's voice chat (a WebRTC mesh: the one who joined later offers to each earlier participant). */
export interface GroupCall {
  id: number;
  chat_id: number;
  started_by: number;
  started_at: number;
  /** In the order they joined. */
  participants: number[];
  ended: boolean;
  duration: number;
}
export interface GroupCallUpdate {
  type: 'group_call';
  call: GroupCall;
}
export interface GroupCallSignalUpdate {
  type: 'group_call_signal';
  call_id: number;
  from_id: number;
  data: string;
}

/** A new device signed in to the account (with the password, or by a login token one of its devices accepted); in the
 * user's log, so a device that was offline gets it when it catches up. `date` in unix seconds. */
export interface NewAuthorizationUpdate {
  type: 'new_authorization';
  authorization_id: number;
  device_name: string;
  platform: string;
  client_address: string;
  date: number;
}

/** The newest open report, as an admin's notice shows it (`date` unix seconds). */
export interface ReportNotice {
  id: number;
  reason: string;
  date: number;
}

/** In a server admin's log: `open` reports wait, `latest` the newest (null when none); also when the user becomes an
 * admin (the count then) or stops being one (0). */
export interface OpenReportsUpdate {
  type: 'open_reports';
  open: number;
  latest: ReportNotice | null;
}

/** The user added `user_id` to their contacts or renamed them (`contact`), or took them out (null), on some device; or
 * that person added the user back or took them out, and `contact.mutual` changed. */
export interface ContactUpdate {
  type: 'contact';
  user_id: number;
  contact: Contact | null;
}

export interface LoggedUpdate {
  pts: number;
  pts_count: number;
  date: number;
  update: Update;
}

/** `updates.getState`'s answer (and a `Difference`'s state). `channels`: the user's large groups at their own logs'
 * positions, read with `pts` (getState only; absent from a difference's state and from servers older than the field). */
export interface UpdatesState {
  pts: number;
  date: number;
  channels?: ChannelState[] | null;
}

export interface ChannelState {
  chat_id: number;
  pts: number;
}

export interface Difference {
  updates: LoggedUpdate[];
  state: UpdatesState;
  slice: boolean;
  too_long: boolean;
  channels: ChannelState[] | null;
}

export interface ChannelDifference {
  chat_id: number;
  updates: LoggedUpdate[];
  pts: number;
  slice: boolean;
  too_long: boolean;
}

export interface UserStatuses {
  statuses: Omit<UserStatusUpdate, 'type'>[];
}

// ---- Media ----------------------------------------------------------------------------------------------

export interface UploadedParts {
  parts: number[];
  total_parts: number;
}

export interface FileBytes {
  bytes: Uint8Array;
}

// ---- Events: what the client's `events` stream delivers --------------------------------------------------

/** Set on events that come from a large group's own log: `pts` is then that chat's position. */
interface LoggedEventBase {
  pts: number;
  channelId?: number;
}

export type MessengerEvent =
  | ({ type: 'new_message'; message: Message; peer: Peer; out: boolean; randomId?: number } & LoggedEventBase)
  | ({ type: 'message_edited'; message: Message; peer: Peer; out: boolean } & LoggedEventBase)
  /** `unreadCount`: the chat's unread count now, when the delete changed it (null: unchanged, or not told). */
  | ({ type: 'messages_deleted'; peer: Peer; ids: number[]; unreadCount: number | null } & LoggedEventBase)
  | ({ type: 'delivered'; peer: Peer; maxId: number } & LoggedEventBase)
  | ({ type: 'read_inbox'; peer: Peer; maxId: number; stillUnread: number; unreadMentions: number } & LoggedEventBase)
  | ({ type: 'read_outbox'; peer: Peer; maxId: number } & LoggedEventBase)
  | ({ type: 'chat_updated'; chat: Chat; isMember: boolean } & LoggedEventBase)
  /** The chat's pinned messages changed: `ids` pinned or taken off (null: an entry from before the list); `message` is
   * the newest pinned now (null: none), `count` how many are. */
  | ({ type: 'message_pinned'; peer: Peer; message: Message | null; ids: number[] | null; pinned: boolean; count: number } & LoggedEventBase)
  /** `userId` reacted to `messageId` with `reaction` (null: took it back); `reactions` are the message's now. */
  | ({ type: 'message_reactions'; peer: Peer; messageId: number; userId: number; reaction: string | null; reactions: ReactionCount[] } & LoggedEventBase)
  /** A poll's counts changed or it was closed; `myChoices` is set when the user's own choices changed (another device). */
  | ({ type: 'message_poll'; peer: Peer; messageId: number; counts: number[]; voters: number; closed: boolean; myChoices: number[] | null; correctOption?: number | null; solution?: string | null } & LoggedEventBase)
  /** The user's waiting messages in the chat changed (scheduled, cancelled or sent, on any of their devices). */
  | ({ type: 'scheduled_messages'; peer: Peer; messages: ScheduledMessage[] } & LoggedEventBase)
  /** The user pinned the chat to the top of their list (or unpinned it) on another device. */
  | ({ type: 'dialog_pinned'; peer: Peer; pinned: boolean } & LoggedEventBase)
  | ({ type: 'dialog_archived'; peer: Peer; archived: boolean } & LoggedEventBase)
  | ({ type: 'dialog_unread_mark'; peer: Peer; unread: boolean } & LoggedEventBase)
  /** The user read the thread of `messageId` up to `readMaxId` on another device. */
  | ({ type: 'read_thread'; peer: Peer; messageId: number; readMaxId: number; topic: boolean } & LoggedEventBase)
  /** The user created or changed a chat folder (`filter`), or deleted it (null), on another device. */
  | ({ type: 'dialog_filter'; id: number; filter: DialogFilter | null } & LoggedEventBase)
  /** The user is an admin of `chatId`, where `count` requests to join wait (`recentRequesters` asked last). */
  | ({ type: 'pending_join_requests'; chatId: number; count: number; recentRequesters: number[] } & LoggedEventBase)
  /** The user put their folders in `order` on another device. */
  | ({ type: 'dialog_filter_order'; order: number[] } & LoggedEventBase)
  /** The user's draft in the chat changed on another device (null: cleared). */
  | ({ type: 'draft'; peer: Peer; draft: DraftMessage | null } & LoggedEventBase)
  /** The user muted (`muteUntil` unix seconds) or unmuted (0) the chat on another device. */
  | ({ type: 'notify_settings'; peer: Peer; muteUntil: number; topicId: number | null } & LoggedEventBase)
  /** A new device signed in to the account (`date` unix seconds); this device's own sign-in may come too when resuming. */
  | ({ type: 'new_authorization'; authorizationId: number; deviceName: string; platform: string; clientAddress: string; date: number } & LoggedEventBase)
  /** The user's contact `userId` was added or renamed (`contact`) or taken out (null) on another device, or its mutual flag changed. */
  | ({ type: 'contact'; userId: number; contact: Contact | null } & LoggedEventBase)
  /** The user is a server admin and `open` reports wait (`latest` the newest, null when none); 0 when they stopped being one. */
  | ({ type: 'open_reports'; open: number; latest: ReportNotice | null } & LoggedEventBase)
  /** A secret chat was requested, accepted or discarded (the chat as the server knows it). */
  | ({ type: 'secret_chat'; chat: SecretChat } & LoggedEventBase)
  /** An encrypted message for the user (decrypted by the device holding the chat's keys: ui/secret). */
  | ({ type: 'new_encrypted_message'; message: EncryptedMessage } & LoggedEventBase)
  /** The other side of a secret chat read it up to `maxDate`. */
  | ({ type: 'encrypted_read'; chatId: number; maxDate: number; date: number } & LoggedEventBase)
  /** Ephemeral: the other side of a secret chat types. */
  | { type: 'encrypted_typing'; chatId: number; userId: number }
  /** Too much was missed: refetch dialogs (and the open history); the stream continues from `pts`. */
  | { type: 'resync'; pts: number }
  /** Too much was missed in a large group: refetch that chat's history. */
  | { type: 'channel_resync'; chatId: number; pts: number }
  /** Ephemeral: `userId` types in `peer` until `expiresAt` (ms, local clock), or stopped (`action === 'cancel'`). */
  | { type: 'typing'; peer: Peer; userId: number; action: string; expiresAt: number }
  /** Ephemeral: a user the user chats with (or the user, on another device) changed their profile. */
  | { type: 'user_updated'; user: User }
  /** Ephemeral: `lastSeen` in unix seconds. */
  | { type: 'user_status'; userId: number; online: boolean; lastSeen: number; hidden: boolean }
  /** Ephemeral: a call rang, was answered or ended; the other side of a call sent an ICE candidate. */
  | { type: 'phone_call'; call: PhoneCall }
  | { type: 'phone_signal'; callId: number; fromId: number; data: string }
  /** Ephemeral: a group's voice chat began, someone joined or left, or it ended; a participant's signal to this user. */
  | { type: 'group_call'; call: GroupCall }
  | { type: 'group_call_signal'; callId: number; fromId: number; data: string }
  /** This device (which exported a login token) is now signed in. */
  | { type: 'login_token_accepted'; signedIn: SignedIn }
  /** This device is no longer signed in (signed out here, or revoked from another device: AUTH_KEY_UNREGISTERED). */
  | { type: 'signed_out' };

export type MessengerEventType = MessengerEvent['type'];

// ---- Errors ---------------------------------------------------------------------------------------------

/** Stable error names the UI may want to match (modules add more; `RpcError.name` is any string). */
export const ErrorNames = {
  MethodInvalid: 'METHOD_INVALID',
  ArgsInvalid: 'ARGS_INVALID',
  CallsInFlightTooMany: 'CALLS_IN_FLIGHT_TOO_MANY',
  FloodWait: 'FLOOD_WAIT',
  /** A group's slow mode: the member may post again in `retryAfter` seconds. */
  SlowModeWait: 'SLOWMODE_WAIT',
  /** The user's privacy settings do not let the caller add them to groups. */
  UserPrivacyRestricted: 'USER_PRIVACY_RESTRICTED',
  /** groups.joinByInvite with a link that needs approval: the request waits for the chat's admins (not a failure). */
  InviteRequestSent: 'INVITE_REQUEST_SENT',
  AuthKeyUnregistered: 'AUTH_KEY_UNREGISTERED',
  Internal: 'INTERNAL',
  ServerShuttingDown: 'SERVER_SHUTTING_DOWN',
  /** A call resent after a reconnect ran, but the server let its answer go before it was acked: it is not run again. */
  ResultDropped: 'RESULT_DROPPED',
  /** The server had no room to store the write (a full disk or its database cap); the same call works once it has. */
  StorageFull: 'STORAGE_FULL',
  UsernameInvalid: 'USERNAME_INVALID',
  UsernameOccupied: 'USERNAME_OCCUPIED',
  PasswordTooShort: 'PASSWORD_TOO_SHORT',
  PasswordTooLong: 'PASSWORD_TOO_LONG',
  PasswordInvalid: 'PASSWORD_INVALID',
  DisplayNameInvalid: 'DISPLAY_NAME_INVALID',
  BioTooLong: 'BIO_TOO_LONG',
  RegistrationClosed: 'REGISTRATION_CLOSED',
  InviteCodeInvalid: 'INVITE_CODE_INVALID',
  InviteCodeExpired: 'INVITE_CODE_EXPIRED',
  CredentialsInvalid: 'CREDENTIALS_INVALID',
  AlreadySignedIn: 'ALREADY_SIGNED_IN',
  /** auth.signIn with an admin's temporary password past its time: the user asks an admin for a new one. */
  PasswordExpired: 'PASSWORD_EXPIRED',
  /** A device signed in with an admin's temporary password may only change it (or sign out) until it has. */
  PasswordChangeRequired: 'PASSWORD_CHANGE_REQUIRED',
  UserBlocked: 'USER_BLOCKED',
  LoginTokenInvalid: 'LOGIN_TOKEN_INVALID',
  LoginTokenExpired: 'LOGIN_TOKEN_EXPIRED',
  /** An admin-only method (admin.*) called by someone who is not an admin. */
  AdminRequired: 'ADMIN_REQUIRED',
  BackupsOff: 'BACKUPS_OFF',
  /** account.deleteAccount, admin.setUserAdmin(…, false) or admin.setUserBlocked for the server's last usable admin
   * (one not blocked and not a bot). */
  LastAdmin: 'LAST_ADMIN',
  /** admin.setUserAdmin for a bot: a bot cannot be made a server admin. */
  UserIsBot: 'USER_IS_BOT',
  MessageEmpty: 'MESSAGE_EMPTY',
  MessageTooLong: 'MESSAGE_TOO_LONG',
  PeerIdInvalid: 'PEER_ID_INVALID',
  /** The other user of the private chat deleted their account: readable, not writable. */
  UserDeleted: 'USER_DELETED',
  UserIsBlocked: 'USER_IS_BLOCKED',
  YouBlockedUser: 'YOU_BLOCKED_USER',
  /** Secret chats: the chat was discarded. */
  EncryptionDeclined: 'ENCRYPTION_DECLINED',
  /** Secret chats: no such chat, not the caller's, or not accepted yet. */
  EncryptionIdInvalid: 'ENCRYPTION_ID_INVALID',
  /** Secret chats: another device of the member holds the chat. */
  EncryptionDeviceInvalid: 'ENCRYPTION_DEVICE_INVALID',
  EncryptedMessageInvalid: 'ENCRYPTED_MESSAGE_INVALID',
  /** Secret chats: 100 of the caller's requests already wait for acceptance. */
  SecretChatsTooMuch: 'SECRET_CHATS_TOO_MUCH',
  ChatNotFound: 'CHAT_NOT_FOUND',
  ChatWriteForbidden: 'CHAT_WRITE_FORBIDDEN',
  ChatAdminRequired: 'CHAT_ADMIN_REQUIRED',
  /** An admin removed the caller from the group: only an admin brings them back. */
  UserBannedInChat: 'USER_BANNED_IN_CHAT',
  MessageIdInvalid: 'MESSAGE_ID_INVALID',
  ReactionInvalid: 'REACTION_INVALID',
  ReactionsTooMany: 'REACTIONS_TOO_MANY',
  PinnedDialogsTooMuch: 'PINNED_DIALOGS_TOO_MUCH',
  PinnedTooMuch: 'PINNED_TOO_MUCH',
  PinnedTopicsTooMuch: 'PINNED_TOPICS_TOO_MUCH',
  /** auth.signIn of an account with two-step verification, without its code. */
  TwoFactorCodeRequired: 'TWO_FACTOR_CODE_REQUIRED',
  TwoFactorCodeInvalid: 'TWO_FACTOR_CODE_INVALID',
  WebhookNameInvalid: 'WEBHOOK_NAME_INVALID',
  WebhooksTooMany: 'WEBHOOKS_TOO_MANY',
  PollQuestionInvalid: 'POLL_QUESTION_INVALID',
  PollOptionsInvalid: 'POLL_OPTIONS_INVALID',
  PollOptionInvalid: 'POLL_OPTION_INVALID',
  PollClosed: 'POLL_CLOSED',
  MediaInvalid: 'MEDIA_INVALID',
  FileTooBig: 'FILE_TOO_BIG',
  QuotaExceeded: 'QUOTA_EXCEEDED',
  /** 420: the user has `Messenger:Media:UploadsInProgressPerUser` uploads unfinished; `retryAfter` until the oldest expires. */
  UploadsTooMany: 'UPLOADS_TOO_MANY',
  /** Client-side: the call timed out, was aborted, or the client was closed. */
  Timeout: 'TIMEOUT',
  Aborted: 'ABORTED',
  Closed: 'CLIENT_CLOSED',
} as const;

/** A failed call: the server's stable error name, its code class (400, 401, 403, 404, 420, 500) and, for 420,
 * the seconds to wait. Client-side failures use code 0 (TIMEOUT, ABORTED, CLIENT_CLOSED). */
export class RpcError extends Error {
  constructor(
    override readonly name: string,
    readonly code: number,
    readonly retryAfter?: number,
    /** The method that failed (for logs). */
    readonly method?: string,
  ) {
    super(`${method ? method + ': ' : ''}${name} (${code}${retryAfter === undefined ? '' : `, retry after ${retryAfter}s`})`);
  }
}

export type ConnectionState = 'connecting' | 'online' | 'offline';
