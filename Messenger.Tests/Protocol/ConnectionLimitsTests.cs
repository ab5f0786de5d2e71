using Messenger.Contracts.Help;
using Messenger.Contracts.Wire;
using Messenger.Protocol.Transport;
using Messenger.Tests.Host;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Protocol;

public sealed class ConnectionLimitsTests
{
    [Fact]
    public async Task OutboundQueue_WhenTheClientCannotKeepUp_DisconnectsIt()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string?> { ["Messenger:Protocol:OutboundQueueCapacity"] = "4" });
        await using var bystander = await RawConnection.OpenHandshakenAsync(host);
        await using var raw = await RawConnection.OpenHandshakenAsync(host);

        // 1000 pongs queued at once against a queue of four: the server must drop the connection, not buffer.
        var pings = Enumerable.Range(0, 1000).Select(i => new Envelope(raw.NextMsgId(), 0, new PingBody(i))).ToArray();
        await raw.SendEnvelopeAsync(new Envelope(raw.NextMsgId(), 0, new ContainerBody(pings)));

        await raw.WaitClosedAsync();
        await bystander.SendEnvelopeAsync(bystander.Ping(5));
        (await bystander.ReceiveAsync<ResultBody>()).Should().NotBeNull();
    }

    [Fact]
    public async Task Connect_PastTheCapOfOneAddress_IsClosed_WhileOtherAddressesConnect_AndAFreedPlaceIsTaken()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string?> { ["Messenger:Protocol:MaxConnectionsPerAddress"] = "2" });
        var registry = host.Services.GetRequiredService<ConnectionRegistry>();
        await using var first = await ForwardedClientTests.ConnectViaProxyAsync(host, "203.0.113.7");
        var second = await ForwardedClientTests.ConnectViaProxyAsync(host, "203.0.113.7");
        await using var firstV6 = await ForwardedClientTests.ConnectViaProxyAsync(host, "2001:db8::5");
        await using var secondV6 = await ForwardedClientTests.ConnectViaProxyAsync(host, "2001:db8::6");

        await FluentActions.Awaiting(() => ForwardedClientTests.ConnectViaProxyAsync(host, "203.0.113.7")).Should().ThrowAsync<Exception>();
        await FluentActions.Awaiting(() => ForwardedClientTests.ConnectViaProxyAsync(host, "2001:db8::ffff"))
            .Should().ThrowAsync<Exception>("the same /64 is the same client");

        await using var neighbour = await ForwardedClientTests.ConnectViaProxyAsync(host, "203.0.113.8");
        await using var direct = await host.ConnectAsync();
        (await neighbour.CallAsync(new PingCall(1))).Id.Should().Be(1);
        (await direct.CallAsync(new PingCall(2))).Id.Should().Be(2);
        (await first.CallAsync(new PingCall(3))).Id.Should().Be(3, "the connections within the cap go on");

        await second.DisposeAsync();
        await ProtocolTests.WaitUntil(() => registry.Count == 5);
        await using var third = await ForwardedClientTests.ConnectViaProxyAsync(host, "203.0.113.7");
        (await third.CallAsync(new PingCall(4))).Id.Should().Be(4);
        registry.AddressCount.Should().Be(4, "203.0.113.7, 203.0.113.8, 2001:db8::/64 and 127.0.0.1; none of the refused left a count");
    }

    [Fact]
    public async Task Handshake_WhenNotSentWithinTheTimeout_ClosesTheConnection()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string?> { ["Messenger:Protocol:HandshakeTimeoutSeconds"] = "1" });
        await using var raw = await RawConnection.OpenAsync(host);

        await raw.WaitClosedAsync();

        await ProtocolTests.WaitUntil(() => host.Services.GetRequiredService<ConnectionRegistry>().Count == 0);
    }
}
