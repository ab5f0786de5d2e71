import type { ChatFull, ChatMember, Message } from '../api/types';
import { ChatKind, MemberRole } from '../api/types';

/** What a chat's info panel says of its members: the count, the list's heading and the people it lists. */
export interface MemberListView {
  /** "5 members", "1 subscriber": the whole chat's count. */
  count: string;
  heading: string;
  members: ChatMember[];
  /** Why the list is shorter than the count, when it is (null: it lists everyone). */
  note: string | null;
}

/**
 * A channel's subscribers do not see one another: `groups.getFull` shows a plain member the admins, the creator and
 * themselves, so the list is headed "Admins" and lists only those (the count stays the whole channel's). Its admins
 * see every subscriber; a group's members see every member (up to the page read).
 */
export function memberListView(full: ChatFull): MemberListView {
  const channel = full.chat.kind === ChatKind.Channel;
  const total = full.chat.member_count;
  const noun = channel ? 'subscriber' : 'member';
  const count = `${total} ${noun}${total === 1 ? '' : 's'}`;
  if (channel && full.my_role < MemberRole.Admin) {
    return { count, heading: 'Admins', members: full.members.filter((m) => m.role >= MemberRole.Admin), note: null };
  }
  const shown = full.members.length;
  return {
    count,
    heading: channel ? 'Subscribers' : 'Members',
    members: full.members,
    note: shown < total ? `Showing the first ${shown} of ${total}` : null,
  };
}

/**
 * When the open member list reads the chat again, besides a change of the chat itself (a channel's admins get the chat
 * with its new count when someone comes or goes): the newest service message seen so far in the chat's row (a group's
 * joins, leaves and role changes are service messages), so a post alone does not read the list again.
 */
export function memberListCue(seen: number, top: Pick<Message, 'id' | 'action'> | null | undefined): number {
  return top?.action && top.id > seen ? top.id : seen;
}
