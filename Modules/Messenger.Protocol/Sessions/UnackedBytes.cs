namespace Messenger.Protocol.Sessions;

/// <summary>
/// The bytes of unacked answers the server's sessions hold, all of them and those of sessions without a connection,
/// each session adding what it stores and taking away what it lets go. A session taken out of the registry takes all
/// of its bytes away (<see cref="ClientSession.Discard"/>), so these are the registry's. Read to enforce
/// <c>MaxUnackedResultBytes</c> and <c>MaxIdleUnackedResultBytes</c>.
/// </summary>
internal sealed class UnackedBytes(long maxAll, long maxIdle)
{
    private long _all;
    private long _idle;

    public long All => Interlocked.Read(ref _all);

    public long Idle => Interlocked.Read(ref _idle);

    /// <summary>Past <c>MaxUnackedResultBytes</c> or <c>MaxIdleUnackedResultBytes</c>.</summary>
    public bool IsOverCap => All > maxAll || Idle > maxIdle;

    /// <summary>Set by the registry: lets go of answers when a cap is passed. Called outside any session's lock.</summary>
    public Action? OverCap { get; set; }

    public void Add(long bytes, bool idle)
    {
        Interlocked.Add(ref _all, bytes);
        if (idle)
        {
            Interlocked.Add(ref _idle, bytes);
        }
    }

    /// <summary>A session's bytes counted as idle from now on (its connection went), or no longer (one came).</summary>
    public void MoveToIdle(long bytes, bool toIdle) => Interlocked.Add(ref _idle, toIdle ? bytes : -bytes);
}
