using System.Runtime.InteropServices;
using Messenger.Session.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Devices;

/// <summary>A device's authorization: which account its key is bound to, and whether it signed in with an admin's
/// temporary password not changed since (every call but a few is refused then).</summary>
internal sealed record DeviceAuthorization(long AuthorizationId, long UserId, bool PasswordChangeRequired);

/// <summary>
/// Device key → authorization, answered from memory on every call (negative answers too, briefly). Sign-in,
/// revocation, password change (which lifts a temporary password's restriction) and block invalidate the key. A lookup
/// that raced an invalidation drops what it cached, so a revoked key is never served from a stale read.
/// </summary>
internal sealed class AuthorizationCache : IDisposable
{
    private static readonly TimeSpan KnownFor = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan UnknownFor = TimeSpan.FromSeconds(30);
    private const int KeyBytes = 32;

    private readonly SessionStore _store;
    private readonly MemoryCache _cache;
    private long _generation;

    public AuthorizationCache(SessionStore store, IOptions<SessionOptions> options)
    {
        _store = store;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.AuthorizationCacheEntries });
    }

    public DeviceAuthorization? Get(byte[] deviceKey)
    {
        var key = KeyOf(deviceKey);
        if (_cache.TryGetValue(key, out Entry? cached))
        {
            return cached!.Authorization;
        }

        var generation = Interlocked.Read(ref _generation);
        var authorization = _store.FindAuthorization(deviceKey) is { } found ? new DeviceAuthorization(found.AuthorizationId, found.UserId, found.PasswordChangeRequired) : null;
        _cache.Set(key, new Entry(authorization), new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpirationRelativeToNow = authorization is null ? UnknownFor : KnownFor,
        });

        // An invalidation since the read began may have come before our Set: drop what we cached.
        if (Interlocked.Read(ref _generation) != generation)
        {
            _cache.Remove(key);
        }

        return authorization;
    }

    public void Invalidate(byte[] deviceKey)
    {
        Interlocked.Increment(ref _generation);
        _cache.Remove(KeyOf(deviceKey));
    }

    public void Dispose() => _cache.Dispose();

    /// <summary>The cache's key for a device key: a handshake's key (32 bytes) as two 128-bit halves, hashed and compared
    /// without building a string on every call; any other length (none reaches here from a handshake) as its hex.</summary>
    private static object KeyOf(byte[] deviceKey) => deviceKey.Length == KeyBytes
        ? new KeyHalves(MemoryMarshal.Read<Int128>(deviceKey), MemoryMarshal.Read<Int128>(deviceKey.AsSpan(KeyBytes / 2)))
        : Convert.ToHexString(deviceKey);

    /// <remarks>Hashed with <see cref="HashCode"/> (seeded at random per process): device keys are chosen by clients,
    /// and a fixed hash would let one pick many that share a bucket.</remarks>
    private readonly record struct KeyHalves(Int128 Low, Int128 High)
    {
        public override int GetHashCode() => HashCode.Combine(Low, High);
    }

    private sealed record Entry(DeviceAuthorization? Authorization);
}
