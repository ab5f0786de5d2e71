using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Messenger.Queue.Logs;

/// <summary>
/// The newest updates of recently active logs, in memory: getState and most getDifference calls (a device that was
/// offline for a moment) are answered without touching the database. Filled only after COMMIT, in log order, so
/// whatever it holds is durable; a ring that is not contiguous with a new entry starts over from it, and one already
/// at or past an entry (seeded from a read that saw its commit) leaves it out.
/// An entry is kept as the bytes the log stored (one array, shared by every log the same update went into), not as the
/// update's object graph: the graphs would outlive a few collections each and be promoted, and every gen 0 collection
/// would mark them again through the older generations' cards; a read deserializes what it returns. A ring holds at
/// most <c>CachedUpdatesPerLog</c> entries, and drops its oldest while their payloads take more than
/// <c>CachedBytesPerLog</c> bytes, down to the newest, which it always keeps; its slots grow with use, so a quiet log
/// (one getState seeded) costs a few of them.
/// </summary>
internal sealed class RecentUpdates : IDisposable
{
    private const int ChangeStripes = 4096;
    private readonly MemoryCache _logs;
    private readonly int _capacity;
    private readonly int _maxBytes;
    private readonly Lock _create = new();
    // Changes (appends, drops) counted per stripe of logs: a seed is given up only for a change to a log of its stripe,
    // so a busy server's other logs do not keep quiet ones out of memory.
    private readonly long[] _changes = new long[ChangeStripes];

