// msg_ids: about unixtime·2^32 (seconds in the high half, the fraction of a second below), strictly increasing,
// with the low two bits 0 for clients (MsgIdClock.cs). The offset (server time − local time) is learned at the
// handshake and from bad_msg notices.
/** The server refuses msg_ids more than this far ahead of its clock (ProtocolConstants.MsgIdMaxLeadSeconds). */
const MSG_ID_MAX_LEAD_SECONDS = 30;
const RESTART_MARGIN_SECONDS = 5;

export class MsgIdClock {
  private last = 0n;
  private offset = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Server time minus local time, in milliseconds. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Setting it restarts the sequence from the corrected clock only when the ids made so far run so far ahead of it
   * that the server would refuse the next ones (its 30 s lead, less a margin); otherwise the sequence goes on
   * increasing. Restarting on every correction could make an id again (two calls refused together correct the clock
   * a few milliseconds apart), which the server would answer as a resend of the other call (MsgIdClock.cs). */
  set offsetMs(value: number) {
    this.offset = Math.round(value);
    const corrected = Math.floor((this.now() + this.offset) / 1000);
    if (MsgIdClock.secondsOf(this.last) > corrected + MSG_ID_MAX_LEAD_SECONDS - RESTART_MARGIN_SECONDS) this.last = 0n;
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
