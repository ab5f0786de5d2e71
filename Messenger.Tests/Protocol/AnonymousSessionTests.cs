using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Messenger.Protocol;
using Messenger.Protocol.Sessions;
using Messenger.Protocol.Transport;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Protocol;

/// <summary>
/// A session whose connection never signed in (anyone can make one with a fresh device key) keeps only a small memory
/// once its connection is gone; a signed-in device's session keeps its msg_ids exactly as before.
/// </summary>
public sealed class AnonymousSessionTests
{
    [Fact]
    public async Task Disconnect_OfAConnectionThatNeverSignedIn_ShrinksItsSession_WhileASignedInDevicesSessionKeepsEveryMsgId()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_anon", startEvents: false);
        var sessions = host.Services.GetRequiredService<SessionRegistry>();
        var connections = host.Services.GetRequiredService<ConnectionRegistry>();

        var anonymous = await PingAndLeaveAsync(host, connections, deviceKey: null);
        var signedIn = await PingAndLeaveAsync(host, connections, alice.Keys.GetOrCreate());

        var anonymousSession = sessions.GetOrCreate(anonymous.DeviceKeyHex, anonymous.SessionId);
        anonymousSession.Created.Should().BeFalse("the session is kept, with its newest msg_ids");
        anonymousSession.Session.SignedIn.Should().BeFalse();
        anonymousSession.Session.RememberedCalls.Should().Be(ProtocolOptions.AnonymousIdleMsgIds);
        var signedInSession = sessions.GetOrCreate(signedIn.DeviceKeyHex, signedIn.SessionId);
        signedInSession.Created.Should().BeFalse();
        signedInSession.Session.SignedIn.Should().BeTrue("its connection resolved to alice");
        signedInSession.Session.RememberedCalls.Should().Be(2048, "a signed-in session's replay memory is left as it was");
    }

    // 2048 help.ping calls on a new session, every answer read, then the connection closed.
    private static async Task<(string DeviceKeyHex, long SessionId)> PingAndLeaveAsync(TestHost host, ConnectionRegistry connections, NoiseKeyPair? deviceKey)
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(host, deviceKey);
        for (var frame = 0; frame < 2; frame++)
        {
            var calls = Enumerable.Range(0, 1024).Select(i => raw.Ping(i)).ToArray();
            await raw.SendEnvelopeAsync(new Envelope(raw.NextMsgId(), 0, new ContainerBody(calls)));
            for (var i = 0; i < 1024; i++)
            {
                await raw.ReceiveAsync<ResultBody>();
            }
        }

        var connectionId = raw.Hub.ConnectionId!;
        var result = (ProtocolConstants.Hex(raw.DeviceKey.PublicKey), raw.SessionId);
        await raw.DisposeAsync();
        await ProtocolTests.WaitUntil(() => connections.Get(connectionId) is null);
        return result;
    }
}
