import { useEffect, useState } from 'preact/hooks';
import type { ReplyQuote, ScheduledMessage } from '../api/types';
import { api, upload } from './connection';
import { errorText } from './format';
import { Modal } from './Modal';
import { peerFromKey } from './peers';
import { MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, plainText } from './rich';
import { lengthRefusal } from './TooLong';
import { cancelScheduled, loadScheduled } from './schedule';
import { useApp } from './store';
import { currentTopic } from './topics';

/** A `datetime-local` value (local time, minutes) for a moment. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** When to send the composer's text, and optionally a file with it as the caption (messages.sendScheduled): an hour
 * from now unless changed. The file is uploaded now and kept by the server until the message goes out. */
export function ScheduleDialog(props: {
  chatKey: string;
  text: string;
  replyToId: number | null;
  quote?: ReplyQuote | null;
  onScheduled: () => void;
  onClose: () => void;
}) {
  const [when, setWhen] = useState(() => localInput(new Date(Date.now() + 3_600_000)));
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [silent, setSilent] = useState(false);
  const schedule = async (event: Event) => {
    event.preventDefault();
    const refused = file ? lengthRefusal(props.text, MAX_CAPTION_LENGTH, 'caption') : lengthRefusal(props.text, MAX_TEXT_LENGTH, 'message');
    if (refused) {
      setError(refused);
      return;
    }
    setBusy(true);
    setError('');
    try {
      const date = Math.floor(new Date(when).getTime() / 1000);
      const media = file ? await upload(file, { signal: new AbortController().signal, onProgress: setProgress }) : null;
      await api().messages.sendScheduled({
        peer: peerFromKey(props.chatKey),
        text: props.text,
        date,
        reply_to_id: props.replyToId,
        media,
        silent,
        quote: props.replyToId ? props.quote : null,
        topic_id: currentTopic(props.chatKey),
      });
      props.onScheduled();
      props.onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
      setProgress(null);
    }
  };
  return (
    <Modal title="Schedule message" onClose={props.onClose}>
      <form class="form" onSubmit={(e) => void schedule(e)}>
        {props.text && <p class="muted">“{props.text}”</p>}
        <label class="field">
          <span class="field__label">Send at</span>
          <input class="field__input" type="datetime-local" required value={when} onInput={(e) => setWhen(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field__label">{props.text ? 'File (the text is its caption)' : 'File'}</span>
          <input class="field__input" type="file" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </label>
        <label class="check">
          <input type="checkbox" checked={silent} onChange={(e) => setSilent(e.currentTarget.checked)} />
          Send without sound
        </label>
        {progress !== null && <progress class="progress" value={progress} max={1} aria-label="Uploading the file" />}
        {error && <p class="form__error" role="alert">{error}</p>}
        <button type="submit" class="btn" disabled={busy || (!props.text && !file)}>
          Schedule
        </button>
      </form>
    </Modal>
  );
}

/** The user's messages waiting to be sent in this chat, above the message box, each with Cancel; kept current by the
 * server's `scheduled_messages` updates, whichever device scheduled, cancelled or sent them. */
export function ScheduledBar({ chatKey }: { chatKey: string }) {
  const waiting = useApp((s) => s.scheduled[chatKey]) ?? [];
  const [open, setOpen] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => void loadScheduled(chatKey).catch((e) => setError(errorText(e))), [chatKey]);
  if (waiting.length === 0) return null;
  const cancel = (message: ScheduledMessage) => cancelScheduled(chatKey, message).catch((e) => setError(errorText(e)));
  return (
    <div class="scheduled">
      <button type="button" class="btn btn--ghost btn--small" aria-expanded={open} onClick={() => setOpen(!open)}>
        {waiting.length} scheduled
      </button>
      {error && <p class="form__error" role="alert">{error}</p>}
      {open && (
        <ul class="scheduled__list" aria-label="Scheduled messages">
          {waiting.map((m) => (
            <li key={m.id} class="scheduled__item">
              <span class="scheduled__when">{new Date(m.date * 1000).toLocaleString()}</span>
              <span class="scheduled__text">{[m.media && `📎 ${m.media.name}`, plainText(m.text)].filter(Boolean).join(' — ')}</span>
              <button type="button" class="btn btn--small btn--ghost" aria-label={`Cancel scheduled “${plainText(m.text) || m.media?.name}”`} onClick={() => void cancel(m)}>
                Cancel
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
