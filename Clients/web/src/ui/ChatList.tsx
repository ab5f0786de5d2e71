import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Dialog, Message, SearchFilter, User } from '../api/types';
import { PeerKind, isMuted, peerOf } from '../api/types';
import { ensureUsers, lastUnsent, rememberUsers, uploadingUnsent, withUnsent } from './chats';
import { openChat } from './messages';
import { Avatar } from './Avatar';
import { api } from './connection';
import { loadDraft } from './drafts';
import { dialogsIn, unreadChatsIn } from './folders';
import { formatListTime } from './format';
import { peerKey, peerPhoto, peerTitle, previewText, senderOf, unsentText, userName } from './peers';
import { lastSecretMessage, secretKey, secretPreview, secretUnread, type SecretChatView } from './secret';
import { isNameQuery, nameMatches } from './nameSearch';
import { setState, useApp } from './store';
import { Icon } from './Icon';
import { KindSelect } from './KindSelect';
import { openReports as openReportsPanel, reportsText } from './openReports';

export function ChatList() {
  const [query, setQuery] = useState('');
  const openReports = useApp((s) => s.openReports);
  const secretSynced = useApp((s) => s.secretSynced);
  const trimmed = query.trim();
  return (
    <div class="chat-list" data-secret-synced={secretSynced ? 'true' : undefined}>
      <header class="sidebar__header">
        <button type="button" class="icon-btn icon-btn--badged" aria-label="Settings" onClick={() => setState({ panel: 'settings' })}>
          <Icon name="menu" />
          {openReports > 0 && (
            <span class="badge badge--corner" data-testid="settings-reports-badge" title={`${reportsText(openReports)} to review`}>
              {openReports}
            </span>
          )}
        </button>
        <input
          class="search"
          type="search"
          placeholder="Search"
          aria-label="Search"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={searchKeys}
        />
      </header>
      <div class="chat-list__actions">
        <button type="button" class="btn btn--small" onClick={() => setState({ panel: 'newChat' })}>
          New chat
        </button>
        <button type="button" class="btn btn--small" onClick={() => setState({ panel: 'newGroup' })}>
          New group
        </button>
        <button type="button" class="btn btn--small" onClick={() => setState({ panel: 'contacts' })}>
          Contacts
        </button>
      </div>
      {openReports > 0 && (
        <button type="button" class="reports-notice" data-testid="reports-notice" onClick={openReportsPanel}>
          {reportsText(openReports)} to review
        </button>
      )}
      {trimmed ? <SearchResults query={trimmed} onPick={() => setQuery('')} /> : <Dialogs />}
    </div>
  );
}

/** The user's folders as tabs above the list ("All chats" first), each with how many of its chats have unread messages. */
function FolderTabs() {
  const folders = useApp((s) => s.folders);
  const selected = useApp((s) => s.folder);
  const unread = useApp((s) => folders.map((f) => unreadChatsIn(s, f.id)).join());
  if (folders.length === 0) return null;
  const counts = unread.split(',').map(Number);
  const tab = (id: number, title: string, count: number) => (
    <button
      key={id}
      type="button"
      role="tab"
      class={`folder-tab${selected === id ? ' folder-tab--active' : ''}`}
      aria-selected={selected === id}
      data-testid="folder-tab"
      onClick={() => setState({ folder: id })}
    >
      {title}
      {count > 0 && <span class="badge badge--muted">{count}</span>}
    </button>
  );
  return (
    <nav class="folder-tabs" role="tablist" aria-label="Chat folders">
      {tab(0, 'All chats', 0)}
      {folders.map((f, i) => tab(f.id, f.title, counts[i]))}
    </nav>
  );
}

/** The main list, with the user's archive behind one row at its top (a view of its own when opened); in a folder, the
 * folder's chats (archived ones too, unless the folder leaves them out). */
