using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;
using Messenger.Message.Editing;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

/// <summary>Threads: <c>messages.getReplies</c>, the reply counts of history pages and how far a reader has read each
/// thread (<c>messages.readThread</c>).</summary>
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
        Counts(thread).Should().Equal([(blue.Id, 1)], "a page counts the answers of its own messages too");
        (await bob.Client.GetRepliesAsync(peer, question.Id, offsetId: blue.Id, limit: 1)).Messages.Single().Id.Should().Be(green.Id);
        (await bob.Client.GetRepliesAsync(peer, blue.Id)).Messages.Single().Id.Should().Be(why.Id);
        (await bob.Client.GetRepliesAsync(peer, other.Id)).Messages.Should().BeEmpty();

        await alice.Client.PinMessageAsync(peer, other.Id);
        var page = await carol.Client.GetHistoryPageAsync(peer);
        Counts(page).Should().BeEquivalentTo([(question.Id, 3), (blue.Id, 1)], "a pin's record is no answer");
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

    [Fact]
    public async Task ReadThread_MovesTheReadPosition_FollowersCountTheUnreadAnswers_AndTheOtherDevicesAreTold()
    {
        await using var alice = await _host.MemberAsync("alice_readthread");
        await using var bob = await _host.MemberAsync("bob_readthread");
        await using var carol = await _host.MemberAsync("carol_readthread");
        await using var alicePhone = await _host.DeviceAsync("alice_readthread", alice.Id);
        var peer = Peer.Chat((await alice.Client.CreateGroupAsync("Reading", [bob.Id, carol.Id])).Chat.Id);
        var root = (await alice.Client.SendMessageAsync(peer, "Plans for Friday?")).Message;
        var first = (await bob.Client.SendMessageAsync(peer, "Cinema", replyToId: root.Id)).Message;
        var second = (await carol.Client.SendMessageAsync(peer, "Dinner", replyToId: root.Id)).Message;
        var bobs = (await bob.Client.SendMessageAsync(peer, "Anyone for tennis?")).Message;
        var answer = (await alice.Client.SendMessageAsync(peer, "Me", replyToId: bobs.Id)).Message;

        (await ThreadOf(alice, peer, root.Id)).Should().Be(new ReplyCount(root.Id, 2, second.Id, 0, 2), "its author follows the thread from the start");
        (await ThreadOf(bob, peer, root.Id)).Should().Be(new ReplyCount(root.Id, 2, second.Id, first.Id, 1), "an answer reads the thread up to it");
        (await ThreadOf(carol, peer, root.Id)).Should().Be(new ReplyCount(root.Id, 2, second.Id, second.Id, 0));
        (await ThreadOf(carol, peer, bobs.Id)).Should().Be(new ReplyCount(bobs.Id, 1, answer.Id), "carol has nothing to do with that thread");

        var read = await alice.Client.ReadThreadAsync(peer, root.Id, first.Id);
        read.PtsCount.Should().Be(1);
        (await alicePhone.NextAsync<ThreadRead>()).Should().Match<ThreadRead>(e => e.Peer == peer && e.MessageId == root.Id && e.ReadMaxId == first.Id);
        (await ThreadOf(alice, peer, root.Id)).Should().Be(new ReplyCount(root.Id, 2, second.Id, first.Id, 1));

        (await alice.Client.ReadThreadAsync(peer, root.Id, long.MaxValue)).PtsCount.Should().Be(1);
        (await alicePhone.NextAsync<ThreadRead>()).ReadMaxId.Should().Be(second.Id, "never past the newest answer");
        (await alice.Client.ReadThreadAsync(peer, root.Id, first.Id)).PtsCount.Should().Be(0, "a position never moves back");
        (await ThreadOf(alice, peer, root.Id)).UnreadCount.Should().Be(0);

        var third = (await bob.Client.SendMessageAsync(peer, "Or both", replyToId: root.Id)).Message;
        (await ThreadOf(alice, peer, root.Id)).Should().Be(new ReplyCount(root.Id, 3, third.Id, second.Id, 1));
        await bob.Client.DeleteMessagesAsync(peer, [third.Id], revoke: true);
        (await ThreadOf(alice, peer, root.Id)).Should().Be(new ReplyCount(root.Id, 2, second.Id, second.Id, 0), "a deleted answer is not waiting to be read");

        (await carol.Client.ReadThreadAsync(peer, bobs.Id, 0)).PtsCount.Should().Be(1, "reading a thread follows it");
        (await ThreadOf(carol, peer, bobs.Id)).Should().Be(new ReplyCount(bobs.Id, 1, answer.Id, 0, 1));
        (await carol.Client.ReadThreadAsync(peer, bobs.Id, 0)).PtsCount.Should().Be(0);

        var difference = await alicePhone.Client.CallAsync(new GetDifferenceCall(0, 100));
        difference.Updates.Select(u => u.Update).OfType<ReadThreadUpdate>().Select(u => u.ReadMaxId).Should().Equal(first.Id, second.Id);
    }

    [Fact]
    public async Task ReadThread_WithBadInput_IsRefusedByName_AndChangesNothing()
    {
        await using var alice = await _host.MemberAsync("alice_badread");
        await using var bob = await _host.MemberAsync("bob_badread");
        await using var carol = await _host.MemberAsync("carol_badread");
        var peer = Peer.Chat((await alice.Client.CreateGroupAsync("Ours", [bob.Id])).Chat.Id);
        var theirs = Peer.Chat((await carol.Client.CreateGroupAsync("Theirs", [bob.Id])).Chat.Id);
        var root = (await alice.Client.SendMessageAsync(peer, "root")).Message;
        var answer = (await bob.Client.SendMessageAsync(peer, "answer", replyToId: root.Id)).Message;
        var elsewhere = (await carol.Client.SendMessageAsync(theirs, "not in Ours")).Message;
        var hidden = (await bob.Client.SendMessageAsync(peer, "hidden", replyToId: root.Id)).Message;
        await alice.Client.DeleteMessagesAsync(peer, [hidden.Id], revoke: false);

        await ChatTestKit.FailsWith(() => alice.Client.ReadThreadAsync(peer, 0, 1), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReadThreadAsync(peer, root.Id, -1), MessageErrorNames.MaxIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReadThreadAsync(peer, elsewhere.Id, 1), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReadThreadAsync(peer, hidden.Id, 1), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReadThreadAsync(theirs, elsewhere.Id, 1), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.ReadThreadAsync(Peer.User(987_654), root.Id, 1), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReadThreadAsync(Peer.User(carol.Id), root.Id, 1), MessageErrorNames.MessageIdInvalid);

        (await ThreadOf(alice, peer, root.Id)).Should().Be(new ReplyCount(root.Id, 1, answer.Id, 0, 1), "none of that read anything");
        (await ThreadOf(bob, peer, root.Id)).Should().Be(new ReplyCount(root.Id, 2, hidden.Id, hidden.Id, 0), "nor touched anyone else");
    }

    [Fact]
    public async Task Revoke_WhenTheRootOfAReadThread_ForgetsEveryonesPositionInIt_AndNoOtherThreads()
    {
        await using var alice = await _host.MemberAsync("alice_revokethread");
        await using var bob = await _host.MemberAsync("bob_revokethread");
        await using var carol = await _host.MemberAsync("carol_revokethread");
        var peer = Peer.Chat((await alice.Client.CreateGroupAsync("Revoking", [bob.Id, carol.Id])).Chat.Id);
        var root = (await alice.Client.SendMessageAsync(peer, "Lunch?")).Message;
        var kept = (await alice.Client.SendMessageAsync(peer, "Dinner?")).Message;
        var first = (await bob.Client.SendMessageAsync(peer, "Yes", replyToId: root.Id)).Message;
        var later = (await carol.Client.SendMessageAsync(peer, "Later", replyToId: kept.Id)).Message;
        var gone = (await bob.Client.SendMessageAsync(peer, "Pizza", replyToId: kept.Id)).Message;
        await bob.Client.ReadThreadAsync(peer, root.Id, first.Id);
        await carol.Client.ReadThreadAsync(peer, root.Id, first.Id);
        await bob.Client.ReadThreadAsync(peer, kept.Id, gone.Id);
        await alice.Client.ReadThreadAsync(peer, kept.Id, later.Id);
        var before = ThreadReads(alice.Id, bob.Id, carol.Id);
        before.Select(r => r.MessageId).Should().Contain(root.Id).And.Contain(kept.Id);

        await alice.Client.DeleteMessagesAsync(peer, [root.Id], revoke: true);
        await bob.Client.DeleteMessagesAsync(peer, [gone.Id], revoke: true);

        ThreadReads(alice.Id, bob.Id, carol.Id).Should().BeEquivalentTo(
            before.Where(r => r.MessageId != root.Id),
            "only the revoked root's thread goes; a revoked answer leaves the positions in its thread as they were");
        (await ThreadOf(bob, peer, kept.Id)).Should().Be(new ReplyCount(kept.Id, 1, later.Id, gone.Id, 0));
        await ChatTestKit.FailsWith(() => bob.Client.ReadThreadAsync(peer, root.Id, first.Id), MessageErrorNames.MessageIdInvalid);
        ThreadReads(alice.Id, bob.Id, carol.Id).Should().NotContain(r => r.MessageId == root.Id, "a revoked root cannot be followed again");
    }

    [Fact]
    public async Task DeleteForMe_WhenTheRootOfAReadThread_ForgetsOnlyTheCallersPositionInIt()
    {
        await using var alice = await _host.MemberAsync("alice_hidethread");
        await using var bob = await _host.MemberAsync("bob_hidethread");
        var peer = Peer.Chat((await alice.Client.CreateGroupAsync("Hiding", [bob.Id])).Chat.Id);
        var root = (await alice.Client.SendMessageAsync(peer, "Lunch?")).Message;
        var other = (await alice.Client.SendMessageAsync(peer, "Dinner?")).Message;
        var answer = (await bob.Client.SendMessageAsync(peer, "Yes", replyToId: root.Id)).Message;
        var otherAnswer = (await bob.Client.SendMessageAsync(peer, "No", replyToId: other.Id)).Message;
        await alice.Client.ReadThreadAsync(peer, root.Id, answer.Id);
        await alice.Client.ReadThreadAsync(peer, other.Id, otherAnswer.Id);
        await bob.Client.ReadThreadAsync(peer, root.Id, answer.Id);

        await bob.Client.DeleteMessagesAsync(peer, [root.Id], revoke: false);

        ThreadReads(alice.Id, bob.Id).Should().BeEquivalentTo(
            [(alice.Id, root.Id, answer.Id), (alice.Id, other.Id, otherAnswer.Id)],
            "the one who hid the root loses their place in its thread; everyone else keeps theirs");
        await ChatTestKit.FailsWith(() => bob.Client.ReadThreadAsync(peer, root.Id, answer.Id), MessageErrorNames.MessageIdInvalid);
        (await ThreadOf(alice, peer, root.Id)).Should().Be(new ReplyCount(root.Id, 1, answer.Id, answer.Id, 0));
    }

    [Fact]
    public void Revoke_ForgetsThreadReadsByTheMessageIndex_NotAScanOfEveryReader()
    {
        using var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + MessageDeletion.ForgetThreadReadsSql;
        explain.Parameters.AddWithValue("@id", 1L);
        using var reader = explain.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        plan.Should().Equal("SEARCH message_thread_reads USING INDEX IX_message_thread_reads_msg_id (msg_id=?)");
    }

    private List<(long UserId, long MessageId, long ReadMaxId)> ThreadReads(params long[] users)
    {
        using var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var select = connection.CreateCommand();
        select.CommandText = $"SELECT user_id, msg_id, read_max_id FROM message_thread_reads WHERE user_id IN ({string.Join(", ", users)})";
        using var reader = select.ExecuteReader();
        var rows = new List<(long, long, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return rows;
    }

    private static async Task<ReplyCount> ThreadOf(Member reader, Peer peer, long messageId) =>
        (await reader.Client.GetHistoryPageAsync(peer)).Replies!.Single(r => r.MessageId == messageId);

    private static (long, int)[] Counts(MessageList page) => page.Replies!.Select(r => (r.MessageId, r.Count)).ToArray();
}
