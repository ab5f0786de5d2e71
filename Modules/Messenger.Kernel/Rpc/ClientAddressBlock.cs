using System.Net;
using System.Net.Sockets;

namespace Messenger.Kernel.Rpc;

/// <summary>
/// What per-address limits count by: an IPv4 address as it is, an IPv6 client by its /64. A host is usually handed a
/// whole /64 and may send from any address in it, so a limit per IPv6 address would not hold it.
/// </summary>
public static class ClientAddressBlock
{
    public static string Of(string clientAddress)
    {
        if (!IPAddress.TryParse(clientAddress, out var address))
        {
            return clientAddress;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
