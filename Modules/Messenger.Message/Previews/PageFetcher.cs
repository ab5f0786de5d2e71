using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Net;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Previews;

/// <summary>
/// Fetches a page for its preview, as a guest of the open web: GET only, 5 s in all, at most 3 redirects, HTML only, the
/// first <see cref="MaxBytes"/> read. Every connection — the first and each redirect's — goes only to public addresses
/// on ports 80 and 443 (<see cref="PublicNetwork"/>) unless <see cref="MessageOptions.LinkPreviewsPrivateNetworks"/> allows more, so a link
/// cannot make the server read what only it can reach.
/// </summary>
internal sealed class PageFetcher : IDisposable
{
    public const int MaxBytes = 256 * 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>The web's ports, the only ones dialled on public addresses: a link to another (<c>http://host:25/</c>)
    /// would make the server a port prober, whether a preview appears telling what answered.</summary>
    private static readonly IReadOnlySet<int> WebPorts = new HashSet<int> { 80, 443 };

    private readonly HttpClient _client;

    public PageFetcher(IOptions<MessageOptions> options)
    {
        var allowPrivate = options.Value.LinkPreviewsPrivateNetworks;
        // An intranet's pages (LinkPreviewsPrivateNetworks) may be on any port.
        var handler = PublicNetwork.CreateHandler(allowPrivate, Timeout, allowPrivate ? null : WebPorts);
        handler.AllowAutoRedirect = true;
        handler.MaxAutomaticRedirections = 3;
        handler.AutomaticDecompression = DecompressionMethods.All;
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

    public void Dispose() => _client.Dispose();
}
