import { Component } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Dialog, Message } from '../api/types';
import { loadOlder, markRead } from './messages';
import { formatDay } from './format';
import { buildRows, estimate, replyOriginal, rowAt, type Row } from './messageRows';
import { peerKey } from './peers';
import { MessageBubble, PendingBubble, type MessageActions } from './MessageBubble';
import { emptyHistory, setState, useApp, type AppState, type History } from './store';
import { Icon } from './Icon';
import { nextMention, readAllMentions } from './mentions';
import { unreadInThreads } from './threads';
import { readTopic, topicHistory } from './topics';
import { PhotoViewer, isViewerPhoto } from './PhotoViewer';
import { BOTTOM_SLACK_PX, HeardScroll } from './heardScroll';

const OVERSCAN_PX = 800;
const LOAD_OLDER_PX = 1200;

/** The row a scroll position keeps in place as rows come and go, with its distance below the top of the view. */
function anchorAt(rows: Row[], offsets: number[], top: number): { key: string; delta: number } | null {
  // Anchored on a message: a day separator moves when older messages of its day arrive above it.
  let index = rowAt(offsets, top);
  if (rows[index]?.kind === 'day' && index + 1 < rows.length) index++;
  return rows[index] ? { key: rows[index].key, delta: offsets[index] - top } : null;
}

/**
 * The first unread message when the chat opened (undefined until known): older pages are fetched until the read
 * position is loaded (ten at most). It stays put while the chat is open, like Telegram's "Unread messages" bar.
 */
function useUnreadFrom(chatKey: string, history: History, dialog: Dialog | undefined, meId: number | undefined): number | null | undefined {
  const readAtOpen = useRef(dialog && dialog.unread_count > 0 ? dialog.read_inbox_max_id : null);
  const [from, setFrom] = useState<number | null | undefined>(readAtOpen.current === null ? null : undefined);
  const pages = useRef(0);
  useEffect(() => {
    const read = readAtOpen.current;
    if (from !== undefined || read === null || history.loading || history.messages.length === 0) return;
    if (history.messages[0].id > read && !history.complete && pages.current < 10) {
      pages.current++;
      void loadOlder(chatKey).catch(() => setFrom(null));
      return;
    }
    setFrom(history.messages.find((m) => m.id > read && m.from_id !== meId)?.id ?? null);
  }, [from, history]);
  return from;
}

/**
 * The conversation's messages, oldest at the top. Only rows near the viewport are in the DOM (a 10,000-message
 * history scrolls like a short one): heights are estimated, measured once rendered, and the row at the top of the
 * viewport keeps its place when rows above it change (older pages, images, edits). Sticks to the bottom while the
 * user is there.
 */
