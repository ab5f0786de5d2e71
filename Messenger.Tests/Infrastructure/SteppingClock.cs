namespace Messenger.Tests.Infrastructure;

/// <summary>The real clock, which a test may move forward at once: timers and delays still run in real time, so a client
/// given it keeps working (acks, receipts, retries), while what it compares with "now" (a key's age, a request's wait)
/// sees the jump. A jump while the client is connected stays under the server's 30 s lead for msg_ids; a larger one is
/// made while it is offline (the next handshake learns the offset).</summary>
internal sealed class SteppingClock : TimeProvider
{
    private long _aheadTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _aheadTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _aheadTicks, by.Ticks);
}
