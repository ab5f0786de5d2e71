// msg_ids: about unixtime·2^32 (seconds in the high half, the fraction of a second below), strictly increasing,
// with the low two bits 0 for clients (MsgIdClock.cs). The offset (server time − local time) is learned at the
// handshake and from bad_msg notices.
export class MsgIdClock {
  private last = 0n;
  private offset = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Server time minus local time, in milliseconds. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Setting it restarts the sequence from the corrected clock; otherwise a clock that ran ahead would keep every
   * later msg_id ahead too. */
  set offsetMs(value: number) {
    this.offset = Math.round(value);
    this.last = 0n;
  }

  /** Corrects the offset from the server's clock (unix ms) as seen now. */
  syncTo(serverTimeMs: number): void {
    this.offsetMs = serverTimeMs - this.now();
  }

  next(): bigint {
    const ms = this.now() + this.offset;
    const seconds = Math.floor(ms / 1000);
    const fraction = BigInt(Math.floor((ms - seconds * 1000) * 4294967.296)) & ~3n;
    const candidate = (BigInt(seconds) << 32n) | fraction;
    this.last = candidate > this.last ? candidate : (this.last & ~3n) + 4n;
    return this.last;
  }

  /** The unix second a msg_id was made at. */
  static secondsOf(msgId: bigint): number {
    return Number(msgId >> 32n);
  }
}