export function MessageList({ chatKey, topic = null, ...actions }: MessageActions & { chatKey: string; topic?: number | null }) {
  const state = useApp((s) => s);
  const whole = state.histories[chatKey] ?? emptyHistory;
  // A forum topic shows its own messages of the chat's loaded ones, and reads and pages by topic.
  const paging = topic === null ? undefined : state.topicPaging[`${chatKey}:${topic}`];
  const history = useMemo(() => (topic === null ? whole : topicHistory(whole, paging, topic)), [whole, paging, topic]);
  const dialog = state.dialogs.find((d) => peerKey(d.peer) === chatKey);
  const unreadFrom = useUnreadFrom(chatKey, history, topic === null ? dialog : undefined, state.me?.id);
  const rows = useMemo(() => buildRows(history.messages, history.pending, unreadFrom), [history.messages, history.pending, unreadFrom]);
  const byId = useMemo(() => new Map(history.messages.map((m) => [m.id, m])), [history.messages]);
  // The loaded history runs unbroken from the newest message back, and answers are newer than what they answer: for
  // any message shown, its replies are all here to count.
  const replyCounts = useMemo(() => {
    const counts = new Map<number, number>();
    for (const m of history.messages) if (m.reply_to_id && !m.action) counts.set(m.reply_to_id, (counts.get(m.reply_to_id) ?? 0) + 1);
    return counts;
  }, [history.messages]);
  const reads = state.threadReads[chatKey];
  const newReplies = useMemo(() => unreadInThreads(history.messages, reads, state.me?.id), [history.messages, reads, state.me?.id]);

  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const rowElements = useRef(new Map<string, HTMLElement>());
  const stick = useRef(true);
  const anchor = useRef<{ key: string; delta: number } | null>(null);
  const [heard] = useState(() => new HeardScroll());
  // The rows and offsets the last layout placed: a reader's scroll not heard of yet was made against them.
  const laid = useRef<{ rows: Row[]; offsets: number[] }>({ rows: [], offsets: [0] });
  const pendingShown = useRef(new Set<number>());
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  const [measured, setMeasured] = useState(0);
  const [atBottom, setAtBottom] = useState(true);
  const [highlight, setHighlight] = useState<string | null>(null);
  const wanted = useRef<number | null>(null);
  const positioned = useRef(false);
  const focus = state.focus;

  const offsets = useMemo(() => {
    const result = new Array<number>(rows.length + 1);
    result[0] = 0;
    for (let i = 0; i < rows.length; i++) result[i + 1] = result[i] + (heights.current.get(rows[i].key) ?? estimate(rows[i]));
    return result;
  }, [rows, measured]);
  const total = offsets[rows.length];
  const indexOf = useMemo(() => new Map(rows.map((row, i) => [row.key, i])), [rows]);

  const first = rows.length ? rowAt(offsets, Math.max(0, viewport.top - OVERSCAN_PX)) : 0;
  const last = rows.length ? rowAt(offsets, viewport.top + viewport.height + OVERSCAN_PX) : -1;

  const readVisible = useCallback(() => {
    const el = scroller.current;
    if (!el || document.visibilityState !== 'visible' || unreadFrom === undefined) return;
    const bottom = el.scrollTop + el.clientHeight;
    let maxId = 0;
    for (let i = rowAt(offsets, el.scrollTop); i < rows.length && offsets[i] < bottom; i++) {
      const row = rows[i];
      if (row.kind === 'message' && row.message.from_id !== state.me?.id) maxId = Math.max(maxId, row.message.id);
    }
    if (maxId) {
      if (topic === null) markRead(chatKey, maxId);
      else readTopic(chatKey, topic, maxId);
    }
  }, [offsets, rows, chatKey, unreadFrom, topic]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX;
    setAtBottom(stick.current);
    anchor.current = anchorAt(rows, offsets, el.scrollTop);
    heard.heard(el);
    setViewport({ top: el.scrollTop, height: el.clientHeight });
    if (el.scrollTop < LOAD_OLDER_PX && !history.complete && !history.loading) void loadOlder(chatKey).catch(() => undefined);
    readVisible();
  };

  // Measure what was rendered; restore the anchor (or the bottom) against the new offsets.
  useLayoutEffect(() => {
    let changed = false;
    for (const [key, element] of rowElements.current) {
      const height = element.offsetHeight;
      if (height && heights.current.get(key) !== height) {
        heights.current.set(key, height);
        changed = true;
      }
    }
    const el = scroller.current;
    // A scroll of the reader's whose event has not come yet (it comes with the next frame) is taken first: this render
    // must not put the history back where it was heard of last.
    const atEnd = el ? heard.movedToEnd(el, BOTTOM_SLACK_PX) : undefined;
    if (el && atEnd !== undefined) {
      stick.current = atEnd;
      anchor.current = anchorAt(laid.current.rows, laid.current.offsets, el.scrollTop);
    }
    // A text the user has just sent shows at the bottom, wherever the history was scrolled to (a file's message goes
    // when its upload is done, perhaps while the user reads older messages: it does not move them).
    if (history.pending.some((p) => !pendingShown.current.has(p.randomId) && !p.media)) stick.current = true;
    pendingShown.current = new Set(history.pending.map((p) => p.randomId));
    const marker = indexOf.get('unread');
    if (el && !positioned.current && unreadFrom !== undefined) {
      positioned.current = true;
      // Open at the first unread message unless it is on the last screen anyway, or a message of the user's that the
      // server refused waits at the end (the chat list showed its "!"): its Retry is what the user came for.
      const refused = history.pending.some((p) => p.failed);
      if (marker !== undefined && !refused && offsets[marker] < total - el.clientHeight) {
        stick.current = false;
        el.scrollTop = Math.max(0, offsets[marker] - 8);
        anchor.current = { key: 'unread', delta: offsets[marker] - el.scrollTop };
      }
    }
    if (el) {
      if (stick.current) el.scrollTop = el.scrollHeight;
      else if (anchor.current && indexOf.has(anchor.current.key)) {
        el.scrollTop = offsets[indexOf.get(anchor.current.key)!] - anchor.current.delta;
      }
      heard.heard(el);
    }
    laid.current = { rows, offsets };
    if (changed) setMeasured((n) => n + 1);
  });

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport({ top: el.scrollTop, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    readVisible();
    const el = scroller.current;
    // A short first page does not fill the viewport, and a reader at the top waits for more: fetch until it does or the history ends.
    const wantsOlder = el && (el.scrollHeight <= el.clientHeight + LOAD_OLDER_PX || (!stick.current && el.scrollTop < LOAD_OLDER_PX));
    if (wantsOlder && !history.complete && !history.loading && history.messages.length) {
      void loadOlder(chatKey).catch(() => undefined);
    }
    document.addEventListener('visibilitychange', readVisible);
    return () => document.removeEventListener('visibilitychange', readVisible);
  }, [readVisible, history.complete, history.loading]);

  /** Scrolls to a message and flashes it; one not loaded yet is looked for in older pages first. */
  const jump = (messageId: number) => {
    const key = `m${messageId}`;
    const index = indexOf.get(key);
    const el = scroller.current;
    if (!el) return;
    if (index === undefined) {
      // Older pages are read only while the message may be in them (a link's id from elsewhere stops at once).
      const oldest = history.messages[0]?.id ?? Number.MAX_SAFE_INTEGER;
      wanted.current = history.complete || oldest < messageId ? null : messageId;
      if (wanted.current) void loadOlder(chatKey).catch(() => undefined);
      return;
    }
    wanted.current = null;
    stick.current = false;
    el.scrollTop = Math.max(0, offsets[index] - el.clientHeight / 3);
    anchor.current = { key, delta: offsets[index] - el.scrollTop };
    heard.heard(el);
    setHighlight(key);
    setTimeout(() => setHighlight((current) => (current === key ? null : current)), 1500);
  };

  useEffect(() => {
    if (focus?.key === chatKey) {
      setState({ focus: null });
      wanted.current = focus.messageId;
    }
    if (wanted.current && !history.loading) jump(wanted.current);
  });

  // A photo opens in one viewer for the list (a row's own would close as the row scrolls out of the DOM, and could not
  // go to the chat's other photos).
  const [viewing, setViewing] = useState<number | null>(null);
  const photos = useMemo(() => history.messages.filter(isViewerPhoto), [history.messages]);
  const latest = useRef({ ...actions, onJump: jump, onOpenPhoto: (m: Message) => setViewing(m.id) });
  latest.current = { ...actions, onJump: jump, onOpenPhoto: (m: Message) => setViewing(m.id) };
  const stableActions = useMemo<RowActions>(
    () => ({
      onReply: (m, q) => latest.current.onReply(m, q),
      onEdit: (m) => latest.current.onEdit(m),
      onDelete: (m) => latest.current.onDelete(m),
      onPin: (m) => latest.current.onPin?.(m),
      onReact: (m, r) => latest.current.onReact?.(m, r),
      onForward: (m) => latest.current.onForward?.(m),
      onSeenBy: (m) => latest.current.onSeenBy?.(m),
      onOpenPhoto: (m) => latest.current.onOpenPhoto(m),
      onJump: (id) => latest.current.onJump(id),
    }),
    [],
  );

  const toBottom = () => {
    const el = scroller.current;
    if (!el) return;
    stick.current = true;
    el.scrollTop = el.scrollHeight;
    heard.heard(el);
  };

  const unread = dialog?.unread_count ?? 0;
  const mentions = dialog?.unread_mentions_count ?? 0;
  const visible = rows.slice(first, last + 1);
  return (
    <div class="messages">
      <div class="messages__scroller" ref={scroller} onScroll={onScroll} tabIndex={-1}>
        <div class="messages__canvas" role="list" aria-label="Chat history" aria-busy={history.loading} style={{ height: total }}>
          {history.loading && <div class="messages__loading muted">Loading…</div>}
          {history.complete && rows.length === 0 && <div class="messages__empty muted">No messages here yet</div>}
          {visible.map((row, i) => (
            <RowView
              key={row.key}
              row={row}
              top={offsets[first + i]}
              highlighted={highlight === row.key}
              state={state}
              dialog={dialog}
              replyTo={
                row.kind !== 'message' || !row.message.reply_to_id
                  ? undefined
                  : topic === null
                    ? replyOriginal(history, byId, row.message.reply_to_id)
                    : byId.get(row.message.reply_to_id)
              }
              replies={row.kind === 'message' ? (replyCounts.get(row.message.id) ?? 0) : 0}
              newReplies={row.kind === 'message' ? (newReplies.get(row.message.id) ?? 0) : 0}
              chatKey={chatKey}
              actions={stableActions}
              elements={rowElements.current}
            />
          ))}
        </div>
      </div>
      {mentions > 0 && (
        <button
          type="button"
          class="to-bottom to-mention"
          aria-label={`Next mention (${mentions} unread)`}
          data-testid="next-mention"
          onClick={() => void nextMention(chatKey).catch(() => undefined)}
        >
          @<span class="badge">{mentions}</span>
        </button>
      )}
      {mentions > 0 && (
        <button
          type="button"
          class="read-mentions"
          title="Mark mentions as read"
          aria-label="Mark mentions as read"
          data-testid="read-mentions"
          onClick={() => void readAllMentions(chatKey).catch(() => undefined)}
        >
          <Icon name="check" />
        </button>
      )}
      {!atBottom && (
        <button type="button" class="to-bottom" aria-label="Scroll to the latest messages" onClick={toBottom}>
          <Icon name="down" />
          {unread > 0 && <span class="badge">{unread}</span>}
        </button>
      )}
      {viewing !== null && (
        <PhotoViewer
          photos={photos}
          shownId={viewing}
          complete={history.complete}
          loading={history.loading}
          onOlder={() => loadOlder(chatKey)}
          onShow={setViewing}
          onClose={() => setViewing(null)}
        />
      )}
    </div>
  );
}

