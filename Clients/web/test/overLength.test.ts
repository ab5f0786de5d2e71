import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH, overLength } from '../src/ui/rich';

describe('the composer while a too-long text is typed', () => {
  it('says how many characters the reader would see against the limit, and how many too many', () => {
    expect(overLength('a'.repeat(5000), MAX_TEXT_LENGTH)).toBe('5,000 / 4,096 characters: 904 too many');
    expect(overLength('a'.repeat(4097), MAX_TEXT_LENGTH)).toBe('4,097 / 4,096 characters: 1 too many');
  });

  it('says nothing while it fits, as the server counts: the markup and the spaces around it are not counted', () => {
    expect(overLength('a'.repeat(4096), MAX_TEXT_LENGTH)).toBeNull();
    expect(overLength(`**${'a'.repeat(4096)}**`, MAX_TEXT_LENGTH)).toBeNull();
    expect(overLength(`  ${'a'.repeat(4096)}\n\n`, MAX_TEXT_LENGTH)).toBeNull();
  });

  it('says when the formatting itself makes it too long', () => {
    expect(overLength('**'.repeat(8193), MAX_TEXT_LENGTH)).toBe('Too long with its formatting: at most 16,384 characters as typed');
  });
});
