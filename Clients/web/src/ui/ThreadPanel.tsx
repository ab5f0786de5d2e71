import { useEffect, useRef, useState } from 'preact/hooks';
import type { Message } from '../api/types';
import { formatTime } from './format';
import { Icon } from './Icon';
import { sendMessage, sendParts } from './messages';
import { previewText, userName } from './peers';
import { RichText } from './RichText';
import { MARKUP_FACTOR, MAX_TEXT_LENGTH } from './rich';
import { emptyHistory, setState, useApp } from './store';
import { readThread } from './threads';
import { lengthRefusal, TooLong, useLengthCheck } from './TooLong';

/**
 * The right-hand panel of a group message's thread: the message, the ones answering it (from the chat's loaded history,
 * which holds every message newer than any it shows, so the thread is whole and follows new answers live), and a box
 * that answers it. While open, the thread is marked read up to its newest answer.
 */
export function ThreadPanel({ chatKey, messageId }: { chatKey: string; messageId: number }) {
  const history = useApp((s) => s.histories[chatKey] ?? emptyHistory);
  const state = useApp((s) => s);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  const { over, parts } = useLengthCheck(text, MAX_TEXT_LENGTH, true);
  const parent = history.messages.find((m) => m.id === messageId);
  const replies = history.messages.filter((m) => m.reply_to_id === messageId && !m.action);
  const newest = replies.reduce((max, m) => Math.max(max, m.id), 0);
  // Open, the thread is read as answers come: its badge goes on every device, and opening it follows it.
  useEffect(() => {
    if (parent) void readThread(chatKey, messageId, newest).catch(() => undefined);
  }, [chatKey, messageId, newest, !!parent]);
  const send = async (event: Event) => {
    event.preventDefault();
    const trimmed = text.trim();
    if (!trimmed) return;
    const refused = lengthRefusal(trimmed, MAX_TEXT_LENGTH, 'message');
    if (refused) {
      setError(refused);
      return;
    }
    setError('');
    setText('');
    // Sent by the button, which the empty box disables: focus would fall to the page, and the next answer is typed here.
    box.current?.focus();
    try {
      await sendMessage(chatKey, trimmed, messageId);
    } catch (e) {
      setText(trimmed);
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  // Every part answers the thread's root: a message that answers nothing is not in the thread.
  const sendSplit = (split: string[]) => {
    setError('');
    setText('');
    box.current?.focus();
    sendParts(chatKey, split, messageId, { replyToEach: true }).catch((e) => setError(e instanceof Error ? e.message : String(e)));
  };
  const line = (message: Message, testId: string) => (
    <li key={message.id} class="thread__message" data-testid={testId}>
      <span class={`thread__author name--c${message.from_id % 7}`}>{message.from_id === state.me?.id ? 'You' : userName(state, message.from_id)}</span>
      <span class="thread__text">{message.text ? <RichText text={message.text} /> : previewText(state, message)}</span>
      <time class="thread__time muted" dateTime={new Date(message.date * 1000).toISOString()}>
        {formatTime(message.date)}
      </time>
    </li>
  );
  return (
    <aside class="info-panel" aria-label="Thread">
      <header class="info-panel__header">
        <h2>Thread</h2>
        <button type="button" class="icon-btn" aria-label="Close thread" onClick={() => setState({ panel: null, thread: null })}>
          <Icon name="close" />
        </button>
      </header>
      <div class="info-panel__scroll info-panel__body">
        {!parent ? (
          <p class="muted">This message is not loaded.</p>
        ) : (
          <>
            <ul class="thread">{line(parent, 'thread-root')}</ul>
            <p class="muted thread__count">{replies.length === 1 ? '1 reply' : `${replies.length} replies`}</p>
            <ul class="thread" aria-label="Replies">
              {replies.map((reply) => line(reply, 'thread-reply'))}
            </ul>
            <form class="form" onSubmit={send}>
              <label class="field">
                <span class="field__label">Reply in thread</span>
                <textarea ref={box} class="field__input" rows={2} maxLength={MAX_TEXT_LENGTH * MARKUP_FACTOR} value={text}
                  onInput={(e) => {
                    setText(e.currentTarget.value);
                    setError('');
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' && !e.shiftKey) void send(e);
                  }} />
              </label>
              {error && <p class="form__error" role="alert">{error}</p>}
              <TooLong over={over} showCount={!error} parts={parts} onSplit={sendSplit} />
              <button type="submit" class="btn btn--primary" disabled={!text.trim()}>
                Send reply
              </button>
            </form>
          </>
        )}
      </div>
    </aside>
  );
}
