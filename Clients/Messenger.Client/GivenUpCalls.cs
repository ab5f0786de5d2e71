using System.Collections.Concurrent;

namespace Messenger.Client;

/// <summary>
/// The msg ids of calls whose caller stopped waiting (cancelled, timed out) after they may have gone out: the server may
/// still run them and answer. Bounded: past <see cref="Limit"/> the oldest half is forgotten (an answer that late only
/// goes unnoticed, as before).
/// </summary>
internal sealed class GivenUpCalls
{
    internal const int Limit = 256;

    private readonly ConcurrentDictionary<long, byte> _ids = new();

    public void Add(long msgId)
    {
        _ids[msgId] = 0;
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
    public bool Remove(long msgId) => !_ids.IsEmpty && _ids.TryRemove(msgId, out _);

    internal int Count => _ids.Count;
}
