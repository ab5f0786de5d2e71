using System.Security.Cryptography;
using Messenger.Session.Storage;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Limits;

/// <summary>
/// Devices known to an account: a device that signed in to it by password (and two-step code, when on) within the last
/// <c>KnownDeviceDays</c>. A known device's failed password checks count on a key of its own
/// (<see cref="AuthLimits.DeviceKey"/>) instead of the account's, so guesses at a username from anywhere else cannot lock
/// its owner's own devices out; the account's key still holds every other device.
/// </summary>
/// <remarks>
/// A device key is authenticated by the Noise handshake: nobody can use another's without its private key. Anybody can
/// make new keys, so only a right password makes one known, and only to that account: an attacker's devices stay on the
/// account's key. Signing in by login token makes no device known (a thief with a session could otherwise make any number
/// of them, each with guesses of its own). The answers do not change, only which counter they count on: a wrong password
/// is <c>CREDENTIALS_INVALID</c> from any device. Kept after sign-out and across restarts (session_known_devices, the
/// SHA-256 of the key: enough to recognize it, while the key itself goes with the authorization); a password change or
/// reset forgets nothing, since the password still has to be right.
/// </remarks>
internal sealed class KnownDevices(SessionStore store, IOptions<SessionOptions> options, TimeProvider clock)
{
    /// <summary>The limiter key a sign-in to <paramref name="usernameKey"/> from <paramref name="deviceKey"/> counts on.</summary>
    public string SignInKey(string usernameKey, byte[] deviceKey) =>
        options.Value.KnownDeviceDays > 0 && store.KnownDeviceOwner(usernameKey, Hash(deviceKey), Since()) is { } userId
            ? AuthLimits.DeviceKey(userId, deviceKey)
            : AuthLimits.AccountKey(usernameKey);

    /// <summary>The limiter key a signed-in device's password check (<see cref="Passwords.AccountPassword"/>) counts on:
    /// the one its sign-ins count on.</summary>
    public string SignedInKey(long userId, string usernameKey, byte[] deviceKey) =>
        options.Value.KnownDeviceDays > 0 && store.IsKnownDevice(userId, Hash(deviceKey), Since())
            ? AuthLimits.DeviceKey(userId, deviceKey)
            : AuthLimits.AccountKey(usernameKey);

    /// <summary>Forgets the devices not signed in by password for <c>KnownDeviceDays</c>.</summary>
    public Task<int> ForgetOldAsync() => store.ForgetKnownDevicesAsync(Since());

    public static byte[] Hash(byte[] deviceKey) => SHA256.HashData(deviceKey);

    private long Since() => clock.GetUtcNow().ToUnixTimeMilliseconds() - options.Value.KnownDeviceDays * 86_400_000L;
}
