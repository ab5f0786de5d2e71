import { Fragment } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Message, ReplyQuote } from '../api/types';
import { MemberRole, PeerKind, isMuted } from '../api/types';
import { clearHistory, deleteMessages, openChat, sendFile } from './messages';
import { Avatar } from './Avatar';
import { Composer } from './Composer';
import { errorText, presenceText } from './format';
import { MessageList } from './MessageList';
import { Modal } from './Modal';
import { ContactDialog } from './Contacts';
import { isChannel, peerFromKey, peerKey, peerPhoto, peerTitle, periodText, previewText, userName } from './peers';
import { getState, setState, useApp, type AppState } from './store';
import { ForwardDialog } from './ForwardDialog';
import { ChatSearch } from './ChatSearch';
import { Icon, type IconName } from './Icon';
import { loadJoinRequestCount } from './joinRequests';
import { exportChat } from './exportChat';
import { setMuted } from './notifications';
import { dialogPinned, ensureUsers, updateDialog } from './chats';
import { api } from './connection';
import { canPin, loadPinned, pinMessage, unpinAll, unpinMessage } from './pins';
import { myPermissions } from './permissions';
import { startCall } from './calls';
import { GroupCallBar, StartGroupCallButton } from './GroupCallBar';
import { ChatFoldersDialog } from './Folders';
import { AutoDeletePeriods, canSetAutoDelete, setAutoDelete } from './autoDelete';
import { react } from './reactions';
import { useDismiss, useMenu } from './dismiss';
import { TopicBar, TopicList } from './Topics';
import { unmarkDone } from './pending';
import { closeTopic, inTopic, isChatAdmin, isForum, topicOf } from './topics';
import { startSecretChat } from './secret';

