using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

public sealed class GroupDialogTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeleteMessages_WhenTheNewestIsRevoked_TheDialogShowsThePreviousOne(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_dtop");
        await using var bob = await host.MemberAsync("bob_dtop");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SendMessageAsync(peer, "older");
        var newest = await alice.Client.SendMessageAsync(peer, "newest");

        await alice.Client.DeleteMessagesAsync(peer, [newest.Message.Id], revoke: true);

        foreach (var member in new[] { alice, bob })
        {
            (await member.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).TopMessage!.Text.Should().Be("older");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeleteMessages_ForMeOnly_HidesTheNewestFromThatUsersDialogOnly(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_dforme");
        await using var bob = await host.MemberAsync("bob_dforme");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SendMessageAsync(peer, "older");
        var newest = await alice.Client.SendMessageAsync(peer, "newest");
        var unreadBefore = (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount;

        await bob.Client.DeleteMessagesAsync(peer, [newest.Message.Id], revoke: false);

        var bobDialog = (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer);
        bobDialog.TopMessage!.Text.Should().Be("older");
        bobDialog.UnreadCount.Should().Be(unreadBefore - 1);
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).TopMessage!.Text.Should().Be("newest");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadHistory_UpToTheNewest_LeavesNothingUnreadAndTellsTheReadersOtherDevices(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_dread");
        await using var bob = await host.MemberAsync("bob_dread");
        await using var bobPhone = await host.DeviceAsync("bob_dread", bob.Id);
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        var first = await alice.Client.SendMessageAsync(peer, "one");
        await alice.Client.SendMessageAsync(peer, "two");
        var last = await alice.Client.SendMessageAsync(peer, "three");

        var unreadBefore = (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount;
        await bob.Client.ReadHistoryAsync(peer, first.Message.Id);
        var partly = (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer);
        await bob.Client.ReadHistoryAsync(peer, last.Message.Id);
        var all = (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer);

        unreadBefore.Should().BeGreaterThanOrEqualTo(3);
        partly.UnreadCount.Should().Be(2);
        partly.ReadInboxMaxId.Should().Be(first.Message.Id);
        all.UnreadCount.Should().Be(0);
        all.ReadInboxMaxId.Should().Be(last.Message.Id);
        var read = await bobPhone.NextAsync<HistoryRead>(e => e.MaxId == last.Message.Id);
        read.Side.Should().Be(ReadSide.Inbox);
        read.Peer.Should().Be(peer);
        read.StillUnread.Should().Be(0);
    }

    [Fact]
    public async Task AddMembers_ToASmallGroupWithHistory_TheNewcomerReadsFromTheMessageThatAddedThem_EvenAfterARecount()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_dnew");
        await using var bob = await host.MemberAsync("bob_dnew");
        await using var carol = await host.MemberAsync("carol_dnew");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        var old = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            old.Add((await alice.Client.SendMessageAsync(peer, $"before carol {i}")).Message.Id);
        }

        await alice.Client.AddMembersAsync(chat.Id, [carol.Id]);
        var joined = (await carol.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer);
        var bobBefore = (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount;
        await alice.Client.DeleteMessagesAsync(peer, [old[0]], revoke: true);
        var afterDelete = (await carol.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer);

        joined.UnreadCount.Should().Be(1, "the message that added her");
        joined.ReadInboxMaxId.Should().BeGreaterThanOrEqualTo(old[^1]).And.BeLessThan(joined.TopMessage!.Id);
        afterDelete.UnreadCount.Should().Be(1, "a delete counts again from where she reads, not the history before her");
        bobBefore.Should().BeGreaterThanOrEqualTo(5, "bob's count holds the history: 4 messages and the addition");
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount.Should().Be(bobBefore - 1);
    }

    [Fact]
    public async Task GetDialogs_AfterConversion_KeepsTheUnreadCountOfEachMember()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_dconv");
        await using var bob = await host.MemberAsync("bob_dconv");
        await using var carol = await host.MemberAsync("carol_dconv");
        await using var dave = await host.MemberAsync("dave_dconv");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SendMessageAsync(peer, "one");
        var two = await alice.Client.SendMessageAsync(peer, "two");
        await alice.Client.SendMessageAsync(peer, "three");
        await bob.Client.ReadHistoryAsync(peer, two.Message.Id);
        await carol.Client.SendMessageAsync(peer, "carol read all by writing");

        await alice.Client.AddMembersAsync(chat.Id, [dave.Id]);

        // Since bob's read position: "three", carol's message and the two service messages of the conversion.
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount.Should().Be(4);
        (await dave.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).TopMessage!.Action!.Kind.Should().Be(ServiceActions.AddMembers);
        (await bob.Client.SearchMessagesAsync("three", peer)).Should().ContainSingle();
    }

    [Fact]
    public async Task GetChannelDifference_WithInvalidArguments_FailsWithTheirErrors()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_cdargs");
        var chat = (await alice.Client.CreateGroupAsync("Large", [], large: true)).Chat;

        await SessionTestKit.FailsWith(() => alice.Client.GetChannelDifferenceAsync(chat.Id, -1), UpdateErrorNames.PtsInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.GetChannelDifferenceAsync(chat.Id, 0, limit: 0), UpdateErrorNames.LimitInvalid);
        (await alice.Client.GetChannelDifferenceAsync(chat.Id, chat.Pts + 10)).TooLong.Should().BeTrue();
        var fromStart = await alice.Client.GetChannelDifferenceAsync(chat.Id, 0, limit: 1);
        fromStart.Updates.Should().ContainSingle();
        fromStart.Pts.Should().Be(chat.Pts);
    }
}