function Dialogs() {
  const outbox = useApp((s) => s.outbox);
  const uploading = useApp((s) => uploadingUnsent(s.uploads));
  const dialogs = withUnsent(
    useApp((s) => s.dialogs),
    uploading.length ? [...outbox, ...uploading] : outbox,
  );
  const folders = useApp((s) => s.folders);
  const selected = useApp((s) => s.folder);
  const users = useApp((s) => s.users);
  const chats = useApp((s) => s.chats);
  const secretChats = useApp((s) => s.secretChats);
  const secretMessages = useApp((s) => s.secretMessages);
  const secrets = Object.values(secretChats).map((chat) => ({ chat, activity: Math.max(chat.lastDate, lastSecretMessage(secretMessages[chat.id])?.date ?? 0) }));
  const [archiveOpen, setArchiveOpen] = useState(false);
  if (folders.some((f) => f.id === selected)) {
    const inFolder = dialogsIn({ dialogs, folders, users, chats }, selected);
    return (
      <>
        <FolderTabs />
        {inFolder.length === 0 && <p class="chat-list__empty muted">No chats in this folder.</p>}
        <ul class="dialogs" aria-label="Chat list">
          {inFolder.map((dialog) => (
            <DialogRow key={peerKey(dialog.peer)} dialog={dialog} />
          ))}
        </ul>
      </>
    );
  }
  const archived = dialogs.filter((d) => d.archived);
  const shown = archiveOpen ? archived : dialogs.filter((d) => !d.archived);
  if (dialogs.length === 0 && secrets.length === 0) return <p class="chat-list__empty muted">No chats yet. Start one with “New chat”.</p>;
  const rows = archiveOpen ? shown.map((dialog) => ({ dialog })) : withSecretChats(shown, secrets);
  const archivedUnread = archived.reduce((sum, d) => sum + d.unread_count, 0);
  return (
    <>
      <FolderTabs />
      {archiveOpen ? (
        <button type="button" class="archive-row" onClick={() => setArchiveOpen(false)}>
          <Icon name="back" /> <span>Archived chats</span>
        </button>
      ) : (
        archived.length > 0 && (
          <button type="button" class="archive-row" aria-label={`Archived chats (${archived.length})`} onClick={() => setArchiveOpen(true)}>
            <Icon name="archive" /> <span>Archived chats</span>
            {archivedUnread > 0 && <span class="badge badge--muted">{archivedUnread}</span>}
          </button>
        )
      )}
      {archiveOpen && archived.length === 0 && <p class="chat-list__empty muted">No archived chats.</p>}
      <ul class="dialogs" aria-label={archiveOpen ? 'Archived chats' : 'Chat list'}>
        {rows.map((row) =>
          'dialog' in row ? <DialogRow key={peerKey(row.dialog.peer)} dialog={row.dialog} /> : <SecretRow key={secretKey(row.secret.id)} chat={row.secret} />,
        )}
      </ul>
    </>
  );
}

