using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Messenger.Kernel.Errors;
using Microsoft.Extensions.Options;

namespace Messenger.Session.LoginTokens;

/// <summary>A device waiting to be signed in by a login token.</summary>
internal sealed record PendingLogin(byte[] DeviceKey, string DeviceName, string Platform, string ClientAddress, DateTimeOffset ExpiresAt);

internal enum Redemption
{
    Accepted,
    Invalid,
    Expired,
}

/// <summary>
/// Login tokens (Telegram's QR login), in memory: 32 random bytes, one live token per device (exporting again
/// replaces it), usable once, until it expires. The token only names the device that exported it: accepting it
/// signs in that device and no other.
/// </summary>
internal sealed class LoginTokenStore(IOptions<SessionOptions> options, TimeProvider clock)
{
    private const int MaxPending = 100_000;
    private static readonly TimeSpan KeptAfterExpiry = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, PendingLogin> _byToken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _byDevice = new(StringComparer.Ordinal);

    public TimeSpan Lifetime => TimeSpan.FromSeconds(options.Value.LoginTokenLifetimeSeconds);

    public (string Token, DateTimeOffset ExpiresAt) Issue(byte[] deviceKey, string deviceName, string platform, string clientAddress)
    {
        if (_byToken.Count >= MaxPending)
        {
            Sweep();
            if (_byToken.Count >= MaxPending)
            {
                throw MessengerError.FloodWait(options.Value.LoginTokenLifetimeSeconds);
            }
        }

        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var expiresAt = clock.GetUtcNow() + Lifetime;
        _byToken[token] = new PendingLogin(deviceKey, deviceName, platform, clientAddress, expiresAt);
        var device = Convert.ToHexString(deviceKey);
        if (_byDevice.TryGetValue(device, out var previous))
        {
            _byToken.TryRemove(previous, out _);
        }

        _byDevice[device] = token;
        return (token, expiresAt);
    }

    /// <summary>Takes the token (whatever the outcome, it cannot be used again).</summary>
    public Redemption Redeem(string token, out PendingLogin? login)
    {
        if (!_byToken.TryRemove(token, out login))
        {
            return Redemption.Invalid;
        }

        _byDevice.TryRemove(new(Convert.ToHexString(login.DeviceKey), token));
        return clock.GetUtcNow() >= login.ExpiresAt ? Redemption.Expired : Redemption.Accepted;
    }

    internal void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (token, login) in _byToken)
        {
            if (now - login.ExpiresAt > KeptAfterExpiry && _byToken.TryRemove(token, out _))
            {
                _byDevice.TryRemove(new(Convert.ToHexString(login.DeviceKey), token));
            }
        }
    }
}
