import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { ChatChanged, ChatFull, ChatMember, ChatPermissions } from '../api/types';
import { WebhooksSection } from './Webhooks';
import { InviteSection, JoinRequestsSection } from './Invites';
import { ChatKind, MemberRole, PeerKind, SlowModes } from '../api/types';
import { chatChanged, openChat } from './messages';
import { chatDeleted, ensureUsers, loadDialogs } from './chats';
import { Avatar } from './Avatar';
import { PhotoPicker } from './PhotoPicker';
import { api } from './connection';
import { errorText, presenceText } from './format';
import type { MemberPages } from './members';
import { memberListCue, memberListView, memberPageSize, noMembers, readMembers, visibleRows, wantsMore, withPage } from './members';
import { isNameQuery, nameMatches } from './nameSearch';
import { peerFromKey, periodText, userName } from './peers';
import { getState, setState, useApp } from './store';
import { UserPicker } from './UserPicker';
import { Icon } from './Icon';
import { Confirm } from './Modal';
import { SharedMedia } from './SharedMedia';
import { ContactButtons } from './Contacts';
import { startSecretChat } from './secret';

/** The right-hand panel: a user's profile, or a group's members and settings. */
export function GroupInfo({ chatKey }: { chatKey: string }) {
  const peer = peerFromKey(chatKey);
  const channel = useApp((s) => peer.kind === PeerKind.Chat && s.chats[peer.id]?.kind === ChatKind.Channel);
  return (
    <aside class="info-panel" aria-label="Chat info">
      <header class="info-panel__header">
        <h2>{peer.kind !== PeerKind.Chat ? 'User info' : channel ? 'Channel info' : 'Group info'}</h2>
        <button type="button" class="icon-btn" aria-label="Close info" onClick={() => setState({ panel: null })}>
          <Icon name="close" />
        </button>
      </header>
      <div class="info-panel__scroll">
        {peer.kind === PeerKind.Chat ? <GroupDetails key={peer.id} chatId={peer.id} /> : <UserDetails userId={peer.id} />}
        <SharedMedia chatKey={chatKey} />
      </div>
    </aside>
  );
}

/** A person's profile in the info panel (a private chat's, a secret chat's). */
export function UserDetails({ userId }: { userId: number }) {
  const user = useApp((s) => s.users[userId]);
  const contact = useApp((s) => s.contacts[userId]);
  const presence = useApp((s) => s.presence[userId]);
  const me = useApp((s) => s.me?.id);
  if (!user) return <p class="muted info-panel__body">Loading…</p>;
  const name = contact?.name ?? user.display_name;
  return (
    <div class="info-panel__body">
      <div class="profile">
        <Avatar id={user.id} name={name} size="lg" online={presence?.online} photo={user.photo} />
        <h3 class="profile__name">{name}</h3>
        <p class="muted">{presence ? presenceText(presence) : ''}</p>
      </div>
      <dl class="facts">
        {contact && contact.name !== user.display_name && (
          <>
            <dt>Name on their profile</dt>
            <dd>{user.display_name}</dd>
          </>
        )}
        {contact && (
          <>
            <dt>Contact</dt>
            <dd>{contact.mutual ? 'In your contacts; you are in theirs' : 'In your contacts'}</dd>
          </>
        )}
        <dt>Username</dt>
        <dd>@{user.username}</dd>
        {user.bio && (
          <>
            <dt>Bio</dt>
            <dd>{user.bio}</dd>
          </>
        )}
      </dl>
      {userId !== me && !user.bot && !user.deleted && <ContactButtons userId={userId} />}
      {userId !== me && !user.bot && !user.deleted && <StartSecretChatButton userId={userId} />}
      {userId !== me && <BlockButton userId={userId} />}
    </div>
  );
}

/** Opens a new secret chat with the person from this device (it waits for one of their devices to take it). */
export function StartSecretChatButton({ userId }: { userId: number }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setError('');
    setBusy(true);
    try {
      openChat(await startSecretChat(userId));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {error && <p class="form__error" role="alert">{error}</p>}
      <button type="button" class="btn" disabled={busy} onClick={() => void start()}>
        <Icon name="lock" /> Start secret chat
      </button>
    </>
  );
}

