using System.Net;
using System.Text.RegularExpressions;
using Messenger.Contracts.Help;
using Messenger.Contracts.Wire;
using Messenger.Host.WebClient;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Web;

public sealed partial class WebServingTests : IAsyncLifetime
{
    private const string StrictPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private TestHost _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await WebTestKit.StartHostAsync();
        _http = _host.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Index_WhenRequested_CarriesTheServerKeyUncachedUnderTheStrictPolicy()
    {
        var response = await _http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        response.Headers.CacheControl!.NoCache.Should().BeTrue();
        response.Headers.GetValues("Content-Security-Policy").Should().Equal(StrictPolicy);
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
        ServedKey(html).Should().Be(Convert.ToHexStringLower(_host.ServerPublicKey));
    }

    [Theory]
    [InlineData("/index.html")]
    [InlineData("/chats/42")]
    public async Task ClientRoute_WhenLoadedDirectly_ServesTheIndexWithTheKey(string path)
    {
        var response = await _http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoCache.Should().BeTrue();
        response.Headers.Contains("Content-Security-Policy").Should().BeTrue();
        ServedKey(html).Should().Be(Convert.ToHexStringLower(_host.ServerPublicKey));
    }

    [Fact]
    public async Task Asset_WhenRequested_IsTheBuiltFileCachedAsImmutable()
    {
        var asset = WebTestKit.BuiltScript();

        var response = await _http.GetAsync("/assets/" + Path.GetFileName(asset));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.ToString().Should().Be("public, max-age=31536000, immutable");
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/javascript");
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(await File.ReadAllBytesAsync(asset));
    }

    [Theory]
    [InlineData("br, gzip, deflate", "br")]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData("*", "br")]
    [InlineData("deflate", null)]
    [InlineData("", null)]
    [InlineData("br;q=0, gzip;q=0", null)]
    public async Task Asset_ForABrowserThatAcceptsACompression_IsItsPrecompressedCopy_WithTheOriginalType(string acceptEncoding, string? expected)
    {
        var asset = WebTestKit.BuiltScript();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/assets/" + Path.GetFileName(asset));
        if (acceptEncoding != "")
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.Vary.Should().Equal("Accept-Encoding");
        response.Headers.CacheControl!.ToString().Should().Be("public, max-age=31536000, immutable");
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/javascript");
        response.Content.Headers.ContentEncoding.Should().Equal(expected is null ? [] : [expected]);
        var original = await File.ReadAllBytesAsync(asset);
        Decompress(body, expected).Should().Equal(original);
        if (expected is not null)
        {
            body.Length.Should().BeLessThan(original.Length / 3, "the script compresses well");
        }
    }

    [Fact]
    public async Task Asset_AskedForWithHead_AnnouncesTheCompressedCopysLength()
    {
        var asset = WebTestKit.BuiltScript();
        using var request = new HttpRequestMessage(HttpMethod.Head, "/assets/" + Path.GetFileName(asset));
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentEncoding.Should().Equal("gzip");
        response.Content.Headers.ContentLength.Should().Be(new FileInfo(asset + ".gz").Length);
    }

    [Fact]
    public async Task Asset_ARangeOutsideTheCompressedCopy_Is416_ClaimingNoEncoding()
    {
        var asset = WebTestKit.BuiltScript();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/assets/" + Path.GetFileName(asset));
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(new FileInfo(asset).Length * 2, null);

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestedRangeNotSatisfiable);
        response.Content.Headers.ContentEncoding.Should().BeEmpty();
    }

    private static byte[] Decompress(byte[] body, string? encoding)
    {
        using Stream decoded = encoding switch
        {
            "br" => new System.IO.Compression.BrotliStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress),
            "gzip" => new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress),
            _ => new MemoryStream(body),
        };
        using var copy = new MemoryStream();
        decoded.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task ServiceWorker_IsServedAsScriptFromTheRoot_AndNeverCachedAsImmutable()
    {
        var response = await _http.GetAsync("/sw.js");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/javascript");
        // A browser checks a worker for updates on its own, but a cached copy would keep an old one alive for a day.
        response.Headers.CacheControl!.NoCache.Should().BeTrue();
        (await response.Content.ReadAsStringAsync()).Should().Contain("addEventListener('push'");
    }

    [Fact]
    public async Task Manifest_NamesTheAppAndIcons_ThatAreServed()
    {
        var response = await _http.GetAsync("/manifest.webmanifest");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/manifest+json");
        using var manifest = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        manifest.RootElement.GetProperty("start_url").GetString().Should().Be("/");
        manifest.RootElement.GetProperty("display").GetString().Should().Be("standalone");
        var icons = manifest.RootElement.GetProperty("icons").EnumerateArray().ToList();
        icons.Should().HaveCount(2);
        foreach (var icon in icons)
        {
            var image = await _http.GetAsync(icon.GetProperty("src").GetString());
            image.StatusCode.Should().Be(HttpStatusCode.OK);
            image.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
            var bytes = await image.Content.ReadAsByteArrayAsync();
            var size = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4));
            icon.GetProperty("sizes").GetString().Should().Be($"{size}x{size}", "the PNG's own width");
        }

        (await (await _http.GetAsync("/")).Content.ReadAsStringAsync()).Should().Contain("<link rel=\"manifest\" href=\"/manifest.webmanifest\"");
    }

    [Theory]
    [InlineData("/assets/missing-0123abcd.js")]
    [InlineData("/missing.png")]
    [InlineData("/rpc/unknown")]
    public async Task MissingFile_WhenRequested_Returns404NotTheIndex(string path)
    {
        var response = await _http.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Favicon_WhenTheClientHasNone_IsEmptyNotAnError()
    {
        using var root = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(root.Path, "index.html"), "<html><head></head></html>");
        await using var host = await TestHost.StartAsync(configureServices: services => services.AddSingleton(new WebRoot(root.Path)));
        using var http = host.CreateHttpClient();

        var response = await http.GetAsync("/favicon.ico");

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Hub_WhenTheWebClientIsServed_StillAnswersCallsAndServesTheKey()
    {
        await using var client = await _host.ConnectAsync();

        var pong = await client.CallAsync(new PingCall(7));
        var key = await _http.GetStringAsync(ProtocolConstants.ServerKeyPath);

        pong.Id.Should().Be(7);
        key.Should().Be(Convert.ToHexStringLower(_host.ServerPublicKey));
    }

    [Fact]
    public async Task Root_WhenTheWebClientIsNotBuilt_ExplainsInPlainText()
    {
        using var empty = new TempDirectory();
        await using var host = await TestHost.StartAsync(configureServices: services => services.AddSingleton(new WebRoot(empty.Path)));
        using var http = host.CreateHttpClient();

        var response = await http.GetAsync("/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        (await response.Content.ReadAsStringAsync()).Should().Contain("SkipWebClient");
    }

    private static string ServedKey(string html)
    {
        var meta = KeyMeta().Match(html);
        meta.Success.Should().BeTrue("the index must carry the messenger-server-key meta tag");
        return meta.Groups[1].Value;
    }

    [GeneratedRegex("""<meta name="messenger-server-key" content="([^"]*)"\s*/?>""")]
    private static partial Regex KeyMeta();
}