function DialogRow({ dialog }: { dialog: Dialog }) {
  const key = peerKey(dialog.peer);
  const title = useApp((s) => peerTitle(s, dialog.peer));
  const active = useApp((s) => s.active === key);
  const online = useApp((s) => dialog.peer.kind === PeerKind.User && !!s.presence[dialog.peer.id]?.online);
  const photo = useApp((s) => peerPhoto(s, dialog.peer));
  const typing = useApp((s) => Object.keys(s.typing[key] ?? {}).length > 0);
  const sender = useApp((s) => senderOf(s, dialog));
  const preview = useApp((s) => (dialog.top_message ? previewText(s, dialog.top_message) : ''));
  // A message written here and not stored yet, or a file uploading, is the chat's last (its bubble or upload row is the
  // chat's last too), with its clock.
  const unsent = lastUnsent(
    useApp((s) => s.outbox),
    key,
    useApp((s) => s.uploads[key]),
  );
  const draft = active ? '' : loadDraft(key);
  const muted = isMuted(dialog);
  return (
    <li>
      <button
        type="button"
        class={`dialog${active ? ' dialog--active' : ''}`}
        data-testid="dialog"
        aria-current={active ? 'true' : undefined}
        onClick={() => openChat(key)}
      >
        <Avatar id={dialog.peer.id} name={title} online={online} photo={photo} />
        <span class="dialog__body">
          <span class="dialog__top">
            <span class="dialog__title">{title}</span>
            {muted && (
              <span class="dialog__muted" role="img" aria-label="muted" title="Muted">
                <Icon name="bellOff" />
              </span>
            )}
            {dialog.pinned && (
              <span class="dialog__muted" role="img" aria-label="pinned" title="Pinned">
                <Icon name="pin" />
              </span>
            )}
            {unsent ? (
              <>
                {unsent.error !== undefined ? (
                  <span class="ticks ticks--failed dialog__unsent" role="img" aria-label="not sent" title={`Not sent: ${unsent.error}`}>
                    !
                  </span>
                ) : (
                  <span class="ticks ticks--sending dialog__unsent" role="img" aria-label="sending" title="Sending">
                    <Icon name="clock" />
                  </span>
                )}
                <span class="dialog__time">{formatListTime(unsent.date)}</span>
              </>
            ) : (
              dialog.top_message && <span class="dialog__time">{formatListTime(dialog.top_message.date)}</span>
            )}
          </span>
          <span class="dialog__bottom">
            {typing ? (
              <span class="dialog__preview dialog__preview--typing">typing…</span>
            ) : draft ? (
              <span class="dialog__preview" dir="auto">
                <Label class="dialog__draft">Draft</Label>
                {draft}
              </span>
            ) : unsent ? (
              <span class="dialog__preview" data-testid="dialog-preview" dir="auto">
                <Label>You</Label>
                {unsentText(unsent)}
              </span>
            ) : (
              <span class="dialog__preview" data-testid="dialog-preview" dir="auto">
                {sender && <Label>{sender}</Label>}
                {preview}
              </span>
            )}
            {(dialog.unread_mentions_count ?? 0) > 0 && (
              <span class="badge badge--mention" data-testid="mention-badge" aria-label={`${dialog.unread_mentions_count} unread mentions`} title="Mentions you">
                @
              </span>
            )}
            {dialog.unread_count > 0 && (
              <span class={`badge${muted ? ' badge--muted' : ''}`} aria-label={`${dialog.unread_count} unread`}>
                {dialog.unread_count}
              </span>
            )}
            {dialog.unread_count === 0 && dialog.unread_mark && (
              <span class={`badge badge--dot${muted ? ' badge--muted' : ''}`} role="img" aria-label="marked unread" title="Marked unread" />
            )}
          </span>
        </span>
      </button>
    </li>
  );
}

/** The main list with this device's secret chats among its chats: pinned chats first, then everything by its last
 * activity (a secret chat's: its newest message, or when it began or ended). */
function withSecretChats(dialogs: Dialog[], secrets: { chat: SecretChatView; activity: number }[]): ({ dialog: Dialog } | { secret: SecretChatView })[] {
  const rows: ({ dialog: Dialog } | { secret: SecretChatView })[] = [];
  const waiting = secrets.slice().sort((a, b) => b.activity - a.activity || b.chat.id - a.chat.id);
  for (const dialog of dialogs) {
    while (!dialog.pinned && waiting.length > 0 && waiting[0].activity >= dialog.last_activity) rows.push({ secret: waiting.shift()!.chat });
    rows.push({ dialog });
  }
  for (const rest of waiting) rows.push({ secret: rest.chat });
  return rows;
}

