using Messenger.Contracts.Wire;
using Messenger.Protocol.Transport;
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
    public async Task Handshake_WhenNotSentWithinTheTimeout_ClosesTheConnection()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string?> { ["Messenger:Protocol:HandshakeTimeoutSeconds"] = "1" });
        await using var raw = await RawConnection.OpenAsync(host);

        await raw.WaitClosedAsync();

        await ProtocolTests.WaitUntil(() => host.Services.GetRequiredService<ConnectionRegistry>().Count == 0);
    }
}
