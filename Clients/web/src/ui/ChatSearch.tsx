import { useEffect, useState } from 'preact/hooks';
import type { Message } from '../api/types';
import { ensureUsers } from './chats';
import { ResultRow } from './ChatList';
import { api } from './connection';
import { errorText, formatListTime } from './format';
import { peerFromKey, previewText, userName } from './peers';
import { setState, useApp } from './store';

/** Searching one chat's messages (messages.search with its peer): a click shows the message in the history. */
export function ChatSearch({ chatKey, onClose }: { chatKey: string; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Message[] | null>(null);
  const [error, setError] = useState('');
  const state = useApp((s) => s);
  const trimmed = query.trim();
  useEffect(() => {
    setError('');
    if (!trimmed) {
      setFound(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      api()
        .messages.search({ peer: peerFromKey(chatKey), query: trimmed, limit: 30 })
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
  }, [trimmed, chatKey]);
  return (
    <div class="chat-search">
      <div class="chat-search__bar">
        <input
          class="search"
          type="search"
          placeholder="Search in this chat"
          aria-label="Search in this chat"
          value={query}
          autoFocus
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Escape' && onClose()}
        />
        <button type="button" class="btn btn--ghost btn--small" onClick={onClose}>
          Done
        </button>
      </div>
      {error && <p class="form__error" role="alert">{error}</p>}
      {found && found.length === 0 && <p class="muted chat-search__empty">No messages found</p>}
      {found && found.length > 0 && (
        <ul class="dialogs chat-search__results" aria-label="Results in this chat">
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