function BlockButton({ userId }: { userId: number }) {
  const [blocked, setBlocked] = useState<boolean | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let current = true;
    api()
      .users.getBlocked()
      .then(({ user_ids }) => current && setBlocked(user_ids.includes(userId)))
      .catch((e) => current && setError(errorText(e)));
    return () => {
      current = false;
    };
  }, [userId]);
  const toggle = async () => {
    setError('');
    try {
      await (blocked ? api().users.unblock({ user_id: userId }) : api().users.block({ user_id: userId }));
      setBlocked(!blocked);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <>
      {error && <p class="form__error" role="alert">{error}</p>}
      <button type="button" class={`btn${blocked ? '' : ' btn--danger'}`} disabled={blocked === null} onClick={() => void toggle()}>
        {blocked ? 'Unblock user' : 'Block user'}
      </button>
    </>
  );
}

function GroupDetails({ chatId }: { chatId: number }) {
  const state = useApp((s) => s);
  const [full, setFull] = useState<ChatFull | null>(null);
  const [forumAsked, setForumAsked] = useState<boolean | null>(null);
  const [error, setError] = useState('');
  const [title, setTitle] = useState('');
  const [about, setAbout] = useState('');
  const [leaving, setLeaving] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [banned, setBanned] = useState<number[]>([]);
  const [pages, setPages] = useState<MemberPages>(noMembers);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<MemberPages | null>(null);
  const pagesRef = useRef(pages);
  pagesRef.current = pages;

  const loadedText = useRef({ title: '', about: '' });
  const loads = useRef(0);
  const load = async () => {
    const mine = ++loads.current;
    try {
      // The first page carries the chat and the caller's role; a reload reads again as many members as were listed.
      const read: { first?: ChatFull } = {};
      const list = await readMembers(async (offset, limit) => {
        const page = await api().groups.getFull({ chat_id: chatId, offset, limit });
        read.first ??= page;
        return page.members;
      }, Math.max(memberPageSize, pagesRef.current.members.length));
      const next = read.first!;
      await ensureUsers(list.members.map((m) => m.user_id));
      // Reloads can cross (a join and a title change close together): only the latest one's answer is shown.
      if (mine !== loads.current) return;
      setFull(next);
      setPages(list);
      const was = loadedText.current;
      loadedText.current = { title: next.chat.title, about: next.chat.about ?? '' };
      setTitle((t) => (t === was.title ? next.chat.title : t));
      setAbout((a) => (a === was.about ? (next.chat.about ?? '') : a));
      const bans = next.my_role >= MemberRole.Admin ? (await api().groups.getBanned({ chat_id: chatId })).user_ids : [];
      setBanned(bans);
      await ensureUsers(bans);
    } catch (e) {
      setError(errorText(e));
    }
  };

  // The next page as the list is scrolled to its end (of the list, or of the members a name found); one at a time, and
  // dropped when a reload or another name replaced the list meanwhile.
  const reading = useRef(false);
  const more = async (list: MemberPages, named: string, set: (update: (current: MemberPages | null) => MemberPages | null) => void) => {
    if (reading.current || list.ended) return;
    reading.current = true;
    try {
      const page = await api().groups.getFull({ chat_id: chatId, offset: list.members.length, limit: memberPageSize, ...(named ? { query: named } : {}) });
      await ensureUsers(page.members.map((m) => m.user_id));
      set((current) => (current === list ? withPage(list, page.members, memberPageSize) : current));
    } catch (e) {
      setError(errorText(e));
      set((current) => (current === list ? { ...list, ended: true } : current));
    } finally {
      reading.current = false;
    }
  };

  // A name typed: the members already listed when the list is whole, else the server's search (a moment after the
  // typing stops), paged in turn.
  const named = query.trim();
  useEffect(() => {
    setFound(null);
    if (!named || pages.ended) return;
    if (!isNameQuery(named)) {
      setFound({ members: [], ended: true }); // the server would refuse it (SEARCH_QUERY_INVALID): it names nobody
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      readMembers((offset, limit) => api().groups.getFull({ chat_id: chatId, offset, limit, query: named }).then((f) => f.members))
        .then(async (list) => {
          await ensureUsers(list.members.map((m) => m.user_id));
          if (!cancelled) setFound(list);
        })
        .catch((e) => !cancelled && setError(errorText(e)));
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [chatId, named, pages.ended]);
  // What changes the list: a group's membership and role changes arrive as service messages (a newer one than last
  // seen is the cue, not every post), a channel's comings and goings as the `chat` update its admins get (the chat
  // with its new count), and both change the chat in the store.
  const cue = useRef(0);
  const top = state.dialogs.find((d) => d.peer.kind === PeerKind.Chat && d.peer.id === chatId)?.top_message;
  cue.current = memberListCue(cue.current, top);
  useEffect(() => void load(), [chatId, state.chats[chatId], cue.current]);

  const run = async (action: () => Promise<ChatChanged>) => {
    setError('');
    try {
      chatChanged(await action());
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (!full) return <p class="muted info-panel__body">{error || 'Loading…'}</p>;
  const me = state.me?.id ?? 0;
  const myRole = full.my_role;
  const isAdmin = myRole >= MemberRole.Admin;
  const isCreator = myRole === MemberRole.Creator;
  const may = (right: keyof ChatPermissions) => isAdmin || !!full.chat.permissions?.[right];
  const canAdd = may('add_members');
  const canChangeInfo = may('change_info');
  const kindName = { [ChatKind.Group]: 'Group', [ChatKind.LargeGroup]: 'Large group', [ChatKind.Channel]: 'Channel' }[full.chat.kind];

  const channel = full.chat.kind === ChatKind.Channel;
  const noun = channel ? 'channel' : 'group';
  const list = memberListView(
    full,
    !named
      ? pages.members
      : pages.ended
        ? pages.members.filter((m) => {
          const user = state.users[m.user_id];
          return nameMatches(named, userName(state, m.user_id), user?.username) || (!!user && nameMatches(named, user.display_name, user.username));
        })
        : (found?.members ?? []),
  );
  const shown: MemberPages = !named || pages.ended ? { members: list.members, ended: pages.ended } : (found ?? { members: [], ended: false });
  // Leaving is one step for a mistaken click: it asks first (a private group lets the user back only by an invite).
  const leave = async () => {
    setLeaving(false);
    setError('');
    try {
      await api().groups.leave({ chat_id: chatId });
      // Closed only while it is still the open chat: the user may have gone to another before the answer came.
      if (getState().active === `c${chatId}`) {
        openChat(null);
        setState({ panel: null });
      }
      await loadDialogs();
    } catch (e) {
      setError(errorText(e));
    }
  };

  // Deleting cannot be undone and takes the chat from every member: it asks first, naming what goes.
  const remove = async () => {
    setDeleting(false);
    setError('');
    try {
      await api().groups.delete({ chat_id: chatId });
      chatDeleted(chatId);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div class="info-panel__body">
      <div class="profile">
        <Avatar id={chatId} name={full.chat.title} size="lg" photo={full.chat.photo} />
        <h3 class="profile__name">{full.chat.title}</h3>
        <p class="muted">
          {kindName} · <span data-testid="member-count">{list.count}</span>
        </p>
        {full.chat.about && (
          <p class="profile__about" data-testid="chat-about">
            {full.chat.about}
          </p>
        )}
      </div>
      {error && <p class="form__error" role="alert">{error}</p>}
      {canChangeInfo && (
        <PhotoPicker
          label={channel ? 'Channel photo' : 'Group photo'}
          photo={full.chat.photo}
          save={async (media) => {
            chatChanged(await api().groups.editPhoto({ chat_id: chatId, media }));
            await load();
          }}
        />
      )}
      {canChangeInfo && (
        <form
          class="form form--inline"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api().groups.editTitle({ chat_id: chatId, title: title.trim() }));
          }}
        >
          <label class="field">
            <span class="field__label">{channel ? 'Channel title' : 'Group title'}</span>
            <input class="field__input" value={title} maxLength={128} onInput={(e) => setTitle(e.currentTarget.value)} required />
          </label>
          <button type="submit" class="btn" disabled={!title.trim() || title.trim() === full.chat.title}>
            Save title
          </button>
        </form>
      )}
      {canChangeInfo && (
        <form
          class="form form--inline"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api().groups.editAbout({ chat_id: chatId, about: about.trim() }));
          }}
        >
          <label class="field">
            <span class="field__label">Description</span>
            <textarea class="field__input" value={about} maxLength={255} rows={2} onInput={(e) => setAbout(e.currentTarget.value)} />
          </label>
          <button type="submit" class="btn" disabled={about.trim() === (full.chat.about ?? '')}>
            Save description
          </button>
        </form>
      )}
      {isAdmin && <JoinRequestsSection chatId={chatId} onChange={() => void load()} />}
      {isAdmin && <InviteSection chatId={chatId} />}
      {isAdmin && full.chat.kind !== ChatKind.Channel && full.chat.permissions && (
        <PermissionsSection
          key={`${full.chat.slow_mode}:${JSON.stringify(full.chat.permissions)}`}
          permissions={full.chat.permissions}
          slowMode={full.chat.slow_mode ?? 0}
          save={(permissions, slowMode) => run(() => api().groups.editPermissions({ chat_id: chatId, permissions, slow_mode: slowMode }))}
        />
      )}
      {isAdmin && full.chat.kind !== ChatKind.Channel && (
        <section class="info-section" aria-label="Topics">
          <label class="check">
            <input
              type="checkbox"
              checked={forumAsked ?? !!full.chat.forum}
              onChange={(e) => {
                // The box shows what was asked until the answer: a re-render meanwhile (any store change) would
                // otherwise put the old value back under the user's click.
                const enabled = e.currentTarget.checked;
                setForumAsked(enabled);
                void run(() => api().groups.toggleForum({ chat_id: chatId, enabled })).finally(() => setForumAsked(null));
              }}
            />
            Topics (organise the group's messages in topics)
          </label>
        </section>
      )}
      {isAdmin && <WebhooksSection chatId={chatId} />}
      {canAdd && (
        <section class="info-section" aria-label="Add members">
          <UserPicker
            label={channel ? 'Add subscriber' : 'Add member'}
            exclude={pages.members.map((m) => m.user_id)}
            onPick={(user) => void run(() => api().groups.addMembers({ chat_id: chatId, user_ids: [user.id] }))}
            actionLabel={(u) => `Add ${u.display_name} (@${u.username}) to the ${noun}`}
          />
        </section>
      )}
      <section class="info-section" aria-label={list.heading}>
        <h4>{list.heading}</h4>
        <label class="field">
          <span class="field__label">Search members</span>
          <input class="field__input" type="search" value={query} maxLength={64} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        {named && shown.ended && shown.members.length === 0 && <p class="muted">No members found</p>}
        <MemberWindow
          members={shown.members}
          ended={shown.ended}
          onMore={() =>
            void (named && !pages.ended
              ? found && more(found, named, (update) => setFound((current) => update(current)))
              : more(pages, '', (update) => setPages((current) => update(current) ?? current)))
          }
          row={(member) => (
            <MemberRow
              key={member.user_id}
              member={member}
              name={userName(state, member.user_id)}
              online={!!state.presence[member.user_id]?.online}
              isMe={member.user_id === me}
              noun={noun}
              canRemove={isAdmin && member.role !== MemberRole.Creator && member.user_id !== me}
              canPromote={isCreator && member.user_id !== me}
              onRemove={() => void run(() => api().groups.removeMember({ chat_id: chatId, user_id: member.user_id }))}
              onSetAdmin={(admin) => void run(() => api().groups.setAdmin({ chat_id: chatId, user_id: member.user_id, is_admin: admin }))}
              onMakeOwner={() => void run(() => api().groups.transferOwnership({ chat_id: chatId, user_id: member.user_id }))}
            />
          )}
        />
      </section>
      {isAdmin && banned.length > 0 && (
        <section class="info-section" aria-label="Removed members">
          <h4>Removed members</h4>
          <p class="muted">They cannot come back by an invite link until you let them back.</p>
          <ul class="members">
            {banned.map((userId) => (
              <li class="member" key={userId}>
                <Avatar id={userId} name={userName(state, userId)} size="sm" photo={state.users[userId]?.photo} />
                <span class="member__name">{userName(state, userId)}</span>
                <span class="member__actions">
                  <button
                    type="button"
                    class="btn btn--small"
                    aria-label={`Let ${userName(state, userId)} back`}
                    onClick={() =>
                      void api()
                        .groups.unban({ chat_id: chatId, user_id: userId })
                        .then(load, (e) => setError(errorText(e)))
                    }
                  >
                    Let back
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {!isCreator && (
        <button type="button" class="btn btn--danger" onClick={() => setLeaving(true)}>
          Leave {noun}
        </button>
      )}
      {isCreator && (
        <button type="button" class="btn btn--danger" onClick={() => setDeleting(true)}>
          Delete {noun}
        </button>
      )}
      {deleting && (
        <Confirm
          title={`Delete ${full.chat.title}?`}
          text={`The ${noun} goes for all its members, with its messages and files. This cannot be undone.`}
          action={`Delete ${noun}`}
          onConfirm={() => void remove()}
          onClose={() => setDeleting(false)}
        />
      )}
      {leaving && (
        <Confirm
          title={`Leave ${full.chat.title}?`}
          text="You will no longer get its messages; to come back, someone must add you again or send you an invite."
          action={`Leave ${noun}`}
          onConfirm={() => void leave()}
          onClose={() => setLeaving(false)}
        />
      )}
    </div>
  );
}

const rightLabels: [keyof ChatPermissions, string][] = [
  ['send_messages', 'Send messages'],
  ['send_media', 'Send files'],
  ['send_polls', 'Send polls'],
  ['add_members', 'Add members'],
  ['pin_messages', 'Pin messages'],
  ['change_info', 'Change the group info'],
  ['manage_topics', 'Create and pin topics'],
];

/** What plain members may do, and the slow mode, as an admin sets them; saved together. */
function PermissionsSection(props: {
  permissions: ChatPermissions;
  slowMode: number;
  save: (permissions: ChatPermissions, slowMode: number) => Promise<void>;
}) {
  const [permissions, setPermissions] = useState(props.permissions);
  const [slowMode, setSlowMode] = useState(props.slowMode);
  const changed = slowMode !== props.slowMode || rightLabels.some(([right]) => !!permissions[right] !== !!props.permissions[right]);
  return (
    <section class="info-section" aria-label="Permissions" data-testid="permissions">
      <h4>What members may do</h4>
      {rightLabels.map(([right, label]) => (
        <label class="check" key={right}>
          <input
            type="checkbox"
            checked={!!permissions[right]}
            // Files and polls are posts: without posting they cannot be given.
            disabled={(right === 'send_media' || right === 'send_polls') && !permissions.send_messages}
            onChange={(e) => setPermissions({ ...permissions, [right]: e.currentTarget.checked })}
          />
          {label}
        </label>
      ))}
      <label class="field">
        <span class="field__label">Slow mode</span>
        <select class="field__input" value={slowMode} onChange={(e) => setSlowMode(Number(e.currentTarget.value))}>
          {SlowModes.map((seconds) => (
            <option key={seconds} value={seconds}>
              {seconds ? `One message every ${periodText(seconds)}` : 'Off'}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="btn" disabled={!changed} onClick={() => void props.save(permissions, slowMode)}>
        Save permissions
      </button>
    </section>
  );
}

interface MemberRowProps {
  member: ChatMember;
  name: string;
  online: boolean;
  isMe: boolean;
  /** "group" or "channel", as the Remove button says it. */
  noun: string;
  canRemove: boolean;
  canPromote: boolean;
  onRemove: () => void;
  onSetAdmin: (admin: boolean) => void;
  onMakeOwner: () => void;
}

function MemberRow({ member, name, online, isMe, noun, canRemove, canPromote, onRemove, onSetAdmin, onMakeOwner }: MemberRowProps) {
  const role = member.role === MemberRole.Creator ? 'owner' : member.role === MemberRole.Admin ? 'admin' : '';
  const photo = useApp((s) => s.users[member.user_id]?.photo);
  return (
    <li class="member" data-testid="member">
      <Avatar id={member.user_id} name={name} online={online} size="sm" photo={photo} />
      <span class="member__name">
        {name}
        {isMe && <span class="muted"> (you)</span>}
      </span>
      {role && <span class="member__role">{role}</span>}
      <span class="member__actions">
        {canPromote && member.role !== MemberRole.Creator && (
          <button
            type="button"
            class="btn btn--small"
            aria-label={member.role === MemberRole.Admin ? `Dismiss ${name} as admin` : `Make ${name} an admin`}
            onClick={() => onSetAdmin(member.role !== MemberRole.Admin)}
          >
            {member.role === MemberRole.Admin ? 'Dismiss admin' : 'Make admin'}
          </button>
        )}
        {canPromote && member.role !== MemberRole.Creator && (
          <button type="button" class="btn btn--small" aria-label={`Make ${name} the owner`} onClick={onMakeOwner}>
            Make owner
          </button>
        )}
        {canRemove && (
          <button type="button" class="btn btn--small btn--danger" aria-label={`Remove ${name} from the ${noun}`} onClick={onRemove}>
            Remove
          </button>
        )}
      </span>
    </li>
  );
}

/**
 * A long list of members, of which only the rows near the scroller's view are in the page (a 10,000-member group
 * scrolls as a 100-member one): spacers stand for the rest, at the rows' measured pitch. Scrolling near the end of
 * what was read asks for the next page (`onMore`).
 */
function MemberWindow({ members, ended, onMore, row }: { members: ChatMember[]; ended: boolean; onMore: () => void; row: (member: ChatMember) => ComponentChildren }) {
  const list = useRef<HTMLUListElement>(null);
  const [pitch, setPitch] = useState(50);
  const [range, setRange] = useState({ first: 0, last: 60 });
  const measure = () => {
    const ul = list.current;
    if (!ul) return;
    const scroller = ul.closest('.info-panel__scroll') ?? document.documentElement;
    const rows = ul.querySelectorAll<HTMLElement>('[data-testid="member"]');
    let height = pitch;
    if (rows.length > 1) {
      const measured = (rows[rows.length - 1].offsetTop - rows[0].offsetTop) / (rows.length - 1);
      if (measured > 0 && Math.abs(measured - pitch) >= 1) {
        height = measured;
        setPitch(measured);
      }
    }
    const view = scroller.getBoundingClientRect();
    const next = visibleRows(view.top - ul.getBoundingClientRect().top, scroller.clientHeight, height, members.length);
    setRange((current) => (current.first === next.first && current.last === next.last ? current : next));
    if (wantsMore({ members, ended }, next.last)) onMore();
  };
  const latest = useRef(measure);
  latest.current = measure;
  useEffect(() => latest.current());
  useEffect(() => {
    const scroller = list.current?.closest('.info-panel__scroll');
    const onChange = () => latest.current();
    scroller?.addEventListener('scroll', onChange, { passive: true });
    window.addEventListener('resize', onChange);
    return () => {
      scroller?.removeEventListener('scroll', onChange);
      window.removeEventListener('resize', onChange);
    };
  }, []);
  const first = Math.min(range.first, members.length);
  const last = Math.min(Math.max(range.last, first), members.length);
  return (
    <>
      <ul class="members" ref={list} style={{ paddingTop: `${first * pitch}px`, paddingBottom: `${(members.length - last) * pitch}px` }}>
        {members.slice(first, last).map(row)}
      </ul>
      {!ended && (
        <p class="muted" data-testid="members-loading">
          Loading…
        </p>
      )}
    </>
  );
}