export function Conversation({ chatKey }: { chatKey: string }) {
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [quote, setQuote] = useState<ReplyQuote | null>(null);
  const [editing, setEditing] = useState<Message | null>(null);
  const [deleting, setDeleting] = useState<Message | null>(null);
  const [forwarding, setForwarding] = useState<Message | null>(null);
  const [seenBy, setSeenBy] = useState<Message | null>(null);
  const [searching, setSearching] = useState(false);
  const [dropping, setDropping] = useState(false);
  const hasFiles = (event: DragEvent) => !!event.dataTransfer?.types.includes('Files');
  const peer = peerFromKey(chatKey);
  const left = useApp((s) => peer.kind === PeerKind.Chat && !!s.leftChats[peer.id]);
  // A channel's subscribers read; so do a group's plain members when its admins took posting from them.
  const readOnly = useApp((s) => peer.kind === PeerKind.Chat && s.myRoles[peer.id] === MemberRole.Member && !myPermissions(s, chatKey).send_messages);
  const channel = useApp((s) => peer.kind === PeerKind.Chat && isChannel(s.chats[peer.id]));
  const mayPostFiles = useApp((s) => myPermissions(s, chatKey).send_media);
  const deletedPeer = useApp((s) => peer.kind === PeerKind.User && !!s.users[peer.id]?.deleted);
  // A forum shows its topic list, or one topic's messages with a composer that posts into it.
  const forum = useApp((s) => isForum(s, chatKey));
  const topic = useApp((s) => (s.active === chatKey && forum ? s.topic : null));
  const topicClosed = useApp((s) => topic !== null && !!topicOf(s, chatKey, topic)?.closed && !isChatAdmin(s, chatKey));
  const onTopicList = forum && topic === null;
  // Inside an open topic the chat's search searches it.
  const searchedTopicTitle = useApp((s) => (topic !== null ? (topicOf(s, chatKey, topic)?.title ?? null) : null));
  const searchedTopic = topic !== null ? { id: topic, title: searchedTopicTitle ?? '' } : null;
  const shownForum = useRef({ chatKey, forum });
  useEffect(() => {
    const was = shownForum.current;
    shownForum.current = { chatKey, forum };
    if (was.chatKey !== chatKey || was.forum === forum || forum) return;
    // Topics turned off while the chat is on screen (a topic or the list): what was loaded went with the flag
    // (withChats); back to the whole history, read again from the newest.
    closeTopic();
    openChat(chatKey);
  }, [forum, chatKey]);
  const canSend = !left && !readOnly && !deletedPeer && mayPostFiles && !onTopicList && !topicClosed;
  const [actionError, setActionError] = useState('');
  const pin = (message: Message | null) => {
    setActionError('');
    pinMessage(chatKey, message).catch((e) => setActionError(errorText(e)));
  };
  return (
    <section
      class={`conversation${dropping ? ' conversation--dropping' : ''}`}
      aria-label="Conversation"
      onDragOver={(e) => {
        if (!canSend || !hasFiles(e)) return;
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDropping(false);
      }}
      onDrop={(e) => {
        setDropping(false);
        if (!canSend || !hasFiles(e)) return;
        e.preventDefault();
        for (const file of Array.from(e.dataTransfer?.files ?? [])) void sendFile(chatKey, file, '', null);
      }}
    >
      {dropping && (
        <div class="drop-hint" aria-hidden="true">
          Drop files to send them
        </div>
      )}
      <ConversationHeader chatKey={chatKey} onSearch={() => setSearching((open) => !open)} onError={setActionError} />
      {searching && <ChatSearch key={`${chatKey}:${topic ?? ''}`} chatKey={chatKey} topic={searchedTopic} onClose={() => setSearching(false)} />}
      {peerFromKey(chatKey).kind === PeerKind.Chat && <GroupCallBar chatId={peerFromKey(chatKey).id} />}
      <PinnedBar
        chatKey={chatKey}
        onError={(e) => setActionError(errorText(e))}
      />
      {actionError && (
        <p class="form__error conversation__error" role="alert">
          {actionError}
        </p>
      )}
      {forum && topic !== null && <TopicBar chatKey={chatKey} topicId={topic} />}
      {onTopicList ? (
        <TopicList chatKey={chatKey} />
      ) : (
      <MessageList
        key={`${chatKey}:${topic ?? ''}`}
        topic={topic}
        onPin={pin}
        onForward={setForwarding}
        onSeenBy={setSeenBy}
        onReact={(message, reaction) => {
          setActionError('');
          react(chatKey, message, reaction).catch((e) => setActionError(errorText(e)));
        }}
        chatKey={chatKey}
        onReply={(m, q) => {
          setEditing(null);
          setReplyTo(m);
          setQuote(q ?? null);
        }}
        onEdit={(m) => {
          setReplyTo(null);
          setEditing(m);
        }}
        onDelete={setDeleting}
      />
      )}
      {onTopicList ? null : left ? (
        <p class="conversation__left muted" role="status">
          You are no longer a member of this group
        </p>
      ) : readOnly ? (
        <p class="conversation__left muted" role="status">
          {channel ? 'Only admins can post in this channel' : 'Only admins can send messages in this group'}
        </p>
      ) : deletedPeer ? (
        <p class="conversation__left muted" role="status">
          This account was deleted
        </p>
      ) : topicClosed ? (
        <p class="conversation__left muted" role="status">
          This topic is closed
        </p>
      ) : (
        <Composer
          chatKey={chatKey}
          replyTo={replyTo}
          quote={quote}
          editing={editing}
          onDone={() => {
            setReplyTo(null);
            setQuote(null);
            setEditing(null);
          }}
          onEditLast={() => {
            const { histories, me } = getState();
            const mine = [...(histories[chatKey]?.messages ?? [])]
              .reverse()
              .find((m) => m.from_id === me?.id && !m.media && !m.action && !m.poll && !m.fwd_from_id && (topic === null || inTopic(m, topic)));
            if (!mine) return;
            setReplyTo(null);
            setEditing(mine);
          }}
        />
      )}
      {deleting && <DeleteDialog chatKey={chatKey} message={deleting} onClose={() => setDeleting(null)} />}
      {forwarding && <ForwardDialog chatKey={chatKey} message={forwarding} onClose={() => setForwarding(null)} />}
      {seenBy && <SeenByDialog chatKey={chatKey} message={seenBy} onClose={() => setSeenBy(null)} />}
    </section>
  );
}

