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
/// device key per connection: at most <see cref="MaxPendingPerAddress"/> live ones are held per client address (an IPv6
/// /64 as one, <see cref="ClientAddressBlock"/>), so one address cannot fill the store for everybody.
/// </summary>
/// <remarks>
/// A token's place at its address ends when it expires, so an address refused (a shared NAT's, say) waits no longer
/// than the oldest of its tokens lives, which is what its FLOOD_WAIT says; the token itself is kept a while longer only
/// to answer <see cref="Redemption.Expired"/> rather than Invalid, and is the first to go when the store is full. Every
/// token lives as long as the others, so the order they were issued in is the order they expire in: tokens are kept in
/// lists in that order (all live ones, each address's live ones, the expired ones kept), and expiring them looks only at
/// the lists' heads, never at the whole store. A device's earlier token is forgotten before the store's own limit is
/// checked, so evicting the oldest expired token can never pick it (forgetting it twice); an export that gets that far
/// is never refused for a full store, since the store held it and never holds more than its limit.
/// </remarks>
internal sealed class LoginTokenStore(IOptions<SessionOptions> options, TimeProvider clock)
{
    public const int MaxPendingPerAddress = 100;

    private const int MaxPending = 100_000;
    private static readonly TimeSpan KeptAfterExpiry = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, Entry> _byToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byDevice = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkedList<Entry>> _liveByAddress = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _live = new();
    private readonly LinkedList<Entry> _expired = new();
    private readonly Lock _gate = new();

    public TimeSpan Lifetime => TimeSpan.FromSeconds(options.Value.LoginTokenLifetimeSeconds);

    public (string Token, DateTimeOffset ExpiresAt) Issue(byte[] deviceKey, string deviceName, string platform, string clientAddress)
    {
        var address = ClientAddressBlock.Of(clientAddress);
        var device = Convert.ToHexString(deviceKey);
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            Expire(now);
            var previous = _byDevice.TryGetValue(device, out var previousToken) ? _byToken[previousToken] : null;
            // Checked before anything changes, so a refused export keeps the device's earlier token; that token's own
            // place goes to its replacement, so exporting again never counts twice.
            var ownPlace = previous is { AddressNode: not null } && previous.Address == address ? 1 : 0;
            if (_liveByAddress.GetValueOrDefault(address) is { } atAddress && atAddress.Count - ownPlace >= MaxPendingPerAddress)
            {
                throw MessengerError.FloodWait(SecondsUntil(atAddress.First!.Value.Login.ExpiresAt, now));
            }

            if (previous is not null)
            {
                Forget(previous);
            }

            if (_byToken.Count >= MaxPending)
            {
                // Expired tokens kept for a clearer answer give way first; only live ones make an export wait.
                if (_expired.First is not { } oldest)
                {
                    throw MessengerError.FloodWait(SecondsUntil(_live.First!.Value.Login.ExpiresAt, now));
                }

                Forget(oldest.Value);
            }

            var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            var expiresAt = now + Lifetime;
            var entry = new Entry(token, device, address, new PendingLogin(deviceKey, deviceName, platform, clientAddress, expiresAt));
            _byToken[token] = entry;
            _byDevice[device] = token;
            entry.Node = _live.AddLast(entry);
            if (!_liveByAddress.TryGetValue(address, out var live))
            {
                _liveByAddress[address] = live = new LinkedList<Entry>();
            }

            entry.AddressNode = live.AddLast(entry);
            return (token, expiresAt);
        }
    }

    /// <summary>Takes the token (whatever the outcome, it cannot be used again).</summary>
    public Redemption Redeem(string token, out PendingLogin? login)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            Expire(now);
            if (!_byToken.TryGetValue(token, out var entry))
            {
                login = null;
                return Redemption.Invalid;
            }

            Forget(entry);
            login = entry.Login;
            return now >= entry.Login.ExpiresAt ? Redemption.Expired : Redemption.Accepted;
        }
    }

    internal void Sweep()
    {
        lock (_gate)
        {
            Expire(clock.GetUtcNow());
        }
    }

    private static int SecondsUntil(DateTimeOffset at, DateTimeOffset now) => Math.Max(1, (int)Math.Ceiling((at - now).TotalSeconds));

    /// <summary>Ends the places of the tokens that expired (they are kept, for <see cref="Redemption.Expired"/>) and forgets
    /// those kept long enough (inside the gate).</summary>
    private void Expire(DateTimeOffset now)
    {
        while (_live.First is { } first && now >= first.Value.Login.ExpiresAt)
        {
            var entry = first.Value;
            LeaveAddress(entry);
            _live.Remove(first);
            _expired.AddLast(first);
        }

        while (_expired.First is { } oldest && now - oldest.Value.Login.ExpiresAt > KeptAfterExpiry)
        {
            Forget(oldest.Value);
        }
    }

    /// <summary>Removes the token, with its place at its address if it still holds one (inside the gate).</summary>
    private void Forget(Entry entry)
    {
        LeaveAddress(entry);
        entry.Node!.List!.Remove(entry.Node);
        _byToken.Remove(entry.Token);
        if (_byDevice.GetValueOrDefault(entry.Device) == entry.Token)
        {
            _byDevice.Remove(entry.Device);
        }
    }

    private void LeaveAddress(Entry entry)
    {
        if (entry.AddressNode is not { List: { } live } node)
        {
            return;
        }

        live.Remove(node);
        entry.AddressNode = null;
        if (live.Count == 0)
        {
            _liveByAddress.Remove(entry.Address);
        }
    }

    /// <summary>A token with its places in the store's lists: <see cref="Node"/> in the live or the expired list,
    /// <see cref="AddressNode"/> in its address's live list until it expires or is taken.</summary>
    private sealed class Entry(string token, string device, string address, PendingLogin login)
    {
        public string Token { get; } = token;

        public string Device { get; } = device;

        public string Address { get; } = address;

        public PendingLogin Login { get; } = login;

        public LinkedListNode<Entry>? Node { get; set; }

        public LinkedListNode<Entry>? AddressNode { get; set; }
    }
}
