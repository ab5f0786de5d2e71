using System.Collections.Concurrent;
using Messenger.Kernel.Errors;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Sending;

/// <summary>
/// How fast one user may post (send, forward, edit): a token bucket per user that holds
/// <see cref="MessageOptions.PostBurst"/> posts and refills at <see cref="MessageOptions.PostsPerSecond"/>. Every post
/// goes through the one storage writer and into its audience's logs, so a script flooding from one account would
/// slow every other user's sends; past the bucket it gets 420 <c>FLOOD_WAIT</c> with the seconds until its posts fit
/// again, before anything is written. Per user, not per device (a second device is no second allowance). In memory,
/// per node; full buckets are swept, so it holds only users who posted within the last refill time.
/// </summary>
internal sealed class PostLimiter
{
    private const int SweepEvery = 4096;

    private readonly ConcurrentDictionary<long, Bucket> _buckets = new();
    private readonly TimeProvider _clock;
    private readonly double _perSecond;
    private readonly double _burst;
    private int _takesSinceSweep;

    public PostLimiter(IOptions<MessageOptions> options, TimeProvider clock)
    {
        _clock = clock;
        _perSecond = options.Value.PostsPerSecond;
        _burst = options.Value.PostBurst;
    }

    public int Count => _buckets.Count;

    /// <summary>Takes <paramref name="posts"/> from the user's bucket, or throws <c>FLOOD_WAIT</c> and takes none.</summary>
    public void Take(long userId, int posts)
    {
        if (_perSecond <= 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _takesSinceSweep) >= SweepEvery)
        {
            Interlocked.Exchange(ref _takesSinceSweep, 0);
            Sweep();
        }

        var now = _clock.GetTimestamp();
        var bucket = _buckets.GetOrAdd(userId, static (_, state) => new Bucket(state.Burst, state.Now), (Burst: _burst, Now: now));
        lock (bucket)
        {
            var tokens = bucket.TokensAt(now, _perSecond, _burst, _clock);
            if (tokens < posts)
            {
                bucket.Set(tokens, now);
                throw MessengerError.FloodWait((int)Math.Max(1, Math.Ceiling((posts - tokens) / _perSecond)));
            }

            bucket.Set(tokens - posts, now);
        }
    }

    internal void Sweep()
    {
        var now = _clock.GetTimestamp();
        foreach (var (userId, bucket) in _buckets)
        {
            lock (bucket)
            {
                if (bucket.TokensAt(now, _perSecond, _burst, _clock) >= _burst)
                {
                    _buckets.TryRemove(new(userId, bucket));
                }
            }
        }
    }

    private sealed class Bucket(double tokens, long at)
    {
        private double _tokens = tokens;
        private long _at = at;

        public double TokensAt(long now, double perSecond, double burst, TimeProvider clock) =>
            Math.Min(burst, _tokens + clock.GetElapsedTime(_at, now).TotalSeconds * perSecond);

        public void Set(double tokens, long at)
        {
            _tokens = tokens;
            _at = at;
        }
    }
}
