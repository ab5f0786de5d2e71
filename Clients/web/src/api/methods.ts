// Typed wrappers of every RPC method: names and argument keys exactly as in Modules/Messenger.Contracts.
import type {
  DialogFilter,
  GroupCall,
  InvitePreview,
  JoinRequests,
  AdminUser,
  AuditEntry,
  Report,
  BackupList,
  SecretChat,
  SecretChats,
  SentEncryptedMessage,
  InputEncryptedFile,
  BotToken,
  ServerStats,
  ChannelDifference,
  Difference,
  AffectedMessages,
  AffectedHistory,
  PinResult,
  ReadParticipants,
  ReplyQuote,
  InputGeo,
  ScheduledMessage,
  ScheduledMessages,
  ReactionsChanged,
  Poll,
  PollChanged,
  PollVoters,
  TwoFactorSetup,
  TwoFactorStatus,
  PushKey,
  BotCallbackAnswer,
  BotCommand,
  WebhookCreated,
  WebhookList,
  Authorization,
  BlockedUsers,
  Authorizations,
  AuthorizationTtl,
  ChatBans,
  ChatPermissions,
  CallConfig,
  PhoneCall,
  PrivacySettings,
  ChatChanged,
  ChatFull,
  ContactList,
  SavedContact,
  ChatInvite,
  Dialogs,
  Done,
  FileBytes,
  ForwardedMessages,
  ForumTopics,
  InputMedia,
  Invite,
  LoginToken,
  MessageList,
  Peer,
  SearchFilter,
  Pong,
  RegisteredUser,
  SentMessage,
  ServerConfig,
  SignedIn,
  TypingAction,
  UpdatesState,
  UploadedParts,
  User,
  UserList,
  UserPage,
  UserStatuses,
} from './types';
import { randomId } from '../protocol/random';
import { toChannelDifference, toDifference } from '../protocol/codec';

export interface CallOptions<T = unknown> {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Takes the answer should it still come after the call was given up (timed out, aborted) — for a call that may change
   * a log (session.ts `mayChangeALog`): what it did that the app keeps for itself and no update tells this tab. */
  answeredLate?: (value: T) => void;
}

export type Call = <T>(method: string, args: object, options?: CallOptions<T>) => Promise<T>;

