namespace Messenger.Contracts.Wire;

/// <summary>
/// Makes msg_ids: about unixtime·2³² (seconds in the high half, the fraction of a second below), strictly
/// increasing, with the low two bits fixed (0 for clients; 1 for the server's answers, 3 for its other messages).
/// A client corrects its clock with <see cref="Offset"/> when the server says its msg_ids are off.
/// </summary>
public sealed class MsgIdClock(TimeProvider clock)
{
    private long _last;

    /// <summary>Added to the local clock: server time minus local time. Setting it restarts the sequence from the
    /// corrected clock; otherwise a clock that ran ahead would keep every later msg_id ahead too.</summary>
    public TimeSpan Offset
    {
        get => _offset;
        set
        {
            _offset = value;
            Interlocked.Exchange(ref _last, 0);
        }
    }

    private TimeSpan _offset;

    public long Next(int lowBits = 0)
    {
        var now = clock.GetUtcNow() + Offset;
        var seconds = now.ToUnixTimeSeconds();
        var fraction = (long)((now.ToUnixTimeMilliseconds() - seconds * 1000) * 4294967.296);
        var candidate = (seconds << 32) | (fraction & ~3L) | (long)lowBits;
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = candidate > last ? candidate : ((last & ~3L) + 4) | (long)lowBits;
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return next;
            }
        }
    }

    /// <summary>The wall-clock time a msg_id was made at (to the second).</summary>
    public static DateTimeOffset TimeOf(long msgId) => DateTimeOffset.FromUnixTimeSeconds(msgId >>> 32);
}
