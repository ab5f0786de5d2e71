import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RpcError, type GroupCall } from '../src/api/types';

/** The server as far as voice chats go: each join waits until the test answers it; leaves are recorded. */
const server = vi.hoisted(() => ({
  joins: [] as {
    args: { chat_id: number; rejoin?: boolean };
    answeredLate?: (call: GroupCall) => void;
    answer(call: GroupCall): void;
    fail(error: unknown): void;
  }[],
  leaves: [] as number[],
}));

vi.mock('../src/ui/connection', () => ({
  api: () => ({
    phone: {
      getCallConfig: async () => ({ ice_servers: [], ring_timeout: 30 }),
      joinGroupCall: (args: { chat_id: number; rejoin?: boolean }, options?: { answeredLate?: (call: GroupCall) => void }) =>
        new Promise((resolve, reject) => server.joins.push({ args, answeredLate: options?.answeredLate, answer: resolve, fail: reject })),
      leaveGroupCall: async (a: { call_id: number }) => {
        server.leaves.push(a.call_id);
        return voiceChat(a.call_id, []);
      },
    },
  }),
}));

import { joinGroupCall, rejoinGroupCall } from '../src/ui/groupCalls';
import { getState, setState, type AppState } from '../src/ui/store';

const ME = 1;
const CHAT = 5;
const voiceChat = (id: number, participants: number[], chatId = CHAT): GroupCall => ({
  id,
  chat_id: chatId,
  started_by: 2,
  started_at: 1,
  participants,
  ended: false,
  duration: 0,
});
const timedOut = () => new RpcError('TIMEOUT', 0, undefined, 'phone.joinGroupCall');
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const lastJoin = async (count: number) => {
  await vi.waitFor(() => expect(server.joins).toHaveLength(count));
  return server.joins[count - 1]!;
};

beforeEach(() => {
  server.joins = [];
  server.leaves = [];
  // The microphone, with no tracks: the tests' voice chats hold nobody else to connect to.
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: async () => ({ getTracks: () => [], getAudioTracks: () => [] }) } });
  setState({ me: { id: ME } as AppState['me'], call: null, groupCall: null, groupCalls: {}, groupCallError: null });
});

afterEach(async () => {
  // A join left unanswered would keep the module joining for the next test.
  for (const join of server.joins) join.fail(new Error('the test is over'));
  await flush();
  vi.unstubAllGlobals();
});

describe('a voice chat join given up (timed out)', () => {
  it('is left when its late answer says the server ran it: the tab is in no voice chat, on the server either', async () => {
    const joining = joinGroupCall(CHAT);
    const join = await lastJoin(1);
    join.fail(timedOut());
    await joining;
    expect(getState().groupCall).toBeNull();
    expect(getState().groupCallError).toMatchObject({ chatId: CHAT });

    join.answeredLate?.(voiceChat(40, [2, ME]));
    await vi.waitFor(() => expect(server.leaves).toEqual([40]));
    await flush();
    expect(getState().groupCall).toBeNull();
    expect(getState().groupCalls[CHAT]?.participants).toEqual([]);
  });

  it('is not left while another join of the chat is on its way, nor once the tab holds that voice chat', async () => {
    const first = joinGroupCall(CHAT);
    const givenUp = await lastJoin(1);
    givenUp.fail(timedOut());
    await first;

    // Joined again; the first join's answer comes while the second is on its way: its place is the second's.
    const second = joinGroupCall(CHAT);
    const again = await lastJoin(2);
    givenUp.answeredLate?.(voiceChat(40, [2, ME]));
    await flush();
    again.answer(voiceChat(40, [ME]));
    await second;
    expect(getState().groupCall?.call.id).toBe(40);
    // Once more, now that the tab is in it (a resent answer).
    givenUp.answeredLate?.(voiceChat(40, [ME]));
    await flush();
    expect(server.leaves).toEqual([]);
    expect(getState().groupCall?.call.id).toBe(40);
  });

  it('is left when it was the tab taking its place back after a reconnect (a rejoin)', async () => {
    const joining = joinGroupCall(CHAT);
    (await lastJoin(1)).answer(voiceChat(40, [ME]));
    await joining;
    const rejoining = rejoinGroupCall();
    const rejoin = await lastJoin(2);
    expect(rejoin.args).toEqual({ chat_id: CHAT, rejoin: true });
    rejoin.fail(timedOut());
    await rejoining;
    expect(getState().groupCall).toBeNull();

    rejoin.answeredLate?.(voiceChat(40, [ME]));
    await vi.waitFor(() => expect(server.leaves).toEqual([40]));
    expect(getState().groupCall).toBeNull();
  });
});
