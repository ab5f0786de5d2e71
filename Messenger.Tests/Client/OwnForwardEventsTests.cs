using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Client;

/// <summary>
/// What the forwarding device's own update stream reports of its forward, found by <see cref="NetworkChaosTests"/>: each
/// copy once, as for a send, whichever of the call's answer and the log's push comes first; and a forward into a large
/// group moves that group's position, never the user's own (where it would swallow the user's next update).
/// </summary>
public sealed class OwnForwardEventsTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Forward_WhenTheAnswerComesBeforeThePush_ReportsEachCopyOnTheForwardingDevice()
    {
        await using var alice = await _host.SignUpAsync("fwd_alice");
        await using var bob = await _host.SignUpAsync("fwd_bob");
        var first = await alice.SendAsync(bob, "first");
        var second = await alice.SendAsync(bob, "second");
        await alice.ReceiveUntilAsync("second");

        // The log's pushes never reach this device: only the call's answer tells it of the copies.
        alice.Client.InboundFilter = envelope => envelope.Body is not UpdatesBody;
        var forwarded = await alice.Client.ForwardMessagesAsync(bob.Peer, [first.Message.Id, second.Message.Id], bob.Peer);
        alice.Client.InboundFilter = null;
        await alice.SendAsync(bob, "after the forward");

        var reported = await alice.ReceiveUntilAsync("after the forward");

        reported.Select(r => r.Message.Id).Should().Equal([.. forwarded.Messages.Select(m => m.Id), reported[^1].Message.Id],
            "each copy is the forwarding device's own new message, reported once and in order, as a send is");
        reported.Take(2).Should().AllSatisfy(r =>
        {
            r.IsOutgoing.Should().BeTrue();
            r.Peer.Should().Be(bob.Peer);
            r.RandomId.Should().NotBeNull("the copy's random_id comes with it, as the user's log entry carries it");
        });
        reported.Select(r => r.Message.Text).Should().Equal("first", "second", "after the forward");
    }

    [Fact]
    public async Task Forward_IntoALargeGroup_WhenItsLogStandsWhereTheUsersDoes_DoesNotSwallowTheUsersNextUpdate()
    {
        await using var alice = await _host.SignUpAsync("fwd_carol", autoReceipt: false);
        await using var bob = await _host.SignUpAsync("fwd_dave");
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.UserId], large: true)).Chat;
        var group = Peer.Chat(chat.Id);
        var post = await bob.Client.SendMessageAsync(group, "to forward");

        // The large group's own log and the user's own log at the same position: the forward's answer (the group's
        // position) would fit the user's log exactly.
        while (true)
        {
            var state = await alice.Client.GetStateAsync();
            var groupPts = state.Channels!.Single(c => c.ChatId == chat.Id).Pts;
            if (state.Pts == groupPts)
            {
                await Protocol.ProtocolTests.WaitUntil(() => alice.Client.Events.Pts == state.Pts && alice.Client.Events.ChannelPts.GetValueOrDefault(chat.Id) == groupPts);
                break;
            }

            await (state.Pts < groupPts ? bob.SendAsync(alice, $"to alice at {state.Pts}") : bob.Client.SendMessageAsync(group, $"to the group at {groupPts}"));
        }

        var copy = (await alice.Client.ForwardMessagesAsync(group, [post.Message.Id], group)).Messages.Single();
        await bob.SendAsync(alice, "after the forward");

        var reported = await alice.ReadUntilAsync(e => e is MessageReceived { Message.Text: "after the forward" });

        reported.OfType<MessageReceived>().Should().ContainSingle(r => r.Message.Id == copy.Id && r.ChannelId == chat.Id,
            "the copy is reported from the group's own log");
        alice.Client.Events.Pts.Should().Be((await alice.Client.GetStateAsync()).Pts);
    }
}
