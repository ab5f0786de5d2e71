using Messenger.Client;
using Messenger.Contracts.Wire;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Protocol;

/// <summary>
/// A connection counts as its device's only once the client has sent a frame that decrypts with the handshake's keys:
/// message 1 alone carries nothing fresh from the client, and anyone who saw it (a TLS-terminating proxy) can replay it.
/// </summary>
public sealed class HandshakeProofTests : IAsyncLifetime
{
    private const int HandshakeTimeoutSeconds = 2;

    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Protocol:HandshakeTimeoutSeconds"] = HandshakeTimeoutSeconds.ToString(),
            ["Messenger:Update:OfflineAfterSeconds"] = "1",
        });

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Handshake_WhenACapturedMessage1IsReplayedAndNoFrameFollows_LeavesTheDeviceOffline_PushesItNothing_AndIsClosed()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "hi");
        await bob.NextAsync<MessageReceived>(m => m.Message.Text == "hi");

        // One of bob's connections, as a proxy in the middle saw it: its message 1, then frames it cannot open.
        byte[] message1;
        await using (var victim = await RawConnection.OpenAsync(_host))
        {
            var handshake = victim.NewHandshake(_host.ServerPublicKey, bob.Keys.GetOrCreate());
            message1 = handshake.WriteMessage([]);
            handshake.ReadMessage(await victim.SendHandshakeAsync(message1));
            (victim.Send, victim.Receive) = handshake.Split();
            await victim.SendEnvelopeAsync(victim.Ping(1));
            await victim.ReceiveAsync<ResultBody>();
        }

        await bob.DisposeAsync();
        await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId && !s.Online);

        // The proxy replays message 1 and keeps the connection open without a frame (it could seal none).
        await using var replayer = await RawConnection.OpenAsync(_host);
        (await replayer.SendHandshakeAsync(message1)).Should().NotBeEmpty("message 1 is answered as ever");
        await alice.SendAsync(bob, "while away");

        var seen = await alice.ReadUntilAsync(e => e is MessageReceived r && r.Message.Text == "while away");
        seen.OfType<UserStatusChanged>().Should().NotContain(s => s.UserId == bob.UserId && s.Online, "bob did not come back");
        (await alice.Client.GetStatusesAsync([bob.UserId])).Should().ContainSingle().Which.Online.Should().BeFalse();
        await replayer.WaitClosedAsync();
        replayer.FramesReceived.Should().Be(0, "none of bob's updates went to the replayer, not even sealed");
    }

    [Fact]
    public async Task Connect_WhenTheSdkMakesNoCall_IsOnlineAtOnce_AndStaysConnectedPastTheHandshakeTimeout()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "hi");
        await bob.NextAsync<MessageReceived>(m => m.Message.Text == "hi");
        await bob.DisposeAsync();
        await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId && !s.Online);

        // The same device again, as an app that only listens: it makes no call of its own.
        await using var idle = await _host.ConnectAsync(bob.Keys);

        (await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId)).Online.Should().BeTrue();
        await Task.Delay(TimeSpan.FromSeconds(HandshakeTimeoutSeconds + 1));
        (await alice.Client.GetStatusesAsync([bob.UserId])).Should().ContainSingle().Which.Online.Should().BeTrue();
        await idle.Events.StartAsync(bob.UserId);
        await alice.SendAsync(bob, "still there?");
        await (bob with { Client = idle }).NextAsync<MessageReceived>(m => m.Message.Text == "still there?");
        idle.ConnectionCount.Should().Be(1, "the server kept the idle connection open");
    }
}
