using Messenger.Client;
using Messenger.Contracts.Wire;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Protocol;

/// <summary>
/// A connection counts as its device's only once the client has sent a frame that decrypts with the handshake's keys:
/// message 1 alone carries nothing fresh from the client, and anyone who saw it (a TLS-terminating proxy) can replay it.
/// The server's clock is fake and moves only when a test moves it: the handshake timeout passes at once.
/// </summary>
public sealed class HandshakeProofTests : IAsyncLifetime
{
    private const int HandshakeTimeoutSeconds = 10;

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Protocol:HandshakeTimeoutSeconds"] = HandshakeTimeoutSeconds.ToString(),
            // Offline as soon as the last device leaves: the grace would need the clock moved, and it is not what is tested.
            ["Messenger:Update:OfflineAfterSeconds"] = "0",
        }, _clock);

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Handshake_WhenACapturedMessage1IsReplayedAndNoFrameFollows_LeavesTheDeviceOffline_PushesItNothing_AndIsClosed()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        var bob = await SignUpPeerAsync(alice, "bob_one");
        var message1 = await UseAConnectionOfAsync(bob);
        await LeaveAsync(bob, alice);

        // The proxy replays message 1 and keeps the connection open without a frame (it could seal none).
        await using var replayer = await RawConnection.OpenAsync(_host);
        (await replayer.SendHandshakeAsync(message1)).Should().NotBeEmpty("message 1 is answered as ever");
        await alice.SendAsync(bob, "while away");

        var seen = await alice.ReadUntilAsync(e => e is MessageReceived r && r.Message.Text == "while away");
        seen.OfType<UserStatusChanged>().Should().NotContain(s => s.UserId == bob.UserId && s.Online, "bob did not come back");
        (await alice.Client.GetStatusesAsync([bob.UserId])).Should().ContainSingle().Which.Online.Should().BeFalse();
        replayer.Closed.IsCompleted.Should().BeFalse("nothing but the handshake timeout closes it");
        _clock.Advance(TimeSpan.FromSeconds(HandshakeTimeoutSeconds));
        await replayer.WaitClosedAsync();
        replayer.FramesReceived.Should().Be(0, "none of bob's updates went to the replayer, not even sealed");
    }

    [Fact]
    public async Task Connect_WhenTheSdkMakesNoCall_IsOnlineAtOnce_AndStaysConnectedPastTheHandshakeTimeout()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        var bob = await SignUpPeerAsync(alice, "bob_one");
        await LeaveAsync(bob, alice);

        // The same device again, as an app that only listens: it makes no call of its own.
        await using var idle = await _host.ConnectAsync(bob.Keys);

        (await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId)).Online.Should().BeTrue();
        _clock.Advance(TimeSpan.FromSeconds(HandshakeTimeoutSeconds));
        (await alice.Client.GetStatusesAsync([bob.UserId])).Should().ContainSingle().Which.Online.Should().BeTrue();
        // Calls after the timeout: had it closed the connection, the SDK would get their answers on a new one.
        await idle.Events.StartAsync(bob.UserId);
        await alice.SendAsync(bob, "still there?");
        await (bob with { Client = idle }).NextAsync<MessageReceived>(m => m.Message.Text == "still there?");
        idle.ConnectionCount.Should().Be(1, "the server kept the idle connection open");
    }

    /// <summary>Signs up a peer who shares a chat with <paramref name="alice"/>, so she is told of their presence.</summary>
    private async Task<Device> SignUpPeerAsync(Device alice, string username)
    {
        var peer = await _host.SignUpAsync(username);
        await alice.SendAsync(peer, "hi");
        await peer.NextAsync<MessageReceived>(m => m.Message.Text == "hi");
        return peer;
    }

    /// <summary>A connection of <paramref name="device"/>'s, used as its app would (one call), whose message 1 a proxy in
    /// the middle saw; the frames that followed it cannot open. Returns that message 1.</summary>
    private async Task<byte[]> UseAConnectionOfAsync(Device device)
    {
        await using var connection = await RawConnection.OpenAsync(_host);
        var message1 = await connection.HandshakeAsync(_host.ServerPublicKey, device.Keys.GetOrCreate());
        await connection.SendEnvelopeAsync(connection.Ping(1));
        await connection.ReceiveAsync<ResultBody>();
        return message1;
    }

    /// <summary>Closes <paramref name="device"/>'s client and waits until <paramref name="watcher"/> sees its user offline.</summary>
    private static async Task LeaveAsync(Device device, Device watcher)
    {
        await device.DisposeAsync();
        await watcher.NextAsync<UserStatusChanged>(s => s.UserId == device.UserId && !s.Online);
    }
}
