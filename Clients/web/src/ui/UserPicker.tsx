import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api/types';
import { errorText } from './format';
import { rememberUsers } from './chats';
import { Avatar } from './Avatar';
import { api } from './connection';
import { isNameQuery } from './nameSearch';

interface UserPickerProps {
  label: string;
  onPick: (user: User) => void;
  exclude?: number[];
  actionLabel?: (user: User) => string;
}

/** What the picker says under a query with no button to show: nobody found, or everyone found is picked already. */
export function pickerEmptyNote(found: number, shown: number): string | null {
  if (shown > 0) return null;
  return found > 0 ? 'Everyone found is already added' : 'No users found';
}

/** Finds people by any word of their name or by their username (users.search) and offers each as a button. */
export function UserPicker({ label, onPick, exclude = [], actionLabel }: UserPickerProps) {
  const [query, setQuery] = useState('');
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    const prefix = query.trim();
    if (!isNameQuery(prefix)) {
      setUsers([]);
      setError('');
      return;
    }
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const found = await api().users.search({ prefix, limit: 20 });
        if (cancelled) return;
        rememberUsers(found.users);
        setUsers(found.users);
        setError('');
      } catch (e) {
        if (!cancelled) setError(errorText(e));
      }
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [query]);
  const shown = users.filter((u) => !exclude.includes(u.id));
  return (
    <div class="user-picker">
      <label class="field">
        <span class="field__label">{label}</span>
        <input class="field__input" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} placeholder="Name or @username" />
      </label>
      {error && <p class="form__error">{error}</p>}
      {shown.length > 0 && (
        <ul class="user-picker__list" aria-label="Search results">
          {shown.map((user) => (
            <li key={user.id}>
              <button type="button" class="user-row" onClick={() => onPick(user)} aria-label={actionLabel?.(user)}>
                <Avatar id={user.id} name={user.display_name} size="sm" photo={user.photo} />
                <span class="user-row__names">
                  <span class="user-row__name">{user.display_name}</span>
                  <span class="user-row__username muted">@{user.username}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {query.trim() && !error && shown.length === 0 && <p class="muted">{pickerEmptyNote(users.length, shown.length)}</p>}
    </div>
  );
}
