import { useEffect, useRef, useState } from 'preact/hooks';
import type { Dialog, Message, ReplyQuote, WebPage } from '../api/types';
import { ChatKind, PeerKind, peerOf } from '../api/types';
import { BotKeyboard } from './BotKeyboard';
import { discardPending, messageLink, retryPending } from './messages';
import { formatTime } from './format';
import { MediaView } from './MediaView';
import { peerKey, previewText, serviceText, userName } from './peers';
import { canPin } from './pins';
import { PollView } from './PollView';
import { GeoView } from './GeoView';
import { QUICK_REACTIONS, canReact } from './reactions';
import { RichText } from './RichText';
import { setState, type AppState, type PendingMessage } from './store';
import { Icon } from './Icon';
import { useDismiss } from './dismiss';
import { ReportDialog } from './Reports';
import { recallSelection, selectedQuote, watchSelectionIn } from './quotes';
import { useFloatingActions } from './floatingActions';
import { tickStatus, type TickStatus } from './ticks';

export interface MessageActions {
  /** Replies to the message; `quote`: the part of its text selected in the bubble, if any. */
  onReply: (message: Message, quote?: ReplyQuote | null) => void;
  onEdit: (message: Message) => void;
  onDelete: (message: Message) => void;
  /** Pins the message, or (null) unpins; absent where the user may not pin. */
  onPin?: (message: Message | null) => void;
  /** Reacts to the message, or (null) takes the user's reaction back. */
  onReact?: (message: Message, reaction: string | null) => void;
  /** Forwards the message to another chat. */
  onForward?: (message: Message) => void;
  /** Shows who has read the user's own message (small groups). */
  onSeenBy?: (message: Message) => void;
  /** Opens the message's photo in the chat's viewer. */
  onOpenPhoto?: (message: Message) => void;
}

interface BubbleProps extends MessageActions {
  onJump: (messageId: number) => void;
  state: AppState;
  message: Message;
  continued: boolean;
  dialog: Dialog | undefined;
  /** The replied message; `'deleted'` when it is known gone (`replyOriginal`), undefined while not loaded. */
  replyTo: Message | 'deleted' | undefined;
  /** Messages answering this one (a group's thread). */
  replies?: number;
  /** Of those, the answers by others the user has not read in a thread they follow. */
  newReplies?: number;
}