/** For the chat's admins: how many asked to join by a link that needs approval; a click opens the chat's info. */
function JoinRequestsChip({ chatId }: { chatId: number }) {
  const admin = useApp((s) => (s.myRoles[chatId] ?? MemberRole.Member) >= MemberRole.Admin);
  const count = useApp((s) => s.joinRequests[chatId] ?? 0);
  useEffect(() => {
    if (admin) void loadJoinRequestCount(chatId).catch(() => undefined);
  }, [chatId, admin]);
  if (!admin || count === 0) return null;
  const text = count === 1 ? '1 request to join' : `${count} requests to join`;
  return (
    <button
      type="button"
      class="btn btn--small join-requests-chip"
      data-testid="join-requests-chip"
      title={text}
      onClick={() => setState({ panel: 'info' })}
    >
      {text}
    </button>
  );
}

/** One of the header's buttons: an icon in the row, or a line of the *More* menu when the header is narrow. */
interface HeaderAction {
  /** Stays the same when the label does (Mute, Unmute): the button keeps its focus. */
  id: string;
  label: string;
  title: string;
  icon: IconName;
  onClick: () => void;
  /** Kept in the row however narrow the header (a call, the search); the others go into *More*. */
  primary?: boolean;
  pressed?: boolean;
  /** A setting that is on (auto-delete): the icon in the accent colour. */
  on?: boolean;
  disabled?: boolean;
  testId?: string;
}

/** The fixed part of the header's row (its padding, the back button, the chat's name at its narrowest) and each icon
 * button's width with its gap: below their sum the less used buttons go into *More*. */
const HEADER_FIXED_PX = 24 + 44 + 154;
const HEADER_BUTTON_PX = 44;

/** Whether the element is narrower than `needed` pixels, followed as it resizes (the window, the info panel beside it). */
function useNarrowerThan(needed: number) {
  const ref = useRef<HTMLElement>(null);
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(element.clientWidth);
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, narrow: width !== null && width < needed };
}