/** A secret chat in the list: a lock and the person's name in green, its newest message or its state. */
function SecretRow({ chat }: { chat: SecretChatView }) {
  const key = secretKey(chat.id);
  const title = useApp((s) => userName(s, chat.peerId));
  const active = useApp((s) => s.active === key);
  const online = useApp((s) => !!s.presence[chat.peerId]?.online);
  const photo = useApp((s) => s.users[chat.peerId]?.photo ?? null);
  const typing = useApp((s) => Object.keys(s.typing[key] ?? {}).length > 0);
  const messages = useApp((s) => s.secretMessages[chat.id]);
  const me = useApp((s) => s.me?.id);
  const last = lastSecretMessage(messages);
  const unread = secretUnread(messages, me);
  const preview = secretPreview(chat, last, me, title);
  return (
    <li>
      <button
        type="button"
        class={`dialog dialog--secret${active ? ' dialog--active' : ''}`}
        data-testid="secret-dialog"
        aria-current={active ? 'true' : undefined}
        onClick={() => openChat(key)}
      >
        <Avatar id={chat.peerId} name={title} online={online} photo={photo} />
        <span class="dialog__body">
          <span class="dialog__top">
            <span class="dialog__title dialog__title--secret">
              <span class="secret-lock" role="img" aria-label="secret chat" title="Secret chat">
                <Icon name="lock" />
              </span>
              {title}
            </span>
            <span class="dialog__time">{formatListTime(Math.max(chat.lastDate, last?.date ?? 0))}</span>
          </span>
          <span class="dialog__bottom">
            {typing ? (
              <span class="dialog__preview dialog__preview--typing">typing…</span>
            ) : (
              <span class="dialog__preview" data-testid="dialog-preview" dir="auto">
                {preview.sender && <Label>{preview.sender}</Label>}
                {preview.text}
              </span>
            )}
            {unread > 0 && <span class="badge" aria-label={`${unread} unread`}>{unread}</span>}
          </span>
        </span>
      </button>
    </li>
  );
}

/**
 * "You:", a member's name or "Draft:" before a preview, which reads in its text's own direction (`dir="auto"`, as a
 * message does): the label has a direction of its own, so the preview's is taken from the text after it (a Hebrew or
 * Arabic one reads right to left, cut at its end), and the space stays outside it, between the two.
 */
function Label({ class: className = 'dialog__sender', children }: { class?: string; children: ComponentChildren }) {
  return (
    <>
      <span class={className} dir="auto">
        {children}:
      </span>{' '}
    </>
  );
}

/** The search results' rows, in the order they show (chats, people, messages). */
function resultRows(): HTMLButtonElement[] {
  return [...document.querySelectorAll<HTMLButtonElement>('.search-results button.dialog')];
}

/** In the search box, Enter opens the first result and the down arrow goes to it (the list below a search is read with
 * the keyboard as it is with a pointer). */
function searchKeys(event: KeyboardEvent): void {
  const first = resultRows()[0];
  if (!first || (event.key !== 'Enter' && event.key !== 'ArrowDown')) return;
  event.preventDefault();
  if (event.key === 'Enter') first.click();
  else first.focus();
}

/** Among the results, the arrows go from row to row, up from the first back to the search box. */
function resultKeys(event: KeyboardEvent): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const rows = resultRows();
  const at = rows.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return;
  event.preventDefault();
  const next = at + (event.key === 'ArrowDown' ? 1 : -1);
  if (next < 0) document.querySelector<HTMLInputElement>('.chat-list input.search')?.focus();
  else rows[Math.min(next, rows.length - 1)].focus();
}

/** Chats whose name matches (word starts, accents and case folded: nameMatches), people by name or username
 * (users.search) and messages (messages.search). */
