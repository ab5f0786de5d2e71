using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Client;

/// <summary>
/// A call the app stopped waiting for (cancelled, timed out) may still run: its answer, when it comes, is not observed,
/// and the log's push skips the calling connection — so without more the sending device never hears of its own message
/// (until something later in the same log shows it the gap; in a quiet large group, nothing does). The SDK remembers the
/// calls it gave up, and an answer to one makes the update stream ask the server what changed.
/// </summary>
public sealed class GivenUpCallTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    // In a private chat the recipient's receipt, logged to the sender, shows the gap anyway; in a quiet large group only
    // the answer can.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ASend_GivenUpWhileItsAnswerIsOnItsWay_IsStillReportedToTheSendingDevice(bool largeGroup)
    {
        var suffix = largeGroup ? "l" : "p";
        await using var alice = await _host.MemberAsync($"alice_giveup{suffix}", listen: true);
        await using var bob = await _host.MemberAsync($"bob_giveup{suffix}", listen: true);
        var chat = largeGroup
            ? Peer.Chat((await alice.Client.CreateGroupAsync("Many", [bob.Id], large: true)).Chat.Id)
            : Peer.User(bob.Id);
        using var giveUp = new CancellationTokenSource();
        // The app gives up the moment the answer arrives, before the SDK reads it: the server ran the send.
        alice.Client.InboundFilter = envelope =>
        {
            if (envelope.Body is ResultBody result && IsSentMessage(result.Value, "given up"))
            {
                giveUp.Cancel();
            }

            return true;
        };

        var send = () => alice.Client.SendMessageAsync(chat, "given up", randomId: 770_801, cancellationToken: giveUp.Token);

        await send.Should().ThrowAsync<OperationCanceledException>();
        alice.Client.InboundFilter = null;
        var stored = (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "given up")).Message;
        var reported = await alice.NextAsync<MessageReceived>(m => m.Message.Text == "given up");
        reported.Should().Match<MessageReceived>(m =>
            m.Message.Id == stored.Id && m.IsOutgoing && m.RandomId == 770_801 && m.ChannelId == (largeGroup ? chat.Id : null));
    }

    [Fact]
    public void GivenUpCalls_StayBounded_ForgettingTheOldestFirst()
    {
        var givenUp = new GivenUpCalls();
        for (long id = 1; id <= 10 * GivenUpCalls.Limit; id++)
        {
            givenUp.Add(id);
        }

        givenUp.Count.Should().BeLessThanOrEqualTo(GivenUpCalls.Limit);
        givenUp.Remove(10 * GivenUpCalls.Limit).Should().BeTrue("the newest is kept");
        givenUp.Remove(1).Should().BeFalse("the oldest is forgotten");
        givenUp.Remove(10 * GivenUpCalls.Limit).Should().BeFalse("an answer is noticed once");
    }

    private static bool IsSentMessage(byte[] value, string text)
    {
        try
        {
            return WireSerializer.Deserialize<SentMessage>(value).Message.Text == text;
        }
        catch (MessagePack.MessagePackSerializationException)
        {
            return false;
        }
    }
}