function ConversationHeader({ chatKey, onSearch, onError }: { chatKey: string; onSearch: () => void; onError: (text: string) => void }) {
  const peer = peerFromKey(chatKey);
  // "last seen 5 minutes ago" ages: render again every half minute.
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);
  const title = useApp((s) => peerTitle(s, peer));
  const status = useApp((s) => statusLine(s, chatKey));
  const online = useApp((s) => peer.kind === PeerKind.User && !!s.presence[peer.id]?.online);
  const photo = useApp((s) => peerPhoto(s, peer));
  const muted = useApp((s) => isMuted(s.dialogs.find((d) => d.peer.kind === peer.kind && d.peer.id === peer.id)));
  const pinned = useApp((s) => !!s.dialogs.find((d) => peerKey(d.peer) === chatKey)?.pinned);
  const archived = useApp((s) => !!s.dialogs.find((d) => peerKey(d.peer) === chatKey)?.archived);
  const [clearing, setClearing] = useState(false);
  const [timing, setTiming] = useState(false);
  const [foldering, setFoldering] = useState(false);
  const autoDelete = useApp((s) => s.dialogs.find((d) => peerKey(d.peer) === chatKey)?.ttl_period ?? 0);
  const mayTime = useApp((s) => canSetAutoDelete(s, chatKey));
  const hasFolders = useApp((s) => s.folders.length > 0);
  const [exporting, setExporting] = useState(false);
  // A person (not a bot, not oneself, not a deleted account) can be called, one call at a time.
  const callable = useApp(
    (s) => peer.kind === PeerKind.User && peer.id !== s.me?.id && !s.users[peer.id]?.bot && !s.users[peer.id]?.deleted && !!window.RTCPeerConnection,
  );
  const inCall = useApp((s) => !!s.call);
  // A person not in the contacts yet: "Add to contacts" with their display name to begin with.
  const addable = useApp(
    (s) => peer.kind === PeerKind.User && peer.id !== s.me?.id && !!s.users[peer.id] && !s.users[peer.id]?.bot && !s.users[peer.id]?.deleted && !s.contacts[peer.id],
  );
  const [addingContact, setAddingContact] = useState(false);
  // A secret chat is with a person: not a bot, not oneself, not a deleted account.
  const secretable = useApp((s) => peer.kind === PeerKind.User && peer.id !== s.me?.id && !!s.users[peer.id] && !s.users[peer.id]?.bot && !s.users[peer.id]?.deleted);
  const exportHistory = () => {
    onError('');
    setExporting(true);
    exportChat(chatKey, title)
      .catch((e) => onError(errorText(e)))
      .finally(() => setExporting(false));
  };
  const toggleMute = () => {
    onError('');
    setMuted(chatKey, !muted).catch((e) => onError(errorText(e)));
  };
  /** One of the user's own settings of this chat: the call, then what changes here once it is stored. */
  const setting = (call: () => Promise<unknown>, done: () => void) => {
    onError('');
    call().then(done, (e) => onError(errorText(e)));
  };
  const markUnread = () =>
    setting(
      () => {
        // An earlier removal of the mark not answered yet must not be sent again over this one at the next start.
        unmarkDone(chatKey);
        return api().messages.markDialogUnread({ peer, unread: true });
      },
      () => {
        if (getState().active === chatKey) openChat(null);
        updateDialog(chatKey, (d) => ({ ...d, unread_mark: true }));
      },
    );
  const toggleArchive = () =>
    setting(
      () => api().messages.toggleDialogArchive({ peer, archived: !archived }),
      () => updateDialog(chatKey, (d) => ({ ...d, archived: !archived })),
    );
  const togglePin = () =>
    setting(
      () => api().messages.toggleDialogPin({ peer, pinned: !pinned }),
      () => dialogPinned(chatKey, !pinned),
    );
  const actions: HeaderAction[] = [
    {
      id: 'pin',
      label: pinned ? 'Unpin chat' : 'Pin chat',
      title: pinned ? 'Unpin chat from the top of the list' : 'Pin chat to the top of the list',
      icon: 'pin',
      pressed: pinned,
      onClick: togglePin,
    },
    {
      id: 'mute',
      label: muted ? 'Unmute' : 'Mute',
      title: muted ? 'Unmute notifications' : 'Mute notifications',
      icon: muted ? 'bellOff' : 'bell',
      pressed: muted,
      testId: 'mute-toggle',
      onClick: toggleMute,
    },
    ...(callable
      ? [
          { id: 'call', label: 'Call', title: 'Voice call', icon: 'phone', primary: true, disabled: inCall, onClick: () => void startCall(peer.id) } as const,
          { id: 'video', label: 'Video call', title: 'Video call', icon: 'camera', disabled: inCall, onClick: () => void startCall(peer.id, true) } as const,
        ]
      : []),
    ...(addable ? [{ id: 'contact', label: 'Add to contacts', title: 'Add to contacts', icon: 'userPlus', onClick: () => setAddingContact(true) } as const] : []),
    ...(secretable
      ? [
          {
            id: 'secret',
            label: 'Start secret chat',
            title: 'Start secret chat: end-to-end encrypted, on this device only',
            icon: 'lock',
            onClick: () => {
              onError('');
              startSecretChat(peer.id).then(openChat, (e) => onError(errorText(e)));
            },
          } as const,
        ]
      : []),
    { id: 'search', label: 'Search in chat', title: 'Search in this chat', icon: 'search', primary: true, onClick: onSearch },
    ...(mayTime || autoDelete > 0
      ? [
          {
            id: 'auto-delete',
            label: 'Auto-delete',
            title: autoDelete > 0 ? `Messages are deleted after ${periodText(autoDelete)}` : 'Auto-delete is off',
            icon: 'timer',
            pressed: autoDelete > 0,
            on: autoDelete > 0,
            disabled: !mayTime,
            testId: 'auto-delete',
            onClick: () => setTiming(true),
          } as const,
        ]
      : []),
    { id: 'export', label: 'Export chat', title: 'Save the whole history as a JSON file', icon: 'download', disabled: exporting, onClick: exportHistory },
    { id: 'unread', label: 'Mark as unread', title: 'Mark as unread and close', icon: 'markUnread', onClick: markUnread },
    ...(hasFolders ? [{ id: 'folders', label: 'Folders', title: 'Put this chat in folders', icon: 'folder', onClick: () => setFoldering(true) } as const] : []),
    {
      id: 'archive',
      label: archived ? 'Unarchive chat' : 'Archive chat',
      title: archived ? 'Move back to the chat list' : 'Move to the archive',
      icon: 'archive',
      pressed: archived,
      onClick: toggleArchive,
    },
    {
      id: 'delete',
      label: peer.kind === PeerKind.User ? 'Delete chat' : 'Clear history',
      title: peer.kind === PeerKind.User ? 'Delete this chat' : 'Clear the history for yourself',
      icon: 'trash',
      onClick: () => setClearing(true),
    },
  ];
  // A group's voice chat button and its admins' join requests take a place in the row too.
  const extra = peer.kind === PeerKind.Chat ? 4 : 0;
  const { ref: header, narrow } = useNarrowerThan(HEADER_FIXED_PX + HEADER_BUTTON_PX * (actions.length + extra));
  const inRow = narrow ? actions.filter((a) => a.primary) : actions;
  return (
    <header class={`conversation__header${narrow ? ' conversation__header--narrow' : ''}`} ref={header}>
      <button type="button" class="icon-btn conversation__back" aria-label="Back" onClick={() => openChat(null)}>
        <Icon name="back" />
      </button>
      <button type="button" class="conversation__peer" aria-label="Chat info" onClick={() => setState((s) => ({ panel: s.panel === 'info' ? null : 'info' }))}>
        <Avatar id={peer.id} name={title} online={online} size="sm" photo={photo} />
        <span class="conversation__titles">
          <span class="conversation__title" data-testid="chat-title" title={title}>
            {title}
          </span>
          <span class={`conversation__status${status.active ? ' conversation__status--active' : ''}`} data-testid="chat-status">
            {status.text}
          </span>
        </span>
      </button>
      {peer.kind === PeerKind.Chat && <JoinRequestsChip chatId={peer.id} />}
      <div class="conversation__actions">
        {inRow.map((action) => (
          <Fragment key={action.id}>
            {action.id === 'search' && peer.kind === PeerKind.Chat && <StartGroupCallButton chatId={peer.id} />}
            <button
              type="button"
              class={`icon-btn${action.on ? ' icon-btn--on' : ''}`}
              aria-label={action.label}
              title={action.title}
              aria-pressed={action.pressed}
              data-testid={action.testId}
              disabled={action.disabled}
              onClick={action.onClick}
            >
              <Icon name={action.icon} />
            </button>
          </Fragment>
        ))}
        {narrow && <MoreMenu actions={actions.filter((a) => !a.primary)} />}
      </div>
      {clearing && <ClearHistoryDialog chatKey={chatKey} onClose={() => setClearing(false)} />}
      {timing && <AutoDeleteDialog chatKey={chatKey} current={autoDelete} onClose={() => setTiming(false)} />}
      {foldering && <ChatFoldersDialog chatKey={chatKey} onClose={() => setFoldering(false)} />}
      {addingContact && <ContactDialog userId={peer.id} onClose={() => setAddingContact(false)} />}
    </header>
  );
}

