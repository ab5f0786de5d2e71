using System.Collections.Concurrent;
using Messenger.Kernel.Errors;
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
/// <remarks>
/// An attempt whose outcome takes time (a password being hashed) is taken with <see cref="TryStart"/> right before it is
/// checked (a password check once it holds its hashing slot, not while it waits in line for one) and holds its place
/// until it ends: attempts in flight count against the limit like failures, so a burst of calls at once gets no more
/// checks than the same calls one after another.
/// </remarks>
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
            return Wait(entry, clock.GetUtcNow());
        }
    }

    /// <summary>Takes an attempt for <paramref name="key"/>, to be counted (<see cref="Attempt.Count"/>) or given back
    /// (<see cref="Attempt.Dispose"/>) when its outcome is known; null, with the seconds to wait, while the key is locked
    /// out or its attempts left in the window are all in flight.</summary>
    public Attempt? TryStart(string key, out int retryAfter)
    {
        var now = clock.GetUtcNow();
        while (true)
        {
            var entry = EntryOf(key);
            lock (entry)
            {
                // Swept or reset between the lookup and the lock: the key has a new entry by now.
                if (entry.Removed)
                {
                    continue;
                }

                if (Wait(entry, now) is { } wait)
                {
                    retryAfter = wait;
                    return null;
                }

                Forget(entry, now);
                if (entry.Attempts.Count + entry.InFlight >= limit.Max)
                {
                    // The attempts in flight end within a hash or two: the caller may try again shortly.
                    retryAfter = 1;
                    return null;
                }

                entry.InFlight++;
                retryAfter = 0;
                return new Attempt(this, entry);
            }
        }
    }

    /// <summary>Counts an attempt; returns the wait it started when it reached the limit.</summary>
    public int? Record(string key)
    {
        while (true)
        {
            var entry = EntryOf(key);
            lock (entry)
            {
                if (!entry.Removed)
                {
                    return CountIn(entry);
                }
            }
        }
    }

    /// <summary>Forgets the key's failures and lockouts (a successful sign-in clears its account's); attempts still in
    /// flight keep their places.</summary>
    public void Reset(string key)
    {
        while (_entries.TryGetValue(key, out var entry))
        {
            lock (entry)
            {
                // Swept between the lookup and the lock: a new entry for the key may be the one to reset.
                if (entry.Removed)
                {
                    continue;
                }

                entry.Attempts.Clear();
                entry.Lockouts = 0;
                entry.BlockedUntil = default;
                if (entry.InFlight == 0)
                {
                    Remove(key, entry);
                }

                return;
            }
        }
    }

    internal void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            lock (entry)
            {
                if (entry.InFlight == 0 && now - entry.LastAttempt > limit.Forgive && now >= entry.BlockedUntil)
                {
                    Remove(key, entry);
                }
            }
        }
    }

    private Entry EntryOf(string key)
    {
        if (Interlocked.Increment(ref _recordsSinceSweep) >= SweepEvery)
        {
            Interlocked.Exchange(ref _recordsSinceSweep, 0);
            Sweep();
        }

        return _entries.GetOrAdd(key, _ => new Entry());
    }

    private void Remove(string key, Entry entry)
    {
        _entries.TryRemove(new(key, entry));
        entry.Removed = true;
    }

    private static int? Wait(Entry entry, DateTimeOffset now)
    {
        var wait = entry.BlockedUntil - now;
        return wait > TimeSpan.Zero ? (int)Math.Ceiling(wait.TotalSeconds) : null;
    }

    private void Forget(Entry entry, DateTimeOffset now)
    {
        while (entry.Attempts.TryPeek(out var oldest) && now - oldest >= limit.Window)
        {
            entry.Attempts.Dequeue();
        }
    }

    private int? CountIn(Entry entry)
    {
        var now = clock.GetUtcNow();
        if (now - entry.LastAttempt > limit.Forgive)
        {
            entry.Lockouts = 0;
        }

        entry.LastAttempt = now;
        Forget(entry, now);
        entry.Attempts.Enqueue(now);
        if (entry.Attempts.Count < limit.Max)
        {
            return null;
        }

        entry.Attempts.Clear();
        var lockout = LockoutAfter(entry.Lockouts);
        entry.Lockouts++;
        entry.BlockedUntil = now + lockout;
        return (int)Math.Ceiling(lockout.TotalSeconds);
    }

    /// <summary>The lockout doubled <paramref name="lockouts"/> times, up to the maximum. Compared before it is shifted:
    /// shifted first, a long first lockout (up to a day) doubled two dozen times would overflow negative and lock out no
    /// more.</summary>
    private TimeSpan LockoutAfter(int lockouts)
    {
        var doublings = Math.Min(lockouts, 62);
        return limit.Lockout.Ticks > limit.MaxLockout.Ticks >> doublings
            ? limit.MaxLockout
            : TimeSpan.FromTicks(limit.Lockout.Ticks << doublings);
    }

    /// <summary>An attempt taken by <see cref="TryStart"/>: counted once, or given back when disposed uncounted.</summary>
    internal sealed class Attempt : IDisposable
    {
        private readonly AttemptLimiter _limiter;
        private readonly Entry _entry;
        private bool _ended;

        public Attempt(AttemptLimiter limiter, Entry entry)
        {
            _limiter = limiter;
            _entry = entry;
        }

        /// <summary>Counts the attempt (a failure); returns the wait it started when it reached the limit.</summary>
        public int? Count()
        {
            lock (_entry)
            {
                if (!End())
                {
                    return null;
                }

                return _limiter.CountIn(_entry);
            }
        }

        public void Dispose()
        {
            lock (_entry)
            {
                End();
            }
        }

        private bool End()
        {
            if (_ended)
            {
                return false;
            }

            _ended = true;
            _entry.InFlight--;
            return true;
        }
    }

    internal sealed class Entry
    {
        public Queue<DateTimeOffset> Attempts { get; } = new();

        public DateTimeOffset LastAttempt { get; set; }

        public DateTimeOffset BlockedUntil { get; set; }

        public int Lockouts { get; set; }

        /// <summary>Attempts taken and not yet counted or given back; an entry with any is neither swept nor reset away.</summary>
        public int InFlight { get; set; }

        /// <summary>Taken out of the map: a caller that found it just before must look the key up again.</summary>
        public bool Removed { get; set; }
    }
}

