using System.Net;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.AspNetCore.Http.Connections;

namespace Messenger.Tests.Host;

/// <summary>The nginx site docs/operations.md gives operators, run for real in front of the host (<see cref="NginxSite"/>):
/// the protocol over WebSockets through it, a file streamed up and down through it in one body each, the client's address
/// as the proxy saw it, and plain HTTP sent to HTTPS.</summary>
public sealed class ReverseProxyTests
{
    [Fact]
    public async Task TheDocumentedNginxSite_CarriesTheProtocolOverWebSockets_AndStreamsAFileUpAndDown()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var site = await NginxSite.StartAsync(host.BaseAddress);
        await using var alice = await SignUpThroughAsync(host, site, "alice_proxy");
        await using var bob = await SignUpThroughAsync(host, site, "bob_proxy");

        await alice.Client.SendMessageAsync(bob.Peer, "through the proxy");
        (await bob.NextAsync<MessageReceived>()).Message.Text.Should().Be("through the proxy");

        // 3 MiB in one streamed body each way: more than nginx buffers in memory, so a proxy that spooled or cut bodies fails it.
        var file = MediaTestKit.RandomBytes(3 * 1024 * 1024 + 17, seed: 41);
        var input = await alice.Client.UploadAsync(file, "through.bin", transport: MediaTransport.Stream);
        await alice.Client.SendMediaAsync(bob.Peer, input, "the file");
        var received = await bob.NextAsync<MessageReceived>(e => e.Message.Media is not null);
        (await bob.Client.DownloadAsync(received.Message.Media!, transport: MediaTransport.Stream)).Should().Equal(file);
    }

    [Fact]
    public async Task TheDocumentedNginxSite_NamesTheClientsAddress_AndAClientCannotNameAnother()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var site = await NginxSite.StartAsync(host.BaseAddress);
        await using var spoofer = await MessengerClient.ConnectAsync(ThroughSite(host, site, forwardedFor: "203.0.113.9"));

        await spoofer.RegisterAsync("spoofer_proxy", SessionTestKit.Password, "Spoofer");
        await spoofer.SignInAsync("spoofer_proxy", SessionTestKit.Password, "Laptop", "linux");

        // The client connects to nginx from 127.0.0.1 and nginx to the host from NginxSite.ProxyAddress: a server that
        // ignored X-Forwarded-For would record the proxy's address, one that believed its first entry the client's own claim.
        (await spoofer.GetAuthorizationsAsync()).Single(a => a.Current).ClientAddress
            .Should().Be("127.0.0.1", "nginx appends the address it saw to X-Forwarded-For, and only that last entry is believed")
            .And.NotBe(NginxSite.ProxyAddress);
    }

    [Fact]
    public async Task TheDocumentedNginxSite_SendsPlainHttpToHttps_ButCertbotsChallenge_AndPassesTheHealthCheck()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var site = await NginxSite.StartAsync(host.BaseAddress);
        using var http = site.CreateHttpClient();

        using var plain = await http.GetAsync(new Uri(site.HttpAddress, "/health/ready"));
        plain.StatusCode.Should().Be(HttpStatusCode.MovedPermanently);
        plain.Headers.Location!.Scheme.Should().Be("https");
        plain.Headers.Location.PathAndQuery.Should().Be("/health/ready");

        // certbot's renewal (--webroot) fetches its token over plain HTTP: the redirect must not swallow it.
        Directory.CreateDirectory(Path.Combine(site.Webroot, ".well-known", "acme-challenge"));
        await File.WriteAllTextAsync(Path.Combine(site.Webroot, ".well-known", "acme-challenge", "token-1"), "token-1.key");
        using var challenge = await http.GetAsync(new Uri(site.HttpAddress, "/.well-known/acme-challenge/token-1"));
        challenge.StatusCode.Should().Be(HttpStatusCode.OK);
        (await challenge.Content.ReadAsStringAsync()).Should().Be("token-1.key");

        using var ready = await http.GetAsync(new Uri(site.HttpsAddress, "/health/ready"));
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    /// <summary>Client options for the site's HTTPS address: WebSockets only (a proxy that could not upgrade would otherwise
    /// pass unnoticed on long polling), the site's certificate pinned for the connection and for media streams.</summary>
    private static MessengerClientOptions ThroughSite(TestHost host, NginxSite site, string? forwardedFor = null) =>
        host.ClientOptions(transport: transport =>
        {
            transport.Transports = HttpTransportType.WebSockets;
            transport.HttpMessageHandlerFactory = handler =>
            {
                if (handler is HttpClientHandler http)
                {
                    http.ServerCertificateCustomValidationCallback = (_, presented, _, _) => site.IsSiteCertificate(presented);
                }

                return handler;
            };
            transport.WebSocketConfiguration = socket => socket.RemoteCertificateValidationCallback = (_, presented, _, _) => site.IsSiteCertificate(presented);
            if (forwardedFor is not null)
            {
                transport.Headers["X-Forwarded-For"] = forwardedFor;
            }
        }, serverUrl: site.HttpsAddress,
        httpHandler: handler => handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => site.IsSiteCertificate(presented));

    private static async Task<Device> SignUpThroughAsync(TestHost host, NginxSite site, string username)
    {
        var options = ThroughSite(host, site);
        var client = await MessengerClient.ConnectAsync(options);
        await client.RegisterAsync(username, SessionTestKit.Password, username.ToUpperInvariant());
        var signedIn = await client.SignInAsync(username, SessionTestKit.Password, "Through the proxy", "tests");
        await client.Events.StartAsync(signedIn.User.Id);
        return new Device(client, signedIn.User.Id, options.DeviceKeys);
    }
}
