using System.Collections.Concurrent;
using Messenger.Kernel.Rpc;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Limits;

/// <summary>What an <see cref="AttemptLimiter"/> allows: <see cref="Max"/> attempts per <see cref="Window"/>;
/// reaching it locks the key for <see cref="Lockout"/>, doubled on each further lockout up to <see cref="MaxLockout"/>.
/// Lockouts are forgotten after <see cref="Forgive"/> without attempts.</summary>
internal sealed record AttemptLimit(int Max, TimeSpan Window, TimeSpan Lockout, TimeSpan MaxLockout)
{
    public TimeSpan Forgive => MaxLockout + Window;
}

/// <summary>
/// Counts attempts per key (an account, a client address) and locks a key out with growing waits. In memory, per
/// node; entries that no longer matter are swept so an attacker cycling keys cannot grow it without bound.
/// </summary>
internal sealed class AttemptLimiter(AttemptLimit limit, TimeProvider clock)
{
    private const int SweepEvery = 4096;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _recordsSinceSweep;

    public int Count => _entries.Count;

    /// <summary>Seconds to wait before the next attempt for <paramref name="key"/>, or null if it may go ahead.</summary>
    public int? RetryAfter(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        lock (entry)
        {
            var wait = entry.BlockedUntil - clock.GetUtcNow();
            return wait > TimeSpan.Zero ? (int)Math.Ceiling(wait.TotalSeconds) : null;
        }
    }

    /// <summary>Counts an attempt; returns the wait it started when it reached the limit.</summary>
    public int? Record(string key)
    {
        if (Interlocked.Increment(ref _recordsSinceSweep) >= SweepEvery)
        {
            Interlocked.Exchange(ref _recordsSinceSweep, 0);
            Sweep();
        }

        var now = clock.GetUtcNow();
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            if (now - entry.LastAttempt > limit.Forgive)
            {
                entry.Lockouts = 0;
            }

            entry.LastAttempt = now;
            while (entry.Attempts.TryPeek(out var oldest) && now - oldest >= limit.Window)
            {
                entry.Attempts.Dequeue();
            }

            entry.Attempts.Enqueue(now);
            if (entry.Attempts.Count < limit.Max)
            {
                return null;
            }

            entry.Attempts.Clear();
            var lockout = TimeSpan.FromTicks(Math.Min(limit.MaxLockout.Ticks, limit.Lockout.Ticks << Math.Min(entry.Lockouts, 30)));
            entry.Lockouts++;
            entry.BlockedUntil = now + lockout;
            return (int)Math.Ceiling(lockout.TotalSeconds);
        }
    }

    /// <summary>Forgets the key (a successful sign-in clears its account's failures).</summary>
    public void Reset(string key) => _entries.TryRemove(key, out _);

    internal void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            lock (entry)
            {
                if (now - entry.LastAttempt > limit.Forgive && now >= entry.BlockedUntil)
                {
                    _entries.TryRemove(new(key, entry));
                }
            }
        }
    }

    private sealed class Entry
    {
        public Queue<DateTimeOffset> Attempts { get; } = new();

        public DateTimeOffset LastAttempt { get; set; }

        public DateTimeOffset BlockedUntil { get; set; }

        public int Lockouts { get; set; }
    }
}

/// <summary>The module's three limiters: failed sign-ins per account and per address, registrations per address.</summary>
internal sealed class AuthLimits(IOptions<SessionOptions> options, TimeProvider clock)
{
    public AttemptLimiter FailuresPerAccount { get; } = new(FailureLimit(options.Value, options.Value.SignInFailuresPerAccount), clock);

    public AttemptLimiter FailuresPerAddress { get; } = new(FailureLimit(options.Value, options.Value.SignInFailuresPerAddress), clock);

    public AttemptLimiter RegistrationsPerAddress { get; } = new(new AttemptLimit(
        options.Value.RegistrationsPerAddress,
        TimeSpan.FromSeconds(options.Value.RegistrationWindowSeconds),
        TimeSpan.FromSeconds(options.Value.RegistrationWindowSeconds),
        TimeSpan.FromSeconds(Math.Max(options.Value.RegistrationWindowSeconds, options.Value.MaxLockoutSeconds))), clock);

    public static string AccountKey(string usernameKey) => "user:" + usernameKey;

    /// <summary>The key of a client address: its block (<see cref="ClientAddressBlock"/>, an IPv6 client by its /64).</summary>
    public static string AddressKey(string? clientAddress) => "addr:" + (clientAddress is null ? "unknown" : ClientAddressBlock.Of(clientAddress));

    private static AttemptLimit FailureLimit(SessionOptions options, int max) => new(
        max,
        TimeSpan.FromSeconds(options.FailureWindowSeconds),
        TimeSpan.FromSeconds(options.LockoutSeconds),
        TimeSpan.FromSeconds(options.MaxLockoutSeconds));
}
