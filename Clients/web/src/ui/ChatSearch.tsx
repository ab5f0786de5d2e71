import { useEffect, useState } from 'preact/hooks';
import type { Message, SearchFilter } from '../api/types';
import { ensureUsers } from './chats';
import { ResultRow } from './ChatList';
import { api } from './connection';
import { errorText, formatListTime } from './format';
import { peerFromKey, previewText, userName } from './peers';
import { KindSelect } from './KindSelect';
import { isNameQuery } from './nameSearch';
import { dayBounds } from './searching';
import { setState, useApp } from './store';
import { searchPlaceholder } from './topics';

/** Who may have written in the chat, for the "From" selector: both sides of a private chat; a group's first 200
 * members, or, while a name is typed in `memberQuery`, the members it finds — any word of the display name, or the
 * username, by its start, accents and case folded (asked of the server a moment after the typing stops: a large group's
 * members are not all here). */
function useSenders(chatKey: string, memberQuery: string): number[] {
  const me = useApp((s) => s.me?.id ?? 0);
  const [senders, setSenders] = useState<number[]>([]);
  const query = memberQuery.trim();
  useEffect(() => {
    let cancelled = false;
    const peer = peerFromKey(chatKey);
    const timer = setTimeout(
      () => {
        const load =
          chatKey[0] === 'u'
            ? Promise.resolve([...new Set([me, peer.id])])
            : query && !isNameQuery(query)
              ? Promise.resolve([]) // the server would refuse it (SEARCH_QUERY_INVALID): it names nobody
              : api()
                .groups.getFull({ chat_id: peer.id, limit: query ? 50 : 200, query })
                .then((full) => full.members.map((m) => m.user_id));
        load
          .then(async (ids) => {
            await ensureUsers(ids).catch(() => undefined);
            if (!cancelled) setSenders(ids);
          })
          .catch(() => !cancelled && setSenders([]));
      },
      query ? 250 : 0,
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [chatKey, me, query]);
  return senders;
}

/** Searching one chat's messages (messages.search with its peer), by words, sender, day and kind: a click shows the
 * message in the history. Without words, a filter alone lists what passes it, newest first. Inside an open forum topic
 * (`topic`: its id, 0 for General, and its title) only that topic is searched, as the placeholder says. */
export function ChatSearch({ chatKey, topic, onClose }: { chatKey: string; topic?: { id: number; title: string } | null; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [fromId, setFromId] = useState(0);
  const [day, setDay] = useState('');
  const [kind, setKind] = useState<SearchFilter | ''>('');
  const [found, setFound] = useState<Message[] | null>(null);
  const [error, setError] = useState('');
  const state = useApp((s) => s);
  const [memberQuery, setMemberQuery] = useState('');
  const members = useSenders(chatKey, memberQuery);
  // The sender chosen stays a choice while other names are typed.
  const senders = fromId && !members.includes(fromId) ? [fromId, ...members] : members;
  const trimmed = query.trim();
  const dates = dayBounds(day);
  const minDate = dates?.min_date ?? 0;
  const maxDate = dates?.max_date ?? 0;
  const topicId = topic?.id ?? null;
  const placeholder = searchPlaceholder(topic ? topic.title : null);
  useEffect(() => {
    setError('');
    if (!trimmed && !fromId && !minDate && !kind) {
      setFound(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      api()
        .messages.search({
          peer: peerFromKey(chatKey),
          query: trimmed,
          limit: 30,
          from_id: fromId,
          min_date: minDate,
          max_date: maxDate,
          filter: kind,
          topic_id: topicId,
        })
        .then(
          async (page) => {
            await ensureUsers(page.messages.map((m) => m.from_id)).catch(() => undefined);
            if (!cancelled) setFound(page.messages);
          },
          (e) => !cancelled && setError(errorText(e)),
        );
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [trimmed, chatKey, fromId, minDate, maxDate, kind, topicId]);
  const me = state.me?.id ?? 0;
  return (
    <div class="chat-search">
      <div class="chat-search__bar">
        <input
          class="search"
          type="search"
          placeholder={placeholder}
          aria-label={topic ? 'Search in this topic' : 'Search in this chat'}
          value={query}
          autoFocus
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Escape' && onClose()}
        />
        <button type="button" class="btn btn--ghost btn--small" onClick={onClose}>
          Done
        </button>
      </div>
      <div class="chat-search__filters">
        {chatKey[0] === 'c' && (
          <input
            class="chat-search__select"
            type="search"
            placeholder="Find member"
            aria-label="Find member"
            value={memberQuery}
            maxLength={64}
            onInput={(e) => setMemberQuery(e.currentTarget.value)}
          />
        )}
        <select class="chat-search__select" aria-label="From" value={String(fromId)} onChange={(e) => setFromId(Number(e.currentTarget.value))}>
          <option value="0">Anyone</option>
          {senders.map((id) => (
            <option key={id} value={String(id)}>
              {id === me ? 'You' : userName(state, id)}
            </option>
          ))}
        </select>
        <input class="chat-search__select" type="date" aria-label="Date" value={day} onInput={(e) => setDay(e.currentTarget.value)} />
        <KindSelect label="Kind" value={kind} onChange={setKind} />
      </div>
      {error && <p class="form__error" role="alert">{error}</p>}
      {found && found.length === 0 && <p class="muted chat-search__empty">No messages found</p>}
      {found && found.length > 0 && (
        <ul class="dialogs chat-search__results" aria-label={topic ? 'Results in this topic' : 'Results in this chat'}>
          {found.map((m) => (
            <ResultRow
              key={m.id}
              id={m.from_id}
              title={userName(state, m.from_id)}
              subtitle={previewText(state, m)}
              time={formatListTime(m.date)}
              onClick={() => setState({ focus: { key: chatKey, messageId: m.id } })}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
