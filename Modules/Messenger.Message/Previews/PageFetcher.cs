using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Messenger.Contracts.Messages;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Previews;

/// <summary>
/// Fetches a page for its preview, as a guest of the open web: GET only, 5 s in all, at most 3 redirects, HTML only, the
/// first <see cref="MaxBytes"/> read. Every connection — the first and each redirect's — goes only to public addresses
/// unless <see cref="MessageOptions.LinkPreviewsPrivateNetworks"/> allows more: the name is resolved here and loopback,
/// private, link-local (cloud metadata), shared and multicast addresses are refused, so a link cannot make the server
/// read what only it can reach.
/// </summary>
internal sealed class PageFetcher : IDisposable
{
    public const int MaxBytes = 256 * 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    // NAT64's well-known prefix (64:ff9b::/96): the IPv4 address it carries is what the connection reaches.
    private static readonly byte[] Nat64 = [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];

    private readonly HttpClient _client;

    public PageFetcher(IOptions<MessageOptions> options)
    {
        var allowPrivate = options.Value.LinkPreviewsPrivateNetworks;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 3,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            UseCookies = false,
            UseProxy = false,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowPrivate, cancellationToken),
        };
        _client = new HttpClient(handler) { Timeout = Timeout, MaxResponseContentBufferSize = MaxBytes };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("MessengerLinkPreview", "1.0"));
        _client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
    }

    /// <summary>The page's preview, or null (not HTML, not found, nothing to show); refused or too slow, it throws.</summary>
    public async Task<WebPage?> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        // 5 s for all of it: the client's timeout ends at the headers, and a page may then drip its body.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        cancellationToken = deadline.Token;
        using var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType is not ("text/html" or "application/xhtml+xml"))
        {
            return null;
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBytes];
        var read = 0;
        while (read < buffer.Length && await body.ReadAsync(buffer.AsMemory(read), cancellationToken) is > 0 and var count)
        {
            read += count;
        }

        var encoding = Encoding.UTF8;
        if (response.Content.Headers.ContentType.CharSet is { Length: > 0 } charset)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: read it as UTF-8.
            }
        }

        return PageMeta.Read(url, encoding.GetString(buffer, 0, read));
    }

    /// <summary>Whether a link may lead the server to <paramref name="address"/>: public unicast addresses only.</summary>
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

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(a => allowPrivate || IsPublic(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"{endpoint.Host} is not a public address");
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

    public void Dispose() => _client.Dispose();
}
