using System.Collections.Concurrent;
using Messenger.Kernel.Errors;

namespace Messenger.Kernel.Rpc;

/// <summary>
/// Token buckets by key: each holds <c>burst</c> tokens and refills at <c>perSecond</c>; taking from an empty one throws
/// 420 <c>FLOOD_WAIT</c> with the seconds until a token is back. In memory; full buckets are swept now and then.
/// </summary>
public sealed class TokenBuckets<TKey>(double perSecond, double burst, TimeProvider clock)
    where TKey : notnull
{
    private const int SweepEvery = 4096;

    private readonly ConcurrentDictionary<TKey, Bucket> _buckets = new();
    private int _takesSinceSweep;

    public int Count => _buckets.Count;

    /// <summary>Takes one token from the key's bucket, or throws <c>FLOOD_WAIT</c> and takes none. 0 per second: no limit.</summary>
    public void Take(TKey key)
    {
        if (perSecond <= 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _takesSinceSweep) >= SweepEvery)
        {
            Interlocked.Exchange(ref _takesSinceSweep, 0);
            Sweep();
        }

        var now = clock.GetTimestamp();
        var bucket = _buckets.GetOrAdd(key, static (_, state) => new Bucket(state.Burst, state.Now), (Burst: burst, Now: now));
        lock (bucket)
        {
            var tokens = TokensAt(bucket, now);
            if (tokens < 1)
            {
                bucket.Set(tokens, now);
                throw MessengerError.FloodWait((int)Math.Max(1, Math.Ceiling((1 - tokens) / perSecond)));
            }

            bucket.Set(tokens - 1, now);
        }
    }

    internal void Sweep()
    {
        var now = clock.GetTimestamp();
        foreach (var (key, bucket) in _buckets)
        {
            lock (bucket)
            {
                if (TokensAt(bucket, now) >= burst)
                {
                    _buckets.TryRemove(new(key, bucket));
                }
            }
        }
    }

    private double TokensAt(Bucket bucket, long now) =>
        Math.Min(burst, bucket.Tokens + clock.GetElapsedTime(bucket.At, now).TotalSeconds * perSecond);

    private sealed class Bucket(double tokens, long at)
    {
        public double Tokens { get; private set; } = tokens;

        public long At { get; private set; } = at;

        public void Set(double tokens, long at)
        {
            Tokens = tokens;
            At = at;
        }
    }
}
