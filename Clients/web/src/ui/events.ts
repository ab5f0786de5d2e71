import type { MessengerEvent } from '../api/types';
import { PeerKind } from '../api/types';
import { forgetSession, setMe, signedIn } from './account';
import { callChanged, callSignal } from './calls';
import { chatDeleted, dialogPinned, loadDialogRowsSoon, loadDialogs, rememberUsers, unreadAfterDelete, updateDialog } from './chats';
import { loadOlder, messageArrived, messagesGone, replaceMessage } from './messages';
import { announce, muteChanged } from './notifications';
import { draftChanged } from './drafts';
import { folderChanged, foldersReordered, loadFolders } from './folders';
import { contactChanged, loadContacts } from './contacts';
import { groupCallChanged, groupCallSignal } from './groupCalls';
import { joinRequestsCounted } from './joinRequests';
import { loadOpenReports, openReportsCounted } from './openReports';
import { pinnedChanged } from './pins';
import { pollChanged } from './polls';
import { scheduledChanged } from './schedule';
import { threadRead } from './threads';
import { loadTopics, topicMuteChanged, topicRead, withChats, withoutLoaded, withoutTopics } from './topics';
import { reactionsChanged } from './reactions';
import { peerKey } from './peers';
import { getState, setState, touchPins } from './store';
import { setTyping } from './typing';
import { newSignIn } from './signIns';
import { isSecretKey, noteLogPosition, resumeSecretChats, secretEvent } from './secret';

/** A change to a message this user deleted (in a large group, whose log is everyone's) is not theirs to see. */
function deletedHere(id: number): boolean {
  return getState().deletedIds.includes(id);
}