type RowActions = MessageActions & { onJump: (messageId: number) => void };

interface RowProps {
  row: Row;
  top: number;
  highlighted: boolean;
  state: AppState;
  dialog: Dialog | undefined;
  replyTo: Message | 'deleted' | undefined;
  /** How many loaded messages answer this one (its thread). */
  replies: number;
  /** Of those, how many are new to the user (threads.ts). */
  newReplies: number;
  chatKey: string;
  actions: RowActions;
  elements: Map<string, HTMLElement>;
}

/** One positioned row; it renders again only when something it shows changed (not on every scroll frame). */
class RowView extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    return (
      next.row !== p.row ||
      next.top !== p.top ||
      next.highlighted !== p.highlighted ||
      next.replyTo !== p.replyTo ||
      next.replies !== p.replies ||
      next.newReplies !== p.newReplies ||
      next.state.users !== p.state.users ||
      next.state.chats !== p.state.chats ||
      next.state.me !== p.state.me ||
      next.dialog?.read_outbox_max_id !== p.dialog?.read_outbox_max_id ||
      next.dialog?.delivered_max_id !== p.dialog?.delivered_max_id ||
      next.dialog?.pinned_message?.id !== p.dialog?.pinned_message?.id ||
      next.state.myRoles !== p.state.myRoles ||
      next.state.leftChats !== p.state.leftChats
    );
  }

  override componentWillUnmount(): void {
    this.props.elements.delete(this.props.row.key);
  }

  override render({ row, top, highlighted, state, dialog, replyTo, replies, newReplies, chatKey, actions, elements }: RowProps) {
    return (
      <div
        class={`messages__row${highlighted ? ' messages__row--highlight' : ''}`}
        style={{ top }}
        ref={(element) => {
          if (element) elements.set(row.key, element);
        }}
      >
        {row.kind === 'day' ? (
          <div class="day-separator">
            <span>{formatDay(row.day)}</span>
          </div>
        ) : row.kind === 'unread' ? (
          <div class="unread-separator" data-testid="unread-separator">
            <span>Unread messages</span>
          </div>
        ) : row.kind === 'pending' ? (
          <PendingBubble chatKey={chatKey} pending={row.pending} />
        ) : (
          <MessageBubble
            state={state}
            message={row.message}
            continued={row.continued}
            dialog={dialog}
            replyTo={replyTo}
            replies={replies}
            newReplies={newReplies}
            {...actions}
          />
        )}
      </div>
    );
  }
}
