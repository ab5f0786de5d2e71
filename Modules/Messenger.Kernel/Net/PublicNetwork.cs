using System.Net;
using System.Net.Sockets;

namespace Messenger.Kernel.Net;

/// <summary>
/// Connections the server makes to addresses someone else gave it (a link to preview, a push service's endpoint):
/// the name is resolved here and only public unicast addresses are dialled — loopback, private, link-local (cloud
/// metadata), shared, multicast and the IPv6 forms that carry them (NAT64, 6to4, Teredo, IPv4-compatible) are refused, for
/// the first connection and each redirect's —
/// so what a user hands the server cannot make it reach what only it can reach. <c>allowPrivate</c> lifts the rule
/// (a server on a private network, tests).
/// </summary>
public static class PublicNetwork
{
    // NAT64's well-known prefix (64:ff9b::/96): the IPv4 address it carries is what the connection reaches.
    private static readonly byte[] Nat64 = [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];

    // IPv4-compatible addresses (::a.b.c.d, deprecated) share their first 12 bytes with :: and ::1.
    private static readonly byte[] Ipv4Compatible = new byte[12];

    // IPv4-translated addresses (::ffff:0:a.b.c.d, SIIT).
    private static readonly byte[] Ipv4Translated = [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0];

    /// <summary>A handler whose every connection goes through <see cref="ConnectAsync"/>; no proxy, no cookies.</summary>
    public static SocketsHttpHandler CreateHandler(bool allowPrivate, TimeSpan connectTimeout, IReadOnlySet<int>? ports = null) => new()
    {
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        UseCookies = false,
        UseProxy = false,
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowPrivate, cancellationToken, ports),
    };

    /// <summary>Whether the server may be led to <paramref name="address"/>: public unicast addresses only.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.GetAddressBytes().AsSpan(0, 12).SequenceEqual(Nat64))
        {
            address = new IPAddress(address.GetAddressBytes().AsSpan(12));
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && !IsPublicIPv6Transition(address.GetAddressBytes()))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)));
        }

        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal);
    }

    /// <summary>
    /// The other ways an IPv6 address can lead to an IPv4 one, which a host whose network routes them would follow:
    /// 6to4 (2002::/16) is judged by the IPv4 address it carries; IPv4-compatible (::/96, deprecated) and IPv4-translated
    /// (::ffff:0:0:0/96) addresses, NAT64's prefix for local use (64:ff9b:1::/48) and Teredo (2001::/32) are refused
    /// outright — no public site needs them.
    /// </summary>
    private static bool IsPublicIPv6Transition(byte[] b)
    {
        if (b.AsSpan(0, 12).SequenceEqual(Ipv4Compatible) || b.AsSpan(0, 12).SequenceEqual(Ipv4Translated)
            || (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1)
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0))
        {
            return false;
        }

        return b[0] != 0x20 || b[1] != 0x02 || IsPublic(new IPAddress(b.AsSpan(2, 4)));
    }

    /// <summary>Resolves <paramref name="endpoint"/> and connects to the first of its allowed addresses that answers;
    /// with <paramref name="ports"/>, only to those ports.</summary>
    public static async ValueTask<Stream> ConnectAsync(
        DnsEndPoint endpoint, bool allowPrivate, CancellationToken cancellationToken, IReadOnlySet<int>? ports = null)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(a => allowPrivate || IsPublic(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"{endpoint.Host} is not a public address");
        }

        if (ports is not null && !ports.Contains(endpoint.Port))
        {
            throw new HttpRequestException($"port {endpoint.Port} is not one the server connects to");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
