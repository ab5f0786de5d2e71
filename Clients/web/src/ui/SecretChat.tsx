// A secret chat on screen (docs/web-client.md: Secret chats): its header with a lock and the peer's name in green, the
// history kept on this device, a text-only composer with a self-destruct timer, the encryption key, and the endings.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { SecretMessage, StoredSecretFile } from '../protocol/secretStore';
import { MAX_SECRET_CAPTION } from '../protocol/secret';
import { SecretFileError } from '../protocol/secretFile';
import { FILE_GONE_TEXT } from '../protocol/secretChats';
import { isShownImage } from '../api/media';
import { photoBox, saveBlob } from './media';
import { Avatar } from './Avatar';
import { errorText, formatBytes, formatTime, presenceText } from './format';
import { Icon } from './Icon';
import { Modal } from './Modal';
import { openChat } from './messages';
import { periodText, userName } from './peers';
import { plainText, MAX_TEXT_LENGTH, MARKUP_FACTOR } from './rich';
import { lengthRefusal, TooLong, useLengthCheck } from './TooLong';
import { RichText } from './RichText';
import { UserDetails } from './GroupInfo';
import {
  SELF_DESTRUCT_TIMERS,
  deleteSecretChat,
  deleteSecretMessages,
  deletesForBoth,
  keyChangesText,
  markSecretRead,
  retrySecret,
  secretKey,
  missingText,
  secretStateText,
  secretTyping,
  openSecretFile,
  whileShown,
  sendSecret,
  sendSecretFile,
  setSecretTimer,
  type SecretChatView,
} from './secret';
import { setState, useApp, type AppState } from './store';
import { applyFormatShortcut } from './formatShortcuts';
import { BOTTOM_SLACK_PX, HeardScroll } from './heardScroll';

const NO_MESSAGES: SecretMessage[] = [];

/** A self-destruct timer as its button says it: "Off", "5 s", "1 min", "1 h", "1 day". */
export function timerLabel(seconds: number): string {
  if (seconds === 0) return 'Off';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  if (seconds < 86_400) return `${seconds / 3600} h`;
  return seconds === 86_400 ? '1 day' : `${seconds / 86_400} days`;
}

export function SecretConversation({ chatId }: { chatId: number }) {
  const chat = useApp((s) => s.secretChats[chatId]);
  const messages = useApp((s) => s.secretMessages[chatId] ?? NO_MESSAGES);
  const peerName = useApp((s) => (chat ? userName(s, chat.peerId) : ''));
  const me = useApp((s) => s.me?.id ?? 0);
  const [replyTo, setReplyTo] = useState<SecretMessage | null>(null);
  const [deleting, setDeleting] = useState<SecretMessage | null>(null);
  // Shown in a visible tab: what came counts as read (a receipt goes, self-destruct timers start).
  const unread = messages.some((m) => m.from !== me && !m.read);
  useEffect(() => {
    const read = () => {
      if (document.visibilityState === 'visible') markSecretRead(chatId);
    };
    if (unread) read();
    document.addEventListener('visibilitychange', read);
    return () => document.removeEventListener('visibilitychange', read);
  }, [chatId, unread]);
  if (!chat) {
    return (
      <section class="conversation" aria-label="Secret chat">
        <p class="conversation__left muted">This secret chat is not on this device.</p>
      </section>
    );
  }
  const stateText = secretStateText(chat, peerName);
  return (
    <section class="conversation conversation--secret" aria-label="Secret chat">
      <SecretHeader chat={chat} />
      <SecretHistory chat={chat} messages={messages} onReply={setReplyTo} onDelete={setDeleting} />
      {!!chat.undecryptable && (
        <p class="conversation__left muted secret-notice" role="status" data-testid="secret-undecryptable">
          {chat.undecryptable === 1 ? 'A message could not be decrypted and was dropped' : `${chat.undecryptable} messages could not be decrypted and were dropped`}
        </p>
      )}
      {!!missingText(chat) && (
        <p class="conversation__left muted secret-notice" role="status" data-testid="secret-missing">
          {missingText(chat)}
        </p>
      )}
      {chat.state === 'ready' ? (
        <SecretComposer chat={chat} replyTo={replyTo} onDone={() => setReplyTo(null)} />
      ) : (
        <p class="conversation__left muted" role="status" data-testid="secret-state">
          {stateText}
        </p>
      )}
      {deleting && <DeleteSecretMessageDialog chat={chat} message={deleting} onClose={() => setDeleting(null)} />}
    </section>
  );
}

