using Messenger.Kernel.Errors;
using Microsoft.Extensions.Options;
using Sodium;

namespace Messenger.Session.Passwords;

/// <summary>
/// Argon2id through libsodium, stored as the standard encoded string (<c>$argon2id$v=19$m=…,t=…,p=1$salt$hash</c>),
/// so the cost of old hashes is read from the hash itself. Hashing runs on the thread pool, at most
/// <c>MaxConcurrent</c> at once: each hash holds <c>MemoryKiB</c> of memory, so a crowd of sign-ins waits in line
/// instead of exhausting memory, and a line longer than <c>MaxQueued</c> is answered FLOOD_WAIT at once.
/// </summary>
/// <remarks>
/// A check waiting in line holds no attempt place (<see cref="Limits.AuthLimits.StartPasswordAttempt"/>), and a right
/// password gives its places back, so the attempt limits alone would let one client queue a whole line of right
/// passwords, each a full hash. Each client's share of the line is therefore capped too: at most
/// <c>MaxQueuedPerAddress</c> checks waiting or hashed at once per line key (the client's address; for a signed-in
/// user's own checks, the account as well), the next one FLOOD_WAIT at once.
/// </remarks>
internal sealed class PasswordHasher
{
    private readonly PasswordHashOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly string _decoy;
    private readonly Dictionary<string, int> _waitingPerKey = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _waiting;

    public PasswordHasher(IOptions<SessionOptions> options)
    {
        _options = options.Value.PasswordHash;
        _slots = new SemaphoreSlim(_options.MaxConcurrent, _options.MaxConcurrent);
        _decoy = Decoy(_options);
    }

    public long OpsLimit => _options.Iterations;

    public int MemLimitBytes => _options.MemoryKiB * 1024;

    /// <summary>The hashing slots: a test takes them to hold hashes in line and order a race.</summary>
    internal SemaphoreSlim Slots => _slots;

    /// <summary>Hashes waiting for a slot or running.</summary>
    internal int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Hashes in a slot of its own; <paramref name="lineKeys"/> (a client address, an account) count it in their
    /// share of the line as <see cref="TakeSlotAsync"/> does, so what a client starts after a check holds their line too
    /// (only an admin's reset and the server's own work go uncounted).</summary>
    public Task<string> HashAsync(string password, CancellationToken cancellationToken, IReadOnlyList<string>? lineKeys = null) =>
        RunAsync(() => Hash(password), lineKeys ?? [], cancellationToken);

    /// <summary>Verifies against <paramref name="hash"/>, or, for an unknown user, against a decoy hash of the same cost,
    /// so both answers take the same time.</summary>
    public Task<bool> VerifyAsync(string? hash, string password, CancellationToken cancellationToken, IReadOnlyList<string>? lineKeys = null) =>
        RunAsync(() => VerifyOrDecoy(hash, password), lineKeys ?? [], cancellationToken);

    public bool NeedsRehash(string hash) =>
        PasswordHash.ArgonPasswordNeedsRehash(System.Text.Encoding.ASCII.GetBytes(hash + '\0'), OpsLimit, MemLimitBytes);

    internal string Hash(string password) =>
        // libsodium returns the zero-terminated C string; the terminator is not part of the encoding.
        PasswordHash.ArgonHashString(password, OpsLimit, MemLimitBytes).TrimEnd('\0');

    /// <summary>A well-formed hash of the configured cost that no password matches (random salt and digest), so an
    /// unknown user costs one full Argon2id run from the very first attempt, like a known one.</summary>
    internal string DecoyHash => _decoy;

    private static string Decoy(PasswordHashOptions options)
    {
        static string Base64(int bytes) => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=');
        return $"$argon2id$v=19$m={options.MemoryKiB},t={options.Iterations},p=1${Base64(16)}${Base64(32)}";
    }

    private bool VerifyOrDecoy(string? hash, string password)
    {
        if (hash is null)
        {
            Verify(_decoy, password);
            return false;
        }

        return Verify(hash, password);
    }

    // libsodium reads the encoded hash as a C string: the terminator we trimmed goes back on for the call.
    private static bool Verify(string hash, string password) => PasswordHash.ArgonHashStringVerify(hash + '\0', password);

    /// <summary>Waits in line for a hashing slot, held until the returned slot is disposed; 420 <c>FLOOD_WAIT</c> at once
    /// when the line is full or one of <paramref name="lineKeys"/> (a client address, an account) already has its share
    /// of it. A password check takes its attempt's places only once it holds a slot, so waiting in line holds none
    /// (<see cref="Limits.AuthLimits.StartPasswordAttempt"/>).</summary>
    public async Task<HashingSlot> TakeSlotAsync(IReadOnlyList<string> lineKeys, CancellationToken cancellationToken)
    {
        if (!TryJoin(lineKeys))
        {
            throw MessengerError.FloodWait(1);
        }

        if (Interlocked.Increment(ref _waiting) > _options.MaxConcurrent + _options.MaxQueued)
        {
            Release(lineKeys, slotTaken: false);
            throw MessengerError.FloodWait(1);
        }

        try
        {
            await _slots.WaitAsync(cancellationToken);
        }
        catch
        {
            Release(lineKeys, slotTaken: false);
            throw;
        }

        return new HashingSlot(this, lineKeys);
    }

    private async Task<T> RunAsync<T>(Func<T> work, IReadOnlyList<string> lineKeys, CancellationToken cancellationToken)
    {
        using var slot = await TakeSlotAsync(lineKeys, cancellationToken);
        return await Task.Run(work, cancellationToken);
    }

    private bool TryJoin(IReadOnlyList<string> lineKeys)
    {
        lock (_gate)
        {
            if (lineKeys.Any(key => _waitingPerKey.GetValueOrDefault(key) >= _options.MaxQueuedPerAddress))
            {
                return false;
            }

            foreach (var key in lineKeys)
            {
                _waitingPerKey[key] = _waitingPerKey.GetValueOrDefault(key) + 1;
            }

            return true;
        }
    }

    private void Release(IReadOnlyList<string> lineKeys, bool slotTaken)
    {
        if (slotTaken)
        {
            _slots.Release();
        }

        Interlocked.Decrement(ref _waiting);
        lock (_gate)
        {
            foreach (var key in lineKeys)
            {
                if (_waitingPerKey[key] == 1)
                {
                    _waitingPerKey.Remove(key);
                }
                else
                {
                    _waitingPerKey[key]--;
                }
            }
        }
    }

    /// <summary>A hashing slot taken by <see cref="TakeSlotAsync"/>; given back when disposed (once, however often).</summary>
    internal sealed class HashingSlot(PasswordHasher hasher, IReadOnlyList<string> lineKeys) : IDisposable
    {
        private int _released;

        /// <summary>As <see cref="PasswordHasher.VerifyAsync"/>, in this slot.</summary>
        public Task<bool> VerifyAsync(string? hash, string password, CancellationToken cancellationToken) =>
            Task.Run(() => hasher.VerifyOrDecoy(hash, password), cancellationToken);

        /// <summary>As <see cref="PasswordHasher.HashAsync"/>, in this slot.</summary>
        public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
            Task.Run(() => hasher.Hash(password), cancellationToken);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                hasher.Release(lineKeys, slotTaken: true);
            }
        }
    }
}
