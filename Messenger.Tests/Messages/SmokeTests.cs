using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

public sealed class SmokeTests
{
    [Fact]
    public async Task Send_WhenRecipientOnline_PushesAndStores()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_1");
        await using var bob = await host.SignedInClientAsync("bob_1");
        var bobId = (await bob.CallAsync(new Messenger.Contracts.Users.SearchUsersCall("bob_1"))).Users[0].Id;

        var sent = await alice.CallAsync(new SendMessageCall(Peer.User(bobId), 42, "  hello bob  "));
        sent.Message.Text.Should().Be("hello bob");
        sent.Pts.Should().Be(1);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        UpdatesBody body;
        do
        {
            body = await bob.Updates.ReadAsync(timeout.Token);
        }
        while (body.Kind != UpdateKinds.Logged);

        var pushed = WireSerializer.Deserialize<LoggedUpdates>(body.Payload);
        pushed.Updates.Should().ContainSingle().Which.Update.Should().BeOfType<NewMessageUpdate>().Which.Message.Text.Should().Be("hello bob");

        var again = await alice.CallAsync(new SendMessageCall(Peer.User(bobId), 42, "hello bob"));
        again.Message.Id.Should().Be(sent.Message.Id);
        var difference = await bob.CallAsync(new GetDifferenceCall(0));
        difference.Updates.Should().HaveCount(1);
        var dialogs = await bob.CallAsync(new GetDialogsCall());
        dialogs.Items.Should().ContainSingle().Which.UnreadCount.Should().Be(1);
        await bob.CallAsync(new ReadHistoryCall(dialogs.Items[0].Peer, sent.Message.Id));
        (await bob.CallAsync(new GetDialogsCall())).Items[0].UnreadCount.Should().Be(0);
        (await alice.CallAsync(new GetHistoryCall(Peer.User(bobId)))).Messages.Should().ContainSingle();
    }
}
