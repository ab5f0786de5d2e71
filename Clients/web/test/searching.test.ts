import { describe, expect, it } from 'vitest';
import { SearchFilters } from '../src/api/types';
import { dayBounds, SEARCH_KINDS } from '../src/ui/searching';

describe('dayBounds', () => {
  it('spans the local calendar day, both ends included', () => {
    const bounds = dayBounds('2026-03-02')!;
    const start = new Date(bounds.min_date * 1000);
    expect([start.getFullYear(), start.getMonth(), start.getDate(), start.getHours(), start.getMinutes()]).toEqual([2026, 2, 2, 0, 0]);
    const after = new Date((bounds.max_date + 1) * 1000);
    expect([after.getFullYear(), after.getMonth(), after.getDate(), after.getHours()]).toEqual([2026, 2, 3, 0]);
  });

  it('crosses months and years', () => {
    const bounds = dayBounds('2025-12-31')!;
    const after = new Date((bounds.max_date + 1) * 1000);
    expect([after.getFullYear(), after.getMonth(), after.getDate()]).toEqual([2026, 0, 1]);
  });

  it('is nothing for what is not a day', () => {
    expect(dayBounds('')).toBeNull();
    expect(dayBounds('2026-3-2')).toBeNull();
    expect(dayBounds('yesterday')).toBeNull();
  });
});

describe('SEARCH_KINDS', () => {
  it('offers All and every filter the server knows, once each', () => {
    expect(SEARCH_KINDS.map((k) => k.label)).toEqual(['All', 'Photos', 'Videos', 'Files', 'Voice', 'Links', 'Locations']);
    expect(SEARCH_KINDS.map((k) => k.filter).filter(Boolean).sort()).toEqual(Object.values(SearchFilters).sort());
  });
});
