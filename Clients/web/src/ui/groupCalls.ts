import type { CallConfig, GroupCall } from '../api/types';
import { api } from './connection';
import { errorText } from './format';
import { getState, setState } from './store';

/** The voice chat this tab is in: the server's call, and this side's connection to each other participant. */
export interface GroupCallView {
  call: GroupCall;
  /** user id → the WebRTC connection's state with them. */
  peers: Record<number, RTCPeerConnectionState | 'new'>;
  muted: boolean;
  error?: string;
}

interface Link {
  pc: RTCPeerConnection;
  audio: HTMLAudioElement;
  /** ICE candidates that came before the remote description. */
  waiting: RTCIceCandidateInit[];
}

type Signal = { type: 'offer' | 'answer'; sdp: string } | { type: 'candidate'; candidate: RTCIceCandidateInit };

/**
 * A group's voice chat as a mesh: one RTCPeerConnection per other participant. Whoever joins offers to everyone
 * already in it, so two sides never offer to each other at once; the server carries each pair's offer, answer and
 * candidates (`phone.sendGroupCallSignal`) and tells everyone who comes and goes (`group_call`).
 */
let microphone: MediaStream | null = null;
let config: CallConfig | null = null;
/** The chat whose voice chat this tab is joining (one join at a time), or null. */
let joining: number | null = null;
const links = new Map<number, Link>();
/** Candidates of participants whose offer has not come yet (signals may overtake each other). */
const early = new Map<number, RTCIceCandidateInit[]>();

const view = () => getState().groupCall;
const patch = (next: Partial<GroupCallView>) => setState((s) => (s.groupCall ? { groupCall: { ...s.groupCall, ...next } } : {}));
const setPeer = (userId: number, state: RTCPeerConnectionState | 'new' | null) =>
  setState((s) => {
    if (!s.groupCall) return {};
    const peers = { ...s.groupCall.peers };
    if (state === null) delete peers[userId];
    else peers[userId] = state;
    return { groupCall: { ...s.groupCall, peers } };
  });

/** The chat's voice chat going on (null: none), as the server said last. */
export function knowGroupCall(call: GroupCall): void {
  setState((s) => {
    const groupCalls = { ...s.groupCalls };
    if (call.ended) delete groupCalls[call.chat_id];
    else groupCalls[call.chat_id] = call;
    return { groupCalls };
  });
}

/** A group chat opened: is a voice chat going on there? (A large group's members are not told of each change.) */
export async function loadGroupCall(chatId: number): Promise<void> {
  const { calls } = await api().phone.getGroupCall({ chat_id: chatId });
  if (calls[0]) knowGroupCall(calls[0]);
  else setState((s) => {
    const groupCalls = { ...s.groupCalls };
    delete groupCalls[chatId];
    return { groupCalls };
  });
}

function send(callId: number, userId: number, signal: Signal): void {
  void api()
    .phone.sendGroupCallSignal({ call_id: callId, user_id: userId, data: JSON.stringify(signal) })
    .catch(() => undefined);
}

function link(callId: number, userId: number): Link {
  const existing = links.get(userId);
  if (existing) return existing;
  const pc = new RTCPeerConnection({
    iceServers: (config?.ice_servers ?? []).map((s) => ({ urls: s.urls, username: s.username ?? undefined, credential: s.credential ?? undefined })),
  });
  for (const track of microphone?.getTracks() ?? []) pc.addTrack(track, microphone!);
  const audio = new Audio();
  const created: Link = { pc, audio, waiting: [] };
  pc.onicecandidate = (event) => {
    if (event.candidate) send(callId, userId, { type: 'candidate', candidate: event.candidate.toJSON() });
  };
  pc.ontrack = (event) => {
    audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
    void audio.play().catch(() => undefined);
  };
  pc.onconnectionstatechange = () => {
    if (links.get(userId)?.pc === pc) setPeer(userId, pc.connectionState);
  };
  links.set(userId, created);
  setPeer(userId, 'new');
  return created;
}

function unlink(userId: number): void {
  early.delete(userId);
  const gone = links.get(userId);
  if (!gone) return;
  links.delete(userId);
  gone.pc.close();
  gone.audio.srcObject = null;
  setPeer(userId, null);
}

async function flush(peer: Link): Promise<void> {
  const waiting = peer.waiting;
  peer.waiting = [];
  for (const candidate of waiting) await peer.pc.addIceCandidate(candidate).catch(() => undefined);
}

function release(): void {
  for (const userId of [...links.keys()]) unlink(userId);
  early.clear();
  for (const track of microphone?.getTracks() ?? []) track.stop();
  microphone = null;
}

/** Signed out: the microphone and the connections go, with no word to the server (the session is over). */
export function dropGroupCall(): void {
  release();
  setState({ groupCall: null });
}

/** The connection to the server came back: still in the voice chat, this tab takes its place back within the server's
 * grace (the media between the browsers never stopped), or — the call ended, the grace ran out, or another device of
 * the user took the place — it lets go. */
