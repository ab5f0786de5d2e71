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
    /// corrected clock only when the msg_ids made so far run so far ahead of it that the server would refuse the next
    /// ones (more than <see cref="ProtocolConstants.MsgIdMaxLeadSeconds"/> less a margin); otherwise the sequence goes
    /// on increasing. Restarting on every correction could make an id again: two calls refused together each correct
    /// the clock by a few milliseconds, and an id made after the second restart could equal one made after the first,
    /// which the server then answers as a resend of the other call.</summary>
    public TimeSpan Offset
    {
        get => _offset;
        set
        {
            _offset = value;
            var corrected = (clock.GetUtcNow() + value).ToUnixTimeSeconds();
            var last = Interlocked.Read(ref _last);
            if ((last >>> 32) > corrected + ProtocolConstants.MsgIdMaxLeadSeconds - RestartMarginSeconds)
            {
                // The ids made so far are ones the server refused as too new: none of them is remembered there.
                Interlocked.CompareExchange(ref _last, 0, last);
            }
        }
    }

    private const int RestartMarginSeconds = 5;

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
