import { useEffect, useState } from 'preact/hooks';
import { errorText } from './format';
import { Icon } from './Icon';
import { MAX_VOICE_SECONDS, formatDuration, type Recording } from './voice';

/** The composer's row while a voice message is recorded: how long so far, Cancel, and Send (which stops it). */
export function VoiceRecorder({ recording, onSend, onCancel }: { recording: Recording; onSend: (file: File) => void; onCancel: () => void }) {
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState('');
  const seconds = (now - recording.startedAt) / 1000;
  const send = () =>
    recording.stop().then(onSend, (e) => {
      setError(errorText(e));
    });
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (seconds >= MAX_VOICE_SECONDS) void send();
  }, [seconds >= MAX_VOICE_SECONDS]);
  return (
    <div class="composer__row composer__row--recording" role="group" aria-label="Recording a voice message">
      <button type="button" class="icon-btn" aria-label="Cancel recording" onClick={onCancel}>
        <Icon name="close" />
      </button>
      <span class="recording" role="timer" aria-live="off">
        <span class="recording__dot" aria-hidden="true" /> {formatDuration(seconds)}
      </span>
      {error && <span class="form__error">{error}</span>}
      <button type="button" class="icon-btn icon-btn--send" aria-label="Send voice message" onClick={() => void send()}>
        <Icon name="send" />
      </button>
    </div>
  );
}
