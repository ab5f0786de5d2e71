import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { BotCommand, Message, ReplyQuote } from '../api/types';
import { botCommands, matchingCommands } from './botCommands';
import { dismissUpload, editMessage, sendFile, sendMessage, sendParts } from './messages';
import { errorText } from './format';
import { notifyTyping, stopTyping } from './typing';
import { peerKey, previewText, userName } from './peers';
import { loadDraft, saveDraft } from './drafts';
import { useApp } from './store';
import { Icon } from './Icon';
import { NewPollDialog } from './NewPoll';
import { LocationDialog } from './GeoView';
import { ScheduleDialog, ScheduledBar } from './Scheduled';
import { canRecord, startRecording, type Recording } from './voice';
import { VoiceRecorder } from './VoiceRecorder';
import { myPermissions, slowModeLeft } from './permissions';
import { periodText } from './peers';
import { useMenu } from './dismiss';
import { applyFormatShortcut } from './formatShortcuts';
import { MARKUP_FACTOR, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH } from './rich';
import { lengthRefusal, TooLong, useLengthCheck } from './TooLong';

interface ComposerProps {
  chatKey: string;
  replyTo: Message | null;
  /** The part of `replyTo`'s text the reply quotes, if the user selected one. */
  quote?: ReplyQuote | null;
  editing: Message | null;
  onDone: () => void;
  /** Up arrow in an empty box: edit the last own message, as in Telegram. */
  onEditLast: () => void;
}

/** The message box: Enter sends, Shift+Enter breaks the line, Ctrl/Cmd+B, I, K, Shift+X, Shift+P format the selection
 * (formatShortcuts.ts); the draft is kept per chat across reloads. */
