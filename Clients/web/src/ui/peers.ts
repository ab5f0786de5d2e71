import { ChatKind, PeerKind, chatPeer, peerKey, userPeer, type Chat, type Dialog, type InputMedia, type Message, type MessageMedia, type Peer } from '../api/types';
import { isShownImage } from '../api/media';
import { plainText } from './rich';
import type { AppState } from './store';
import { formatDuration } from './voice';

export { peerKey };

export function peerFromKey(key: string): Peer {
  const id = Number(key.slice(1));
  return key[0] === 'u' ? userPeer(id) : chatPeer(id);
}

/** The photo shown beside a chat: the other user's profile photo, or the group's photo. */
export function peerPhoto(state: AppState, peer: Peer): MessageMedia | null {
  return (peer.kind === PeerKind.User ? state.users[peer.id]?.photo : state.chats[peer.id]?.photo) ?? null;
}

export function peerTitle(state: AppState, peer: Peer): string {
  if (peer.kind === PeerKind.Chat) return state.chats[peer.id]?.title ?? `Group ${peer.id}`;
  if (peer.id === state.me?.id) return 'Saved Messages';
  return userName(state, peer.id);
}

/** How the user names a person: the name they gave them as a contact, else the person's display name. */
export function userName(state: AppState, userId: number): string {
  const contact = state.contacts[userId];
  if (contact) return contact.name;
  const user = state.users[userId];
  return user ? user.display_name : `User ${userId}`;
}

export function isChannel(chat: Chat | undefined): boolean {
  return chat?.kind === ChatKind.Channel;
}

/** A one-line description of a service message ("Ann added Bob"). */
export function serviceText(state: AppState, message: Message): string {
  const action = message.action;
  if (!action) return '';
  const actor = message.from_id === state.me?.id ? 'You' : userName(state, message.from_id);
  const targets = action.user_ids.map((id) => (id === state.me?.id ? 'you' : userName(state, id))).join(', ');
  switch (action.kind) {
    case 'create': {
      const noun = isChannel(state.chats[message.to_peer.id]) ? 'channel' : 'group';
      return `${actor} created the ${noun} “${action.title ?? ''}”`;
    }
    case 'add_members':
      return `${actor} added ${targets}`;
    case 'remove_member':
      return `${actor} removed ${targets}`;
    case 'leave':
      return `${actor} left the group`;
    case 'join_by_invite':
      return `${actor} joined by an invite link`;
    case 'join_by_request':
      return `${actor} joined, approved by an admin`;
    case 'edit_title':
      return `${actor} changed the title to “${action.title ?? ''}”`;
    case 'edit_about':
      return `${actor} changed the ${isChannel(state.chats[message.to_peer.id]) ? 'channel' : 'group'} description`;
    case 'edit_photo':
    case 'delete_photo': {
      const noun = isChannel(state.chats[message.to_peer.id]) ? 'channel' : 'group';
      return `${actor} ${action.kind === 'edit_photo' ? 'changed' : 'removed'} the ${noun} photo`;
    }
    case 'set_admin':
      return `${actor} made ${targets} an admin`;
    case 'unset_admin':
      return `${actor} removed ${targets} from admins`;
    case 'transfer_ownership':
      return `${actor} made ${targets} the owner`;
    case 'convert_to_large':
      return 'The group became a large group';
    case 'pin_message': {
      const pinned = findMessage(state, message.reply_to_id ?? null);
      return pinned ? `${actor} pinned “${pinned.action ? 'a message' : previewText(state, pinned)}”` : `${actor} pinned a message`;
    }
    case 'toggle_forum':
      return action.period ? `${actor} turned on topics` : `${actor} turned off topics`;
    case 'topic_create':
      return `${actor} created the topic “${action.title ?? ''}”`;
    case 'topic_edit':
      if (action.pinned != null) return action.pinned ? `${actor} pinned the topic` : `${actor} unpinned the topic`;
      return action.closed === true
        ? `${actor} closed the topic`
        : action.closed === false
          ? `${actor} reopened the topic`
          : action.title
            ? `${actor} renamed the topic to “${action.title}”`
            : `${actor} changed the topic's icon`;
    case 'set_ttl':
      return action.period
        ? `${actor} set messages to auto-delete after ${periodText(action.period)}`
        : `${actor} turned off auto-delete`;
    case 'group_call':
      return action.period == null
        ? `${actor} started a voice chat`
        : `Voice chat ended (${Math.floor(action.period / 60)}:${String(action.period % 60).padStart(2, '0')})`;
    case 'phone_call':
      return callText(action.title ?? '', action.period ?? 0, message.from_id === state.me?.id, !!action.video);
    case 'edit_permissions':
      return action.period
        ? `${actor} changed what members may do; slow mode: one message every ${periodText(action.period)}`
        : `${actor} changed what members may do`;
    default:
      return `${actor}: ${action.kind}`;
  }
}