/**
 * The narrow header's *More*: the chat's less used buttons as a menu, each with its name. Focus goes to its first item,
 * the arrows move between items, and Escape or a press outside closes it (useDismiss); an item chosen closes it too.
 */
function MoreMenu({ actions }: { actions: HeaderAction[] }) {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const menu = useMenu<HTMLDivElement>(open, (byKey) => {
    setOpen(false);
    if (byKey) toggle.current?.focus();
  });
  if (actions.length === 0) return null;
  return (
    <div class="header-menu" ref={menu}>
      <button
        ref={toggle}
        type="button"
        class="icon-btn"
        aria-label="More"
        title="More actions"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="more" />
      </button>
      {open && (
        <div class="send-menu header-menu__list" role="menu" aria-label="More actions" data-testid="header-menu">
          {actions.map((action) => (
            <button
              key={action.id}
              type="button"
              role="menuitem"
              class={`send-menu__item${action.on ? ' send-menu__item--on' : ''}`}
              title={action.title}
              data-testid={action.testId}
              disabled={action.disabled}
              onClick={() => {
                setOpen(false);
                action.onClick();
              }}
            >
              <Icon name={action.icon} /> {action.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** The chat's pinned messages above the history, the newest first: "Pinned message #k of N" when there are several; a
 * click shows the one named in the history and moves the bar to the next older (cycling, as Telegram's bar does); ×
 * unpins the one shown (where allowed); the list button opens them all, each with Unpin, and Unpin all. */
function PinnedBar({ chatKey, onError }: { chatKey: string; onError: (e: unknown) => void }) {
  const newest = useApp((s) => s.dialogs.find((d) => peerKey(d.peer) === chatKey)?.pinned_message ?? null);
  const count = useApp((s) => s.dialogs.find((d) => peerKey(d.peer) === chatKey)?.pinned_count ?? 0);
  const mayUnpin = useApp((s) => canPin(s, chatKey));
  const touched = useApp((s) => s.pinsTouched[chatKey] ?? 0);
  const [list, setList] = useState<Message[] | null>(null);
  const [index, setIndex] = useState(0);
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const bar = useDismiss<HTMLDivElement>(open, (byKey) => {
    setOpen(false);
    if (byKey) toggle.current?.focus();
  });
  // The list is refetched whenever the newest pin, the count or anything else about the pins may have changed (a pin
  // event, an edit, a delete: pinsTouched): an update names what changed, but a device that caught up over a revoke may
  // have missed entries, and the server's list is the truth.
  useEffect(() => {
    let live = true;
    setIndex(0);
    loadPinned(chatKey)
      .then((messages) => live && setList(messages))
      .catch(() => live && setList(null));
    return () => {
      live = false;
    };
  }, [chatKey, newest?.id ?? 0, count, touched]);
  // Unpinned all: the bar goes at once, not when the list comes back.
  const pins = count === 0 && !newest ? [] : (list ?? (newest ? [newest] : []));
  const shown = pins[Math.min(index, pins.length - 1)] ?? null;
  const text = useApp((s) => (shown ? previewText(s, shown) : ''));
  if (!shown) return null;
  const position = pins.length - Math.min(index, pins.length - 1);
  const act = (work: Promise<void>) => work.catch(onError);
  return (
    <div ref={bar} class="pinned" data-testid="pinned-bar">
      <button
        type="button"
        class="pinned__body"
        aria-label="Show the pinned message"
        onClick={() => {
          setState({ focus: { key: chatKey, messageId: shown.id } });
          setIndex((i) => (i + 1) % pins.length);
        }}
      >
        <span class="pinned__label">{pins.length > 1 ? `Pinned message #${position} of ${pins.length}` : 'Pinned message'}</span>
        <span class="pinned__text">{text}</span>
      </button>
      {pins.length > 1 && (
        <button
          ref={toggle}
          type="button"
          class="icon-btn icon-btn--small"
          aria-label="All pinned messages"
          title="All pinned messages"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          <Icon name="menu" />
        </button>
      )}
      {mayUnpin && (
        <button type="button" class="icon-btn icon-btn--small" aria-label="Unpin" title="Unpin" onClick={() => act(unpinMessage(chatKey, shown.id))}>
          <Icon name="close" />
        </button>
      )}
      {open && pins.length > 1 && (
        <PinnedList
          chatKey={chatKey}
          pins={pins}
          mayUnpin={mayUnpin}
          onShow={(id) => {
            setState({ focus: { key: chatKey, messageId: id } });
            setOpen(false);
          }}
          onUnpin={(id) => act(unpinMessage(chatKey, id))}
          onUnpinAll={() => {
            setOpen(false);
            void act(unpinAll(chatKey));
          }}
        />
      )}
    </div>
  );
}

function PinnedList(props: {
  chatKey: string;
  pins: Message[];
  mayUnpin: boolean;
  onShow: (id: number) => void;
  onUnpin: (id: number) => void;
  onUnpinAll: () => void;
}) {
  const texts = useApp((s) => props.pins.map((m) => previewText(s, m)));
  return (
    <div class="pinned__list" role="dialog" aria-label="Pinned messages" data-testid="pinned-list">
      <ul>
        {props.pins.map((m, i) => (
          <li key={m.id} class="pinned__item">
            <button type="button" class="pinned__item-text" onClick={() => props.onShow(m.id)}>
              {texts[i]}
            </button>
            {props.mayUnpin && (
              <button type="button" class="btn btn--small" aria-label={`Unpin “${texts[i]}”`} onClick={() => props.onUnpin(m.id)}>
                Unpin
              </button>
            )}
          </li>
        ))}
      </ul>
      {props.mayUnpin && (
        <button type="button" class="btn btn--small btn--ghost pinned__unpin-all" onClick={props.onUnpinAll}>
          Unpin all messages
        </button>
      )}
    </div>
  );
}

function statusLine(s: AppState, chatKey: string): { text: string; active: boolean } {
  // Presence and typing are as old as the link's end: "online" would be a guess (Telegram says the same here).
  if (s.everOnline && s.conn !== 'online') return { text: 'waiting for network…', active: false };
  const peer = peerFromKey(chatKey);
  const typers = Object.keys(s.typing[chatKey] ?? {}).map(Number);
  if (peer.kind === PeerKind.Chat) {
    if (typers.length === 1) return { text: `${userName(s, typers[0])} is typing…`, active: true };
    if (typers.length > 1) return { text: `${typers.length} people are typing…`, active: true };
    const chat = s.chats[peer.id];
    if (!chat) return { text: '', active: false };
    const noun = isChannel(chat) ? 'subscriber' : 'member';
    return { text: `${chat.member_count} ${noun}${chat.member_count === 1 ? '' : 's'}`, active: false };
  }
  if (peer.id === s.me?.id) return { text: '', active: false };
  if (s.users[peer.id]?.deleted) return { text: 'deleted account', active: false };
  if (typers.length) return { text: 'typing…', active: true };
  // A bot has no devices, so no presence: "bot" says more than "last seen a long time ago".
  if (s.users[peer.id]?.bot) return { text: 'bot', active: false };
  const presence = s.presence[peer.id];
  if (!presence) return { text: '', active: false };
  return { text: presenceText(presence), active: presence.online };
}

/** Who has read one of the user's own messages in a small group (messages.getReadParticipants). */
function SeenByDialog({ chatKey, message, onClose }: { chatKey: string; message: Message; onClose: () => void }) {
  const [readers, setReaders] = useState<number[] | null>(null);
  const [error, setError] = useState('');
  const names = useApp((s) => (readers ?? []).map((id) => userName(s, id)));
  useEffect(() => {
    api()
      .messages.getReadParticipants({ peer: peerFromKey(chatKey), id: message.id })
      .then(
        async (found) => {
          await ensureUsers(found.user_ids);
          setReaders(found.user_ids);
        },
        (e) => setError(errorText(e)),
      );
  }, [message.id]);
  return (
    <Modal title="Seen by" onClose={onClose}>
      {error && <p class="form__error" role="alert">{error}</p>}
      {!readers && !error && <p class="muted">Loading…</p>}
      {readers && readers.length === 0 && <p class="muted">Nobody has read it yet</p>}
      {readers && readers.length > 0 && (
        <ul class="seen-by" aria-label="Read by">
          {names.map((name, i) => (
            <li key={readers[i]}>{name}</li>
          ))}
        </ul>
      )}
    </Modal>
  );
}

/** The chat's auto-delete timer, for everyone in it: new messages are deleted that long after they were sent. */
function AutoDeleteDialog({ chatKey, current, onClose }: { chatKey: string; current: number; onClose: () => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const choose = async (period: number) => {
    if (period === current) return onClose();
    setBusy(true);
    setError('');
    try {
      await setAutoDelete(chatKey, period);
      onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Modal title="Auto-delete messages" onClose={onClose}>
      <p class="muted">New messages in this chat are deleted for everyone this long after they are sent. Messages already here stay.</p>
      {error && <p class="form__error" role="alert">{error}</p>}
      <div class="button-column">
        {AutoDeletePeriods.map((period) => (
          <button
            key={period}
            type="button"
            class={`btn${period === current ? '' : ' btn--ghost'}`}
            aria-pressed={period === current}
            disabled={busy}
            onClick={() => void choose(period)}
          >
            {period === 0 ? 'Off' : periodText(period)}
          </button>
        ))}
      </div>
    </Modal>
  );
}

/** Deleting a private chat (for oneself, or one's own messages for both) or clearing a group's history for oneself. */
function ClearHistoryDialog({ chatKey, onClose }: { chatKey: string; onClose: () => void }) {
  const peer = peerFromKey(chatKey);
  const peerName = useApp((s) => peerTitle(s, peer));
  const withOther = useApp((s) => peer.kind === PeerKind.User && peer.id !== s.me?.id);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const clear = async (revoke: boolean) => {
    setBusy(true);
    setError('');
    try {
      await clearHistory(chatKey, revoke);
      onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  const isPrivate = peer.kind === PeerKind.User;
  return (
    <Modal title={isPrivate ? 'Delete chat?' : 'Clear history?'} onClose={onClose}>
      <p class="muted">
        {isPrivate
          ? `The messages of this chat are deleted for you. ${withOther ? `${peerName} keeps their copy unless you delete yours for them too.` : ''}`
          : 'The messages of this group are deleted for you; the other members keep theirs.'}
      </p>
      {error && <p class="form__error" role="alert">{error}</p>}
      <div class="button-column">
        {withOther && (
          <button type="button" class="btn btn--danger" disabled={busy} onClick={() => void clear(true)}>
            {`Delete, and my messages for ${peerName} too`}
          </button>
        )}
        <button type="button" class="btn" disabled={busy} onClick={() => void clear(false)}>
          {isPrivate ? 'Delete for me' : 'Clear for me'}
        </button>
        <button type="button" class="btn btn--ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

function DeleteDialog({ chatKey, message, onClose }: { chatKey: string; message: Message; onClose: () => void }) {
  const own = useApp((s) => s.me?.id === message.from_id);
  const peerName = useApp((s) => peerTitle(s, peerFromKey(chatKey)));
  const [error, setError] = useState('');
  const remove = async (revoke: boolean) => {
    try {
      await deleteMessages(chatKey, [message.id], revoke);
      onClose();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const isPrivate = chatKey.startsWith('u');
  return (
    <Modal title="Delete message?" onClose={onClose}>
      {error && <p class="form__error" role="alert">{error}</p>}
      <div class="button-column">
        {own && (
          <button type="button" class="btn btn--danger" onClick={() => void remove(true)}>
            {isPrivate ? `Delete for me and ${peerName}` : 'Delete for everyone'}
          </button>
        )}
        <button type="button" class="btn" onClick={() => void remove(false)}>
          Delete for me
        </button>
        <button type="button" class="btn btn--ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
