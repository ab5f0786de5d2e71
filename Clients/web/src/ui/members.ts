import type { ChatFull, ChatMember, Message } from '../api/types';
import { ChatKind, MemberRole } from '../api/types';

/** What a chat's info panel says of its members: the count, the list's heading and the people it lists. */
export interface MemberListView {
  /** "5 members", "1 subscriber": the whole chat's count. */
  count: string;
  heading: string;
  members: ChatMember[];
}

/**
 * A channel's subscribers do not see one another: `groups.getFull` shows a plain member the admins, the creator and
 * themselves, so the list is headed "Admins" and lists only those (the count stays the whole channel's). Its admins
 * see every subscriber; a group's members see every member (`members`: the pages read so far).
 */
export function memberListView(full: ChatFull, members: ChatMember[] = full.members): MemberListView {
  const channel = full.chat.kind === ChatKind.Channel;
  const total = full.chat.member_count;
  const noun = channel ? 'subscriber' : 'member';
  const count = `${total} ${noun}${total === 1 ? '' : 's'}`;
  if (channel && full.my_role < MemberRole.Admin) {
    return { count, heading: 'Admins', members: members.filter((m) => m.role >= MemberRole.Admin) };
  }
  return { count, heading: channel ? 'Subscribers' : 'Members', members };
}

/** How many members the info panel reads at a time as its list is scrolled (the server gives up to 1,000). */
export const memberPageSize = 200;
const largestPage = 1000;

/** The members read so far, in the server's order (by join time, or best match first for a name), and whether that
 * was all. */
export interface MemberPages {
  members: ChatMember[];
  ended: boolean;
}

export const noMembers: MemberPages = { members: [], ended: false };

/**
 * `list` with the page read at its end (`asked` members were asked for: fewer means the end). A member already listed
 * is not listed twice: between two reads someone can leave and come back (now last by join time), and a page read
 * after someone before it left starts one later, so offsets are a position, not an identity.
 */
export function withPage(list: MemberPages, page: ChatMember[], asked: number): MemberPages {
  const listed = new Set(list.members.map((m) => m.user_id));
  return { members: [...list.members, ...page.filter((m) => !listed.has(m.user_id))], ended: page.length < asked };
}

/** Reads the list from its start until it holds at least `want` members (one page at least) or ends, in pages of up
 * to 1,000: a reload keeps as much of the list as the user had scrolled through. */
export async function readMembers(read: (offset: number, limit: number) => Promise<ChatMember[]>, want = memberPageSize): Promise<MemberPages> {
  let list = noMembers;
  do {
    const asked = Math.min(largestPage, Math.max(memberPageSize, want - list.members.length));
    list = withPage(list, await read(list.members.length, asked), asked);
  } while (!list.ended && list.members.length < want);
  return list;
}

/** The rows of a long list to put in the page: those within the scroller's view, and `overscan` rows either side.
 * `viewTop` is where the view starts, in pixels from the list's top (negative while the list starts lower). */
export function visibleRows(viewTop: number, viewHeight: number, rowHeight: number, count: number, overscan = 20): { first: number; last: number } {
  const height = Math.max(1, rowHeight);
  const first = Math.min(count, Math.max(0, Math.floor(viewTop / height) - overscan));
  const last = Math.min(count, Math.max(first, Math.ceil((viewTop + Math.max(0, viewHeight)) / height) + overscan));
  return { first, last };
}

/** Whether the next page is wanted: the rows shown reach the last `overscan` of those read, and there are more. */
export function wantsMore(list: MemberPages, last: number, overscan = 20): boolean {
  return !list.ended && last >= list.members.length - overscan;
}

/**
 * When the open member list reads the chat again, besides a change of the chat itself (a channel's admins get the chat
 * with its new count when someone comes or goes): the newest service message seen so far in the chat's row (a group's
 * joins, leaves and role changes are service messages), so a post alone does not read the list again.
 */
export function memberListCue(seen: number, top: Pick<Message, 'id' | 'action'> | null | undefined): number {
  return top?.action && top.id > seen ? top.id : seen;
}
