using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>Threads: <c>messages.getReplies</c> and the reply counts of history pages.</summary>
public sealed class ReplyThreadTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AThread_ListsTheAnswersOldestFirst_AndHistoryPagesCountThem()
    {
        await using var alice = await _host.SignUpAsync("alice_thread");
        await using var bob = await _host.SignUpAsync("bob_thread");
        await using var carol = await _host.SignUpAsync("carol_thread");
        var chat = (await alice.Client.CreateGroupAsync("Design", [bob.UserId, carol.UserId])).Chat;
        var peer = Peer.Chat(chat.Id);
        var question = (await alice.Client.SendMessageAsync(peer, "Blue or green?")).Message;
        var other = (await alice.Client.SendMessageAsync(peer, "Unrelated")).Message;
        var blue = (await bob.Client.SendMessageAsync(peer, "Blue", replyToId: question.Id)).Message;
        var green = (await carol.Client.SendMessageAsync(peer, "Green", replyToId: question.Id)).Message;
        var why = (await alice.Client.SendMessageAsync(peer, "Why blue?", replyToId: blue.Id)).Message;
        var teal = (await carol.Client.SendMessageAsync(peer, "Teal", replyToId: question.Id)).Message;

        var thread = await bob.Client.GetRepliesAsync(peer, question.Id);
        thread.Messages.Select(m => m.Text).Should().Equal("Blue", "Green", "Teal");
        thread.Replies.Should().BeEquivalentTo([new ReplyCount(blue.Id, 1)], "a page counts the answers of its own messages too");
        (await bob.Client.GetRepliesAsync(peer, question.Id, offsetId: blue.Id, limit: 1)).Messages.Single().Id.Should().Be(green.Id);
        (await bob.Client.GetRepliesAsync(peer, blue.Id)).Messages.Single().Id.Should().Be(why.Id);
        (await bob.Client.GetRepliesAsync(peer, other.Id)).Messages.Should().BeEmpty();

        await alice.Client.PinMessageAsync(peer, other.Id);
        var page = await carol.Client.GetHistoryPageAsync(peer);
        page.Replies.Should().BeEquivalentTo([new ReplyCount(question.Id, 3), new ReplyCount(blue.Id, 1)], "a pin's record is no answer");
        (await carol.Client.GetRepliesAsync(peer, other.Id)).Messages.Should().BeEmpty();

        // Deleted for everyone: gone from the thread and the count; deleted for oneself: gone from one's own thread only.
        await carol.Client.DeleteMessagesAsync(peer, [teal.Id], revoke: true);
        await bob.Client.DeleteMessagesAsync(peer, [green.Id], revoke: false);
        (await bob.Client.GetRepliesAsync(peer, question.Id)).Messages.Select(m => m.Text).Should().Equal("Blue");
        (await alice.Client.GetRepliesAsync(peer, question.Id)).Messages.Select(m => m.Text).Should().Equal("Blue", "Green");
        (await alice.Client.GetHistoryPageAsync(peer)).Replies!.Single(r => r.MessageId == question.Id).Count.Should().Be(2);
        (await bob.Client.GetHistoryPageAsync(peer)).Replies!.Single(r => r.MessageId == question.Id).Count.Should().Be(1, "counted as the reader sees them");
        (await alice.Client.GetHistoryPageAsync(Peer.User(bob.UserId))).Replies.Should().BeNull("a chat without answers has no counts");
    }

    [Fact]
    public async Task BadThreads_AreRefusedByName()
    {
        await using var alice = await _host.SignUpAsync("alice_badthread");
        await using var bob = await _host.SignUpAsync("bob_badthread");
        await using var carol = await _host.SignUpAsync("carol_badthread");
        var chat = (await alice.Client.CreateGroupAsync("Ours", [bob.UserId])).Chat;
        var theirs = (await carol.Client.CreateGroupAsync("Theirs", [bob.UserId])).Chat;
        var elsewhere = (await carol.Client.SendMessageAsync(Peer.Chat(theirs.Id), "not in Ours")).Message;
        var mine = (await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "root")).Message;
        var peer = Peer.Chat(chat.Id);

        await ChatTestKit.FailsWith(() => alice.Client.GetRepliesAsync(peer, 0), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetRepliesAsync(peer, elsewhere.Id), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetRepliesAsync(peer, mine.Id + 1000), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetRepliesAsync(peer, mine.Id, offsetId: -1), MessageErrorNames.OffsetInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetRepliesAsync(peer, mine.Id, limit: 0), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetRepliesAsync(peer, mine.Id, limit: 101), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetRepliesAsync(Peer.Chat(theirs.Id), elsewhere.Id), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.GetRepliesAsync(Peer.User(987_654), 1), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetRepliesAsync(Peer.User(carol.UserId), 1), MessageErrorNames.MessageIdInvalid);
        (await bob.Client.GetRepliesAsync(peer, mine.Id)).Messages.Should().BeEmpty();
    }
}
