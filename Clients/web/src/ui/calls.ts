import type { CallConfig, PhoneCall } from '../api/types';
import { CallState } from '../api/types';
import { ensureUsers } from './chats';
import { api } from './connection';
import { errorText } from './format';
import { announceCall } from './notifications';
import { getState, setState } from './store';

/** What the call screen shows. `connection` is the WebRTC connection's state once it exists. */
export interface CallView {
  id: number | null;
  peerId: number;
  incoming: boolean;
  /** With cameras. */
  video: boolean;
  /** Bumped when a stream arrives, so the screen attaches it. */
  streams: number;
  phase: 'calling' | 'ringing' | 'connecting' | 'active' | 'ended';
  startedAt: number | null;
  connection: RTCPeerConnectionState | 'new';
  muted: boolean;
  error?: string;
}

/**
 * One call at a time, WebRTC between the two browsers: the server only carries the offer, the answer and the ICE
 * candidates (`phone.*`). Candidates that arrive before the remote description is set wait; so do this side's, until
 * the call has an id to send them with.
 */
let peer: RTCPeerConnection | null = null;
let microphone: MediaStream | null = null;
let remoteAudio: HTMLAudioElement | null = null;
let remoteStream: MediaStream | null = null;
let offer: string | null = null;
let waitingRemote: RTCIceCandidateInit[] = [];
let waitingLocal: RTCIceCandidateInit[] = [];
let config: CallConfig | null = null;
let ringNotice: Notification | null = null;

const view = () => getState().call;
const show = (next: Partial<CallView> | null) => setState((s) => ({ call: next === null ? null : ({ ...s.call, ...next } as CallView) }));

/** This side's microphone (and camera) and the other side's stream, for the call screen's video elements. */
export function callStreams(): { local: MediaStream | null; remote: MediaStream | null } {
  return { local: microphone, remote: remoteStream };
}

async function connection(video: boolean): Promise<RTCPeerConnection> {
  const { ice_servers } = (config ??= await api().phone.getCallConfig());
  microphone = await navigator.mediaDevices.getUserMedia({ audio: true, video });
  const pc = new RTCPeerConnection({
    iceServers: ice_servers.map((s) => ({ urls: s.urls, username: s.username ?? undefined, credential: s.credential ?? undefined })),
  });
  for (const track of microphone.getTracks()) pc.addTrack(track, microphone);
  pc.onicecandidate = (event) => {
    if (!event.candidate) return;
    const candidate = event.candidate.toJSON();
    const id = view()?.id;
    if (id) void api().phone.sendSignal({ call_id: id, data: JSON.stringify(candidate) }).catch(() => undefined);
    else waitingLocal.push(candidate);
  };
  pc.ontrack = (event) => {
    remoteStream = event.streams[0] ?? new MediaStream([event.track]);
    remoteAudio ??= new Audio();
    remoteAudio.srcObject = remoteStream;
    void remoteAudio.play().catch(() => undefined);
    show({ streams: (view()?.streams ?? 0) + 1 });
  };
  pc.onconnectionstatechange = () => {
    if (peer !== pc) return;
    show({ connection: pc.connectionState });
    if (pc.connectionState === 'failed') void hangUp();
  };
  peer = pc;
  return pc;
}

function flushLocal(callId: number): void {
  for (const candidate of waitingLocal) void api().phone.sendSignal({ call_id: callId, data: JSON.stringify(candidate) }).catch(() => undefined);
  waitingLocal = [];
}

async function flushRemote(): Promise<void> {
  const pc = peer;
  if (!pc?.remoteDescription) return;
  const waiting = waitingRemote;
  waitingRemote = [];
  for (const candidate of waiting) await pc.addIceCandidate(candidate).catch(() => undefined);
}

function release(): void {
  ringNotice?.close();
  ringNotice = null;
  peer?.close();
  peer = null;
  for (const track of microphone?.getTracks() ?? []) track.stop();
  microphone = null;
  if (remoteAudio) remoteAudio.srcObject = null;
  remoteStream = null;
  offer = null;
  waitingRemote = [];
  waitingLocal = [];
}

/** Ends the screen a moment after the call (the reason shows), unless another call has begun meanwhile. */
function closeSoon(id: number | null): void {
  setTimeout(() => {
    if (view()?.id === id && view()?.phase === 'ended') show(null);
  }, 1500);
}

