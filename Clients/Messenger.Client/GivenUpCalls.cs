using System.Collections.Concurrent;

namespace Messenger.Client;

/// <summary>
/// The msg ids of calls whose caller stopped waiting (cancelled, timed out) after they may have gone out: the server may
/// still run them and answer. Bounded: past <see cref="Limit"/> the oldest half is forgotten (an answer that late only
/// goes unnoticed, as before). A call may leave what to do with its answer should it still come (<see cref="Add"/>).
/// </summary>
internal sealed class GivenUpCalls
{
    internal const int Limit = 256;

    private readonly ConcurrentDictionary<long, Action<byte[]>?> _ids = new();

    /// <summary>Test hook: runs as a call is given up, before it is remembered.</summary>
    internal Action? Adding { get; set; }

    /// <summary>Whether a call of <paramref name="method"/> given up is remembered: one that may change a log. Not the
    /// reads — the update stream's own (<c>updates.*</c>, which have their own retry: an answer to a timed-out fetch
    /// would only fetch again at once, past the fetch's back-off), <c>help.*</c>, file transfers (<c>upload.*</c>: a
    /// cancelled upload's parts in flight), and the <c>get…</c>, <c>search…</c> and <c>list…</c> calls (a search given
    /// up as the user types, a history page no longer wanted).</summary>
    public static bool Remembers(string method)
    {
        var dot = method.IndexOf('.');
        var space = dot < 0 ? "" : method[..dot];
        var verb = method.AsSpan(dot + 1);
        return space is not ("updates" or "help" or "upload")
            && !verb.StartsWith("get", StringComparison.Ordinal)
            && !verb.StartsWith("search", StringComparison.Ordinal)
            && !verb.StartsWith("list", StringComparison.Ordinal);
    }

    /// <summary>Remembers <paramref name="msgId"/>; <paramref name="answeredLate"/> takes its answer if it still comes.</summary>
    public void Add(long msgId, Action<byte[]>? answeredLate = null)
    {
        Adding?.Invoke();
        _ids[msgId] = answeredLate;
        if (_ids.Count > Limit)
        {
            // Msg ids grow with time: the smaller half is the older.
            foreach (var old in _ids.Keys.Order().Take(Limit / 2))
            {
                _ids.TryRemove(old, out _);
            }
        }
    }

    /// <summary>Whether <paramref name="msgId"/> was given up (and is forgotten now).</summary>
    public bool Remove(long msgId) => Remove(msgId, out _);

    /// <summary>Whether <paramref name="msgId"/> was given up (and is forgotten now), with what takes its late answer.</summary>
    public bool Remove(long msgId, out Action<byte[]>? answeredLate)
    {
        answeredLate = null;
        return !_ids.IsEmpty && _ids.TryRemove(msgId, out answeredLate);
    }

    internal int Count => _ids.Count;
}
