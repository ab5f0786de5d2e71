import { useEffect } from 'preact/hooks';
import { ChatKind } from '../api/types';
import { ensureUsers } from './chats';
import { joinGroupCall, leaveGroupCall, loadGroupCall, toggleGroupMute } from './groupCalls';
import { userName } from './peers';
import { useApp } from './store';
import { Icon } from './Icon';

/**
 * Under a group's header: the voice chat this tab is in (who, each connection's state, Mute, Leave), or the one going
 * on there to join (the header's *Start voice chat* starts one: {@link StartGroupCallButton}). Channels have none.
 */
export function GroupCallBar({ chatId }: { chatId: number }) {
  const channel = useApp((s) => s.chats[chatId]?.kind === ChatKind.Channel);
  const known = useApp((s) => s.groupCalls[chatId]);
  const mine = useApp((s) => (s.groupCall?.call.chat_id === chatId ? s.groupCall : null));
  const busy = useApp((s) => !!s.call || (!!s.groupCall && s.groupCall.call.chat_id !== chatId));
  const state = useApp((s) => s);
  const error = useApp((s) => (s.groupCallError?.chatId === chatId ? s.groupCallError.text : ''));
  useEffect(() => {
    if (!channel) void loadGroupCall(chatId).catch(() => undefined);
  }, [chatId, channel]);
  const participants = (mine?.call ?? known)?.participants ?? [];
  useEffect(() => void ensureUsers(participants).catch(() => undefined), [participants.join()]);
  if (channel) return null;
  const join = () => void joinGroupCall(chatId);
  const me = state.me?.id;
  if (mine) {
    return (
      <section class="group-call" aria-label="Voice chat" data-testid="group-call">
        <span class="group-call__title">Voice chat</span>
        <ul class="group-call__people">
          {mine.call.participants.map((id) => (
            <li
              key={id}
              class="group-call__person"
              data-testid="group-call-peer"
              data-user={id}
              data-connection={id === me ? 'self' : (mine.peers[id] ?? 'new')}
            >
              {id === me ? 'You' : userName(state, id)}
              {id !== me && <span class="muted"> · {mine.peers[id] === 'connected' ? 'connected' : 'connecting…'}</span>}
            </li>
          ))}
        </ul>
        <button type="button" class="btn btn--small" aria-pressed={mine.muted} onClick={toggleGroupMute}>
          {mine.muted ? 'Unmute' : 'Mute'}
        </button>
        <button type="button" class="btn btn--small btn--danger" onClick={() => void leaveGroupCall()}>
          Leave
        </button>
      </section>
    );
  }
  if (!known) {
    return error ? (
      <p class="form__error conversation__error" role="alert">
        {error}
      </p>
    ) : null;
  }
  return (
    <div class="group-call group-call--idle" data-testid="group-call-bar">
      <span>Voice chat · {known.participants.length} in it</span>
      <button type="button" class="btn btn--small" disabled={busy} onClick={join}>
        Join voice chat
      </button>
      {error && (
        <span class="form__error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** The header's button of a group with no voice chat going on: starts one (this tab joins it). */
export function StartGroupCallButton({ chatId }: { chatId: number }) {
  const shown = useApp((s) => s.chats[chatId]?.kind !== ChatKind.Channel && !s.groupCalls[chatId] && s.groupCall?.call.chat_id !== chatId);
  const busy = useApp((s) => !!s.call || !!s.groupCall);
  if (!shown) return null;
  const start = () => void joinGroupCall(chatId);
  return (
    <button type="button" class="icon-btn" aria-label="Start voice chat" title="Start a voice chat" disabled={busy} onClick={start}>
      <Icon name="phone" />
    </button>
  );
}