function SecretHeader({ chat }: { chat: SecretChatView }) {
  const title = useApp((s) => userName(s, chat.peerId));
  const photo = useApp((s) => s.users[chat.peerId]?.photo ?? null);
  const online = useApp((s) => !!s.presence[chat.peerId]?.online);
  const status = useApp((s) => secretStatus(s, chat));
  const [showingKey, setShowingKey] = useState(false);
  const [timing, setTiming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <header class="conversation__header">
      <button type="button" class="icon-btn conversation__back" aria-label="Back" onClick={() => openChat(null)}>
        <Icon name="back" />
      </button>
      <button type="button" class="conversation__peer" aria-label="Chat info" onClick={() => setState((s) => ({ panel: s.panel === 'info' ? null : 'info' }))}>
        <Avatar id={chat.peerId} name={title} online={online} size="sm" photo={photo} />
        <span class="conversation__titles">
          <span class="conversation__title conversation__title--secret" data-testid="chat-title">
            <span class="secret-lock" role="img" aria-label="secret chat" title="Secret chat: end-to-end encrypted">
              <Icon name="lock" />
            </span>
            {title}
          </span>
          <span class={`conversation__status${status.active ? ' conversation__status--active' : ''}`} data-testid="chat-status">
            {status.text}
          </span>
        </span>
      </button>
      <div class="conversation__actions">
        {chat.state === 'ready' && (
          <>
            <button type="button" class="icon-btn" aria-label="Encryption key" title="Encryption key" onClick={() => setShowingKey(true)}>
              <Icon name="key" />
            </button>
            <button
              type="button"
              class={`icon-btn${chat.ttl > 0 ? ' icon-btn--on' : ''}`}
              aria-label="Self-destruct timer"
              title={chat.ttl > 0 ? `New messages self-destruct ${periodText(chat.ttl)} after they are read` : 'Self-destruct timer: off'}
              aria-pressed={chat.ttl > 0}
              onClick={() => setTiming(true)}
            >
              <Icon name="timer" />
            </button>
          </>
        )}
        <button type="button" class="icon-btn" aria-label="Delete secret chat" title="Delete secret chat" onClick={() => setDeleting(true)}>
          <Icon name="trash" />
        </button>
      </div>
      {showingKey && <EncryptionKeyDialog chat={chat} onClose={() => setShowingKey(false)} />}
      {timing && <SelfDestructDialog chat={chat} onClose={() => setTiming(false)} />}
      {deleting && <DeleteSecretChatDialog chat={chat} onClose={() => setDeleting(false)} />}
    </header>
  );
}

function secretStatus(s: AppState, chat: SecretChatView): { text: string; active: boolean } {
  if (Object.keys(s.typing[secretKey(chat.id)] ?? {}).length > 0) return { text: 'typing…', active: true };
  if (chat.state === 'discarded') return { text: 'secret chat ended', active: false };
  if (chat.state !== 'ready') return { text: 'waiting…', active: false };
  const presence = s.presence[chat.peerId];
  return presence ? { text: presenceText(presence), active: presence.online } : { text: 'secret chat', active: false };
}