/** Calls `userId` (with the camera when `video`): the microphone, an offer, then the server rings their devices. */
export async function startCall(userId: number, video = false): Promise<void> {
  if (view()) return;
  show({ id: null, peerId: userId, incoming: false, video, streams: 0, phase: 'calling', startedAt: null, connection: 'new', muted: false });
  try {
    const pc = await connection(video);
    if (view()?.phase === 'ended') {
      // Cancelled while the browser asked for the microphone: let it go again.
      release();
      return;
    }
    show({ streams: 1 });
    const description = await pc.createOffer();
    await pc.setLocalDescription(description);
    const call = await api().phone.requestCall({ user_id: userId, offer: description.sdp ?? '', video });
    if (view()?.phase === 'ended') {
      // Cancelled while the server was being asked: it rings until told, and the microphone is let go.
      release();
      await api().phone.discardCall({ call_id: call.id }).catch(() => undefined);
      return;
    }
    show({ id: call.id });
    flushLocal(call.id);
  } catch (e) {
    release();
    show({ phase: 'ended', error: errorText(e) });
    closeSoon(null);
  }
}

/** Answers the ringing call on this device. */
export async function acceptCall(): Promise<void> {
  const call = view();
  if (!call?.id || !call.incoming || call.phase !== 'ringing' || !offer) return;
  show({ phase: 'connecting' });
  ringNotice?.close();
  ringNotice = null;
  try {
    const pc = await connection(call.video);
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await flushRemote();
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    const accepted = await api().phone.acceptCall({ call_id: call.id, answer: answer.sdp ?? '' });
    show({ phase: 'active', startedAt: accepted.started_at ?? Math.floor(Date.now() / 1000) });
    flushLocal(call.id);
  } catch (e) {
    show({ error: errorText(e) });
    await hangUp();
  }
}

/** Cancels, declines or hangs up. */
export async function hangUp(): Promise<void> {
  const call = view();
  if (!call) return;
  release();
  show({ phase: 'ended' });
  closeSoon(call.id);
  if (call.id) await api().phone.discardCall({ call_id: call.id }).catch(() => undefined);
}

export function toggleMute(): void {
  const muted = !view()?.muted;
  for (const track of microphone?.getAudioTracks() ?? []) track.enabled = !muted;
  show({ muted });
}

/** The server's word on a call: it rings here, was answered (here, elsewhere, or by the other side) or ended. */
export async function callChanged(call: PhoneCall): Promise<void> {
  const me = getState().me?.id;
  const current = view();
  if (call.state === CallState.Ringing) {
    if (current || call.callee_id !== me) return;
    offer = call.sdp ?? null;
    show({
      id: call.id,
      peerId: call.caller_id,
      incoming: true,
      video: !!call.video,
      streams: 0,
      phase: 'ringing',
      startedAt: null,
      connection: 'new',
      muted: false,
    });
    await ensureUsers([call.caller_id]);
    const notice = await announceCall(call.caller_id, call.id, !!call.video);
    if (view()?.id === call.id && view()?.phase === 'ringing') ringNotice = notice;
    else notice?.close();
    return;
  }
  if (current?.id !== call.id) return;
  if (call.state === CallState.Ended) {
    release();
    show({ phase: 'ended', error: undefined });
    closeSoon(call.id);
    return;
  }
  if (!current.incoming && call.sdp && peer) {
    // The callee answered: their answer completes the connection.
    await peer.setRemoteDescription({ type: 'answer', sdp: call.sdp });
    await flushRemote();
    show({ phase: 'active', startedAt: call.started_at ?? Math.floor(Date.now() / 1000) });
  } else if (current.incoming && current.phase === 'ringing') {
    // Answered on another device of this user.
    release();
    show(null);
  }
}

/** An ICE candidate from the other side. */
export async function callSignal(callId: number, data: string): Promise<void> {
  if (view()?.id !== callId) return;
  let candidate: RTCIceCandidateInit;
  try {
    candidate = JSON.parse(data) as RTCIceCandidateInit;
  } catch {
    return;
  }
  waitingRemote.push(candidate);
  await flushRemote();
}

/** Just signed in (a tab opened, a reload): a call already ringing for this user rings here too. */
export async function joinRingingCall(): Promise<void> {
  const { calls } = await api().phone.getCalls();
  const ringing = calls.find((c) => c.state === CallState.Ringing);
  if (ringing) await callChanged(ringing);
}
