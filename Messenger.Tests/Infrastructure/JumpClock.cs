namespace Messenger.Tests.Infrastructure;

/// <summary>The real clock, moved forward at once for both the wall clock and the timestamps (what idle and age checks
/// compare), unlike <see cref="SteppingClock"/>. Timers still run in real time.</summary>
internal sealed class JumpClock : TimeProvider
{
    private long _aheadTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _aheadTicks));

    public override long GetTimestamp() =>
        System.GetTimestamp() + (long)(TimeSpan.FromTicks(Interlocked.Read(ref _aheadTicks)).TotalSeconds * TimestampFrequency);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _aheadTicks, by.Ticks);
}