/// <summary>The module's three limiters: failed sign-ins per account (or per device known to it, on keys of their own) and
/// per address, registrations per address.</summary>
internal sealed class AuthLimits(IOptions<SessionOptions> options, TimeProvider clock)
{
    public AttemptLimiter FailuresPerAccount { get; } = new(FailureLimit(options.Value, options.Value.SignInFailuresPerAccount), clock);

    public AttemptLimiter FailuresPerAddress { get; } = new(FailureLimit(options.Value, options.Value.SignInFailuresPerAddress), clock);

    public AttemptLimiter RegistrationsPerAddress { get; } = new(new AttemptLimit(
        options.Value.RegistrationsPerAddress,
        TimeSpan.FromSeconds(options.Value.RegistrationWindowSeconds),
        TimeSpan.FromSeconds(options.Value.RegistrationWindowSeconds),
        TimeSpan.FromSeconds(Math.Max(options.Value.RegistrationWindowSeconds, options.Value.MaxLockoutSeconds))), clock);

    /// <summary>Takes a password attempt against the address (for a sign-in) and the account once its hash can start (its
    /// caller holds a hashing slot: <see cref="Passwords.PasswordHasher.TakeSlotAsync"/>); 420 <c>FLOOD_WAIT</c> while
    /// either is locked out or has all its attempts left in flight, with the longer wait of the two (reading the account's
    /// wait takes no place).</summary>
    /// <remarks>The address goes first: an address refused (one guessing at many accounts) takes no place from the
    /// account it names, so it cannot hold a user's own sign-in back even for the moment its place is held.</remarks>
    public PasswordAttempt StartPasswordAttempt(string account, string? address = null)
    {
        AttemptLimiter.Attempt? onAddress = null;
        if (address is not null && (onAddress = FailuresPerAddress.TryStart(address, out var addressWait)) is null)
        {
            throw MessengerError.FloodWait(Math.Max(addressWait, FailuresPerAccount.RetryAfter(account) ?? 0));
        }

        if (FailuresPerAccount.TryStart(account, out var accountWait) is not { } onAccount)
        {
            onAddress?.Dispose();
            throw MessengerError.FloodWait(accountWait);
        }

        return new PasswordAttempt(FailuresPerAccount, account, onAccount, onAddress);
    }

    /// <summary>420 <c>FLOOD_WAIT</c> at once while the address (for a sign-in) or the account is locked out: a check that
    /// could not start anyway does not wait in the hasher's line; when both are, the longer wait. Looks only; takes no place
    /// and adds no entry.</summary>
    public void ThrowIfLockedOut(string account, string? address = null)
    {
        if (Longer(address is null ? null : FailuresPerAddress.RetryAfter(address), FailuresPerAccount.RetryAfter(account)) is { } wait)
        {
            throw MessengerError.FloodWait(wait);
        }
    }

    /// <summary>The longer of two waits, either of which may be none.</summary>
    public static int? Longer(int? first, int? second) =>
        first is null ? second : second is null ? first : Math.Max(first.Value, second.Value);

    public static string AccountKey(string usernameKey) => "user:" + usernameKey;

    /// <summary>The key of a device known to an account (<see cref="KnownDevices"/>): its failures count here, not on the
    /// account's key, with the same limits.</summary>
    public static string DeviceKey(long userId, byte[] deviceKey) => $"device:{userId}:{Convert.ToHexString(deviceKey)}";

    /// <summary>The key of a client address: its block (<see cref="ClientAddressBlock"/>, an IPv6 client by its /64).</summary>
    public static string AddressKey(string? clientAddress) => "addr:" + (clientAddress is null ? "unknown" : ClientAddressBlock.Of(clientAddress));

    private static AttemptLimit FailureLimit(SessionOptions options, int max) => new(
        max,
        TimeSpan.FromSeconds(options.FailureWindowSeconds),
        TimeSpan.FromSeconds(options.LockoutSeconds),
        TimeSpan.FromSeconds(options.MaxLockoutSeconds));
}

/// <summary>
/// A password (and two-step code) check in progress, holding its place against the account and, for a sign-in, the
/// address (<see cref="AuthLimits.StartPasswordAttempt"/>); "the account" is the key the check counts on, a known
/// device's own (<see cref="KnownDevices"/>) or the account's. A wrong answer is counted (<see cref="Failed"/>), a right
/// one clears that key's count (<see cref="Succeeded"/>; a known device's success leaves the account's lockout of other
/// devices alone); anything else (a code still to come, an error) gives the places back uncounted when disposed.
/// </summary>
internal sealed class PasswordAttempt(
    AttemptLimiter accounts, string account, AttemptLimiter.Attempt onAccount, AttemptLimiter.Attempt? onAddress) : IDisposable
{
    /// <summary>Counts the failure; returns the longer wait it started when it reached a limit.</summary>
    public int? Failed()
    {
        var accountWait = onAccount.Count();
        return AuthLimits.Longer(accountWait, onAddress?.Count());
    }

    public void Succeeded()
    {
        Dispose();
        accounts.Reset(account);
    }

    public void Dispose()
    {
        onAccount.Dispose();
        onAddress?.Dispose();
    }
}
