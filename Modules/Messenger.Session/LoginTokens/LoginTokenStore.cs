using System.Buffers.Text;
using System.Security.Cryptography;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
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
/// signs in that device and no other. A token may be exported before signing in, so anyone can ask for one with a new
/// device key per connection: at most <see cref="MaxPendingPerAddress"/> are held per client address (an IPv6 /64 as
/// one, <see cref="ClientAddressBlock"/>), so one address cannot fill the store for everybody.
/// </summary>
internal sealed class LoginTokenStore(IOptions<SessionOptions> options, TimeProvider clock)
{
    public const int MaxPendingPerAddress = 100;

    private const int MaxPending = 100_000;
    private static readonly TimeSpan KeptAfterExpiry = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, PendingLogin> _byToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byDevice = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byAddress = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public TimeSpan Lifetime => TimeSpan.FromSeconds(options.Value.LoginTokenLifetimeSeconds);

    public (string Token, DateTimeOffset ExpiresAt) Issue(byte[] deviceKey, string deviceName, string platform, string clientAddress)
    {
        var address = ClientAddressBlock.Of(clientAddress);
        var device = Convert.ToHexString(deviceKey);
        lock (_gate)
        {
            // The device's earlier token goes first: exporting again never counts twice.
            if (_byDevice.Remove(device, out var previous))
            {
                Forget(previous);
            }

            if (_byToken.Count >= MaxPending || _byAddress.GetValueOrDefault(address) >= MaxPendingPerAddress)
            {
                SweepExpired();
                if (_byToken.Count >= MaxPending || _byAddress.GetValueOrDefault(address) >= MaxPendingPerAddress)
                {
                    throw MessengerError.FloodWait(options.Value.LoginTokenLifetimeSeconds);
                }
            }

            var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            var expiresAt = clock.GetUtcNow() + Lifetime;
            _byToken[token] = new PendingLogin(deviceKey, deviceName, platform, clientAddress, expiresAt);
            _byDevice[device] = token;
            _byAddress[address] = _byAddress.GetValueOrDefault(address) + 1;
            return (token, expiresAt);
        }
    }

    /// <summary>Takes the token (whatever the outcome, it cannot be used again).</summary>
    public Redemption Redeem(string token, out PendingLogin? login)
    {
        lock (_gate)
        {
            if (Forget(token) is not { } found)
            {
                login = null;
                return Redemption.Invalid;
            }

            login = found;
            var device = Convert.ToHexString(found.DeviceKey);
            if (_byDevice.GetValueOrDefault(device) == token)
            {
                _byDevice.Remove(device);
            }

            return clock.GetUtcNow() >= found.ExpiresAt ? Redemption.Expired : Redemption.Accepted;
        }
    }

    internal void Sweep()
    {
        lock (_gate)
        {
            SweepExpired();
        }
    }

    private void SweepExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var (token, login) in _byToken.Where(entry => now - entry.Value.ExpiresAt > KeptAfterExpiry).ToList())
        {
            Forget(token);
            var device = Convert.ToHexString(login.DeviceKey);
            if (_byDevice.GetValueOrDefault(device) == token)
            {
                _byDevice.Remove(device);
            }
        }
    }

    /// <summary>Removes the token and its place in its address's count (inside the gate).</summary>
    private PendingLogin? Forget(string token)
    {
        if (!_byToken.Remove(token, out var login))
        {
            return null;
        }

        var address = ClientAddressBlock.Of(login.ClientAddress);
        if (_byAddress.GetValueOrDefault(address) <= 1)
        {
            _byAddress.Remove(address);
        }
        else
        {
            _byAddress[address]--;
        }

        return login;
    }
}