export function Composer({ chatKey, replyTo, quote = null, editing, onDone, onEditLast }: ComposerProps) {
  const [text, setText] = useState(() => loadDraft(chatKey));
  const [error, setError] = useState('');
  const [scheduling, setScheduling] = useState<string | null>(null);
  const [writingPoll, setWritingPoll] = useState(false);
  const [sharingLocation, setSharingLocation] = useState(false);
  const [recording, setRecording] = useState<Recording | null>(null);
  const [sendMenu, setSendMenu] = useState(false);
  const sendOptions = useMenu<HTMLDivElement>(sendMenu, () => setSendMenu(false));
  // A long press on Send (touch screens) opens its menu; the click that ends the press must not send as well.
  const press = useRef<{ timer: number; opened: boolean } | null>(null);
  // A recording never outlives its composer (another chat opened, the app closed): the microphone is let go.
  useEffect(() => () => recording?.cancel(), [recording]);
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const box = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const state = useApp((s) => s);
  const uploads = state.uploads[chatKey] ?? [];
  // In a chat with a bot, its commands are offered while a `/command` is being typed.
  const botId = chatKey.startsWith('u') && state.users[Number(chatKey.slice(1))]?.bot ? Number(chatKey.slice(1)) : null;
  const [commands, setCommands] = useState<BotCommand[]>([]);
  useEffect(() => {
    setCommands([]);
    if (botId !== null) void botCommands(botId).then(setCommands);
  }, [botId]);
  const offered = editing ? [] : matchingCommands(commands, text);
  // A group's plain member may be held to text, or to one post per slow-mode period (the server holds them too).
  const may = myPermissions(state, chatKey);
  const waitLeft = slowModeLeft(state, chatKey);
  const [, tick] = useState(0);
  useEffect(() => {
    if (waitLeft <= 0) return;
    const timer = setTimeout(() => tick((n) => n + 1), 1000);
    return () => clearTimeout(timer);
  }, [waitLeft]);

  // A draft written (or sent) on another device shows here, unless this box holds text typed here since.
  const loaded = useRef(text);
  const serverDraft = useApp((s) => s.dialogs.find((d) => peerKey(d.peer) === chatKey)?.draft?.text ?? '');
  useEffect(() => {
    if (editing || text !== loaded.current) return;
    loaded.current = loadDraft(chatKey);
    setText(loaded.current);
  }, [serverDraft]);

  // A layout effect: it runs as the edit (or reply) starts, before anything can be typed. As a plain effect it waited
  // for the next frame, which a tab in the background may not paint for a while: typing in between was overwritten
  // with the message's old text, and the edit was dropped as "not modified".
  useLayoutEffect(() => {
    if (editing) setText(editing.text);
    else setText((loaded.current = loadDraft(chatKey)));
    // Touch screens get the keyboard only when asked for (reply, edit), not on every chat opened.
    if (editing || replyTo || matchMedia('(pointer: fine)').matches) box.current?.focus();
  }, [editing, replyTo]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);

  const change = (value: string) => {
    setText(value);
    setError('');
    if (editing) return;
    saveDraft(chatKey, value);
    if (value.trim()) notifyTyping(chatKey);
    else stopTyping(chatKey);
  };

  // Said as the text is typed, not only after Send: how many characters the reader would see against the limit. A new
  // message (not an edit, nor in slow mode, which would refuse all but the first) may go as several.
  const limit = editing?.media ? MAX_CAPTION_LENGTH : MAX_TEXT_LENGTH;
  const { over, parts } = useLengthCheck(text, limit, !editing && may.slowMode === 0);

  const submit = async (typed?: string, silent = false) => {
    const value = (typed ?? text).trim();
    // Only a media message's caption may be edited down to nothing.
    if (!value && !editing?.media) {
      if (editing) setError('A message cannot be empty: delete it instead');
      return;
    }
    // The box takes markup up to the server's raw limit; what the reader would see is checked here, the text kept.
    const refused = lengthRefusal(value, limit, editing?.media ? 'caption' : 'message');
    if (refused) {
      setError(refused);
      return;
    }
    setError('');
    if (editing) {
      try {
        if (value !== editing.text) await editMessage(chatKey, editing.id, value);
        onDone();
      } catch (e) {
        setError(errorText(e));
      }
      return;
    }
    if (waitLeft > 0) {
      setError(`Slow mode: you can send again in ${waitLeft} s`);
      return;
    }
    setText((loaded.current = ''));
    saveDraft(chatKey, '');
    stopTyping(chatKey);
    onDone();
    await sendMessage(chatKey, value, replyTo?.id ?? null, null, silent, replyTo ? quote : null).catch(() => undefined);
  };

  const sendSplit = (split: string[]) => {
    setError('');
    setText((loaded.current = ''));
    saveDraft(chatKey, '');
    stopTyping(chatKey);
    onDone();
    box.current?.focus();
    void sendParts(chatKey, split, replyTo?.id ?? null, { quote: replyTo ? quote : null }).catch(() => undefined);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (box.current && applyFormatShortcut(event, box.current, change)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void submit();
    } else if (event.key === 'ArrowUp' && !text && !editing) {
      event.preventDefault();
      onEditLast();
    } else if (event.key === 'Escape' && (editing || replyTo)) {
      event.preventDefault();
      onDone();
    }
  };

  const attach = (files: FileList | null) => {
    if (!may.send_media) return;
    const caption = text.trim();
    const refused = lengthRefusal(caption, MAX_CAPTION_LENGTH, 'caption');
    if (files?.length && refused) {
      setError(refused);
      if (picker.current) picker.current.value = '';
      return;
    }
    for (const file of Array.from(files ?? [])) void sendFile(chatKey, file, caption, replyTo?.id ?? null, undefined, replyTo ? quote : null);
    if (files?.length) {
      setText((loaded.current = ''));
      saveDraft(chatKey, '');
      onDone();
    }
    if (picker.current) picker.current.value = '';
  };

  // A file given up (dismissed after a failure, or cancelled) gives its caption back to the box, before what is there.
  const giveBack = (caption: string) => {
    if (!caption) return;
    const restored = text.trim() ? `${caption}\n${text}` : caption;
    setText(restored);
    saveDraft(chatKey, restored);
  };

  const context = editing ?? replyTo;
  const scheduled = () => {
    setText((loaded.current = ''));
    saveDraft(chatKey, '');
    stopTyping(chatKey);
    onDone();
  };
  return (
    <div class="composer">
      <ScheduledBar chatKey={chatKey} />
      {scheduling !== null && (
        <ScheduleDialog
          chatKey={chatKey}
          text={scheduling}
          replyToId={replyTo?.id ?? null}
          quote={replyTo ? quote : null}
          onScheduled={scheduled}
          onClose={() => setScheduling(null)}
        />
      )}
      {writingPoll && <NewPollDialog chatKey={chatKey} onClose={() => setWritingPoll(false)} />}
      {sharingLocation && (
        <LocationDialog chatKey={chatKey} replyToId={replyTo?.id ?? null} onSent={onDone} onClose={() => setSharingLocation(false)} />
      )}
      {uploads.map((upload) => (
        <div class={upload.notKept ? 'upload upload--not-kept' : 'upload'} key={upload.id}>
          <span class="upload__name">{upload.name}</span>
          {upload.error ? (
            <span class={upload.waiting ? 'upload__waiting' : 'form__error'}>
              {upload.waiting ? `Waiting for network… (${upload.error})` : upload.error}
            </span>
          ) : (
            <progress
              class="progress"
              value={upload.progress}
              max={1}
              aria-label={`Uploading ${upload.name}`}
              aria-describedby={upload.notKept ? `upload-not-kept-${upload.id}` : undefined}
            />
          )}
          {upload.resume && (
            <button type="button" class="btn btn--small" onClick={() => upload.resume?.(true)}>
              Retry
            </button>
          )}
          <button
            type="button"
            class="icon-btn icon-btn--small"
            aria-label={upload.error ? `Dismiss ${upload.name}` : `Cancel upload of ${upload.name}`}
            onClick={() => {
              if (!upload.error) upload.abort.abort();
              giveBack(dismissUpload(chatKey, upload.id));
            }}
          >
            <Icon name="close" />
          </button>
          {upload.notKept && (
            <span class="upload__note" id={`upload-not-kept-${upload.id}`} role="status" data-testid="upload-not-kept">
              Keep this tab open until this file is sent: a reload or a closed tab would lose it.
            </span>
          )}
        </div>
      ))}
      {context && (
        <div class="composer__context">
          <span class="composer__context-body">
            <span class="composer__context-title">
              {editing ? 'Editing message' : `${quote ? 'Quote from' : 'Reply to'} ${userName(state, context.from_id)}`}
            </span>
            {!editing && quote ? (
              <span class="composer__context-text quote__text--quoted" data-testid="composer-quote">
                {quote.text}
              </span>
            ) : (
              <span class="composer__context-text">{previewText(state, context)}</span>
            )}
          </span>
          <button type="button" class="icon-btn icon-btn--small" aria-label={editing ? 'Cancel editing' : 'Cancel reply'} onClick={onDone}>
            <Icon name="close" />
          </button>
        </div>
      )}
      {may.slowMode > 0 && !editing && (
        <p class="composer__hint muted" data-testid="slow-mode">
          Slow mode: one message every {periodText(may.slowMode)}
          {waitLeft > 0 && ` · you can send again in ${waitLeft} s`}
        </p>
      )}
      {error && (
        <p class="form__error composer__error" role="alert">
          {error}
        </p>
      )}
      <TooLong over={over} showCount={!error} parts={parts} onSplit={sendSplit} />
      {recording ? (
        <VoiceRecorder
          recording={recording}
          onCancel={() => {
            recording.cancel();
            setRecording(null);
          }}
          onSend={(file) => {
            setRecording(null);
            onDone();
            // MediaRecorder's WebM states no duration (the browser reads it as Infinity): the recorder's clock does.
            void sendFile(chatKey, file, '', replyTo?.id ?? null, { duration: (Date.now() - recording.startedAt) / 1000 }, replyTo ? quote : null);
          }}
        />
      ) : (
        <div class="composer__row">
          {offered.length > 0 && (
            <ul class="commands" aria-label="Bot commands" data-testid="bot-commands">
              {offered.map((c) => (
                <li key={c.command}>
                  <button type="button" class="commands__item" onClick={() => void submit(`/${c.command}`)}>
                    <span class="commands__name">/{c.command}</span>
                    <span class="commands__about">{c.description}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {may.send_media && (
            <button type="button" class="icon-btn" aria-label="Attach file" onClick={() => picker.current?.click()} disabled={!!editing}>
              <Icon name="attach" />
            </button>
          )}
          {may.send_polls && (
            <button type="button" class="icon-btn" aria-label="New poll" title="Poll" onClick={() => setWritingPoll(true)} disabled={!!editing}>
              <Icon name="poll" />
            </button>
          )}
          <button type="button" class="icon-btn" aria-label="Location" title="Location" onClick={() => setSharingLocation(true)} disabled={!!editing}>
            <Icon name="location" />
          </button>
          <input ref={picker} type="file" multiple class="visually-hidden" tabIndex={-1} aria-label="Files to attach" onChange={(e) => attach(e.currentTarget.files)} />
          <textarea
            ref={box}
            class="composer__input"
            dir="auto"
            rows={1}
            placeholder="Message"
            aria-label="Message"
            value={text}
            maxLength={MAX_TEXT_LENGTH * MARKUP_FACTOR}
            onInput={(e) => change(e.currentTarget.value)}
            onKeyDown={onKeyDown}
            onPaste={(e) => {
              // A pasted image or file (a screenshot, a copied file) is sent as a file, with the typed text as its caption.
              const files = e.clipboardData?.files;
              if (!files?.length || editing || !may.send_media) return;
              e.preventDefault();
              attach(files);
            }}
          />
          {!editing && (
            <button
              type="button"
              class="icon-btn"
              aria-label="Schedule message"
              title="Send later"
              disabled={!!recording}
              onClick={() => setScheduling(text.trim())}
            >
              <Icon name="clock" />
            </button>
          )}
          {!editing && !text.trim() && may.send_media && canRecord() ? (
            <button
              type="button"
              class="icon-btn icon-btn--send"
              aria-label="Record voice message"
              title="Voice message"
              onClick={() => {
                setError('');
                startRecording().then((r) => (mounted.current ? setRecording(r) : r.cancel()), (e) => setError(`Cannot record: ${errorText(e)}`));
              }}
            >
              <Icon name="mic" />
            </button>
          ) : (
            <>
              <button
                type="button"
                class="icon-btn icon-btn--send"
                aria-label={editing ? 'Save' : 'Send'}
                aria-haspopup={editing ? undefined : 'menu'}
                aria-expanded={editing ? undefined : sendMenu}
                title={editing ? undefined : 'Send (right-click or hold for more)'}
                onClick={() => {
                  if (press.current?.opened) {
                    press.current = null;
                    return;
                  }
                  void submit();
                  // The emptied box swaps this button for the microphone, and focus would fall to the page: it goes back
                  // to the box, where the next message is typed.
                  box.current?.focus();
                }}
                onContextMenu={(e) => {
                  if (editing || !text.trim()) return;
                  e.preventDefault();
                  setSendMenu(true);
                }}
                onPointerDown={(e) => {
                  press.current = null;
                  if (editing || e.pointerType !== 'touch' || !text.trim()) return;
                  const held = { timer: 0, opened: false };
                  held.timer = window.setTimeout(() => {
                    held.opened = true;
                    setSendMenu(true);
                  }, LONG_PRESS_MS);
                  press.current = held;
                }}
                onPointerUp={() => press.current && !press.current.opened && clearTimeout(press.current.timer)}
                onPointerLeave={() => press.current && !press.current.opened && clearTimeout(press.current.timer)}
                onPointerCancel={() => press.current && !press.current.opened && clearTimeout(press.current.timer)}
                disabled={!text.trim() && !editing?.media}
              >
                <Icon name={editing ? 'check' : 'send'} />
              </button>
              {sendMenu && !editing && (
                <div class="send-menu" role="menu" aria-label="Send options" data-testid="send-menu" ref={sendOptions}>
                  <button
                    type="button"
                    role="menuitem"
                    class="send-menu__item"
                    onClick={() => {
                      setSendMenu(false);
                      void submit(undefined, true);
                      box.current?.focus();
                    }}
                  >
                    <Icon name="bellOff" /> Send without sound
                  </button>
                  <button
                    type="button"
                    role="menuitem"
                    class="send-menu__item"
                    onClick={() => {
                      setSendMenu(false);
                      setScheduling(text.trim());
                    }}
                  >
                    <Icon name="clock" /> Schedule message
                  </button>
                </div>
              )}
            </>
          )}
        </div>
      )}
    </div>
  );
}

const LONG_PRESS_MS = 500;
