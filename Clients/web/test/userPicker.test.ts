import { describe, expect, it } from 'vitest';
import { pickerEmptyNote } from '../src/ui/UserPicker';

describe('the people picker under a query', () => {
  it('says everyone found is already added when the only people found were picked, and no users found when none were', () => {
    expect(pickerEmptyNote(1, 0)).toBe('Everyone found is already added');
    expect(pickerEmptyNote(0, 0)).toBe('No users found');
    expect(pickerEmptyNote(2, 1)).toBeNull();
  });
});