export function applyEvent(event: MessengerEvent): void {
  if ('pts' in event) noteLogPosition();
  switch (event.type) {
    case 'secret_chat':
    case 'new_encrypted_message':
    case 'encrypted_read':
    case 'encrypted_typing':
      secretEvent(event);
      break;
    case 'new_message':
      messageArrived(event.message, event.randomId);
      if (!event.out) void announce(event.message, event.peer);
      break;
    case 'message_edited':
      if (deletedHere(event.message.id)) break;
      replaceMessage(peerKey(event.peer), event.message);
      // One of the chat's pins may be the one edited: the bar shows its text.
      if ((getState().dialogs.find((d) => peerKey(d.peer) === peerKey(event.peer))?.pinned_count ?? 0) > 0) touchPins(peerKey(event.peer));
      break;
    case 'messages_deleted':
      messagesGone(peerKey(event.peer), event.ids);
      unreadAfterDelete(peerKey(event.peer), event.ids, event.unreadCount ?? null, event.channelId !== undefined);
      break;
    case 'delivered':
      updateDialog(peerKey(event.peer), (d) => ({ ...d, delivered_max_id: Math.max(d.delivered_max_id, event.maxId) }));
      break;
    case 'read_outbox':
      updateDialog(peerKey(event.peer), (d) => ({
        ...d,
        read_outbox_max_id: Math.max(d.read_outbox_max_id, event.maxId),
        delivered_max_id: Math.max(d.delivered_max_id, event.maxId),
      }));
      break;
    case 'read_inbox':
      updateDialog(peerKey(event.peer), (d) =>
        event.maxId < d.read_inbox_max_id
          ? d
          : { ...d, read_inbox_max_id: event.maxId, unread_count: event.stillUnread, unread_mentions_count: event.unreadMentions },
      );
      break;
    case 'message_pinned':
      // A large group's log shows everyone the chat's newest pin: not one this user deleted (the bar lists theirs).
      pinnedChanged(peerKey(event.peer), event.message && deletedHere(event.message.id) ? null : event.message, event.count);
      break;
    case 'message_reactions':
      if (deletedHere(event.messageId)) break;
      reactionsChanged(peerKey(event.peer), event.messageId, event.reactions, event.userId === getState().me?.id ? event.reaction : undefined);
      break;
    case 'message_poll':
      if (deletedHere(event.messageId)) break;
      pollChanged(peerKey(event.peer), event.messageId, event.counts, event.voters, event.closed, event.myChoices ?? undefined, {
        correct_option: event.correctOption,
        solution: event.solution,
      });
      break;
    case 'scheduled_messages':
      scheduledChanged(peerKey(event.peer), event.messages);
      break;
    case 'dialog_pinned':
      dialogPinned(peerKey(event.peer), event.pinned);
      break;
    case 'dialog_archived':
      updateDialog(peerKey(event.peer), (d) => ({ ...d, archived: event.archived }));
      break;
    case 'dialog_unread_mark':
      updateDialog(peerKey(event.peer), (d) => ({ ...d, unread_mark: event.unread }));
      break;
    case 'read_thread':
      if (event.topic) topicRead(peerKey(event.peer), event.messageId, event.readMaxId);
      else threadRead(peerKey(event.peer), event.messageId, event.readMaxId);
      break;
    case 'dialog_filter':
      folderChanged(event.id, event.filter);
      break;
    case 'contact':
      contactChanged(event.userId, event.contact);
      break;
    case 'pending_join_requests':
      joinRequestsCounted(event.chatId, event.count);
      break;
    case 'open_reports':
      openReportsCounted(event.open);
      break;
    case 'dialog_filter_order':
      foldersReordered(event.order);
      break;
    case 'draft':
      draftChanged(peerKey(event.peer), event.draft);
      break;
    case 'notify_settings':
      if (event.topicId !== null) topicMuteChanged(peerKey(event.peer), event.topicId, event.muteUntil);
      else muteChanged(peerKey(event.peer), event.muteUntil);
      break;
    case 'chat_updated':
      if (event.chat.deleted) {
        chatDeleted(event.chat.id);
        break;
      }
      setState((s) => ({
        ...withChats(s, [event.chat]),
        leftChats: { ...s.leftChats, [event.chat.id]: !event.isMember },
      }));
      if (!event.isMember) void loadDialogs().catch(() => undefined);
      break;
    case 'typing':
      setTyping(peerKey(event.peer), event.userId, event.action === 'cancel' ? null : event.expiresAt);
      break;
    case 'user_updated':
      rememberUsers([event.user]);
      if (event.user.id === getState().me?.id) setMe(event.user);
      break;
    case 'phone_call':
      void callChanged(event.call).catch(() => undefined);
      break;
    case 'group_call':
      groupCallChanged(event.call);
      break;
    case 'group_call_signal':
      void groupCallSignal(event.callId, event.fromId, event.data).catch(() => undefined);
      break;
    case 'phone_signal':
      void callSignal(event.callId, event.data).catch(() => undefined);
      break;
    case 'user_status':
      setState((s) => ({ presence: { ...s.presence, [event.userId]: { online: event.online, lastSeen: event.lastSeen, hidden: event.hidden } } }));
      break;
    case 'resync':
      setState((s) => withoutLoaded(s));
      void loadDialogs().catch(() => undefined);
      void loadFolders().catch(() => undefined);
      void loadContacts().catch(() => undefined);
      void loadOpenReports().catch(() => undefined);
      void resumeSecretChats().catch(() => undefined);
      if (getState().active && !isSecretKey(getState().active)) void loadOlder(getState().active!).catch(() => undefined);
      break;
    case 'channel_resync': {
      const key = peerKey({ kind: PeerKind.Chat, id: event.chatId });
      // The chat list's row (newest message, unread count) and a forum's topics missed the gap as much as the history.
      setState((s) => ({ ...withoutLoaded(s, key), ...withoutTopics(s, event.chatId) }));
      if (getState().active === key) void loadOlder(key).catch(() => undefined);
      if (getState().active === key && getState().chats[event.chatId]?.forum) void loadTopics(key).catch(() => undefined);
      loadDialogRowsSoon(key);
      break;
    }
    case 'new_authorization':
      newSignIn(event);
      break;
    case 'login_token_accepted':
      signedIn(event.signedIn);
      break;
    case 'signed_out':
      forgetSession();
      break;
  }
}