export function MessageBubble({
  state, message, continued, dialog, replyTo, replies = 0, newReplies = 0, onReply, onEdit, onDelete, onPin, onReact, onForward, onSeenBy, onOpenPhoto, onJump,
}: BubbleProps) {
  const [picking, setPicking] = useState(false);
  const reactButton = useRef<HTMLButtonElement>(null);
  const picker = useDismiss<HTMLSpanElement>(picking, (byKey) => {
    setPicking(false);
    if (byKey) reactButton.current?.focus();
  });
  const floating = useFloatingActions(picking, () => setPicking(false));
  const [reporting, setReporting] = useState(false);
  // A selection in the text shows the buttons (no hover on a touch screen), and is remembered for Reply.
  const [selecting, setSelecting] = useState(false);
  const textRef = useRef<HTMLDivElement>(null);
  const replyPointer = useRef('mouse');
  useEffect(() => (textRef.current ? watchSelectionIn(textRef.current, message, setSelecting) : undefined), [message]);
  if (message.action) {
    return (
      <div class="service" role="listitem" data-testid="service-message">
        <span class="service__text">{serviceText(state, message)}</span>
      </div>
    );
  }
  const out = message.from_id === state.me?.id;
  const key = peerKey(peerOf(message, state.me?.id ?? 0));
  const ticks = tickStatus(message, dialog, state.me?.id ?? 0);
  const pinnable = !!onPin && canPin(state, key);
  const reactable = !!onReact && canReact(state, key);
  const inGroup = message.to_peer.kind === PeerKind.Chat;
  const inSmallGroup = inGroup && state.chats[message.to_peer.id]?.kind === ChatKind.Group;
  return (
    <div
      class={`msg ${out ? 'msg--out' : 'msg--in'}${continued ? ' msg--continued' : ''}`}
      role="listitem"
      data-testid="message"
      data-message-id={message.id}
      ref={floating.row}
      onClickCapture={floating.onClick}
      onPointerEnter={floating.onPointerEnter}
      onPointerLeave={floating.onPointerLeave}
      onFocusIn={floating.onFocusIn}
    >
      <div class="bubble" tabIndex={0}>
        {inGroup && !out && !continued && (
          <div class={`bubble__author name--c${message.from_id % 7}`}>
            {userName(state, message.from_id)}
            {state.users[message.from_id]?.bot && <span class="bot-badge">bot</span>}
          </div>
        )}
        {message.fwd_from_id && (
          <div class="bubble__forwarded" data-testid="forwarded-from">
            Forwarded from {message.fwd_from_id === state.me?.id ? 'you' : userName(state, message.fwd_from_id)}
          </div>
        )}
        {message.reply_to_id && (
          <button
            type="button"
            class={`quote${message.reply_quote ? ' quote--quoted' : ''}`}
            onClick={() => onJump(message.reply_to_id!)}
            aria-label="Go to the replied message"
          >
            <span class="quote__author">{replyTo && replyTo !== 'deleted' ? userName(state, replyTo.from_id) : 'Reply'}</span>
            {message.reply_quote ? (
              // The part quoted, as it was when the reply was sent, whatever became of the original since.
              <span class="quote__text quote__text--quoted" data-testid="reply-quote">
                {message.reply_quote.text}
              </span>
            ) : (
              <span class="quote__text">
                {replyTo === 'deleted' ? 'Deleted message' : replyTo ? previewText(state, replyTo) : 'Message not loaded'}
              </span>
            )}
          </button>
        )}
        {message.media && <MediaView media={message.media} onOpen={onOpenPhoto && (() => onOpenPhoto(message))} />}
        {message.poll && <PollView state={state} chatKey={key} message={message} canVote={canReact(state, key)} />}
        {message.geo && <GeoView chatKey={key} message={message} geo={message.geo} mine={out} />}
        {message.text && (
          <div class="bubble__text" dir="auto" ref={textRef}>
            <RichText text={message.text} />
          </div>
        )}
        {message.web_page && /^https?:\/\//i.test(message.web_page.url) && <WebPageCard page={message.web_page} />}
        {message.reply_markup && <BotKeyboard chatKey={key} message={message} markup={message.reply_markup} />}
        {inGroup && replies > 0 && (
          <button type="button" class="bubble__replies" data-testid="replies-button" onClick={() => setState({ panel: 'thread', thread: message.id })}>
            {replies === 1 ? '1 reply' : `${replies} replies`}
            {newReplies > 0 && (
              <span class="bubble__replies-new" data-testid="replies-new">
                {' · '}
                {newReplies} new
              </span>
            )}
          </button>
        )}
        {message.reactions && message.reactions.length > 0 && (
          <div class="reactions" role="group" aria-label="Reactions">
            {message.reactions.map((r) => {
              const mine = message.my_reaction === r.reaction;
              return (
                <button
                  key={r.reaction}
                  type="button"
                  class={`reaction${mine ? ' reaction--mine' : ''}`}
                  aria-label={`${r.reaction} ${r.count}`}
                  aria-pressed={mine}
                  disabled={!reactable}
                  onClick={() => onReact!(message, mine ? null : r.reaction)}
                >
                  <span class="reaction__emoji">{r.reaction}</span>
                  <span class="reaction__count">{r.count}</span>
                </button>
              );
            })}
          </div>
        )}
        <span class="bubble__meta">
          {message.edit_date && <span class="bubble__edited">edited</span>}
          {!!message.ttl_period && (
            <span
              class="bubble__ttl"
              data-testid="msg-ttl"
              title={`Deleted for everyone at ${new Date((message.date + message.ttl_period) * 1000).toLocaleString()}`}
            >
              <Icon name="timer" />
            </span>
          )}
          <time dateTime={new Date(message.date * 1000).toISOString()}>{formatTime(message.date)}</time>
          {out && ticks && <Ticks status={ticks} />}
        </span>
      </div>
      <div
        ref={floating.bar}
        class={`msg__actions${picking || selecting ? ' msg__actions--shown' : ''}${floating.open ? ' msg__actions--open' : ''}${floating.below ? ' msg__actions--below' : ''}`}
      >
        {reactable && (
          <span ref={picker} class="react-picker">
            <button
              ref={reactButton}
              type="button"
              class="icon-btn icon-btn--small"
              aria-label="React"
              title="React"
              aria-expanded={picking}
              onClick={() => setPicking(!picking)}
            >
              <Icon name="smile" />
            </button>
            {picking && (
              <span class="react-picker__menu" role="menu" aria-label="Reactions to choose from">
                {QUICK_REACTIONS.map((reaction) => (
                  <button
                    key={reaction}
                    type="button"
                    role="menuitem"
                    class="react-picker__item"
                    aria-label={`React with ${reaction}`}
                    onClick={() => {
                      setPicking(false);
                      onReact!(message, message.my_reaction === reaction ? null : reaction);
                    }}
                  >
                    {reaction}
                  </button>
                ))}
              </span>
            )}
          </span>
        )}
        <button
          type="button"
          class="icon-btn icon-btn--small"
          aria-label="Reply"
          title="Reply (select part of the text first to quote it)"
          // Keeps the page's selection (a press on a button may clear it before the click reads it).
          onMouseDown={(e) => e.preventDefault()}
          onPointerDown={(e) => (replyPointer.current = e.pointerType)}
          onClick={(e) => {
            const selected = selectedQuote((e.currentTarget as HTMLElement).closest('.msg')?.querySelector('.bubble__text'), message);
            // A touch screen cleared the selection with the tap that showed these buttons: the one made shortly before
            // in this message's text still counts. With a mouse, a selection cleared on purpose quotes nothing.
            const recalled = replyPointer.current === 'mouse' ? null : recallSelection(message.id);
            onReply(message, selected ?? recalled);
          }}
        >
          <Icon name="reply" />
        </button>
        {onForward && (
          <button type="button" class="icon-btn icon-btn--small" aria-label="Forward" title="Forward" onClick={() => onForward(message)}>
            <Icon name="forward" />
          </button>
        )}
        {inGroup && navigator.clipboard && (
          <button
            type="button"
            class="icon-btn icon-btn--small"
            aria-label="Copy link"
            title="Copy a link to this message (it opens here for the group's members)"
            onClick={() => void navigator.clipboard.writeText(messageLink(key, message.id)).catch(() => undefined)}
          >
            <Icon name="link" />
          </button>
        )}
        {out && !message.poll && !message.geo && !message.fwd_from_id && (
          <button
            type="button"
            class="icon-btn icon-btn--small"
            aria-label={message.media ? 'Edit caption' : 'Edit'}
            title={message.media ? 'Edit caption' : 'Edit'}
            onClick={() => onEdit(message)}
          >
            <Icon name="edit" />
          </button>
        )}
        {out && inSmallGroup && onSeenBy && (
          <button type="button" class="icon-btn icon-btn--small" aria-label="Seen by" title="Seen by" onClick={() => onSeenBy(message)}>
            <Icon name="eye" />
          </button>
        )}
        {pinnable &&
          (dialog?.pinned_message?.id === message.id ? (
            <button type="button" class="icon-btn icon-btn--small" aria-label="Unpin" title="Unpin" onClick={() => onPin!(null)}>
              <Icon name="pin" />
            </button>
          ) : (
            <button type="button" class="icon-btn icon-btn--small" aria-label="Pin" title="Pin" onClick={() => onPin!(message)}>
              <Icon name="pin" />
            </button>
          ))}
        {!out && (
          <button
            type="button"
            class="icon-btn icon-btn--small"
            aria-label="Report"
            title="Report to the server's admins"
            onClick={() => setReporting(true)}
          >
            <Icon name="flag" />
          </button>
        )}
        <button type="button" class="icon-btn icon-btn--small" aria-label="Delete" title="Delete" onClick={() => onDelete(message)}>
          <Icon name="trash" />
        </button>
      </div>
      {reporting && <ReportDialog chatKey={key} message={message} onClose={() => setReporting(false)} />}
    </div>
  );
}

function Ticks({ status }: { status: TickStatus }) {
  return (
    <span class={`ticks ticks--${status}`} role="img" aria-label={status} title={status}>
      {status === 'sending' ? <Icon name="clock" /> : status === 'sent' ? '✓' : '✓✓'}
    </span>
  );
}

export function PendingBubble({ chatKey, pending }: { chatKey: string; pending: PendingMessage }) {
  return (
    <div class="msg msg--out msg--pending" role="listitem" data-testid="message">
      <div class="bubble">
        {pending.media && <div class="bubble__file">{pending.media.name}</div>}
        {pending.text && (
          <div class="bubble__text" dir="auto">
            <RichText text={pending.text} />
          </div>
        )}
        <span class="bubble__meta">
          <time>{formatTime(pending.date)}</time>
          {pending.failed ? (
            <span class="ticks ticks--failed" role="img" aria-label="not sent">
              !
            </span>
          ) : (
            <Ticks status="sending" />
          )}
        </span>
      </div>
      {!pending.failed && pending.waiting && (
        <div class="msg__waiting" data-testid="message-waiting">
          Waiting for network…
        </div>
      )}
      {pending.failed && (
        <div class="msg__actions msg__actions--shown msg__actions--failed">
          {pending.error && <span class="form__error msg__error">{pending.error}</span>}
          <button type="button" class="btn btn--small" onClick={() => retryPending(chatKey, pending.randomId)}>
            Retry
          </button>
          <button type="button" class="btn btn--small" onClick={() => discardPending(chatKey, pending.randomId)}>
            Discard
          </button>
        </div>
      )}
    </div>
  );
}

/** A link's preview under the text: plain text the server read from the page, the whole card a link to it. */
function WebPageCard({ page }: { page: WebPage }) {
  return (
    <a class="webpage" data-testid="web-page" href={page.url} target="_blank" rel="noopener noreferrer nofollow">
      {page.site_name && <span class="webpage__site">{page.site_name}</span>}
      {page.title && <span class="webpage__title">{page.title}</span>}
      {page.description && <span class="webpage__description">{page.description}</span>}
    </a>
  );
}