    public RecentUpdates(IOptions<QueueOptions> options)
    {
        _capacity = options.Value.CachedUpdatesPerLog;
        _maxBytes = options.Value.CachedBytesPerLog;
        _logs = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.CachedLogs });
    }

    /// <summary>Counts the changes (appends, drops) of <paramref name="ownerId"/>'s log and the others of its stripe: a
    /// reader takes it before it reads a log's end from the database and gives it to <see cref="Seed"/>.</summary>
    public long Changes(long ownerId) => Volatile.Read(ref _changes[Stripe(ownerId)]);

    /// <summary>On the writer's loop, after COMMIT: <paramref name="payload"/> is the update as the log stored it.</summary>
    public void Committed(long ownerId, long pts, int ptsCount, long date, byte[] payload)
    {
        Ring ring;
        lock (_create)
        {
            _changes[Stripe(ownerId)]++;
            ring = Get(ownerId) ?? Add(ownerId, new Ring(_capacity, _maxBytes, pts - ptsCount));
        }

        ring.Append(new Entry(pts, ptsCount, date, payload));
    }

    /// <summary>
    /// Remembers an empty stretch of a log read from the database, unless the writer got there first, or the log (or
    /// another of its stripe) changed since <paramref name="changesBefore"/> (<see cref="Changes"/> before the read): the
    /// read may predate a commit whose ring the cache did not keep (full, or evicted since), and a ring seeded from it
    /// would answer a stale pts.
    /// </summary>
    public void Seed(long ownerId, long pts, long changesBefore)
    {
        lock (_create)
        {
            if (_changes[Stripe(ownerId)] == changesBefore && Get(ownerId) is null)
            {
                Add(ownerId, new Ring(_capacity, _maxBytes, pts));
            }
        }
    }

    /// <summary>On the writer's loop, after COMMIT: the entry at <paramref name="pts"/> was rewritten in the database to
    /// <paramref name="payload"/>; memory follows.</summary>
    public void Replace(long ownerId, long pts, byte[] payload) => Get(ownerId)?.Replace(pts, payload);

    public long? CurrentPts(long ownerId) => Get(ownerId)?.LastPts;

    /// <summary>After COMMIT: the log was dropped in the database.</summary>
    public void Forget(long ownerId)
    {
        lock (_create)
        {
            _changes[Stripe(ownerId)]++;
            _logs.Remove(ownerId);
        }
    }

    /// <summary>The updates after <paramref name="pts"/> (at most <paramref name="limit"/>), if memory holds all of them.</summary>
    public List<LoggedUpdate>? TryRead(long ownerId, long pts, int limit) => Get(ownerId)?.TryRead(pts, limit);

    public void Dispose() => _logs.Dispose();

    private static int Stripe(long ownerId) => (int)((ulong)ownerId % ChangeStripes);

    private Ring? Get(long ownerId) => _logs.TryGetValue(ownerId, out Ring? ring) ? ring : null;

    private Ring Add(long ownerId, Ring ring) =>
        _logs.Set(ownerId, ring, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });

    /// <summary>One log entry as stored: its position, its date and the serialized update.</summary>
    private readonly record struct Entry(long Pts, int PtsCount, long Date, byte[] Payload)
    {
        public LoggedUpdate ToLogged() => new(Pts, PtsCount, Date, WireSerializer.Deserialize<Update>(Payload));
    }

    /// <summary>One log's newest entries: at most <paramref name="capacity"/> of them, the oldest dropped while their
    /// payloads take more than <paramref name="maxBytes"/> (never the newest); <c>_startPts</c> is the position before
    /// the oldest one held.</summary>
    private sealed class Ring(int capacity, int maxBytes, long startPts)
    {
        private const int FirstSlots = 8;
        private Entry[] _items = new Entry[Math.Min(capacity, FirstSlots)];
        private readonly Lock _gate = new();
        private int _first;
        private int _count;
        private long _bytes;
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

        public void Append(Entry entry)
        {
            lock (_gate)
            {
                if (entry.Pts <= _lastPts)
                {
                    // Seeded from a read that already saw this commit, before its after-commit step came here: the
                    // ring is at or past it (a dropped log's ring is forgotten before its next append).
                    return;
                }

                if (entry.Pts - entry.PtsCount != _lastPts)
                {
                    while (_count > 0)
                    {
                        DropOldest();
                    }

                    _first = 0;
                    _startPts = entry.Pts - entry.PtsCount;
                }

                if (_count == _items.Length)
                {
                    if (_items.Length < capacity)
                    {
                        Grow();
                    }
                    else
                    {
                        DropOldest();
                    }
                }

                _items[(_first + _count) % _items.Length] = entry;
                _count++;
                _bytes += entry.Payload.Length;
                _lastPts = entry.Pts;
                Trim();
            }
        }

        public void Replace(long pts, byte[] payload)
        {
            lock (_gate)
            {
                for (var i = 0; i < _count; i++)
                {
                    var index = (_first + i) % _items.Length;
                    if (_items[index].Pts == pts)
                    {
                        _bytes += payload.Length - _items[index].Payload.Length;
                        _items[index] = _items[index] with { Payload = payload };
                        Trim();
                        return;
                    }
                }
            }
        }

        /// <summary>Drops the oldest entries while the payloads take more than the bound, keeping the newest.</summary>
        private void Trim()
        {
            while (_bytes > maxBytes && _count > 1)
            {
                DropOldest();
            }
        }

        private void Grow()
        {
            var larger = new Entry[Math.Min(capacity, _items.Length * 2)];
            for (var i = 0; i < _count; i++)
            {
                larger[i] = _items[(_first + i) % _items.Length];
            }

            _items = larger;
            _first = 0;
        }

        private void DropOldest()
        {
            ref var oldest = ref _items[_first];
            _startPts = oldest.Pts;
            _bytes -= oldest.Payload.Length;
            oldest = default;
            _first = (_first + 1) % _items.Length;
            _count--;
        }

        public List<LoggedUpdate>? TryRead(long pts, int limit)
        {
            List<Entry> entries;
            lock (_gate)
            {
                if (pts < _startPts || pts > _lastPts)
                {
                    return null;
                }

                entries = new List<Entry>(Math.Min(limit, _count));
                for (var i = 0; i < _count && entries.Count < limit; i++)
                {
                    var entry = _items[(_first + i) % _items.Length];
                    if (entry.Pts > pts)
                    {
                        entries.Add(entry);
                    }
                }
            }

            // Deserialized outside the lock: the writer's loop appends to this ring after every commit.
            return entries.ConvertAll(entry => entry.ToLogged());
        }
    }
}
