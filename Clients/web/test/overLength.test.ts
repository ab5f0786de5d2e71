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

describe('what every box that sends says when Send meets a too-long text', () => {
  it('names the limit of a message or a caption, with the count', async () => {
    const { lengthRefusal } = await import('../src/ui/TooLong');
    expect(lengthRefusal('a'.repeat(1025), 1024, 'caption')).toBe('A caption may show at most 1,024 characters (1,025 / 1,024 characters: 1 too many)');
    expect(lengthRefusal('a'.repeat(4097), MAX_TEXT_LENGTH, 'message')).toBe('A message may show at most 4,096 characters (4,097 / 4,096 characters: 1 too many)');
    expect(lengthRefusal(`**${'a'.repeat(1024)}**`, 1024, 'caption')).toBeNull();
  });
});