export function createMethods(call: Call) {
  return {
    auth: {
      register: (a: { username: string; password: string; display_name: string; invite_code?: string | null }, o?: CallOptions) =>
        call<RegisteredUser>('auth.register', { ...a, invite_code: a.invite_code ?? null }, o),
      /** `code`: a current code of the account's authenticator or one of its recovery codes, when it has two-step verification. */
      signIn: (a: { username: string; password: string; device_name: string; platform: string; code?: string | null }, o?: CallOptions) =>
        call<SignedIn>('auth.signIn', { ...a, code: a.code ?? null }, o),
      signOut: (o?: CallOptions) => call<Done>('auth.signOut', {}, o),
      exportLoginToken: (a: { device_name: string; platform: string }, o?: CallOptions) =>
        call<LoginToken>('auth.exportLoginToken', a, o),
      acceptLoginToken: (a: { token: string }, o?: CallOptions) => call<Authorization>('auth.acceptLoginToken', a, o),
    },
    account: {
      getAuthorizations: (o?: CallOptions) => call<Authorizations>('account.getAuthorizations', {}, o),
      resetAuthorization: (a: { id: number }, o?: CallOptions) => call<Done>('account.resetAuthorization', a, o),
      resetOtherAuthorizations: (o?: CallOptions) => call<Done>('account.resetOtherAuthorizations', {}, o),
      getAuthorizationTTL: (o?: CallOptions) => call<AuthorizationTtl>('account.getAuthorizationTTL', {}, o),
      setAuthorizationTTL: (a: { authorization_ttl_days: number }, o?: CallOptions) => call<AuthorizationTtl>('account.setAuthorizationTTL', a, o),
      changePassword: (a: { old_password: string; new_password: string }, o?: CallOptions) =>
        call<Done>('account.changePassword', a, o),
      deleteAccount: (a: { password: string }, o?: CallOptions) => call<Done>('account.deleteAccount', a, o),
      /** Two-step verification: status; a new secret (with the password); on with a code (answers the recovery codes); off
       * with password and a code or a recovery code; new recovery codes with password and a code. */
      getTwoFactor: (o?: CallOptions) => call<TwoFactorStatus>('account.getTwoFactor', {}, o),
      /** Who sees the user's presence and who may add them to groups. */
      getPrivacy: (o?: CallOptions) => call<PrivacySettings>('account.getPrivacy', {}, o),
      setPrivacy: (a: { settings: PrivacySettings }, o?: CallOptions) => call<PrivacySettings>('account.setPrivacy', a, o),
      setupTwoFactor: (a: { password: string }, o?: CallOptions) => call<TwoFactorSetup>('account.setupTwoFactor', a, o),
      enableTwoFactor: (a: { code: string }, o?: CallOptions) => call<TwoFactorStatus>('account.enableTwoFactor', a, o),
      disableTwoFactor: (a: { password: string; code: string }, o?: CallOptions) => call<TwoFactorStatus>('account.disableTwoFactor', a, o),
      regenerateRecoveryCodes: (a: { password: string; code: string }, o?: CallOptions) =>
        call<TwoFactorStatus>('account.regenerateRecoveryCodes', a, o),
      /** Takes another username (the old one is free at once). */
      updateUsername: (a: { username: string }, o?: CallOptions) => call<User>('account.updateUsername', a, o),
      /** Sets the profile photo from a finished upload (an image of at most 10 MiB), or removes it (null). */
      updateProfilePhoto: (a: { media: InputMedia | null }, o?: CallOptions) => call<User>('account.updateProfilePhoto', a, o),
      updateProfile: (a: { display_name: string; bio?: string }, o?: CallOptions) =>
        call<User>('account.updateProfile', { display_name: a.display_name, bio: a.bio ?? '' }, o),
      updateStatus: (a: { offline: boolean }, o?: CallOptions) => call<Done>('account.updateStatus', a, o),
      getPushKey: (o?: CallOptions) => call<PushKey>('account.getPushKey', {}, o),
      /** This device's Web Push subscription (endpoint, keys base64url); a new one replaces the old. */
      registerPush: (a: { endpoint: string; p256dh: string; auth: string }, o?: CallOptions) => call<Done>('account.registerPush', a, o),
      unregisterPush: (o?: CallOptions) => call<Done>('account.unregisterPush', {}, o),
    },
    users: {
      getUsers: (a: { ids: number[] }, o?: CallOptions) => call<UserList>('users.getUsers', a, o),
      search: (a: { prefix: string; limit?: number }, o?: CallOptions) =>
        call<UserList>('users.search', { prefix: a.prefix, limit: a.limit ?? 20 }, o),
      getStatuses: (a: { ids: number[] }, o?: CallOptions) => call<UserStatuses>('users.getStatuses', a, o),
      block: (a: { user_id: number }, o?: CallOptions) => call<Done>('users.block', a, o),
      unblock: (a: { user_id: number }, o?: CallOptions) => call<Done>('users.unblock', a, o),
      getBlocked: (o?: CallOptions) => call<BlockedUsers>('users.getBlocked', {}, o),
    },
    contacts: {
      /** The user's contacts, sorted by name (profiles: users.getUsers). */
      getContacts: (o?: CallOptions) => call<ContactList>('contacts.getContacts', {}, o),
      /** Adds the person under `name`, or renames them when they are a contact already. */
      addContact: (a: { user_id: number; name: string }, o?: CallOptions) => call<SavedContact>('contacts.addContact', a, o),
      /** Takes these people (1–200) out of the contact list. */
      deleteContacts: (a: { user_ids: number[] }, o?: CallOptions) => call<AffectedMessages>('contacts.deleteContacts', a, o),
    },
    messages: {
      /** `random_id` is drawn when not given; pass the same one to retry a send idempotently. `silent`: without sound.
       * `quote` (with `reply_to_id`): the part of the replied message the reply quotes. */
      send: (
        a: {
          peer: Peer;
          text: string;
          random_id?: number;
          reply_to_id?: number | null;
          media?: InputMedia | null;
          silent?: boolean;
          quote?: ReplyQuote | null;
          geo?: InputGeo | null;
          topic_id?: number | null;
        },
        o?: CallOptions,
      ) =>
        call<SentMessage>(
          'messages.send',
          {
            peer: a.peer,
            random_id: a.random_id ?? randomId(),
            text: a.text,
            reply_to_id: a.reply_to_id ?? null,
            media: a.media ?? null,
            silent: a.silent ?? false,
            ...(a.quote ? { quote: a.quote } : {}),
            ...(a.geo ? { geo: a.geo } : {}),
            ...(a.topic_id ? { topic_id: a.topic_id } : {}),
          },
          o,
        ),
      /** Moves one of the caller's live locations (`geo`), or ends it (`stop`); answers the message as it is now. */
      editLiveLocation: (a: { peer: Peer; id: number; geo?: InputGeo | null; stop?: boolean }, o?: CallOptions) =>
        call<SentMessage>('messages.editLiveLocation', { peer: a.peer, id: a.id, geo: a.geo ?? null, stop: a.stop ?? false }, o),
      /** Keeps a text message to be sent at `date` (unix seconds, 10 s to 366 days ahead). */
      sendScheduled: (
        a: {
          peer: Peer;
          text: string;
          date: number;
          random_id?: number;
          reply_to_id?: number | null;
          media?: InputMedia | null;
          silent?: boolean;
          quote?: ReplyQuote | null;
          topic_id?: number | null;
        },
        o?: CallOptions,
      ) =>
        call<ScheduledMessage>(
          'messages.sendScheduled',
          {
            peer: a.peer,
            random_id: a.random_id ?? randomId(),
            text: a.text,
            date: a.date,
            reply_to_id: a.reply_to_id ?? null,
            media: a.media ?? null,
            silent: a.silent ?? false,
            ...(a.quote ? { quote: a.quote } : {}),
            ...(a.topic_id ? { topic_id: a.topic_id } : {}),
          },
          o,
        ),
      /** The user's messages waiting to be sent in the chat, soonest first. */
      getScheduled: (a: { peer: Peer }, o?: CallOptions) => call<ScheduledMessages>('messages.getScheduled', a, o),
      /** Cancels waiting messages of the user in the chat. */
      deleteScheduled: (a: { peer: Peer; ids: number[] }, o?: CallOptions) => call<Done>('messages.deleteScheduled', a, o),
      /** With `topic_id`, one topic of a forum (0: General). */
      getHistory: (a: { peer: Peer; offset_id?: number; limit?: number; topic_id?: number | null }, o?: CallOptions) =>
        call<MessageList>(
          'messages.getHistory',
          { peer: a.peer, offset_id: a.offset_id ?? 0, limit: a.limit ?? 50, ...(a.topic_id != null ? { topic_id: a.topic_id } : {}) },
          o,
        ),
      /** A forum's topics by last activity (General first on the first page). */
      getForumTopics: (a: { peer: Peer; offset_id?: number; limit?: number; query?: string }, o?: CallOptions) =>
        call<ForumTopics>(
          'messages.getForumTopics',
          { peer: a.peer, offset_date: 0, offset_id: a.offset_id ?? 0, limit: a.limit ?? 100, ...(a.query ? { query: a.query } : {}) },
          o,
        ),
      /** Opens a topic (admins, or members the group lets); answers its `topic_create` message, whose id is the topic's. */
      createTopic: (a: { peer: Peer; title: string; icon_color?: number | null; random_id?: number }, o?: CallOptions) =>
        call<SentMessage>('messages.createTopic', { peer: a.peer, random_id: a.random_id ?? randomId(), title: a.title, icon_color: a.icon_color ?? null }, o),
      /** Renames, recolours, closes or reopens a topic (its creator or admins). */
      editTopic: (a: { peer: Peer; topic_id: number; title?: string | null; icon_color?: number | null; closed?: boolean | null }, o?: CallOptions) =>
        call<SentMessage>(
          'messages.editTopic',
          { peer: a.peer, topic_id: a.topic_id, title: a.title ?? null, icon_color: a.icon_color ?? null, closed: a.closed ?? null },
          o,
        ),
      /** Pins a topic to the top of the forum's list for everyone, or unpins it (admins, or members the group lets). */
      updatePinnedTopic: (a: { peer: Peer; topic_id: number; pinned: boolean }, o?: CallOptions) =>
        call<SentMessage>('messages.updatePinnedTopic', a, o),
      /** Deletes a topic and all its messages for everyone (admins). */
      deleteTopic: (a: { peer: Peer; topic_id: number }, o?: CallOptions) => call<AffectedMessages>('messages.deleteTopic', a, o),
      /** The messages answering `msg_id`, oldest first (its thread). */
      getReplies: (a: { peer: Peer; msg_id: number; offset_id?: number; limit?: number }, o?: CallOptions) =>
        call<MessageList>('messages.getReplies', { peer: a.peer, msg_id: a.msg_id, offset_id: a.offset_id ?? 0, limit: a.limit ?? 50 }, o),
      /** The group's messages naming the user or answering theirs that they have not read, oldest first. */
      getUnreadMentions: (a: { peer: Peer; offset_id?: number; limit?: number }, o?: CallOptions) =>
        call<MessageList>('messages.getUnreadMentions', { peer: a.peer, offset_id: a.offset_id ?? 0, limit: a.limit ?? 50 }, o),
      /** Tells the server's admins about messages of the chat (reason: spam, violence, pornography, child_abuse,
       * copyright, personal_details, illegal_drugs, other). */
      report: (a: { peer: Peer; ids: number[]; reason: string; comment?: string | null }, o?: CallOptions) =>
        call<{ filed: number }>('messages.report', { peer: a.peer, ids: a.ids, reason: a.reason, comment: a.comment ?? null }, o),
      /** Every unread mention of the user in a group read, without reading the chat. */
      readMentions: (a: { peer: Peer }, o?: CallOptions) => call<AffectedMessages>('messages.readMentions', { peer: a.peer }, o),
      /** `topic`: `msg_id` is a forum's topic (0: General), not the message whose answers were read. */
      readThread: (a: { peer: Peer; msg_id: number; max_id: number; topic: boolean }, o?: CallOptions) =>
        call<AffectedMessages>('messages.readThread', { peer: a.peer, msg_id: a.msg_id, max_id: a.max_id, topic: a.topic }, o),
      /** The chat's messages of one kind (`photo`, `video`, `audio`, `document`, `link`, `geo`), newest first. */
      getSharedMedia: (a: { peer: Peer; filter: string; offset_id?: number; limit?: number }, o?: CallOptions) =>
        call<MessageList>('messages.getSharedMedia', { peer: a.peer, filter: a.filter, offset_id: a.offset_id ?? 0, limit: a.limit ?? 50 }, o),
      getDialogs: (a: { offset?: number; limit?: number } = {}, o?: CallOptions) =>
        call<Dialogs>('messages.getDialogs', { offset: a.offset ?? 0, limit: a.limit ?? 50 }, o),
      /** The chat-list rows (as getDialogs gives them) of up to 100 peers; a peer with no row is left out. */
      getPeerDialogs: (a: { peers: Peer[] }, o?: CallOptions) => call<Dialogs>('messages.getPeerDialogs', { peers: a.peers }, o),
      edit: (a: { peer: Peer; id: number; text: string }, o?: CallOptions) => call<SentMessage>('messages.edit', a, o),
      delete: (a: { peer: Peer; ids: number[]; revoke: boolean }, o?: CallOptions) =>
        call<AffectedMessages>('messages.delete', a, o),
      /** One batch (250) of clearing the chat for the caller, newest first; call again with `max_id: offset` while offset > 0.
       * `revoke` (private chats): the caller's own messages go for the other user too. */
      deleteHistory: (a: { peer: Peer; max_id?: number; revoke?: boolean }, o?: CallOptions) =>
        call<AffectedHistory>('messages.deleteHistory', { peer: a.peer, max_id: a.max_id ?? 0, revoke: a.revoke ?? false }, o),
      received: (a: { max_id: number }, o?: CallOptions) => call<Done>('messages.received', a, o),
      readHistory: (a: { peer: Peer; max_id: number }, o?: CallOptions) => call<AffectedMessages>('messages.readHistory', a, o),
      /** Who has read the caller's own message: the peer of a private chat, or members of a small group. */
      getReadParticipants: (a: { peer: Peer; id: number }, o?: CallOptions) => call<ReadParticipants>('messages.getReadParticipants', a, o),
      /** Turns the chat's auto-delete on (`period` seconds, 60 to 366 days) or off (0); answers the service message `set_ttl`. */
      setHistoryTTL: (a: { peer: Peer; period: number }, o?: CallOptions) =>
        call<SentMessage>('messages.setHistoryTTL', { peer: a.peer, period: a.period }, o),
      /** Every pinned message of the chat taken off, for everyone in it. */
      unpinAll: (a: { peer: Peer }, o?: CallOptions) => call<AffectedMessages>('messages.unpinAll', { peer: a.peer }, o),
      /** The chat's pinned messages the caller sees, newest first, older than `offset_id` (0: from the newest). */
      getPinned: (a: { peer: Peer; offset_id?: number; limit?: number }, o?: CallOptions) =>
        call<MessageList>('messages.getPinned', { peer: a.peer, offset_id: a.offset_id ?? 0, limit: a.limit ?? 100 }, o),
      /** Adds `id` to the chat's pinned messages for everyone in it (or, with `unpin`, takes it off; 0: the newest). */
      pin: (a: { peer: Peer; id: number; unpin?: boolean; silent?: boolean }, o?: CallOptions) =>
        call<PinResult>('messages.pin', { peer: a.peer, id: a.id, unpin: a.unpin ?? false, silent: a.silent ?? false }, o),
      /** Reacts with one emoji (replacing the caller's earlier reaction), or takes it back (null). */
      /** Presses a bot's button; the bot has 10 s to answer (BOT_RESPONSE_TIMEOUT). */
      getBotCallbackAnswer: (a: { peer: Peer; msg_id: number; data: string }, o?: CallOptions) =>
        call<BotCallbackAnswer>('messages.getBotCallbackAnswer', a, o),
      sendReaction: (a: { peer: Peer; id: number; reaction: string | null }, o?: CallOptions) =>
        call<ReactionsChanged>('messages.sendReaction', a, o),
      /** Posts a poll (2–10 options); `random_id` is drawn when not given. */
      sendPoll: (
        a: { peer: Peer; poll: Poll; random_id?: number; reply_to_id?: number | null; silent?: boolean; quote?: ReplyQuote | null; topic_id?: number | null },
        o?: CallOptions,
      ) =>
        call<SentMessage>(
          'messages.sendPoll',
          {
            peer: a.peer,
            random_id: a.random_id ?? randomId(),
            poll: a.poll,
            reply_to_id: a.reply_to_id ?? null,
            silent: a.silent ?? false,
            ...(a.quote ? { quote: a.quote } : {}),
            ...(a.topic_id ? { topic_id: a.topic_id } : {}),
          },
          o,
        ),
      /** Votes for the options at `options` (none takes the vote back). */
      sendVote: (a: { peer: Peer; id: number; options: number[] }, o?: CallOptions) => call<PollChanged>('messages.sendVote', a, o),
      /** Ends the voting of one of the caller's own polls. */
      closePoll: (a: { peer: Peer; id: number }, o?: CallOptions) => call<PollChanged>('messages.closePoll', a, o),
      /** Who chose one option of a poll with public voters, the latest first. */
      getPollVoters: (a: { peer: Peer; id: number; option: number; offset?: number; limit?: number }, o?: CallOptions) =>
        call<PollVoters>('messages.getPollVoters', { peer: a.peer, id: a.id, option: a.option, offset: a.offset ?? 0, limit: a.limit ?? 50 }, o),
      /** Keeps the chat at the top of the user's list (at most five), or lets it go. */
      toggleDialogPin: (a: { peer: Peer; pinned: boolean }, o?: CallOptions) => call<AffectedMessages>('messages.toggleDialogPin', a, o),
      /** Marks the chat unread for the user to come back to, or takes the mark off. */
      markDialogUnread: (a: { peer: Peer; unread: boolean }, o?: CallOptions) => call<AffectedMessages>('messages.markDialogUnread', a, o),
      /** Moves the chat into the user's archive (out of the main list), or back. */
      toggleDialogArchive: (a: { peer: Peer; archived: boolean }, o?: CallOptions) =>
        call<AffectedMessages>('messages.toggleDialogArchive', a, o),
      /** The user's chat folders, in the order their tabs show. */
      getDialogFilters: (o?: CallOptions) => call<{ filters: DialogFilter[] }>('messages.getDialogFilters', {}, o),
      /** Creates or replaces folder `id` (`filter`), or deletes it (null). */
      updateDialogFilter: (a: { id: number; filter: DialogFilter | null }, o?: CallOptions) =>
        call<AffectedMessages>('messages.updateDialogFilter', a, o),
      updateDialogFiltersOrder: (a: { order: number[] }, o?: CallOptions) => call<AffectedMessages>('messages.updateDialogFiltersOrder', a, o),
      /** Keeps the text the user is writing in the chat for their other devices (empty clears it). */
      saveDraft: (a: { peer: Peer; text: string; reply_to_id?: number | null; quote?: ReplyQuote | null }, o?: CallOptions) =>
        call<AffectedMessages>(
          'messages.saveDraft',
          { peer: a.peer, text: a.text, reply_to_id: a.reply_to_id ?? null, ...(a.quote ? { quote: a.quote } : {}) },
          o,
        ),
      /** Mutes the chat for this user until `mute_until` (unix seconds; `MuteForever`), or unmutes it (0); with
       * `topic_id`, only that topic of the forum (0: General). */
      updateNotifySettings: (a: { peer: Peer; mute_until: number; topic_id?: number | null }, o?: CallOptions) =>
        call<AffectedMessages>(
          'messages.updateNotifySettings',
          { peer: a.peer, mute_until: a.mute_until, ...(a.topic_id != null ? { topic_id: a.topic_id } : {}) },
          o,
        ),
      setTyping: (a: { peer: Peer; action: TypingAction }, o?: CallOptions) => call<Done>('messages.setTyping', a, o),
      /** Messages with every word of `query`, narrowed by sender, dates (unix seconds, inclusive; 0 unbounded) and kind;
       * with any of those the query may be empty. With `topic_id`, one topic of the forum `peer` (0: General). */
      search: (
        a: {
          peer?: Peer | null;
          query: string;
          offset_id?: number;
          limit?: number;
          from_id?: number;
          min_date?: number;
          max_date?: number;
          filter?: SearchFilter | '';
          topic_id?: number | null;
        },
        o?: CallOptions,
      ) =>
        call<MessageList>(
          'messages.search',
          {
            peer: a.peer ?? null,
            query: a.query,
            offset_id: a.offset_id ?? 0,
            limit: a.limit ?? 20,
            from_id: a.from_id ?? 0,
            min_date: a.min_date ?? 0,
            max_date: a.max_date ?? 0,
            filter: a.filter ?? '',
            ...(a.topic_id != null ? { topic_id: a.topic_id } : {}),
          },
          o,
        ),
      /** `random_ids` are drawn when not given (one per id); `silent`: the copies go without sound. */
      forward: (a: { from_peer: Peer; ids: number[]; to_peer: Peer; random_ids?: number[]; silent?: boolean }, o?: CallOptions) =>
        call<ForwardedMessages>(
          'messages.forward',
          {
            from_peer: a.from_peer,
            ids: a.ids,
            to_peer: a.to_peer,
            random_ids: a.random_ids ?? a.ids.map(() => randomId()),
            silent: a.silent ?? false,
          },
          o,
        ),
    },
    phone: {
      /** The ICE servers for RTCPeerConnection and how long a call rings. */
      getCallConfig: (o?: CallOptions) => call<CallConfig>('phone.getCallConfig', {}, o),
      /** The user's call in progress, if any (a ringing one with the offer): for a tab that just opened. */
      getCalls: (o?: CallOptions) => call<{ calls: PhoneCall[] }>('phone.getCalls', {}, o),
      requestCall: (a: { user_id: number; offer: string; video?: boolean }, o?: CallOptions) =>
        call<PhoneCall>('phone.requestCall', { user_id: a.user_id, offer: a.offer, video: a.video ?? false }, o),
      acceptCall: (a: { call_id: number; answer: string }, o?: CallOptions) => call<PhoneCall>('phone.acceptCall', a, o),
      sendSignal: (a: { call_id: number; data: string }, o?: CallOptions) => call<Done>('phone.sendSignal', a, o),
      discardCall: (a: { call_id: number }, o?: CallOptions) => call<PhoneCall>('phone.discardCall', a, o),
      /** Joins the group's voice chat, starting it when there is none. */
      /** `rejoin`: only take back the place this device still holds (after a reconnect); GROUP_CALL_JOIN_MISSING otherwise. */
      joinGroupCall: (a: { chat_id: number; rejoin?: boolean }, o?: CallOptions<GroupCall>) =>
        call<GroupCall>('phone.joinGroupCall', { chat_id: a.chat_id, rejoin: a.rejoin ?? false }, o),
      leaveGroupCall: (a: { call_id: number }, o?: CallOptions) => call<GroupCall>('phone.leaveGroupCall', a, o),
      getGroupCall: (a: { chat_id: number }, o?: CallOptions) => call<{ calls: GroupCall[] }>('phone.getGroupCall', a, o),
      /** An offer, an answer or an ICE candidate for one other participant. */
      sendGroupCallSignal: (a: { call_id: number; user_id: number; data: string }, o?: CallOptions) => call<Done>('phone.sendGroupCallSignal', a, o),
    },
    /** Secret chats: the server relays keys' public halves and ciphertext (protocol/secret.ts); one device per side. */
    secret: {
      /** Asks `user_id` for a secret chat with this device's `g_a`; the same random_id returns the same chat. */
      requestChat: (a: { user_id: number; random_id: number; g_a: Uint8Array }, o?: CallOptions) => call<SecretChat>('secret.requestChat', a, o),
      /** The participant's device answers with its `g_b` and the keys' fingerprint; binds the chat to this device. */
      acceptChat: (a: { chat_id: number; g_b: Uint8Array; key_fingerprint: number }, o?: CallOptions) => call<SecretChat>('secret.acceptChat', a, o),
      /** Ends the chat for both (any device of either user); `delete_history` asks both devices to delete it. */
      discardChat: (a: { chat_id: number; delete_history?: boolean }, o?: CallOptions) =>
        call<Done>('secret.discardChat', { chat_id: a.chat_id, delete_history: a.delete_history ?? false }, o),
      /** `data`: nonce || ciphertext; the same random_id is stored once and answers the first date. `service`: the body is
       * a control message (a delete, a key exchange), so the server pushes no notification of it; never with a file. */
      sendEncrypted: (
        a: { chat_id: number; random_id: number; data: Uint8Array; silent?: boolean; file?: InputEncryptedFile; service?: boolean },
        o?: CallOptions<SentEncryptedMessage>,
      ) =>
        call<SentEncryptedMessage>(
          'secret.sendEncrypted',
          {
            chat_id: a.chat_id,
            random_id: a.random_id,
            data: a.data,
            silent: a.silent ?? false,
            ...(a.file ? { file: a.file } : {}),
            ...(a.service ? { service: true } : {}),
          },
          o,
        ),
      /** The messages received up to `max_date` (their server dates) were shown. */
      readHistory: (a: { chat_id: number; max_date: number }, o?: CallOptions) => call<Done>('secret.readHistory', a, o),
      setTyping: (a: { chat_id: number }, o?: CallOptions) => call<Done>('secret.setTyping', a, o),
      /** The user's chats not discarded, and those discarded in the last 30 days. */
      getChats: (o?: CallOptions) => call<SecretChats>('secret.getChats', {}, o),
    },
    groups: {
      create: (a: { title: string; user_ids: number[]; large?: boolean; broadcast?: boolean }, o?: CallOptions) =>
        call<ChatChanged>('groups.create', { title: a.title, user_ids: a.user_ids, large: a.large ?? false, broadcast: a.broadcast ?? false }, o),
      addMembers: (a: { chat_id: number; user_ids: number[] }, o?: CallOptions) => call<ChatChanged>('groups.addMembers', a, o),
      removeMember: (a: { chat_id: number; user_id: number }, o?: CallOptions) => call<ChatChanged>('groups.removeMember', a, o),
      leave: (a: { chat_id: number }, o?: CallOptions) => call<ChatChanged>('groups.leave', a, o),
      /** Deletes the group or channel for everyone (creator only). */
      delete: (a: { chat_id: number }, o?: CallOptions) => call<ChatChanged>('groups.delete', a, o),
      editTitle: (a: { chat_id: number; title: string }, o?: CallOptions) => call<ChatChanged>('groups.editTitle', a, o),
      /** Sets the group's description (0–255 characters; empty removes it); admins. */
      editAbout: (a: { chat_id: number; about: string }, o?: CallOptions) => call<ChatChanged>('groups.editAbout', a, o),
      /** What plain members may do and the slow mode (0, 10, 30, 60, 300, 900 or 3600 s); admins, not in channels. */
      editPermissions: (a: { chat_id: number; permissions: ChatPermissions; slow_mode: number }, o?: CallOptions) =>
        call<ChatChanged>('groups.editPermissions', a, o),
      /** Turns the group's topics on or off (admins; not channels). */
      toggleForum: (a: { chat_id: number; enabled: boolean }, o?: CallOptions) => call<ChatChanged>('groups.toggleForum', a, o),
      /** The users an admin removed (admins), most recently first: they cannot rejoin by a link until let back. */
      getBanned: (a: { chat_id: number; offset?: number; limit?: number }, o?: CallOptions) =>
        call<ChatBans>('groups.getBanned', { chat_id: a.chat_id, offset: a.offset ?? 0, limit: a.limit ?? 100 }, o),
      /** Lets a removed user join again by an invite link (admins). */
      unban: (a: { chat_id: number; user_id: number }, o?: CallOptions) => call<Done>('groups.unban', a, o),
      /** Sets the group's photo to a finished upload of an image, or removes it (null); admins. */
      editPhoto: (a: { chat_id: number; media: InputMedia | null }, o?: CallOptions) => call<ChatChanged>('groups.editPhoto', a, o),
      setAdmin: (a: { chat_id: number; user_id: number; is_admin: boolean }, o?: CallOptions) =>
        call<ChatChanged>('groups.setAdmin', a, o),
      transferOwnership: (a: { chat_id: number; user_id: number }, o?: CallOptions) =>
        call<ChatChanged>('groups.transferOwnership', a, o),
      /** With `query` (1–64 characters), only the members whose display name or username starts with it. */
      getFull: (a: { chat_id: number; offset?: number; limit?: number; query?: string }, o?: CallOptions) =>
        call<ChatFull>('groups.getFull', { chat_id: a.chat_id, offset: a.offset ?? 0, limit: a.limit ?? 200, ...(a.query ? { query: a.query } : {}) }, o),
      /** A new incoming webhook (admins); its path is told only in this answer. */
      createWebhook: (a: { chat_id: number; name: string }, o?: CallOptions) => call<WebhookCreated>('groups.createWebhook', a, o),
      getWebhooks: (a: { chat_id: number }, o?: CallOptions) => call<WebhookList>('groups.getWebhooks', a, o),
      deleteWebhook: (a: { chat_id: number; id: number }, o?: CallOptions) => call<Done>('groups.deleteWebhook', a, o),
      exportInvite: (a: { chat_id: number; expires_in?: number | null; usage_limit?: number | null; request_needed?: boolean }, o?: CallOptions) =>
        call<ChatInvite>(
          'groups.exportInvite',
          { chat_id: a.chat_id, expires_in: a.expires_in ?? null, usage_limit: a.usage_limit ?? null, request_needed: a.request_needed ?? false },
          o,
        ),
      joinByInvite: (a: { code: string }, o?: CallOptions) => call<ChatChanged>('groups.joinByInvite', a, o),
      /** What an invite code leads to, before joining. */
      checkInvite: (a: { code: string }, o?: CallOptions) => call<InvitePreview>('groups.checkInvite', a, o),
      /** The chat's invite links (admins), newest first, revoked ones included. */
      getInvites: (a: { chat_id: number }, o?: CallOptions) => call<{ invites: ChatInvite[] }>('groups.getInvites', a, o),
      revokeInvite: (a: { chat_id: number; code: string }, o?: CallOptions) => call<ChatInvite>('groups.revokeInvite', a, o),
      /** Who asked to join by a link that needs approval (admins), the oldest first. */
      getJoinRequests: (a: { chat_id: number; offset?: number; limit?: number }, o?: CallOptions) =>
        call<JoinRequests>('groups.getJoinRequests', { chat_id: a.chat_id, offset: a.offset ?? 0, limit: a.limit ?? 100 }, o),
      /** Lets the user in (approved) or declines their request (admins). */
      hideJoinRequest: (a: { chat_id: number; user_id: number; approved: boolean }, o?: CallOptions) => call<Done>('groups.hideJoinRequest', a, o),
    },
    updates: {
      getState: (o?: CallOptions) => call<UpdatesState>('updates.getState', {}, o),
      getDifference: (a: { pts: number; limit?: number }, o?: CallOptions) =>
        call<unknown>('updates.getDifference', { pts: a.pts, limit: a.limit ?? 1000 }, o).then(toDifference),
      getChannelDifference: (a: { chat_id: number; pts: number; limit?: number }, o?: CallOptions) =>
        call<unknown>('updates.getChannelDifference', { chat_id: a.chat_id, pts: a.pts, limit: a.limit ?? 1000 }, o).then(
          toChannelDifference,
        ),
    },
    upload: {
      saveFilePart: (a: { file_id: number; part: number; total_parts: number; bytes: Uint8Array }, o?: CallOptions) =>
        call<Done>('upload.saveFilePart', a, o),
      getUploadedParts: (a: { file_id: number }, o?: CallOptions) => call<UploadedParts>('upload.getUploadedParts', a, o),
      /** Gives the caller's upload in progress up: its parts, its place among the uploads in progress and its quota
       * reservation go at once. Unknown or finished uploads answer `{}` too. */
      cancelUpload: (a: { file_id: number }, o?: CallOptions) => call<Done>('upload.cancelUpload', a, o),
      getFile: (a: { media_id: number; offset: number; limit: number; thumb?: boolean }, o?: CallOptions) =>
        call<FileBytes>('upload.getFile', a, o),
    },
    bots: {
      create: (a: { username: string; display_name: string }, o?: CallOptions) => call<BotToken>('bots.create', a, o),
      getMine: (o?: CallOptions) => call<UserList>('bots.getMine', {}, o),
      resetToken: (a: { bot_id: number }, o?: CallOptions) => call<BotToken>('bots.resetToken', a, o),
      delete: (a: { bot_id: number }, o?: CallOptions) => call<Done>('bots.delete', a, o),
      getCommands: (a: { bot_id: number }, o?: CallOptions) => call<{ commands: BotCommand[] }>('bots.getCommands', a, o),
    },
    help: {
      getConfig: (o?: CallOptions) => call<ServerConfig>('help.getConfig', {}, o),
      ping: (a: { id: number }, o?: CallOptions) => call<Pong>('help.ping', a, o),
    },
    admin: {
      createInvite: (a: { uses: number; expires_in_seconds?: number | null }, o?: CallOptions) =>
        call<Invite>('admin.createInvite', { uses: a.uses, expires_in_seconds: a.expires_in_seconds ?? null }, o),
      listUsers: (a: { offset: number; limit: number }, o?: CallOptions) => call<UserPage>('admin.listUsers', a, o),
      setUserBlocked: (a: { user_id: number; blocked: boolean }, o?: CallOptions) => call<Done>('admin.setUserBlocked', a, o),
      /** Turns off two-step verification of a user who lost their authenticator. */
      resetTwoFactor: (a: { user_id: number }, o?: CallOptions) => call<Done>('admin.resetTwoFactor', a, o),
      /** A temporary password for a user who forgot theirs, signing in until expires_at (unix seconds) and only to change
       * it; their devices are signed out. */
      resetPassword: (a: { user_id: number }, o?: CallOptions) => call<{ password: string; expires_at: number }>('admin.resetPassword', a, o),
      setUserAdmin: (a: { user_id: number; is_admin: boolean }, o?: CallOptions) => call<Done>('admin.setUserAdmin', a, o),
      getServerStats: (o?: CallOptions) => call<ServerStats>('admin.getServerStats', {}, o),
      getBackups: (o?: CallOptions) => call<BackupList>('admin.getBackups', {}, o),
      /** Answers when the backup is complete or failed: give it time (a large database takes a while). */
      backupNow: (o?: CallOptions) => call<BackupList>('admin.backupNow', {}, { timeoutMs: 10 * 60_000, ...o }),
      /** What admins did, newest first. */
      getAuditLog: (a: { offset_id?: number; limit?: number } = {}, o?: CallOptions) =>
        call<{ entries: AuditEntry[] }>('admin.getAuditLog', { offset_id: a.offset_id ?? 0, limit: a.limit ?? 50 }, o),
      /** Reports of messages still to look at (or, `resolved`, the ones dealt with), newest first. */
      getReports: (a: { resolved?: boolean; offset_id?: number; limit?: number } = {}, o?: CallOptions) =>
        call<{ reports: Report[]; open: number }>(
          'admin.getReports',
          { resolved: a.resolved ?? false, offset_id: a.offset_id ?? 0, limit: a.limit ?? 50 },
          o,
        ),
      /** Deletes for everyone every message the user posted, in every chat. */
      deleteUserMessages: (a: { user_id: number }, o?: CallOptions) =>
        call<{ deleted: number }>('admin.deleteUserMessages', a, { timeoutMs: 10 * 60_000, ...o }),
      /** `dismiss`, or `delete_message` (for everyone; resolves its other reports too). */
      resolveReport: (a: { id: number; action: 'dismiss' | 'delete_message' }, o?: CallOptions) => call<Report>('admin.resolveReport', a, o),
    },
  };
}

export type Methods = ReturnType<typeof createMethods>;
export type { AdminUser, ChannelDifference, Difference };