/** The chat's history, oldest at the top; sticks to the bottom while the user is there. */
function SecretHistory(props: { chat: SecretChatView; messages: SecretMessage[]; onReply: (m: SecretMessage) => void; onDelete: (m: SecretMessage) => void }) {
  const { chat, messages } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [heard] = useState(() => new HeardScroll());
  const peerName = useApp((s) => userName(s, chat.peerId));
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // A scroll of the reader's whose event has not come yet counts (heardScroll.ts): it is not undone.
    const atEnd = heard.movedToEnd(el, BOTTOM_SLACK_PX);
    if (atEnd !== undefined) atBottom.current = atEnd;
    if (atBottom.current) el.scrollTop = el.scrollHeight;
    heard.heard(el);
  }, [messages]);
  // A running self-destruct timer shows its seconds: the list renders again every second while one runs.
  const [, tick] = useState(0);
  const counting = messages.some((m) => m.expires !== null);
  useEffect(() => {
    if (!counting) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [counting]);
  const jump = (randomId: number) => {
    const row = scroller.current?.querySelector<HTMLElement>(`[data-random-id="${randomId}"]`);
    row?.scrollIntoView({ block: 'center' });
    row?.classList.add('messages__row--highlight');
    setTimeout(() => row?.classList.remove('messages__row--highlight'), 1500);
  };
  const byId = new Map(messages.map((m) => [m.randomId, m]));
  return (
    <div class="messages">
      <div
        class="messages__scroller"
        ref={scroller}
        tabIndex={-1}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX;
          heard.heard(el);
        }}
      >
        <div class="secret-history" role="list" aria-label="Chat history">
          <div class="service secret-intro" role="listitem" data-testid="secret-intro">
            <span class="service__text">
              {chat.role === 'admin'
                ? chat.state === 'requested'
                  ? `You invited ${peerName} to a secret chat.`
                  : `${peerName} joined your secret chat.`
                : 'You joined a secret chat.'}
              <br />
              End-to-end encrypted, kept only on this device and theirs, with self-destruct timers.
            </span>
          </div>
          {messages.map((m) => (
            <SecretBubble
              key={m.randomId}
              chat={chat}
              message={m}
              replyTo={m.replyTo ? byId.get(m.replyTo) : undefined}
              onJump={jump}
              onReply={props.onReply}
              onDelete={props.onDelete}
            />
          ))}
        </div>
      </div>
    </div>
  );
}

function SecretBubble(props: {
  chat: SecretChatView;
  message: SecretMessage;
  replyTo: SecretMessage | undefined;
  onJump: (randomId: number) => void;
  onReply: (m: SecretMessage) => void;
  onDelete: (m: SecretMessage) => void;
}) {
  const { chat, message, replyTo } = props;
  const me = useApp((s) => s.me?.id);
  const replyAuthor = useApp((s) => (replyTo ? (replyTo.from === me ? 'You' : userName(s, replyTo.from)) : ''));
  const [error, setError] = useState('');
  const out = message.from === me;
  const left = message.expires === null ? null : Math.max(0, Math.ceil((message.expires - Date.now()) / 1000));
  const status = !out ? null : message.status === 'sending' ? 'sending' : message.status === 'failed' ? 'failed' : message.read ? 'read' : 'sent';
  return (
    <div class="messages__row secret-row" data-random-id={message.randomId}>
      <div class={`msg ${out ? 'msg--out' : 'msg--in'}`} role="listitem" data-testid="secret-message" data-random-id={message.randomId}>
        <div class="bubble" tabIndex={0}>
          {message.replyTo && (
            <button type="button" class="quote" onClick={() => props.onJump(message.replyTo!)} aria-label="Go to the replied message">
              <span class="quote__author">{replyTo ? replyAuthor : 'Reply'}</span>
              <span class="quote__text">{replyTo ? plainText(replyTo.text) : 'Message deleted'}</span>
            </button>
          )}
          {message.file && <SecretFileView chat={chat} message={message} file={message.file} />}
          {(!message.file || message.text) && (
            <div class="bubble__text" dir="auto">
              <RichText text={message.text} />
            </div>
          )}
          <span class="bubble__meta">
            {message.ttl > 0 && (
              <span
                class="bubble__ttl secret-ttl"
                data-testid="msg-self-destruct"
                title={left === null ? `Self-destructs ${periodText(message.ttl)} after it is read` : `Self-destructs in ${left} s`}
              >
                <Icon name="timer" />
                {left !== null && <span class="secret-ttl__left">{formatLeft(left)}</span>}
              </span>
            )}
            <time dateTime={new Date(message.date * 1000).toISOString()}>{formatTime(message.date)}</time>
            {status && (
              <span class={`ticks ticks--${status}`} role="img" aria-label={status === 'failed' ? 'not sent' : status} title={status}>
                {status === 'sending' ? <Icon name="clock" /> : status === 'failed' ? '!' : status === 'sent' ? '✓' : '✓✓'}
              </span>
            )}
          </span>
        </div>
        <div class={`msg__actions${status === 'failed' ? ' msg__actions--shown msg__actions--failed' : ''}`}>
          {status === 'failed' && message.file?.unavailable && (
            <span class="form__error msg__error" data-testid="secret-file-gone">
              {FILE_GONE_TEXT}
            </span>
          )}
          {status === 'failed' && chat.state === 'ready' && !message.file?.unavailable && (
            <>
              {error && <span class="form__error msg__error">{error}</span>}
              <button type="button" class="btn btn--small" onClick={() => retrySecret(chat.id, message.randomId).catch((e) => setError(errorText(e)))}>
                Retry
              </button>
            </>
          )}
          {chat.state === 'ready' && status !== 'failed' && status !== 'sending' && (
            <button type="button" class="icon-btn icon-btn--small" aria-label="Reply" title="Reply" onClick={() => props.onReply(message)}>
              <Icon name="reply" />
            </button>
          )}
          <button type="button" class="icon-btn icon-btn--small" aria-label="Delete" title="Delete" onClick={() => props.onDelete(message)}>
            <Icon name="trash" />
          </button>
        </div>
      </div>
    </div>
  );
}

