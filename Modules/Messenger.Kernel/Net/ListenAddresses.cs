using System.Net;

namespace Messenger.Kernel.Net;

/// <summary>The addresses Kestrel reports it listens on, as a person reads them at start.</summary>
public static class ListenAddresses
{
    /// <summary>A URL a browser on this machine opens: Kestrel reports a wildcard bind (0.0.0.0, [::], +, *) as such, and
    /// a browser reaches it on loopback.</summary>
    public static string BrowserUrl(string address)
    {
        if (IsLocalSocket(address))
        {
            return address; // no URL a browser opens: the operator's proxy serves it
        }

        var uri = new UriBuilder(address.Replace("://+", "://localhost").Replace("://*", "://localhost"));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = uri.Host == "0.0.0.0" ? "127.0.0.1" : "localhost";
        }

        return uri.Uri.GetLeftPart(UriPartial.Authority) + "/";
    }

    /// <summary>Whether <paramref name="address"/> is plain <c>http://</c> that other machines may reach: a wildcard, a
    /// host name other than localhost, or an IP address that is not loopback (a Unix socket, <c>http://unix:/path</c>,
    /// or a Windows named pipe, <c>http://pipe:/name</c>, is this machine's alone).</summary>
    public static bool IsPlainHttpBeyondLoopback(string address)
    {
        if (!address.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || IsLocalSocket(address))
        {
            return false;
        }

        if (address.Contains("://+", StringComparison.Ordinal) || address.Contains("://*", StringComparison.Ordinal))
        {
            return true;
        }

        var host = new Uri(address).Host.Trim('[', ']');
        return !host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            && !(IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    private static bool IsLocalSocket(string address) =>
        address.Contains("://unix:", StringComparison.OrdinalIgnoreCase) || address.Contains("://pipe:", StringComparison.OrdinalIgnoreCase);
}
