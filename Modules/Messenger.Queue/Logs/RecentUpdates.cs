using Messenger.Contracts.Updates;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Messenger.Queue.Logs;

/// <summary>
/// The newest updates of recently active logs, in memory: getState and most getDifference calls (a device that was
/// offline for a moment) are answered without touching the database. Filled only after COMMIT, in log order, so
/// whatever it holds is durable; a ring that is not contiguous with a new entry starts over from it.
/// </summary>
internal sealed class RecentUpdates : IDisposable
{
    private readonly MemoryCache _logs;
    private readonly int _capacity;
    private readonly Lock _create = new();

    public RecentUpdates(IOptions<QueueOptions> options)
    {
        _capacity = options.Value.CachedUpdatesPerLog;
        _logs = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.CachedLogs });
    }

    /// <summary>On the writer's loop, after COMMIT.</summary>
    public void Committed(long ownerId, LoggedUpdate update)
    {
        Ring ring;
        lock (_create)
        {
            ring = Get(ownerId) ?? Add(ownerId, new Ring(_capacity, update.Pts - update.PtsCount));
        }

        ring.Append(update);
    }

    /// <summary>Remembers an empty stretch of a log read from the database, unless the writer got there first.</summary>
    public void Seed(long ownerId, long pts)
    {
        lock (_create)
        {
            if (Get(ownerId) is null)
            {
                Add(ownerId, new Ring(_capacity, pts));
            }
        }
    }

    /// <summary>On the writer's loop, after COMMIT: an entry was redacted in the database; memory follows.</summary>
    public void Replace(long ownerId, LoggedUpdate update) => Get(ownerId)?.Replace(update);

    public long? CurrentPts(long ownerId) => Get(ownerId)?.LastPts;

    /// <summary>After COMMIT: the log was dropped in the database.</summary>
    public void Forget(long ownerId) => _logs.Remove(ownerId);

    /// <summary>The updates after <paramref name="pts"/> (at most <paramref name="limit"/>), if memory holds all of them.</summary>
    public List<LoggedUpdate>? TryRead(long ownerId, long pts, int limit) => Get(ownerId)?.TryRead(pts, limit);

    public void Dispose() => _logs.Dispose();

    private Ring? Get(long ownerId) => _logs.TryGetValue(ownerId, out Ring? ring) ? ring : null;

    private Ring Add(long ownerId, Ring ring) =>
        _logs.Set(ownerId, ring, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });

    private sealed class Ring(int capacity, long startPts)
    {
        private readonly LoggedUpdate[] _items = new LoggedUpdate[capacity];
        private readonly Lock _gate = new();
        private int _first;
        private int _count;
        private long _startPts = startPts;
        private long _lastPts = startPts;

        public long LastPts
        {
            get
            {
                lock (_gate)
                {
                    return _lastPts;
                }
            }
        }

        public void Append(LoggedUpdate update)
        {
            lock (_gate)
            {
                if (update.Pts - update.PtsCount != _lastPts)
                {
                    _first = 0;
                    _count = 0;
                    _startPts = update.Pts - update.PtsCount;
                }

                if (_count == _items.Length)
                {
                    _startPts = _items[_first].Pts;
                    _first = (_first + 1) % _items.Length;
                    _count--;
                }

                _items[(_first + _count) % _items.Length] = update;
                _count++;
                _lastPts = update.Pts;
            }
        }

        public void Replace(LoggedUpdate update)
        {
            lock (_gate)
            {
                for (var i = 0; i < _count; i++)
                {
                    var index = (_first + i) % _items.Length;
                    if (_items[index].Pts == update.Pts)
                    {
                        _items[index] = update;
                        return;
                    }
                }
            }
        }

        public List<LoggedUpdate>? TryRead(long pts, int limit)
        {
            lock (_gate)
            {
                if (pts < _startPts || pts > _lastPts)
                {
                    return null;
                }

                var result = new List<LoggedUpdate>(Math.Min(limit, _count));
                for (var i = 0; i < _count && result.Count < limit; i++)
                {
                    var update = _items[(_first + i) % _items.Length];
                    if (update.Pts > pts)
                    {
                        result.Add(update);
                    }
                }

                return result;
            }
        }
    }
}
