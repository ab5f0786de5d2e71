import type { SearchFilter } from '../api/types';
import { SEARCH_KINDS } from './searching';

/** A kind selector for messages.search. */
export function KindSelect({ label, value, onChange }: { label: string; value: SearchFilter | ''; onChange: (kind: SearchFilter | '') => void }) {
  return (
    <select class="chat-search__select" aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value as SearchFilter | '')}>
      {SEARCH_KINDS.map((k) => (
        <option key={k.filter} value={k.filter}>
          {k.label}
        </option>
      ))}
    </select>
  );
}
