using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.sendReaction</c>: one emoji per person per message, seen by everyone in the chat.</summary>
public sealed class ReactionTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task PrivateChat_ReactionsAreCountedPerPerson_ReplacedAndTakenBack_AndShownInHistoryAndSearch()
    {
        await using var alice = await _host.SignUpAsync("alice_react");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_react");
        await using var bob = await _host.SignUpAsync("bob_react");
        var sent = await alice.SendAsync(bob, "lunch at noon?");
        var id = sent.Message.Id;

        var bobs = await bob.Client.SendReactionAsync(alice.Peer, id, "👍");
        bobs.Reactions.Should().Equal(new ReactionCount("👍", 1));
        bobs.MyReaction.Should().Be("👍");
        bobs.PtsCount.Should().Be(1);
        (await alice.NextAsync<MessageReactionsChanged>()).Should().Match<MessageReactionsChanged>(e =>
            e.Peer == bob.Peer && e.MessageId == id && e.UserId == bob.UserId && e.Reaction == "👍" && e.Reactions.Length == 1);
        (await alicePhone.NextAsync<MessageReactionsChanged>()).Reactions.Should().Equal(new ReactionCount("👍", 1));

        (await alice.Client.SendReactionAsync(bob.Peer, id, "👍")).Reactions.Should().Equal(new ReactionCount("👍", 2));
        (await bob.Client.SendReactionAsync(alice.Peer, id, "👍")).PtsCount.Should().Be(0, "the same reaction again changes nothing");
        (await bob.Client.SendReactionAsync(alice.Peer, id, "❤️")).Reactions.Should().Equal(new ReactionCount("👍", 1), new ReactionCount("❤️", 1));

        var forAlice = ReactionsOf(await alice.Client.GetHistoryPageAsync(bob.Peer), id)!;
        forAlice.Reactions.Should().Equal(new ReactionCount("👍", 1), new ReactionCount("❤️", 1));
        forAlice.MyReaction.Should().Be("👍");
        ReactionsOf(await bob.Client.GetHistoryPageAsync(alice.Peer), id)!.MyReaction.Should().Be("❤️");
        ReactionsOf(await bob.Client.CallAsync(new SearchMessagesCall(null, "lunch")), id)!.Reactions.Should().HaveCount(2);

        var taken = await alice.Client.SendReactionAsync(bob.Peer, id, null);
        taken.Reactions.Should().Equal(new ReactionCount("❤️", 1));
        taken.MyReaction.Should().BeNull();
        (await bob.NextAsync<MessageReactionsChanged>(e => e.Reaction is null)).UserId.Should().Be(alice.UserId);
        await bob.Client.SendReactionAsync(alice.Peer, id, "");
        var plain = await alice.Client.GetHistoryPageAsync(bob.Peer);
        plain.Reactions.Should().BeNull("nobody reacts any more");
        plain.Messages.Single().Should().Be(sent.Message, "reactions never change the message itself");
    }

    private static MessageReactions? ReactionsOf(MessageList list, long messageId) =>
        list.Reactions?.SingleOrDefault(r => r.MessageId == messageId);

    [Theory]
    [InlineData("a")]
    [InlineData("ok")]
    [InlineData("1")]
    [InlineData(" ")]
    [InlineData("👍👍")]
    [InlineData("\u200d")]
    [InlineData("\u0301")]
    [InlineData("好")]
    public async Task NotOneEmoji_IsRefused(string reaction)
    {
        await using var alice = await _host.SignUpAsync("alice_badreact");
        await using var bob = await _host.SignUpAsync("bob_badreact");
        var sent = await alice.SendAsync(bob, "react to me");

        await ChatTestKit.FailsWith(() => bob.Client.SendReactionAsync(alice.Peer, sent.Message.Id, reaction), MessageErrorNames.ReactionInvalid);

        (await bob.Client.GetHistoryPageAsync(alice.Peer)).Reactions.Should().BeNull();
    }

    [Fact]
    public async Task BadTargets_AreRefusedByName_AndTheTwentyFirstKindIsTooMany()
    {
        await using var alice = await _host.SignUpAsync("alice_reacttarget");
        await using var bob = await _host.SignUpAsync("bob_reacttarget");
        await using var carol = await _host.SignUpAsync("carol_reacttarget");
        var toBob = await alice.SendAsync(bob, "for bob");
        var group = await alice.Client.CreateGroupAsync("Team", [bob.UserId]);

        await ChatTestKit.FailsWith(() => carol.Client.SendReactionAsync(alice.Peer, toBob.Message.Id, "👍"), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SendReactionAsync(bob.Peer, 0, "👍"), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SendReactionAsync(Peer.Chat(group.Chat.Id), group.Message!.Id, "👍"), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => carol.Client.SendReactionAsync(Peer.Chat(group.Chat.Id), group.Message!.Id, "👍"), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendReactionCall(null!, toBob.Message.Id, "👍")), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SendReactionAsync(bob.Peer, toBob.Message.Id, new string('☺', 40)), MessageErrorNames.ReactionInvalid);

        // Twenty kinds fit; a twenty-first is refused and stores nothing.
        string[] kinds = ["😀", "😃", "😄", "😁", "😆", "😅", "😂", "🤣", "😊", "😇", "🙂", "🙃", "😉", "😌", "😍", "🥰", "😘", "😗", "😙", "😚", "😋"];
        var people = new List<Device>();
        for (var i = 0; i < kinds.Length; i++)
        {
            var member = await _host.SignUpAsync($"reactor_{i:d2}", startEvents: false);
            people.Add(member);
        }

        var post = await alice.Client.SendMessageAsync(Peer.Chat(group.Chat.Id), "pick a face");
        await alice.Client.AddMembersAsync(group.Chat.Id, [.. people.Select(p => p.UserId)]);
        for (var i = 0; i < ReactionLimits.MaxDistinct; i++)
        {
            await people[i].Client.SendReactionAsync(Peer.Chat(group.Chat.Id), post.Message.Id, kinds[i]);
        }

        await ChatTestKit.FailsWith(() => people[^1].Client.SendReactionAsync(Peer.Chat(group.Chat.Id), post.Message.Id, kinds[^1]), MessageErrorNames.ReactionsTooMany);
        (await people[^1].Client.SendReactionAsync(Peer.Chat(group.Chat.Id), post.Message.Id, kinds[0])).Reactions[0].Should().Be(new ReactionCount(kinds[0], 2));
        var read = ReactionsOf(await alice.Client.GetHistoryPageAsync(Peer.Chat(group.Chat.Id), limit: 5), post.Message.Id)!;
        read.Reactions.Should().HaveCount(ReactionLimits.MaxDistinct);
        read.Reactions.Sum(r => r.Count).Should().Be(kinds.Length);
        foreach (var person in people)
        {
            await person.DisposeAsync();
        }
    }

    [Fact]
    public async Task Totals_FollowEveryChange_AndEqualCountsKeepTheOrderTheirKindsArrivedIn()
    {
        await using var alice = await _host.MemberAsync("alice_totals");
        await using var bob = await _host.MemberAsync("bob_totals");
        await using var carol = await _host.MemberAsync("carol_totals");
        var group = await alice.Client.CreateGroupAsync("Totals", [bob.Id, carol.Id]);
        var peer = Peer.Chat(group.Chat.Id);
        var post = (await alice.Client.SendMessageAsync(peer, "vote")).Message.Id;

        await alice.Client.SendReactionAsync(peer, post, "👍");
        await bob.Client.SendReactionAsync(peer, post, "❤️");
        (await carol.Client.SendReactionAsync(peer, post, "👍")).Reactions.Should().Equal(new ReactionCount("👍", 2), new ReactionCount("❤️", 1));
        (await alice.Client.SendReactionAsync(peer, post, null)).Reactions.Should().Equal(
            [new ReactionCount("👍", 1), new ReactionCount("❤️", 1)], "👍 has had a count since before ❤️, though its first giver took it back");
        (await alice.Client.SendReactionAsync(peer, post, "❤️")).Reactions.Should().Equal(new ReactionCount("❤️", 2), new ReactionCount("👍", 1));
        (await carol.Client.SendReactionAsync(peer, post, null)).Reactions.Should().Equal(new ReactionCount("❤️", 2));
        (await bob.Client.SendReactionAsync(peer, post, "🔥")).Reactions.Should().Equal(
            [new ReactionCount("❤️", 1), new ReactionCount("🔥", 1)], "❤️ has had a count longer than 🔥");

        _host.CountRows("message_reaction_counts").Should().Be(2, "a kind nobody gives any more has no row");
        ReactionsOf(await alice.Client.GetHistoryPageAsync(peer), post)!.Should().Match<MessageReactions>(r => r.MyReaction == "❤️" && r.Reactions.Length == 2);
        ReactionsOf(await bob.Client.GetHistoryPageAsync(peer), post)!.MyReaction.Should().Be("🔥");
        ReactionsOf(await carol.Client.GetHistoryPageAsync(peer), post)!.MyReaction.Should().BeNull();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Groups_EveryMemberSeesReactions_AChannelsSubscribersReactToo(bool channel)
    {
        await using var alice = await _host.MemberAsync($"alice_greact{(channel ? 1 : 0)}", listen: true);
        await using var bob = await _host.MemberAsync($"bob_greact{(channel ? 1 : 0)}", listen: true);
        var created = await alice.Client.CreateGroupAsync("Reacts", [bob.Id], large: channel, broadcast: channel);
        var peer = Peer.Chat(created.Chat.Id);
        var post = await alice.Client.SendMessageAsync(peer, "shipping today");

        var answer = await bob.Client.SendReactionAsync(peer, post.Message.Id, "🎉");

        answer.Channel.Should().Be(channel);
        var seen = await alice.NextAsync<MessageReactionsChanged>();
        // A channel's entry names nobody (its subscribers do not see one another); a group's names the reactor.
        seen.Should().Match<MessageReactionsChanged>(e => e.UserId == (channel ? 0 : bob.Id) && e.Reaction == (channel ? null : "🎉") && e.Peer == peer);
        seen.ChannelId.Should().Be(channel ? created.Chat.Id : null);
        ReactionsOf(await alice.Client.GetHistoryPageAsync(peer), post.Message.Id)!.Reactions.Should().Equal(new ReactionCount("🎉", 1));

        await alice.Client.DeleteMessagesAsync(peer, [post.Message.Id], revoke: true);
        _host.CountRows("message_reactions").Should().Be(0, "a message deleted for everyone keeps no reactions");
        _host.CountRows("message_reaction_counts").Should().Be(0, "nor their totals");
        var logged = channel
            ? (await bob.Client.GetChannelDifferenceAsync(created.Chat.Id, 0)).Updates
            : (await bob.Client.GetDifferenceAsync(0)).Updates;
        logged.Select(u => u.Update).OfType<DeleteMessagesUpdate>().Should().NotBeEmpty("the log is the one the chat's changes go to");
        logged.Select(u => u.Update).OfType<MessageReactionsUpdate>().Should().BeEmpty("redacted with the message");
    }

    [Fact]
    public async Task Channel_ASubscribersReaction_NamesNobodyInTheChannelsLog_ButTheReactorKeepsTheirOwn()
    {
        await using var admin = await _host.MemberAsync("admin_anonreact", listen: true);
        await using var bob = await _host.MemberAsync("bob_anonreact", listen: true);
        await using var carol = await _host.MemberAsync("carol_anonreact", listen: true);
        var created = await admin.Client.CreateGroupAsync("News", [bob.Id, carol.Id], large: true, broadcast: true);
        var peer = Peer.Chat(created.Chat.Id);
        var post = await admin.Client.SendMessageAsync(peer, "news");

        var answer = await bob.Client.SendReactionAsync(peer, post.Message.Id, "🎉");
        await bob.Client.SendReactionAsync(peer, post.Message.Id, "👍");

        answer.MyReaction.Should().Be("🎉");
        var logged = (await carol.Client.GetChannelDifferenceAsync(created.Chat.Id, 0)).Updates.Select(u => u.Update).OfType<MessageReactionsUpdate>().ToList();
        logged.Should().HaveCount(2).And.OnlyContain(r => r.UserId == 0 && r.Reaction == null, "subscribers do not see one another, the admin neither");
        logged[^1].Reactions.Should().Equal(new ReactionCount("👍", 1));
        (await admin.NextAsync<MessageReactionsChanged>()).UserId.Should().Be(0);
        ReactionsOf(await bob.Client.GetHistoryPageAsync(peer), post.Message.Id)!.MyReaction.Should().Be("👍", "the reactor's devices read their own");
        ReactionsOf(await carol.Client.GetHistoryPageAsync(peer), post.Message.Id)!.MyReaction.Should().BeNull();
    }
}