function SearchResults({ query, onPick }: { query: string; onPick: () => void }) {
  const state = useApp((s) => s);
  const [people, setPeople] = useState<{ query: string; users: User[] }>({ query: '', users: [] });
  const [messages, setMessages] = useState<Message[]>([]);
  const [searching, setSearching] = useState(false);
  const [kind, setKind] = useState<SearchFilter | ''>('');

  useEffect(() => {
    let cancelled = false;
    setSearching(true);
    // What an older query found is not shown for this one (Enter opens the first row): its messages go, and of its
    // people only those this query matches too stay until the answer (below).
    setMessages([]);
    const timer = setTimeout(async () => {
      const [users, found] = await Promise.allSettled([
        isNameQuery(query) ? api().users.search({ prefix: query.trim(), limit: 10 }) : Promise.resolve({ users: [] }),
        api().messages.search({ query, limit: 30, filter: kind }),
      ]);
      if (cancelled) return;
      const foundUsers = users.status === 'fulfilled' ? users.value.users : [];
      const foundMessages = found.status === 'fulfilled' ? found.value.messages : [];
      rememberUsers(foundUsers);
      void ensureUsers(foundMessages.map((m) => m.from_id)).catch(() => undefined);
      setPeople({ query, users: foundUsers });
      setMessages(foundMessages);
      setSearching(false);
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [query, kind]);

  const chats = state.dialogs.filter((d) => {
    const user = d.peer.kind === PeerKind.User ? state.users[d.peer.id] : undefined;
    return nameMatches(query, peerTitle(state, d.peer), user?.username);
  });
  const matching = people.query === query ? people.users : people.users.filter((u) => nameMatches(query, u.display_name, u.username));
  const open = (key: string) => {
    onPick();
    openChat(key);
  };
  const me = state.me?.id ?? 0;
  return (
    <div class="search-results" aria-busy={searching} onKeyDown={resultKeys}>
      <Section title="Chats" empty="No chats match">
        {chats.map((d) => (
          <ResultRow key={peerKey(d.peer)} id={d.peer.id} title={peerTitle(state, d.peer)} subtitle="" onClick={() => open(peerKey(d.peer))} />
        ))}
      </Section>
      {matching.length > 0 && (
        <Section title="People">
          {matching.map((u) => (
            <ResultRow key={u.id} id={u.id} title={u.display_name} subtitle={`@${u.username}`} onClick={() => open(`u${u.id}`)} />
          ))}
        </Section>
      )}
      <Section
        title="Messages"
        empty={searching ? 'Searching…' : 'No messages found'}
        aside={<KindSelect label="Message kind" value={kind} onChange={setKind} />}
      >
        {messages.map((m) => {
          const peer = peerOf(m, me);
          return (
            <ResultRow
              key={m.id}
              id={peer.id}
              title={peerTitle(state, peer)}
              subtitle={previewText(state, m)}
              time={formatListTime(m.date)}
              onClick={() => {
                open(peerKey(peer));
                setState({ focus: { key: peerKey(peer), messageId: m.id } });
              }}
            />
          );
        })}
      </Section>
    </div>
  );
}

function Section({ title, empty, aside, children }: { title: string; empty?: string; aside?: ComponentChildren; children: ComponentChildren[] }) {
  return (
    <section class="search-results__section" aria-label={title}>
      <div class="search-results__head">
        <h3 class="search-results__title">{title}</h3>
        {aside}
      </div>
      {children.length ? <ul class="dialogs">{children}</ul> : <p class="muted search-results__empty">{empty}</p>}
    </section>
  );
}

/** One search result: an avatar, a title, a line of text and a time. */
export function ResultRow(props: { id: number; title: string; subtitle: string; time?: string; onClick: () => void }) {
  return (
    <li>
      <button type="button" class="dialog" onClick={props.onClick}>
        <Avatar id={props.id} name={props.title} />
        <span class="dialog__body">
          <span class="dialog__top">
            <span class="dialog__title">{props.title}</span>
            {props.time && <span class="dialog__time">{props.time}</span>}
          </span>
          <span class="dialog__bottom">
            <span class="dialog__preview" dir="auto">
              {props.subtitle}
            </span>
          </span>
        </span>
      </button>
    </li>
  );
}