/** A message's photo or file. A photo (JPEG, PNG, GIF or WebP: isShownImage) shows its thumb (made by the sender,
 * inside the encrypted message) at once; the whole photo is downloaded and decrypted when opened, a file when saved.
 * Nothing decrypted is kept beyond the view: an object URL that goes when the message does (self-destruct, delete),
 * and a download still running then is stopped and its result dropped. */
function SecretFileView({ chat, message, file }: { chat: SecretChatView; message: SecretMessage; file: StoredSecretFile }) {
  const photo = isShownImage(file.mime) && !!file.thumb;
  const [view] = useState(() => new AbortController());
  useEffect(() => () => view.abort(), [view]);
  const [thumb, setThumb] = useState<string | null>(null);
  const [full, setFull] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!file.thumb) return;
    const url = URL.createObjectURL(new Blob([file.thumb as BlobPart], { type: 'image/jpeg' }));
    setThumb(url);
    return () => URL.revokeObjectURL(url);
  }, [file.thumb]);
  useEffect(() => () => {
    if (full) URL.revokeObjectURL(full);
  }, [full]);
  const fetchFile = async <T,>(use: (blob: Blob) => T): Promise<T | null> => {
    setBusy(true);
    setError('');
    try {
      return await whileShown(openSecretFile(chat.id, message.randomId, view.signal), view.signal, use);
    } catch (e) {
      setError(e instanceof SecretFileError ? 'The file could not be decrypted: it was altered or cut short' : errorText(e));
      return null;
    } finally {
      if (!view.signal.aborted) setBusy(false);
    }
  };
  const ready = file.id > 0;
  if (photo) {
    const box = photoBox({ width: file.width, height: file.height } as Parameters<typeof photoBox>[0], 280, 280);
    const show = async () => {
      setOpen(true);
      if (full) return;
      const url = await fetchFile((blob) => URL.createObjectURL(blob));
      if (url) setFull(url);
    };
    return (
      <>
        <button type="button" class="photo" style={{ width: box.width, height: box.height }} aria-label={`Open ${file.name}`} disabled={!ready} onClick={() => void show()}>
          {thumb && <img class="photo__img" src={thumb} alt={file.name} width={box.width} height={box.height} data-testid="secret-photo-thumb" />}
        </button>
        {open && (
          <Modal title={file.name} onClose={() => setOpen(false)} wide>
            {full ? (
              <>
                <img class="photo-viewer__img" src={full} alt={file.name} data-testid="secret-photo-full" />
                <a class="btn" href={full} download={file.name}>
                  Save image
                </a>
              </>
            ) : (
              <>
                {thumb && <img class="photo-viewer__img photo-viewer__img--loading" src={thumb} alt="" />}
                <p class={error ? 'form__error' : 'muted'} role={error ? 'alert' : undefined}>
                  {error || (busy ? 'Decrypting image…' : '')}
                </p>
              </>
            )}
          </Modal>
        )}
      </>
    );
  }
  const save = () => fetchFile((blob) => saveBlob(blob, file.name));
  return (
    <div class="document" data-testid="secret-file">
      <button type="button" class="document__icon" aria-label={`Download ${file.name}`} onClick={() => void save()} disabled={busy || !ready}>
        <Icon name="download" />
      </button>
      <span class="document__info">
        <span class="document__name">{file.name}</span>
        <span class="document__size muted">{busy ? `Decrypting… ${formatBytes(file.size)}` : formatBytes(file.size)}</span>
        {error && (
          <span class="form__error" role="alert">
            {error}
          </span>
        )}
      </span>
    </div>
  );
}

