using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.deleteHistory</c>: clearing a chat for oneself, or one's own messages for both users, in batches.</summary>
public sealed class DeleteHistoryTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
    {
        ["Messenger:Message:PostBurst"] = "1000",
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ClearForMe_EmptiesTheChatOnAllTheCallersDevices_TakesItOffTheirList_AndLeavesThePeersCopyAlone()
    {
        await using var alice = await _host.SignUpAsync("alice_clear");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_clear");
        await using var bob = await _host.SignUpAsync("bob_clear");
        var sent = new List<long>();
        foreach (var (from, to, text) in new[] { (alice, bob, "one"), (bob, alice, "two"), (alice, bob, "three"), (bob, alice, "four") })
        {
            sent.Add((await from.SendAsync(to, text)).Message.Id);
        }

        await alicePhone.ReceiveUntilAsync("four");

        (await alice.Client.DeleteHistoryAsync(bob.Peer)).Should().Be(1, "one batch, one log entry");

        (await alicePhone.NextAsync<MessagesDeleted>()).Ids.Should().Equal(sent);
        (await alice.Client.GetHistoryAsync(bob.Peer)).Should().BeEmpty();
        (await alicePhone.Client.GetDialogsAsync()).Items.Should().NotContain(d => d.Peer == bob.Peer, "a private chat with nothing to show leaves the list");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Text).Should().Equal("four", "three", "two", "one");
        (await bob.Client.GetDialogsAsync()).Items.Should().ContainSingle(d => d.Peer == alice.Peer);
        (await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "four" })).OfType<MessagesDeleted>().Should().BeEmpty();

        await bob.SendAsync(alice, "still there?");
        var back = (await alice.Client.GetDialogsAsync()).Items.Should().ContainSingle(d => d.Peer == bob.Peer).Subject;
        back.TopMessage!.Text.Should().Be("still there?");
        back.UnreadCount.Should().Be(1);
        (await alice.Client.GetHistoryAsync(bob.Peer)).Should().ContainSingle().Which.Text.Should().Be("still there?");
        (await alice.Client.DeleteHistoryAsync(Peer.User(alice.UserId))).Should().Be(0, "no chat with oneself yet: nothing to clear");
    }

    [Fact]
    public async Task Revoke_ErasesTheCallersOwnMessagesForBoth_AndHidesThePeersForTheCallerOnly()
    {
        await using var alice = await _host.SignUpAsync("alice_revh");
        await using var bob = await _host.SignUpAsync("bob_revh");
        var mine = await alice.SendAsync(bob, "alice says a secret");
        var theirs = await bob.SendAsync(alice, "bob answers");
        await bob.ReceiveUntilAsync("bob answers");

        (await alice.Client.DeleteHistoryAsync(bob.Peer, revoke: true)).Should().Be(2, "the revoke and the hide are one entry each");

        (await bob.NextAsync<MessagesDeleted>()).Ids.Should().Equal(mine.Message.Id);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle().Which.Id.Should().Be(theirs.Message.Id);
        (await bob.Client.SearchMessagesAsync("secret")).Should().BeEmpty("the revoked text is gone from the search index");
        (await alice.Client.GetHistoryAsync(bob.Peer)).Should().BeEmpty();
        (await alice.Client.GetDialogsAsync()).Items.Should().NotContain(d => d.Peer == bob.Peer);
        (await bob.Client.GetDialogsAsync()).Items.Should().ContainSingle(d => d.Peer == alice.Peer).Which.TopMessage!.Id.Should().Be(theirs.Message.Id);
    }

    [Fact]
    public async Task ALongChat_IsClearedInBatches_NewestFirst_AndNothingAfterTheFirstCallsNewestIsTouched()
    {
        await using var alice = await _host.SignUpAsync("alice_batch");
        await using var bob = await _host.SignUpAsync("bob_batch");
        var ids = new List<long>();
        for (var i = 0; i < HistoryDeletion.BatchSize + 10; i++)
        {
            ids.Add((await alice.Client.SendMessageAsync(bob.Peer, $"m{i}")).Message.Id);
        }

        var first = await bob.Client.CallAsync(new DeleteHistoryCall(alice.Peer));

        first.PtsCount.Should().Be(1);
        first.Offset.Should().Be(ids[9], "the next batch starts at the newest message the first one left");
        (await bob.Client.GetHistoryAsync(alice.Peer, limit: 100)).Select(m => m.Id).Should().Equal(ids.Take(10).Reverse());
        var late = await alice.SendAsync(bob, "sent while bob clears");

        (await bob.Client.DeleteHistoryAsync(alice.Peer, maxId: first.Offset)).Should().Be(1);

        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle().Which.Id.Should().Be(late.Message.Id);
        var nothingLeft = await bob.Client.CallAsync(new DeleteHistoryCall(alice.Peer, late.Message.Id - 1));
        nothingLeft.PtsCount.Should().Be(0, "nothing is left below it: no entry");
        nothingLeft.Offset.Should().Be(0);
        (await alice.Client.GetHistoryAsync(bob.Peer, limit: 100)).Should().HaveCount(100, "alice's copy is whole");
    }

    [Fact]
    public async Task Groups_AreClearedForTheCallerOnly_AndStayInTheirList()
    {
        await using var alice = await _host.MemberAsync("alice_gclear");
        await using var bob = await _host.MemberAsync("bob_gclear");
        var small = await alice.Client.CreateGroupAsync("Small", [bob.Id]);
        var large = await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true);
        foreach (var chat in new[] { small.Chat.Id, large.Chat.Id })
        {
            await bob.Client.SendMessageAsync(Peer.Chat(chat), "hello all");
            await alice.Client.SendMessageAsync(Peer.Chat(chat), "hi bob");

            (await alice.Client.DeleteHistoryAsync(Peer.Chat(chat))).Should().Be(1);

            (await alice.Client.GetHistoryAsync(Peer.Chat(chat))).Should().BeEmpty("the service message went too");
            (await alice.Client.GetDialogsAsync()).Items.Should().Contain(d => d.Peer == Peer.Chat(chat), "a group stays: leaving is groups.leave");
            (await bob.Client.GetHistoryAsync(Peer.Chat(chat))).Select(m => m.Text).Should().StartWith(["hi bob", "hello all"]);
        }
    }

    [Fact]
    public async Task BadCalls_AreRefusedByName_AndDeleteNothing()
    {
        await using var alice = await _host.MemberAsync("alice_badclr");
        await using var bob = await _host.MemberAsync("bob_badclr");
        await using var carol = await _host.MemberAsync("carol_badclr");
        await alice.Client.SendMessageAsync(Peer.User(bob.Id), "keep me");
        var group = await bob.Client.CreateGroupAsync("Not alice's", [carol.Id]);
        var ours = await alice.Client.CreateGroupAsync("Ours", [bob.Id]);

        await ChatTestKit.FailsWith(() => alice.Client.DeleteHistoryAsync(Peer.User(bob.Id), maxId: -1), MessageErrorNames.MaxIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteHistoryAsync(Peer.User(987654)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteHistoryAsync(new Peer((PeerKind)7, bob.Id)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteHistoryAsync(Peer.User(0)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteHistoryAsync(Peer.Chat(group.Chat.Id)), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteHistoryAsync(Peer.Chat(ours.Chat.Id), revoke: true), MessageErrorNames.RevokePrivateOnly);

        (await bob.Client.GetHistoryAsync(Peer.User(alice.Id))).Should().ContainSingle();
        (await alice.Client.GetHistoryAsync(Peer.User(bob.Id))).Should().ContainSingle();
        (await alice.Client.GetHistoryAsync(Peer.Chat(ours.Chat.Id))).Should().NotBeEmpty();
        (await carol.Client.GetHistoryAsync(Peer.Chat(group.Chat.Id))).Should().NotBeEmpty();
        _host.CountRows("message_hidden").Should().Be(0);
    }
}
