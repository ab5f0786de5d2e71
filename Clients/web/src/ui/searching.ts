// What messages.search's filters look like in the UI: the kinds by name, a calendar day as a range of dates.
import { SearchFilters, type SearchFilter } from '../api/types';

/** The kinds messages.search narrows to, as the selectors name them. */
export const SEARCH_KINDS: { filter: SearchFilter | ''; label: string }[] = [
  { filter: '', label: 'All' },
  { filter: SearchFilters.Photos, label: 'Photos' },
  { filter: SearchFilters.Videos, label: 'Videos' },
  { filter: SearchFilters.Documents, label: 'Files' },
  { filter: SearchFilters.Voice, label: 'Voice' },
  { filter: SearchFilters.Links, label: 'Links' },
  { filter: SearchFilters.Geo, label: 'Locations' },
];

/** The unix seconds a local calendar day (`yyyy-mm-dd`, as a date input gives it) starts and ends at, both included. */
export function dayBounds(day: string): { min_date: number; max_date: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const start = new Date(year, month, date).getTime() / 1000;
  const next = new Date(year, month, date + 1).getTime() / 1000;
  return { min_date: Math.max(1, Math.floor(start)), max_date: Math.floor(next) - 1 };
}