function formatLeft(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.ceil(seconds / 3600)}h`;
  return `${Math.ceil(seconds / 86_400)}d`;
}

/** Text, photos and files (encrypted here; no polls, locations or scheduling: the server would see them); Enter sends,
 * and the typed text goes as the caption of a photo or file. The text is never kept as a draft, which would go through
 * the server. */
function SecretComposer({ chat, replyTo, onDone }: { chat: SecretChatView; replyTo: SecretMessage | null; onDone: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [timing, setTiming] = useState(false);
  const [uploading, setUploading] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const photoPicker = useRef<HTMLInputElement>(null);
  const filePicker = useRef<HTMLInputElement>(null);
  const { over } = useLengthCheck(text, MAX_TEXT_LENGTH);
  const me = useApp((s) => s.me?.id);
  const replyAuthor = useApp((s) => (replyTo ? (replyTo.from === me ? 'You' : userName(s, replyTo.from)) : ''));
  useLayoutEffect(() => {
    if (replyTo || matchMedia('(pointer: fine)').matches) box.current?.focus();
  }, [replyTo, chat.id]);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);
  const change = (value: string) => {
    setText(value);
    setError('');
    if (value.trim()) secretTyping(chat.id);
  };
  const submit = async () => {
    const value = text.trim();
    if (!value) return;
    const refused = lengthRefusal(value, MAX_TEXT_LENGTH, 'message');
    if (refused) {
      setError(refused);
      return;
    }
    setText('');
    onDone();
    try {
      await sendSecret(chat.id, value, replyTo?.randomId ?? null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const attach = async (files: FileList | null, asPhoto: boolean) => {
    const chosen = [...(files ?? [])];
    if (photoPicker.current) photoPicker.current.value = '';
    if (filePicker.current) filePicker.current.value = '';
    if (chosen.length === 0) return;
    const caption = text.trim();
    const refused = lengthRefusal(caption, MAX_SECRET_CAPTION, 'caption');
    if (refused) {
      setError(refused);
      return;
    }
    setText('');
    setError('');
    for (const [i, file] of chosen.entries()) {
      setUploading(file.name);
      try {
        await sendSecretFile(chat.id, file, asPhoto && file.type.startsWith('image/'), i === 0 ? caption : '');
      } catch (e) {
        setError(`${file.name}: ${errorText(e)}`);
        break;
      } finally {
        setUploading(null);
      }
    }
  };
  return (
    <div class="composer">
      {uploading && (
        <p class="composer__hint muted" role="status" aria-label={`Uploading ${uploading}`}>
          Encrypting and sending {uploading}…
        </p>
      )}
      {replyTo && (
        <div class="composer__context">
          <span class="composer__context-body">
            <span class="composer__context-title">Reply to {replyAuthor}</span>
            <span class="composer__context-text">{plainText(replyTo.text)}</span>
          </span>
          <button type="button" class="icon-btn icon-btn--small" aria-label="Cancel reply" onClick={onDone}>
            <Icon name="close" />
          </button>
        </div>
      )}
      {error && (
        <p class="form__error composer__error" role="alert">
          {error}
        </p>
      )}
      <TooLong over={over} showCount={!error} />
      <div class="composer__row">
        <button
          type="button"
          class={`icon-btn secret-timer${chat.ttl > 0 ? ' icon-btn--on' : ''}`}
          aria-label="Self-destruct timer"
          title={chat.ttl > 0 ? `New messages self-destruct ${periodText(chat.ttl)} after they are read` : 'Self-destruct timer: off'}
          data-testid="secret-timer"
          onClick={() => setTiming(true)}
        >
          <Icon name="timer" />
          {chat.ttl > 0 && <span class="secret-timer__label">{timerLabel(chat.ttl)}</span>}
        </button>
        <button type="button" class="icon-btn" aria-label="Attach photo" title="Photo" disabled={!!uploading} onClick={() => photoPicker.current?.click()}>
          <Icon name="camera" />
        </button>
        <button type="button" class="icon-btn" aria-label="Attach file" title="File" disabled={!!uploading} onClick={() => filePicker.current?.click()}>
          <Icon name="attach" />
        </button>
        <input
          ref={photoPicker}
          type="file"
          accept="image/*"
          multiple
          class="visually-hidden"
          tabIndex={-1}
          aria-label="Photos to send"
          onChange={(e) => void attach(e.currentTarget.files, true)}
        />
        <input
          ref={filePicker}
          type="file"
          multiple
          class="visually-hidden"
          tabIndex={-1}
          aria-label="Files to send"
          onChange={(e) => void attach(e.currentTarget.files, false)}
        />
        <textarea
          ref={box}
          class="composer__input"
          dir="auto"
          rows={1}
          placeholder="Secret message"
          aria-label="Message"
          value={text}
          maxLength={MAX_TEXT_LENGTH * MARKUP_FACTOR}
          onInput={(e) => change(e.currentTarget.value)}
          onKeyDown={(event) => {
            if (box.current && applyFormatShortcut(event, box.current, change)) return;
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              void submit();
            } else if (event.key === 'Escape' && replyTo) {
              event.preventDefault();
              onDone();
            }
          }}
        />
        <button
          type="button"
          class="icon-btn icon-btn--send"
          aria-label="Send"
          disabled={!text.trim()}
          onClick={() => {
            void submit();
            box.current?.focus();
          }}
        >
          <Icon name="send" />
        </button>
      </div>
      {timing && <SelfDestructDialog chat={chat} onClose={() => setTiming(false)} />}
    </div>
  );
}

/** The verification code both devices derive from the chat's keys: the same on both, or someone is in between. */
function EncryptionKeyDialog({ chat, onClose }: { chat: SecretChatView; onClose: () => void }) {
  return (
    <Modal title="Encryption key" onClose={onClose}>
      <EncryptionKey chat={chat} />
      <div class="button-column">
        <button type="button" class="btn" onClick={onClose}>
          Done
        </button>
      </div>
    </Modal>
  );
}

function EncryptionKey({ chat }: { chat: SecretChatView }) {
  const peerName = useApp((s) => userName(s, chat.peerId));
  if (!chat.verification) return <p class="muted">The key is made once {peerName} joins.</p>;
  // The code stays the first key's: each later key was agreed in messages the one before it sealed.
  const changes = keyChangesText(chat);
  return (
    <div class="encryption-key">
      <p class="encryption-key__code" data-testid="secret-verification" aria-label="Verification code">
        {chat.verification.split(' ').map((group, i) => (
          <span key={i}>{group}</span>
        ))}
      </p>
      {changes && (
        <p class="encryption-key__changes muted" data-testid="secret-key-changes" title="The keys change every 100 messages or 7 days; the code stays the same">
          {changes}
        </p>
      )}
      <p class="muted">
        This code is made from the encryption key of this secret chat with {peerName}. If it reads the same in {peerName}'s secret chat with you
        (compare it in person, or over a channel you trust), no one can read your messages but the two of you.
      </p>
    </div>
  );
}

function SelfDestructDialog({ chat, onClose }: { chat: SecretChatView; onClose: () => void }) {
  const [error, setError] = useState('');
  const choose = (ttl: number) =>
    setSecretTimer(chat.id, ttl).then(onClose, (e) => setError(errorText(e)));
  return (
    <Modal title="Self-destruct timer" onClose={onClose}>
      <p class="muted">The messages you send from now on are deleted on both devices this long after they are read.</p>
      {error && <p class="form__error" role="alert">{error}</p>}
      <div class="button-column">
        {SELF_DESTRUCT_TIMERS.map((ttl) => (
          <button key={ttl} type="button" class={`btn${ttl === chat.ttl ? '' : ' btn--ghost'}`} aria-pressed={ttl === chat.ttl} onClick={() => void choose(ttl)}>
            {timerLabel(ttl)}
          </button>
        ))}
      </div>
    </Modal>
  );
}

/** Ends the chat for both (its history optionally deleted on their device too) and removes it from this device. */
function DeleteSecretChatDialog({ chat, onClose }: { chat: SecretChatView; onClose: () => void }) {
  const peerName = useApp((s) => userName(s, chat.peerId));
  const [forBoth, setForBoth] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const ended = chat.state === 'discarded';
  const remove = async () => {
    setBusy(true);
    setError('');
    try {
      await deleteSecretChat(chat.id, forBoth);
      onClose();
      openChat(null);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Modal title="Delete secret chat?" onClose={onClose}>
      <p class="muted">
        {ended
          ? 'The chat and its messages are removed from this device.'
          : `The secret chat ends for you and ${peerName}, and it and its messages are removed from this device.`}
      </p>
      {!ended && (
        <label class="check">
          <input type="checkbox" checked={forBoth} onChange={(e) => setForBoth(e.currentTarget.checked)} />
          Also delete the history for {peerName}
        </label>
      )}
      {error && <p class="form__error" role="alert">{error}</p>}
      <div class="button-column">
        <button type="button" class="btn btn--danger" disabled={busy} onClick={() => void remove()}>
          Delete secret chat
        </button>
        <button type="button" class="btn btn--ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

/** In a running chat a message goes for both (the other device is told to delete it); after the end, or an own message
 * not sent yet, only here. */
function DeleteSecretMessageDialog({ chat, message, onClose }: { chat: SecretChatView; message: SecretMessage; onClose: () => void }) {
  const peerName = useApp((s) => userName(s, chat.peerId));
  const me = useApp((s) => s.me?.id);
  const [error, setError] = useState('');
  const forBoth = deletesForBoth(chat, message, me);
  const remove = () => deleteSecretMessages(chat.id, [message.randomId], forBoth).then(onClose, (e) => setError(errorText(e)));
  return (
    <Modal title="Delete message?" onClose={onClose}>
      {error && <p class="form__error" role="alert">{error}</p>}
      <div class="button-column">
        <button type="button" class="btn btn--danger" onClick={() => void remove()}>
          {forBoth ? `Delete for me and ${peerName}` : 'Delete for me'}
        </button>
        <button type="button" class="btn btn--ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

/** The right-hand panel of a secret chat: the person, the encryption key, the timer and the ending. */
export function SecretInfo({ chatId }: { chatId: number }) {
  const chat = useApp((s) => s.secretChats[chatId]);
  const peerName = useApp((s) => (chat ? userName(s, chat.peerId) : ''));
  const [deleting, setDeleting] = useState(false);
  if (!chat) return null;
  const stateText = secretStateText(chat, peerName);
  return (
    <aside class="info-panel" aria-label="Chat info">
      <header class="info-panel__header">
        <h2>Secret chat</h2>
        <button type="button" class="icon-btn" aria-label="Close info" onClick={() => setState({ panel: null })}>
          <Icon name="close" />
        </button>
      </header>
      <div class="info-panel__scroll">
        <UserDetails userId={chat.peerId} />
        <div class="info-panel__body">
          {stateText && <p class="muted">{stateText}</p>}
          {chat.state === 'ready' && (
            <section aria-label="Encryption key">
              <h3>Encryption key</h3>
              <EncryptionKey chat={chat} />
              <dl class="facts">
                <dt>Self-destruct timer</dt>
                <dd>{chat.ttl > 0 ? `${periodText(chat.ttl)} after reading` : 'Off'}</dd>
              </dl>
            </section>
          )}
          <button type="button" class="btn btn--danger" onClick={() => setDeleting(true)}>
            Delete secret chat
          </button>
        </div>
      </div>
      {deleting && <DeleteSecretChatDialog chat={chat} onClose={() => setDeleting(false)} />}
    </aside>
  );
}
