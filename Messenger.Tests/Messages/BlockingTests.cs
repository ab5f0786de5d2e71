using Messenger.Client;
using Messenger.Contracts.Account;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

public sealed class BlockingTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Send_WhenPeerIsBlocked_Fails403BothWaysUntilUnblocked()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "hi");

        await bob.Client.BlockUserAsync(alice.UserId);

        await ChatTestKit.FailsWith(() => alice.SendAsync(bob, "let me in"), MessageErrorNames.UserIsBlocked, 403);
        await ChatTestKit.FailsWith(() => bob.SendAsync(alice, "go away"), MessageErrorNames.YouBlockedUser, 403);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Text).Should().Equal("hi");

        await bob.Client.UnblockUserAsync(alice.UserId);

        await alice.SendAsync(bob, "thanks");
        await bob.SendAsync(alice, "welcome");
        (await bob.ReceiveUntilAsync("welcome")).Select(r => r.Message.Text).Should().Equal("hi", "thanks", "welcome");
    }

    [Fact]
    public async Task Send_WhenBothBlockedEachOther_FailsWithThePeersBlockFirst_ThenWithTheOneLeft()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "hi");
        await alice.Client.BlockUserAsync(bob.UserId);
        await bob.Client.BlockUserAsync(alice.UserId);

        await ChatTestKit.FailsWith(() => alice.SendAsync(bob, "one"), MessageErrorNames.UserIsBlocked, 403);
        await ChatTestKit.FailsWith(() => bob.SendAsync(alice, "two"), MessageErrorNames.UserIsBlocked, 403);

        await bob.Client.UnblockUserAsync(alice.UserId);

        await ChatTestKit.FailsWith(() => alice.SendAsync(bob, "three"), MessageErrorNames.YouBlockedUser, 403);
        await ChatTestKit.FailsWith(() => bob.SendAsync(alice, "four"), MessageErrorNames.UserIsBlocked, 403);
        (await alice.Client.GetHistoryAsync(bob.Peer)).Select(m => m.Text).Should().Equal("hi");
    }

    [Fact]
    public async Task SetTyping_WhenPeerIsBlocked_IsNotForwarded()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "hi");
        await bob.Client.BlockUserAsync(alice.UserId);

        await alice.Client.SetTypingAsync(bob.Peer);
        await bob.Client.UnblockUserAsync(alice.UserId);
        await alice.SendAsync(bob, "marker");

        (await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "marker" })).OfType<UserTyping>().Should().BeEmpty();
    }

    [Fact]
    public async Task AddToGroup_ByAUserBlocked_FailsUserPrivacyRestricted_WhateverThePrivacy()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await using var carol = await _host.SignUpAsync("carol_one");
        await alice.SendAsync(bob, "hi");
        await bob.Client.BlockUserAsync(alice.UserId);

        await ChatTestKit.FailsWith(() => alice.Client.CreateGroupAsync("Again", [bob.UserId]), GroupErrorNames.UserPrivacyRestricted, 403);
        var chat = (await alice.Client.CreateGroupAsync("Team", [carol.UserId])).Chat;
        await ChatTestKit.FailsWith(() => alice.Client.AddMembersAsync(chat.Id, [bob.UserId]), GroupErrorNames.UserPrivacyRestricted, 403);

        // Blocking someone does not keep oneself from adding them.
        (await bob.Client.CreateGroupAsync("Bob's", [alice.UserId])).Chat.MemberCount.Should().Be(2);
    }

    [Fact]
    public async Task Edit_AfterThePeerBlockedTheAuthor_Fails403_AndTheTextStays()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        var sent = await alice.SendAsync(bob, "kind words");
        await bob.Client.BlockUserAsync(alice.UserId);

        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new EditMessageCall(bob.Peer, sent.Message.Id, "unkind words")), MessageErrorNames.UserIsBlocked, 403);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Text).Should().Equal("kind words");

        await bob.Client.UnblockUserAsync(alice.UserId);
        await alice.Client.CallAsync(new EditMessageCall(bob.Peer, sent.Message.Id, "kinder words"));
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Text).Should().Equal("kinder words");
    }

    [Theory]
    [InlineData(PrivacyRule.Chats)]
    [InlineData(PrivacyRule.Everybody)]
    public async Task Presence_IsNotSharedBetweenABlockedPair_WhateverTheSettings_AndTheBlockHidesWhatWasShown(PrivacyRule lastSeen)
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await alice.Client.SetPrivacyAsync(new PrivacySettings(LastSeen: lastSeen));
        await bob.Client.SetPrivacyAsync(new PrivacySettings(LastSeen: lastSeen));
        await alice.SendAsync(bob, "hi");
        (await alice.Client.GetStatusesAsync([bob.UserId])).Should().ContainSingle().Which.Online.Should().BeTrue();

        await bob.Client.BlockUserAsync(alice.UserId);

        (await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId)).Should().Match<UserStatusChanged>(s => s.Hidden && !s.Online);
        (await bob.NextAsync<UserStatusChanged>(s => s.UserId == alice.UserId)).Should().Match<UserStatusChanged>(s => s.Hidden && !s.Online);
        (await alice.Client.GetStatusesAsync([bob.UserId])).Should().BeEmpty();
        (await bob.Client.GetStatusesAsync([alice.UserId])).Should().BeEmpty();
        await bob.Client.UnblockUserAsync(alice.UserId);
        (await alice.Client.GetStatusesAsync([bob.UserId])).Should().ContainSingle();
    }

    [Fact]
    public async Task Block_WhenUserIsUnknownOrTheCaller_FailsUserIdInvalid()
    {
        await using var alice = await _host.SignUpAsync("alice_1");

        await ChatTestKit.FailsWith(() => alice.Client.BlockUserAsync(987_654), MessageErrorNames.UserIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.BlockUserAsync(alice.UserId), MessageErrorNames.UserIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.UnblockUserAsync(0), MessageErrorNames.UserIdInvalid);
    }

    [Fact]
    public async Task GetBlocked_AfterBlockingAndUnblocking_ListsWhoTheCallerBlocksNow()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await using var carol = await _host.SignUpAsync("carol_1");

        await alice.Client.BlockUserAsync(carol.UserId);
        await alice.Client.BlockUserAsync(bob.UserId);
        await alice.Client.BlockUserAsync(bob.UserId);
        (await alice.Client.GetBlockedAsync()).Should().BeEquivalentTo([bob.UserId, carol.UserId]);
        (await bob.Client.GetBlockedAsync()).Should().BeEmpty();

        await alice.Client.UnblockUserAsync(carol.UserId);
        (await alice.Client.GetBlockedAsync()).Should().Equal(bob.UserId);
    }

    [Fact]
    public async Task Receipts_WhenTheReaderBlockedTheSender_TellTheSenderNothing_AndTheNextReadAfterTheUnblockCoversThem()
    {
        await using var alice = await _host.SignUpAsync("alice_receipts");
        await using var bob = await _host.SignUpAsync("bob_receipts", autoReceipt: false);
        var sent = await alice.SendAsync(bob, "please answer");
        await bob.NextAsync<MessageReceived>();
        await bob.Client.BlockUserAsync(alice.UserId);

        await bob.Client.ReceivedMessagesAsync(sent.Message.Id);
        await bob.Client.ReadHistoryAsync(alice.Peer, sent.Message.Id);

        var logged = (await alice.Client.GetDifferenceAsync(0)).Updates.Select(u => u.Update).ToList();
        logged.OfType<ReadOutboxUpdate>().Should().BeEmpty("when the blocker reads would tell the blocked user when they are active");
        logged.OfType<DeliveredUpdate>().Should().BeEmpty();
        (await alice.Client.GetDialogsAsync()).Items.Single().Should().Match<Dialog>(d => d.ReadOutboxMaxId == 0 && d.DeliveredMaxId == 0);

        await bob.Client.UnblockUserAsync(alice.UserId);
        var again = await alice.SendAsync(bob, "still there?");
        await bob.NextAsync<MessageReceived>(m => m.Message.Text == "still there?");
        await bob.Client.ReadHistoryAsync(alice.Peer, again.Message.Id);
        (await alice.NextAsync<HistoryRead>(r => r.Side == ReadSide.Outbox)).MaxId.Should().Be(again.Message.Id);
    }
}
