import { describe, expect, it } from 'vitest';
import type { Chat, ChatFull, ChatMember } from '../src/api/types';
import { ChatKind, MemberRole } from '../src/api/types';
import { memberListCue, memberListView } from '../src/ui/members';

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
    expect(view.note).toBeNull();
  });

  it("shows a channel's admins every subscriber", () => {
    const view = memberListView(full(ChatKind.Channel, MemberRole.Admin, [creator, admin, me, other], 4));
    expect(view).toEqual({ count: '4 subscribers', heading: 'Subscribers', members: [creator, admin, me, other], note: null });
    expect(memberListView(full(ChatKind.Channel, MemberRole.Creator, [creator], 1)).count).toBe('1 subscriber');
  });

  it('shows every member of a group or a large group to its plain members, and says when the list is the first page', () => {
    expect(memberListView(full(ChatKind.Group, MemberRole.Member, [creator, admin, me, other], 4))).toEqual({
      count: '4 members',
      heading: 'Members',
      members: [creator, admin, me, other],
      note: null,
    });
    const large = memberListView(full(ChatKind.LargeGroup, MemberRole.Member, [creator, admin, me, other], 2500));
    expect(large.heading).toBe('Members');
    expect(large.members).toHaveLength(4);
    expect(large.note).toBe('Showing the first 4 of 2500');
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