/** A call as its record in the chat reads for this side of it. */
function callText(reason: string, seconds: number, outgoing: boolean, video: boolean): string {
  if (reason === 'hangup' || reason === 'disconnected') {
    const length = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    return `${outgoing ? 'Outgoing' : 'Incoming'} ${video ? 'video call' : 'call'} (${length})`;
  }
  if (reason === 'declined') return outgoing ? 'Call declined' : 'Declined call';
  return outgoing ? (reason === 'missed' ? 'Call not answered' : 'Cancelled call') : 'Missed call';
}

/** A message this client has loaded (in some chat's history, or pinned), if any. */
export function findMessage(state: AppState, id: number | null): Message | undefined {
  if (!id) return undefined;
  for (const history of Object.values(state.histories)) {
    const found = history.messages.find((m) => m.id === id);
    if (found) return found;
  }
  return state.dialogs.find((d) => d.pinned_message?.id === id)?.pinned_message ?? undefined;
}

/** A message in one line of plain text (its markup taken away, see plainText): a chat row, the pinned bar and list, a
 * reply's header, a notification. */
export function previewText(state: AppState, message: Message): string {
  if (message.action) return serviceText(state, message);
  if (message.poll) return `📊 ${message.poll.question}`;
  if (message.geo) return message.geo.live_period != null ? '📍 Live location' : '📍 Location';
  const text = plainText(message.text);
  if (message.media) {
    const label = mediaLabel(message.media);
    return text ? `${label}, ${text}` : label;
  }
  return text;
}

/** A message waiting in the outbox (or a file uploading) in one line, as previewText says it once stored (its media's kind is the server's
 * rule: the MIME type's first part). */
export function unsentText(entry: { text: string; media: Pick<InputMedia, 'name' | 'mime_type' | 'duration'> | null }): string {
  const text = plainText(entry.text);
  if (!entry.media) return text;
  const { name, mime_type, duration } = entry.media;
  const kind = ({ image: 'photo', video: 'video', audio: 'audio' } as Record<string, string>)[mime_type.split('/')[0].toLowerCase()] ?? 'document';
  const label = mediaLabel({ id: 0, kind, name, mime_type, size: 0, width: null, height: null, duration });
  return text ? `${label}, ${text}` : label;
}

/** How a chat row names a message's media: "Photo" (one the app shows as a picture), "Video 0:12", "Voice message 0:07" (the length when the sender's
 * client gave one), otherwise the file's name. */
export function mediaLabel(media: MessageMedia): string {
  const length = media.duration != null ? ` ${formatDuration(media.duration)}` : '';
  if (media.kind === 'photo' && isShownImage(media.mime_type)) return 'Photo';
  if (media.kind === 'video') return `Video${length}`;
  if (media.kind === 'audio' && media.name.startsWith('voice-')) return `Voice message${length}`;
  return media.name;
}

/** An auto-delete period as people say it: "1 hour", "2 days", "1 week", "1 month" (30 days), "90 seconds". */
export function periodText(seconds: number): string {
  const units: [number, string][] = [
    [30 * 86_400, 'month'],
    [7 * 86_400, 'week'],
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

/** Who wrote the row's last message, when the row names them: "You", or a group member; in Saved Messages (the chat
 * with oneself) everything is one's own, and nobody is named. */
export function senderOf(s: AppState, dialog: Dialog): string {
  const message = dialog.top_message;
  if (!message || message.action) return '';
  if (dialog.peer.kind === PeerKind.User && dialog.peer.id === s.me?.id) return '';
  if (message.from_id === s.me?.id) return 'You';
  if (dialog.peer.kind === PeerKind.Chat) return s.users[message.from_id]?.display_name ?? '…';
  return '';
}
