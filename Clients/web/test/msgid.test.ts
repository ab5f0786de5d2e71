import { describe, expect, it } from 'vitest';
import { MsgIdClock } from '../src/protocol/msgid';

describe('msg_id clock', () => {
  it('makes ids of about unixtime·2^32, divisible by 4', () => {
    const now = 1_733_097_600_250;
    const clock = new MsgIdClock(() => now);
    const id = clock.next();
    expect(id % 4n).toBe(0n);
    expect(MsgIdClock.secondsOf(id)).toBe(1_733_097_600);
    // A quarter of a second is a quarter of 2^32 in the low half (to the nearest multiple of 4).
    expect(Number(id & 0xffff_ffffn) / 2 ** 32).toBeCloseTo(0.25, 6);
  });

  it('stays strictly increasing when the clock stands still or goes back', () => {
    let now = 1_733_097_600_000;
    const clock = new MsgIdClock(() => now);
    const ids = [clock.next(), clock.next(), clock.next()];
    now -= 5000;
    ids.push(clock.next());
    for (let i = 1; i < ids.length; i++) {
      expect(ids[i]! > ids[i - 1]!).toBe(true);
      expect(ids[i]! % 4n).toBe(0n);
    }
  });

  it('follows the server clock after a correction, even backwards', () => {
    const now = 1_733_097_600_000;
    const clock = new MsgIdClock(() => now);
    clock.next();
    clock.syncTo(now - 60_000);
    expect(clock.offsetMs).toBe(-60_000);
    expect(MsgIdClock.secondsOf(clock.next())).toBe(1_733_097_540);
    clock.syncTo(now + 3_600_000);
    expect(MsgIdClock.secondsOf(clock.next())).toBe(1_733_101_200);
  });

  it('never makes an id twice across small corrections in either direction', () => {
    const now = 1_733_097_600_000;
    const clock = new MsgIdClock(() => now);
    const ids = [clock.next()];
    clock.syncTo(now + 5);
    ids.push(clock.next());
    clock.syncTo(now + 2);
    ids.push(clock.next());
    clock.syncTo(now - 3000);
    ids.push(clock.next());
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });
});
