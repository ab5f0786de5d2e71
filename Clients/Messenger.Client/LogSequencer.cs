using Messenger.Contracts.Updates;

namespace Messenger.Client;

/// <summary>One entry of an update log: its position, how many positions it takes, and what happened (null when only the
/// caller's own result told of it, which carries no payload).</summary>
internal sealed record LogEntry(long Pts, int PtsCount, Update? Update);

/// <summary>
/// One update log as <see cref="UpdateStream"/> knows it — the user's own, or a large group's: the local position, the
/// entries that came ahead of it (held until the gap before them is filled), and when its difference is to be fetched.
/// The gap rules live here once for both kinds of log. Only the stream's loop uses it; <see cref="Pts"/> may be read from
/// any thread.
/// </summary>
internal sealed class LogSequencer(long pts, TimeProvider clock, TimeSpan gapWait)
{
    internal static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly SortedDictionary<long, LogEntry> _held = new();
    private long _pts = pts;

    /// <summary>The position: the pts of the last entry applied, or where a difference or a resync left it.</summary>
    public long Pts
    {
        get => Volatile.Read(ref _pts);
        set => Volatile.Write(ref _pts, value);
    }

    /// <summary>When the difference is to be fetched; null when nothing is to be fetched.</summary>
    public DateTimeOffset? Due { get; private set; }

    /// <summary>A fetch was asked for or failed (not only a gap waiting for pushes): the deadline stays when the gap
    /// closes.</summary>
    public bool Requested { get; private set; }

    /// <summary>How long after a failed fetch the next one is tried: doubles from 1 s up to 30 s, back to 1 s after a
    /// success.</summary>
    public TimeSpan RetryDelay { get; private set; } = FirstRetryDelay;

    /// <summary>How many entries wait for the gap before them to be filled (tests).</summary>
    public int HeldCount => _held.Count;

    /// <summary>Whether the entry follows the position with nothing held back (the common case: applied at once).</summary>
    public bool Follows(LogEntry entry) => _held.Count == 0 && entry.Pts == Pts + entry.PtsCount;

    /// <summary>Keeps an entry until it fits; one at or behind the position is dropped. Of two for the same pts the one
    /// with a payload wins: a push carries it, the caller's own result for the same pts may not.</summary>
    public void Hold(LogEntry entry)
    {
        if (entry.Pts <= Pts)
        {
            return;
        }

        if (!_held.TryGetValue(entry.Pts, out var held) || held.Update is null)
        {
            _held[entry.Pts] = entry;
        }
    }

    /// <summary>
    /// Applies the held entries that now fit, in order, while <paramref name="goOn"/> (when given) holds; what stays
    /// means a gap, which gets a deadline (<c>gapWait</c> from now) to be filled by pushes before the difference is
    /// fetched. <see cref="Pts"/> moves to each entry's before <paramref name="apply"/> reports it.
    /// </summary>
    public void Drain(Action<LogEntry> apply, Func<bool>? goOn = null)
    {
        while (_held.Count > 0 && (goOn is null || goOn()))
        {
            var next = _held.First().Value;
            if (next.Pts <= Pts)
            {
                _held.Remove(next.Pts);
                continue;
            }

            if (Pts + next.PtsCount != next.Pts)
            {
                break;
            }

            _held.Remove(next.Pts);
            Pts = next.Pts;
            apply(next);
        }

        if (_held.Count > 0)
        {
            Due ??= clock.GetUtcNow() + gapWait;
        }
        else if (!Requested)
        {
            Due = null;
        }
    }

    /// <summary>Asks for the difference now (a resync, a start from a saved position, a log known to be ahead).</summary>
    public void RequestNow()
    {
        Requested = true;
        Due = clock.GetUtcNow();
    }

    /// <summary>A fetch failed: it is tried again after <see cref="RetryDelay"/>, which doubles for the next failure.</summary>
    public void FetchFailed()
    {
        Requested = true;
        Due = clock.GetUtcNow() + RetryDelay;
        RetryDelay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, RetryDelay.Ticks * 2));
    }

    /// <summary>
    /// A fetch read the log up to the server's position: what it made fit is applied (see <see cref="Drain"/>), and the
    /// rest is dropped — the difference covered every entry held before it, so what still does not fit would only
    /// trigger the same fetch again.
    /// </summary>
    public void FetchSucceeded(Action<LogEntry> apply, Func<bool>? goOn = null)
    {
        Requested = false;
        RetryDelay = FirstRetryDelay;
        Drain(apply, goOn);
        _held.Clear();
        Due = null;
    }

    /// <summary>Starts over at <paramref name="position"/>: nothing held, and the difference fetched at once when
    /// <paramref name="fetch"/> (the position was saved earlier and may be behind).</summary>
    public void Restart(long position, bool fetch)
    {
        _held.Clear();
        RetryDelay = FirstRetryDelay;
        Requested = fetch;
        Due = fetch ? clock.GetUtcNow() : null;
        Pts = position;
    }
}
