import { useEffect, useRef, useState } from 'preact/hooks';
import { acceptCall, callStreams, hangUp, toggleMute } from './calls';
import { Avatar } from './Avatar';
import { Icon } from './Icon';
import { userName } from './peers';
import { useApp } from './store';

/** The call on screen: ringing (Accept / Decline), calling (Cancel), or talking (the time, Mute, Hang up). */
export function CallScreen() {
  const call = useApp((s) => s.call);
  const name = useApp((s) => (s.call ? userName(s, s.call.peerId) : ''));
  const photo = useApp((s) => (s.call ? s.users[s.call.peerId]?.photo : undefined));
  const [, tick] = useState(0);
  useEffect(() => {
    if (call?.phase !== 'active') return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [call?.phase]);
  const remote = useRef<HTMLVideoElement>(null);
  const local = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const streams = callStreams();
    if (remote.current && remote.current.srcObject !== streams.remote) remote.current.srcObject = streams.remote;
    if (local.current && local.current.srcObject !== streams.local) local.current.srcObject = streams.local;
  }, [call?.streams, call?.video, call?.phase]);
  if (!call) return null;
  const seconds = call.startedAt ? Math.max(0, Math.floor(Date.now() / 1000) - call.startedAt) : 0;
  const status =
    call.error ??
    {
      calling: 'Calling…',
      ringing: call.video ? 'Incoming video call' : 'Incoming call',
      connecting: 'Connecting…',
      active: call.connection === 'connected' ? `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}` : 'Connecting…',
      ended: 'Call ended',
    }[call.phase];
  return (
    <div class="call" role="dialog" aria-label={`Call with ${name}`} data-testid="call" data-phase={call.phase} data-connection={call.connection}>
      {call.video && call.phase !== 'ringing' ? (
        <div class="call__videos">
          {/* The sound plays from the call's audio element: both videos stay muted. */}
          <video ref={remote} class="call__remote" data-testid="remote-video" autoplay playsInline muted />
          <video ref={local} class="call__local" data-testid="local-video" autoplay playsInline muted />
        </div>
      ) : (
        <Avatar id={call.peerId} name={name} size="lg" photo={photo} />
      )}
      <p class="call__name">{name}</p>
      <p class="call__status muted" data-testid="call-status" role="status">
        {status}
      </p>
      <div class="call__buttons">
        {call.phase === 'ringing' && (
          <button type="button" class="btn btn--primary" onClick={() => void acceptCall()}>
            <Icon name="phone" /> Accept
          </button>
        )}
        {(call.phase === 'active' || call.phase === 'connecting') && (
          <button type="button" class="btn" aria-pressed={call.muted} onClick={toggleMute}>
            {call.muted ? 'Unmute' : 'Mute'}
          </button>
        )}
        {call.phase !== 'ended' && (
          <button type="button" class="btn btn--danger" onClick={() => void hangUp()}>
            {call.phase === 'ringing' ? 'Decline' : call.phase === 'calling' ? 'Cancel' : 'Hang up'}
          </button>
        )}
      </div>
    </div>
  );
}
