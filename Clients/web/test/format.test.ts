import { describe, expect, it } from 'vitest';
import { MuteForever, RpcError, isMuted } from '../src/api/types';
import { errorText } from '../src/ui/format';
import { periodText } from '../src/ui/peers';

describe('error text', () => {
  it('says a FLOOD_WAIT on sending is about sending, with the wait', () => {
    expect(errorText(new RpcError('FLOOD_WAIT', 420, 3, 'messages.send'))).toBe('Sending too fast, try again in 3 s');
    expect(errorText(new RpcError('FLOOD_WAIT', 420, 60, 'auth.signIn'))).toBe('Too many attempts, try again in 60 s');
  });

  it('reads any other error name as a sentence', () => {
    expect(errorText(new RpcError('MESSAGE_TOO_LONG', 400, undefined, 'messages.send'))).toBe('Message too long');
  });
});

describe('muting', () => {
  it('counts a chat as muted only until its mute_until', () => {
    const now = 1_733_097_600_000;
    expect(isMuted({ mute_until: 0 }, now)).toBe(false);
    expect(isMuted({}, now)).toBe(false);
    expect(isMuted(undefined, now)).toBe(false);
    expect(isMuted({ mute_until: now / 1000 + 1 }, now)).toBe(true);
    expect(isMuted({ mute_until: now / 1000 }, now)).toBe(false);
    expect(isMuted({ mute_until: MuteForever }, now)).toBe(true);
  });
});

describe('auto-delete periods', () => {
  it('are said in the largest whole unit', () => {
    expect(periodText(3_600)).toBe('1 hour');
    expect(periodText(86_400)).toBe('1 day');
    expect(periodText(2 * 86_400)).toBe('2 days');
    expect(periodText(7 * 86_400)).toBe('1 week');
    expect(periodText(30 * 86_400)).toBe('1 month');
    expect(periodText(366 * 86_400)).toBe('366 days');
    expect(periodText(90 * 60)).toBe('90 minutes');
    expect(periodText(90)).toBe('90 seconds');
  });
});