export async function rejoinGroupCall(): Promise<void> {
  const current = view();
  if (!current) return;
  try {
    groupCallChanged(await api().phone.joinGroupCall({ chat_id: current.call.chat_id, rejoin: true }, { answeredLate: joinedLate }));
  } catch {
    dropGroupCall();
  }
}

/** The answer to a join this tab gave up on (timed out): the server put the device in the voice chat, the tab did not
 * (it let the microphone go, and its user saw the join fail). Left, so others do not see the user in a voice chat they
 * are not in — unless this tab holds that call already or another join of the chat is on its way (whose answer makes
 * the place the tab's). As the .NET SDK's JoinGroupCallAsync. */
function joinedLate(call: GroupCall): void {
  if (joining === call.chat_id || view()?.call.id === call.id) return;
  void api()
    .phone.leaveGroupCall({ call_id: call.id })
    .then(knowGroupCall)
    // Out already (CALL_ID_INVALID), or the connection went: a place not taken back after a reconnect is taken away when
    // the server's grace ends.
    .catch(() => undefined);
}

/** Joins (or starts) the group's voice chat: the microphone, then an offer to each one already in it; a failure is kept
 * for the chat's bar to show (`groupCallError`). */
export async function joinGroupCall(chatId: number): Promise<void> {
  const state = getState();
  if (state.groupCall || state.call || joining !== null) return;
  joining = chatId;
  setState({ groupCallError: null });
  let joined: GroupCall | null = null;
  try {
    config ??= await api().phone.getCallConfig();
    microphone = await navigator.mediaDevices.getUserMedia({ audio: true });
    // Given up (timed out) as the server ran it, the join is undone when its answer comes (joinedLate).
    joined = await api().phone.joinGroupCall({ chat_id: chatId }, { answeredLate: joinedLate });
    const call = joined;
    knowGroupCall(call);
    setState({ groupCall: { call, peers: {}, muted: false } });
    const me = getState().me?.id;
    for (const other of call.participants.filter((id) => id !== me)) {
      const peer = link(call.id, other);
      const offer = await peer.pc.createOffer();
      await peer.pc.setLocalDescription(offer);
      send(call.id, other, { type: 'offer', sdp: offer.sdp ?? '' });
    }
  } catch (e) {
    release();
    setState({ groupCall: null });
    // In on the server already: out again, so nobody waits for this tab.
    if (joined) void api().phone.leaveGroupCall({ call_id: joined.id }).catch(() => undefined);
    setState({ groupCallError: { chatId, text: errorText(e) } });
  } finally {
    joining = null;
  }
}

export async function leaveGroupCall(): Promise<void> {
  const current = view();
  if (!current) return;
  release();
  setState({ groupCall: null });
  const left = await api().phone.leaveGroupCall({ call_id: current.call.id }).catch(() => null);
  if (left) knowGroupCall(left);
}

export function toggleGroupMute(): void {
  const muted = !view()?.muted;
  for (const track of microphone?.getAudioTracks() ?? []) track.enabled = !muted;
  patch({ muted });
}

/** The server's word on a voice chat: known for its chat; for the one this tab is in, who left (their link closes). */
export function groupCallChanged(call: GroupCall): void {
  knowGroupCall(call);
  const current = view();
  if (current?.call.id !== call.id) return;
  const me = getState().me?.id ?? 0;
  if (call.ended || !call.participants.includes(me)) {
    // Taken out (this app was away past the grace) or over.
    release();
    setState({ groupCall: null });
    return;
  }
  for (const userId of [...links.keys()]) if (!call.participants.includes(userId)) unlink(userId);
  patch({ call });
}

/** A participant's offer, answer or ICE candidate for this side. */
export async function groupCallSignal(callId: number, fromId: number, data: string): Promise<void> {
  if (view()?.call.id !== callId) return;
  let signal: Signal;
  try {
    signal = JSON.parse(data) as Signal;
  } catch {
    return;
  }
  if (signal.type === 'offer') {
    // An offer from someone already connected: they came back (a reload) and start afresh.
    if (links.get(fromId)?.pc.remoteDescription) unlink(fromId);
    const peer = link(callId, fromId);
    peer.waiting.push(...(early.get(fromId) ?? []));
    early.delete(fromId);
    await peer.pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
    await flush(peer);
    const answer = await peer.pc.createAnswer();
    await peer.pc.setLocalDescription(answer);
    send(callId, fromId, { type: 'answer', sdp: answer.sdp ?? '' });
  } else if (signal.type === 'answer') {
    const peer = links.get(fromId);
    if (!peer) return;
    await peer.pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
    await flush(peer);
  } else if (signal.type === 'candidate') {
    // Only from a participant; before their offer it waits for it (a link is made by an offer or by this side's own).
    if (!view()?.call.participants.includes(fromId)) return;
    const peer = links.get(fromId);
    if (!peer) early.set(fromId, [...(early.get(fromId) ?? []), signal.candidate]);
    else if (peer.pc.remoteDescription) await peer.pc.addIceCandidate(signal.candidate).catch(() => undefined);
    else peer.waiting.push(signal.candidate);
  }
}
