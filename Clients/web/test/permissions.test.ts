import { describe, expect, it } from 'vitest';
import type { Chat, ChatPermissions, Message } from '../src/api/types';
import { ChatKind, MemberRole, PeerKind } from '../src/api/types';
import { forwardTarget, myPermissions, pollVotersListed, publicVotersAllowed, slowModeLeft } from '../src/ui/permissions';
import type { AppState } from '../src/ui/store';

const textOnly: ChatPermissions = {
  send_messages: true,
  send_media: false,
  send_polls: false,
  add_members: false,
  pin_messages: false,
  change_info: false,
};

function state(kind: ChatKind, role: MemberRole, slowMode = 0, mine: number[] = []): AppState {
  const chat = { id: 5, kind, title: 'Team', creator_id: 1, member_count: 3, date: 0, pts: 0, permissions: textOnly, slow_mode: slowMode } as Chat;
  const messages = mine.map((date, i) => ({ id: i + 1, from_id: 2, to_peer: { kind: PeerKind.Chat, id: 5 }, date, text: 'x' }) as Message);
  return { me: { id: 2 }, chats: { 5: chat }, myRoles: { 5: role }, histories: { c5: { messages } } } as unknown as AppState;
}

describe('what this user may do in a chat', () => {
  it('follows the group for a plain member, and gives admins and private chats everything', () => {
    expect(myPermissions(state(ChatKind.Group, MemberRole.Member, 30), 'c5')).toEqual({ ...textOnly, slowMode: 30 });
    expect(myPermissions(state(ChatKind.Group, MemberRole.Admin, 30), 'c5').send_media).toBe(true);
    expect(myPermissions(state(ChatKind.Group, MemberRole.Admin, 30), 'c5').slowMode).toBe(0);
    expect(myPermissions(state(ChatKind.Group, MemberRole.Member), 'u9').send_polls).toBe(true);
  });

  it('lets a channel\u2019s subscribers only read', () => {
    expect(myPermissions(state(ChatKind.Channel, MemberRole.Member), 'c5').send_messages).toBe(false);
  });

  it('counts the slow mode from the member\u2019s newest post', () => {
    expect(slowModeLeft(state(ChatKind.LargeGroup, MemberRole.Member, 30, [900, 1000]), 'c5', 1010)).toBe(20);
    expect(slowModeLeft(state(ChatKind.LargeGroup, MemberRole.Member, 30, [1000]), 'c5', 1031)).toBe(0);
    expect(slowModeLeft(state(ChatKind.LargeGroup, MemberRole.Member, 0, [1000]), 'c5', 1010)).toBe(0);
    expect(slowModeLeft(state(ChatKind.LargeGroup, MemberRole.Member, 30, []), 'c5', 1010)).toBe(0);
  });
});

describe('polls in a channel, whose subscribers do not see one another', () => {
  const publicPoll = { id: 1, from_id: 1, to_peer: { kind: PeerKind.User, id: 1 }, date: 0, text: '', poll: { question: 'Q?', options: ['a', 'b'], multiple_choice: false, public_voters: true } } as Message;
  const anonymousPoll = { ...publicPoll, poll: { ...publicPoll.poll!, public_voters: false } } as Message;
  const withLists = (s: AppState) => ({ ...s, users: {}, leftChats: {} }) as unknown as AppState;

  it('offers public voters everywhere but in a channel', () => {
    expect(publicVotersAllowed(state(ChatKind.Channel, MemberRole.Creator), 'c5')).toBe(false);
    expect(publicVotersAllowed(state(ChatKind.LargeGroup, MemberRole.Member), 'c5')).toBe(true);
    expect(publicVotersAllowed(state(ChatKind.Group, MemberRole.Member), 'u9')).toBe(true);
  });

  it('lists a public poll\u2019s voters in a channel to its admins only', () => {
    expect(pollVotersListed(state(ChatKind.Channel, MemberRole.Member), 'c5')).toBe(false);
    expect(pollVotersListed(state(ChatKind.Channel, MemberRole.Admin), 'c5')).toBe(true);
    expect(pollVotersListed(state(ChatKind.Group, MemberRole.Member), 'c5')).toBe(true);
  });

  it('does not offer a channel as the target of a poll with public voters, even to its admins', () => {
    expect(forwardTarget(withLists(state(ChatKind.Channel, MemberRole.Admin)), 'c5', publicPoll)).toBe(false);
    expect(forwardTarget(withLists(state(ChatKind.Channel, MemberRole.Admin)), 'c5', anonymousPoll)).toBe(true);
    expect(forwardTarget(withLists(state(ChatKind.Channel, MemberRole.Member)), 'c5', anonymousPoll)).toBe(false);
    expect(forwardTarget(withLists(state(ChatKind.LargeGroup, MemberRole.Member)), 'c5', publicPoll)).toBe(true);
  });
});
