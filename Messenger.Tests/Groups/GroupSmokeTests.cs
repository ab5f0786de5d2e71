using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Users;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

public sealed class GroupSmokeTests
{
    [Fact]
    public async Task Groups_SmallAndLarge_DeliverSearchAndConvert()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Message:SmallGroupLimit"] = "3" });
        await using var alice = await host.SignedInClientAsync("alice_group");
        await using var bob = await host.SignedInClientAsync("bob_group");
        await using var carol = await host.SignedInClientAsync("carol_group");
        await using var dave = await host.SignedInClientAsync("dave_group");
        var bobId = (await bob.CallAsync(new SearchUsersCall("bob_group"))).Users[0].Id;
        var carolId = (await bob.CallAsync(new SearchUsersCall("carol_group"))).Users[0].Id;
        var daveId = (await bob.CallAsync(new SearchUsersCall("dave_group"))).Users[0].Id;

        var created = await alice.CallAsync(new CreateGroupCall("Team", [bobId]));
        created.Chat.Kind.Should().Be(ChatKind.Group);
        created.Chat.MemberCount.Should().Be(2);
        var chat = Peer.Chat(created.Chat.Id);
        await alice.CallAsync(new SendMessageCall(chat, 1, "hello team"));
        var bobDifference = await bob.CallAsync(new GetDifferenceCall(0));
        bobDifference.Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Select(u => u.Message.Text).Should().Equal("", "hello team");

        (await FluentActions.Awaiting(() => carol.CallAsync(new SendMessageCall(chat, 1, "intruder"))).Should().ThrowAsync<Messenger.Client.RpcException>())
            .Which.Name.Should().Be(GroupErrorNames.ChatNotFound);

        (await bob.CallAsync(new SearchMessagesCall(null, "TEA"))).Messages.Select(m => m.Text).Should().Equal("hello team");
        (await carol.CallAsync(new SearchMessagesCall(null, "team"))).Messages.Should().BeEmpty();

        await alice.CallAsync(new AddMembersCall(created.Chat.Id, [carolId]));
        var converted = await alice.CallAsync(new AddMembersCall(created.Chat.Id, [daveId]));
        converted.Chat.Kind.Should().Be(ChatKind.LargeGroup);
        converted.Channel.Should().BeTrue();

        var sent = await bob.CallAsync(new SendMessageCall(chat, 2, "now we are large"));
        sent.Channel.Should().BeTrue();
        var channel = await dave.CallAsync(new GetChannelDifferenceCall(created.Chat.Id, 0));
        channel.Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Select(u => u.Message.Text).Should().EndWith("now we are large");
        (await dave.CallAsync(new GetHistoryCall(chat))).Messages.Select(m => m.Text).Should().Contain("hello team");
        var daveDialogs = await dave.CallAsync(new GetDialogsCall());
        daveDialogs.Items.Should().ContainSingle().Which.TopMessage!.Text.Should().Be("now we are large");
        (await dave.CallAsync(new GetDifferenceCall(0))).Channels.Should().ContainSingle().Which.Pts.Should().Be(channel.Pts);
    }
}
