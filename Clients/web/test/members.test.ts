import { describe, expect, it } from 'vitest';
import type { Chat, ChatFull, ChatMember } from '../src/api/types';
import { ChatKind, MemberRole } from '../src/api/types';
import { memberListCue, memberListView, memberPageSize, noMembers, readMembers, visibleRows, wantsMore, withPage } from '../src/ui/members';

const creator: ChatMember = { user_id: 1, role: MemberRole.Creator, joined_at: 0 };
const admin: ChatMember = { user_id: 2, role: MemberRole.Admin, joined_at: 0 };
const me: ChatMember = { user_id: 3, role: MemberRole.Member, joined_at: 0 };
const other: ChatMember = { user_id: 4, role: MemberRole.Member, joined_at: 0 };

function full(kind: ChatKind, myRole: MemberRole, members: ChatMember[], memberCount: number): ChatFull {
  const chat = { id: 5, kind, title: 'News', creator_id: 1, member_count: memberCount, date: 0, pts: 0 } as Chat;
  return { chat, members, my_role: myRole };
}

describe("a chat's member list in its info panel", () => {
  it("shows a channel's subscriber its admins under \"Admins\", with the whole channel's count", () => {
    // What groups.getFull gives a subscriber: the admins, the creator and themselves.
    const view = memberListView(full(ChatKind.Channel, MemberRole.Member, [creator, admin, me], 1200));
    expect(view.count).toBe('1200 subscribers');
    expect(view.heading).toBe('Admins');
    expect(view.members).toEqual([creator, admin]);
  });

  it("shows a channel's admins every subscriber", () => {
    const view = memberListView(full(ChatKind.Channel, MemberRole.Admin, [creator, admin, me, other], 4));
    expect(view).toEqual({ count: '4 subscribers', heading: 'Subscribers', members: [creator, admin, me, other] });
    expect(memberListView(full(ChatKind.Channel, MemberRole.Creator, [creator], 1)).count).toBe('1 subscriber');
  });

  it('shows every member of a group or a large group to its plain members: the pages read so far', () => {
    expect(memberListView(full(ChatKind.Group, MemberRole.Member, [creator, admin, me, other], 4))).toEqual({
      count: '4 members',
      heading: 'Members',
      members: [creator, admin, me, other],
    });
    const large = full(ChatKind.LargeGroup, MemberRole.Member, [creator], 2500);
    expect(memberListView(large, [creator, admin, me, other]).members).toHaveLength(4);
    expect(memberListView(large).count).toBe('2500 members');
    // A subscriber's search lists only the admins it finds.
    expect(memberListView(full(ChatKind.Channel, MemberRole.Member, [], 9), [me, admin]).members).toEqual([admin]);
  });
});

const people = (from: number, count: number): ChatMember[] =>
  Array.from({ length: count }, (_, i) => ({ user_id: from + i, role: MemberRole.Member, joined_at: from + i }));

/** A group's members as the server pages them (offset, limit) by join time, with the reads it was asked for. */
function server(members: ChatMember[]) {
  const reads: [number, number][] = [];
  return {
    reads,
    read: async (offset: number, limit: number) => {
      reads.push([offset, limit]);
      return members.slice(offset, offset + limit);
    },
  };
}

describe("a large group's member list, read a page at a time", () => {
  it('reads one page first, and the next from where it ended, until a short page says it is all', async () => {
    const group = server(people(1, 450));
    let list = await readMembers(group.read);
    expect(list.members).toHaveLength(memberPageSize);
    expect(list.ended).toBe(false);
    list = withPage(list, await group.read(list.members.length, memberPageSize), memberPageSize);
    list = withPage(list, await group.read(list.members.length, memberPageSize), memberPageSize);
    expect(list.members.map((m) => m.user_id)).toEqual(people(1, 450).map((m) => m.user_id));
    expect(list.ended).toBe(true);
    expect(group.reads).toEqual([
      [0, 200],
      [200, 200],
      [400, 200],
    ]);
  });

  it('reads again as many members as were listed when it is reloaded, in pages of at most 1,000', async () => {
    const group = server(people(1, 10_000));
    const list = await readMembers(group.read, 2300);
    expect(list.members).toHaveLength(2300);
    expect(list.ended).toBe(false);
    expect(group.reads).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 300],
    ]);
    expect((await readMembers(server(people(1, 3)).read, 2300)).ended).toBe(true);
  });

  it('lists a member once when a page read after a change names them again', () => {
    const first = withPage(noMembers, people(1, 3), 3);
    // Member 2 left and came back between the reads: now last by join time, in the next page too.
    const next = withPage(first, [people(4, 1)[0], { user_id: 2, role: MemberRole.Member, joined_at: 99 }], 3);
    expect(next.members.map((m) => m.user_id)).toEqual([1, 2, 3, 4]);
    expect(next.ended).toBe(true);
  });
});

describe('the rows of a long member list kept in the page', () => {
  it('are those in view and a margin either side, however long the list', () => {
    // 10,000 rows of 50 px, a view of 600 px scrolled to row 4,000.
    expect(visibleRows(200_000, 600, 50, 10_000, 20)).toEqual({ first: 3980, last: 4032 });
    expect(visibleRows(-300, 600, 50, 10_000, 20)).toEqual({ first: 0, last: 26 });
    expect(visibleRows(499_800, 600, 50, 10_000, 20)).toEqual({ first: 9976, last: 10_000 });
    expect(visibleRows(0, 600, 50, 0, 20)).toEqual({ first: 0, last: 0 });
  });

  it('ask for the next page near the end of what was read, unless that was all', () => {
    const list = withPage(noMembers, people(1, 200), 200);
    expect(wantsMore(list, 150, 20)).toBe(false);
    expect(wantsMore(list, 185, 20)).toBe(true);
    expect(wantsMore({ ...list, ended: true }, 200, 20)).toBe(false);
  });
});

describe('when the open member list reads the chat again', () => {
  it('on a newer service message, not on a post or a service message it saw already', () => {
    expect(memberListCue(0, { id: 10, action: { kind: 'join_by_invite', user_ids: [4], title: null } } as never)).toBe(10);
    expect(memberListCue(10, { id: 11 })).toBe(10);
    expect(memberListCue(10, { id: 11, action: null })).toBe(10);
    expect(memberListCue(10, { id: 10, action: { kind: 'leave', user_ids: [4], title: null } } as never)).toBe(10);
    expect(memberListCue(10, undefined)).toBe(10);
  });
});
