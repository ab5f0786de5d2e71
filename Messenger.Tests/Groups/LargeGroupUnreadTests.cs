using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Storage;
using Messenger.Message.ChatList;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Groups;

/// <summary>
/// A large group's unread count is remembered per member and chat (<see cref="LargeGroupUnread"/>): the first read of the
/// chat list counts, the next ones add only what was posted since. After each event that could change it the count is
/// still the one a count from scratch gives (<see cref="FreshCount"/>: the statement as it was before the memo).
/// </summary>
public sealed class LargeGroupUnreadTests
{
    [Fact]
    public async Task GetDialogs_ReadAgainAfterPostsEditsAndOwnPosts_CountsEachOtherPostOnce()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        var (alice, bob, peer) = await LargeGroupAsync(host, "posts");
        await using var a = alice;
        await using var b = bob;
        var before = await UnreadAsync(bob, peer);
        var edited = await alice.Client.SendMessageAsync(peer, "one");
        await alice.Client.SendMessageAsync(peer, "two");
        (await UnreadAsync(bob, peer)).Should().Be(before + 2);

        await alice.Client.EditMessageAsync(peer, edited.Message.Id, "one, edited");
        await bob.Client.SendMessageAsync(peer, "bob's own");
        await alice.Client.SendMessageAsync(peer, "three");

        (await UnreadAsync(bob, peer)).Should().Be(before + 3);
        (await UnreadAsync(bob, peer)).Should().Be(before + 3, "a read with nothing new adds nothing");
        (await bob.Client.GetPeerDialogsAsync([peer])).Single().UnreadCount.Should().Be(before + 3);
        FreshCount(host, bob.Id, peer.Id).Should().Be(before + 3);
        host.Services.GetRequiredService<LargeGroupUnread>().Count.Should().BeGreaterThan(0, "the count is remembered");
    }

    [Fact]
    public async Task GetDialogs_AfterARevoke_CountsTheRevokedMessageNoMore()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        var (alice, bob, peer) = await LargeGroupAsync(host, "revoke");
        await using var a = alice;
        await using var b = bob;
        var old = await alice.Client.SendMessageAsync(peer, "old");
        await alice.Client.SendMessageAsync(peer, "newer");
        var before = await UnreadAsync(bob, peer);

        await alice.Client.DeleteMessagesAsync(peer, [old.Message.Id], revoke: true);

        (await UnreadAsync(bob, peer)).Should().Be(before - 1);
        await alice.Client.SendMessageAsync(peer, "after");
        (await UnreadAsync(bob, peer)).Should().Be(before);
        FreshCount(host, bob.Id, peer.Id).Should().Be(before);
    }

    [Fact]
    public async Task GetDialogs_AfterHidingForMe_CountsTheHiddenMessageNoMore_ForThatMemberOnly()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        var (alice, bob, peer) = await LargeGroupAsync(host, "hide");
        await using var a = alice;
        await using var b = bob;
        await using var carol = await host.MemberAsync("carol_lguhide");
        await alice.Client.AddMembersAsync(peer.Id, [carol.Id]);
        var old = await alice.Client.SendMessageAsync(peer, "old");
        await alice.Client.SendMessageAsync(peer, "newer");
        var bobBefore = await UnreadAsync(bob, peer);
        var carolBefore = await UnreadAsync(carol, peer);

        await bob.Client.DeleteMessagesAsync(peer, [old.Message.Id], revoke: false);

        (await UnreadAsync(bob, peer)).Should().Be(bobBefore - 1);
        (await UnreadAsync(carol, peer)).Should().Be(carolBefore);
        FreshCount(host, bob.Id, peer.Id).Should().Be(bobBefore - 1);
    }

    [Fact]
    public async Task GetDialogs_AfterReading_CountsFromTheNewPosition_AndTheReadSaysTheSame()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        var (alice, bob, peer) = await LargeGroupAsync(host, "read");
        await using var a = alice;
        await using var b = bob;
        await using var bobPhone = await host.DeviceAsync("bob_lguread", bob.Id);
        var first = await alice.Client.SendMessageAsync(peer, "one");
        var hidden = await alice.Client.SendMessageAsync(peer, "two");
        var last = await alice.Client.SendMessageAsync(peer, "three");
        await UnreadAsync(bob, peer);
        await bob.Client.DeleteMessagesAsync(peer, [hidden.Message.Id], revoke: false);

        await bob.Client.ReadHistoryAsync(peer, first.Message.Id);

        (await UnreadAsync(bob, peer)).Should().Be(1, "\"two\" is hidden from bob, \"three\" is left");
        (await bobPhone.NextAsync<HistoryRead>(e => e.MaxId == first.Message.Id)).StillUnread.Should().Be(1, "the read counts as the list does");
        await alice.Client.SendMessageAsync(peer, "four");
        (await UnreadAsync(bob, peer)).Should().Be(2);
        await bob.Client.ReadHistoryAsync(peer, last.Message.Id);
        (await UnreadAsync(bob, peer)).Should().Be(1);
        FreshCount(host, bob.Id, peer.Id).Should().Be(1);
    }

    [Fact]
    public async Task GetDialogs_AfterLeavingAndComingBack_CountsFromTheNewestMessage()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        var (alice, bob, peer) = await LargeGroupAsync(host, "rejoin");
        await using var a = alice;
        await using var b = bob;
        await alice.Client.SendMessageAsync(peer, "one");
        await alice.Client.SendMessageAsync(peer, "two");
        (await UnreadAsync(bob, peer)).Should().BeGreaterThanOrEqualTo(2);

        await bob.Client.LeaveGroupAsync(peer.Id);
        await alice.Client.SendMessageAsync(peer, "while away");
        await alice.Client.AddMembersAsync(peer.Id, [bob.Id]);

        var back = await UnreadAsync(bob, peer);
        back.Should().Be(FreshCount(host, bob.Id, peer.Id));
        back.Should().BeLessThanOrEqualTo(1, "only what came after the newest message when he was added (its service message)");
        await alice.Client.SendMessageAsync(peer, "welcome back");
        (await UnreadAsync(bob, peer)).Should().Be(back + 1);
    }

    [Fact]
    public async Task GetDialogs_AtTheCap_StaysAtTheCap_UntilARevokeTakesItUnder()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        var (alice, bob, peer) = await LargeGroupAsync(host, "cap");
        await using var a = alice;
        await using var b = bob;
        var before = await UnreadAsync(bob, peer);
        InsertPosts(host, peer.Id, alice.Id, LargeGroupUnread.Cap - 1 - before);
        (await UnreadAsync(bob, peer)).Should().Be(LargeGroupUnread.Cap - 1);

        var atCap = await alice.Client.SendMessageAsync(peer, "the cap");
        (await UnreadAsync(bob, peer)).Should().Be(LargeGroupUnread.Cap);
        var past = await alice.Client.SendMessageAsync(peer, "past the cap");
        (await UnreadAsync(bob, peer)).Should().Be(LargeGroupUnread.Cap, "a count at the cap stays there");

        await alice.Client.DeleteMessagesAsync(peer, [past.Message.Id], revoke: true);
        (await UnreadAsync(bob, peer)).Should().Be(LargeGroupUnread.Cap, "10,000 are left");
        await alice.Client.DeleteMessagesAsync(peer, [atCap.Message.Id], revoke: true);
        (await UnreadAsync(bob, peer)).Should().Be(LargeGroupUnread.Cap - 1);
        FreshCount(host, bob.Id, peer.Id).Should().Be(LargeGroupUnread.Cap - 1);
    }

    /// <summary>
    /// The probe: a change made behind the server's back (an old unread message marked deleted in the file, which no
    /// revoke would ever do without the rest) is not seen by the second read — it counts only what was posted since —,
    /// and a restarted server, with nothing remembered, counts from scratch.
    /// </summary>
    [Fact]
    public async Task GetDialogs_TheSecondRead_CountsOnlyWhatWasPostedSince_AndARestartCountsAgain()
    {
        using var directory = new TempDirectory();
        var host = await GroupTestKit.StartHostAsync(dataDirectory: directory.Path);
        long chatId, bobId;
        int before;
        try
        {
            var (alice, bob, peer) = await LargeGroupAsync(host, "probe");
            await using var a = alice;
            await using var b = bob;
            (chatId, bobId) = (peer.Id, bob.Id);
            var old = await alice.Client.SendMessageAsync(peer, "old");
            before = await UnreadAsync(bob, peer);
            Execute(host, $"UPDATE message_messages SET deleted = 1 WHERE id = {old.Message.Id}");

            await alice.Client.SendMessageAsync(peer, "new");

            (await UnreadAsync(bob, peer)).Should().Be(before + 1, "the old range is not counted again");
            FreshCount(host, bob.Id, peer.Id).Should().Be(before);
        }
        finally
        {
            await host.DisposeAsync();
        }

        await using var restarted = await GroupTestKit.StartHostAsync(dataDirectory: directory.Path);
        restarted.Services.GetRequiredService<LargeGroupUnread>().Count.Should().Be(0);
        await using var bobAgain = await restarted.SignedInClientAsync("bob_lguprobe", register: false);
        (await bobAgain.GetDialogsAsync()).Items.Single(d => d.Peer == Peer.Chat(chatId)).UnreadCount.Should().Be(before);
        FreshCount(restarted, bobId, chatId).Should().Be(before);
    }

    [Fact]
    public async Task GetDialogs_ReadWhilePostsArrive_EndsWithEachPostCountedOnce()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        var (alice, bob, peer) = await LargeGroupAsync(host, "race");
        await using var a = alice;
        await using var b = bob;
        var before = await UnreadAsync(bob, peer);
        const int Posts = 60;

        var posting = Task.Run(async () =>
        {
            for (var i = 0; i < Posts; i++)
            {
                await alice.Client.SendMessageAsync(peer, $"post {i}");
            }
        });
        var reads = 0;
        while (!posting.IsCompleted || reads == 0)
        {
            var seen = await UnreadAsync(bob, peer);
            seen.Should().BeInRange(before, before + Posts);
            reads++;
        }

        await posting;
        (await UnreadAsync(bob, peer)).Should().Be(before + Posts);
        FreshCount(host, bob.Id, peer.Id).Should().Be(before + Posts);
    }

    /// <summary>
    /// A count remembered with the stamps it read before its snapshot is not used once a revoke committed after them:
    /// begun before the revoke's unit, or during it (its stamps read once the unit had moved them, its snapshot taken
    /// before the COMMIT — only the move after the COMMIT tells). One begun after the COMMIT is used.
    /// </summary>
    [Fact]
    public async Task Remember_WhenARevokeCommitsDuringTheCount_IsNotUsed()
    {
        await using var storage = new TempWriter("memo.db", "CREATE TABLE t (x INTEGER)");
        using var memo = new LargeGroupUnread();
        var counted = new LargeGroupUnread.Counted(5, 10, 3);
        var before = memo.Begin(1, 2);
        var during = default(LargeGroupUnread.Start);

        await storage.Writer.WriteAsync(scope =>
        {
            memo.Revoking(scope, 2);
            during = memo.Begin(1, 2);
        });

        memo.Remember(1, 2, before, counted);
        memo.Begin(1, 2).From.Should().Be(LargeGroupUnread.Counted.None);
        memo.Remember(1, 2, during, counted);
        memo.Begin(1, 2).From.Should().Be(LargeGroupUnread.Counted.None, "the COMMIT moved the stamp again");
        memo.Remember(1, 2, memo.Begin(1, 2), counted);
        memo.Begin(1, 2).From.Should().Be(counted);
    }

    [Fact]
    public async Task Remember_WhenTheMemberHidesAMessageDuringTheCount_IsNotUsed_AndOtherMembersCountsAre()
    {
        await using var storage = new TempWriter("memo.db", "CREATE TABLE t (x INTEGER)");
        using var memo = new LargeGroupUnread();
        var counted = new LargeGroupUnread.Counted(5, 10, 3);
        var other = memo.Begin(7, 2);
        memo.Remember(7, 2, other, counted);
        var during = default(LargeGroupUnread.Start);

        await storage.Writer.WriteAsync(scope =>
        {
            memo.Hiding(scope, 1, 2);
            during = memo.Begin(1, 2);
        });

        memo.Remember(1, 2, during, counted);
        memo.Begin(1, 2).From.Should().Be(LargeGroupUnread.Counted.None);
        memo.Begin(7, 2).From.Should().Be(counted, "another member's hides are theirs");
    }

    [Fact]
    public void Remember_PastTheLimit_HoldsNoMoreThanIt()
    {
        using var memo = new LargeGroupUnread(entries: 10);

        for (var chatId = 1L; chatId <= 50; chatId++)
        {
            memo.Remember(1, chatId, memo.Begin(1, chatId), new LargeGroupUnread.Counted(0, chatId, 1));
        }

        memo.Count.Should().BeInRange(1, 10);
    }

    private static async Task<(Member Alice, Member Bob, Peer Peer)> LargeGroupAsync(TestHost host, string suffix)
    {
        var alice = await host.MemberAsync($"alice_lgu{suffix}");
        var bob = await host.MemberAsync($"bob_lgu{suffix}");
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat;
        return (alice, bob, Peer.Chat(chat.Id));
    }

    private static async Task<int> UnreadAsync(Member member, Peer peer) =>
        (await member.Client.GetDialogsAsync(0, 100)).Items.Single(d => d.Peer == peer).UnreadCount;

    /// <summary>The member's unread count from scratch: the chat list's statement before counts were remembered.</summary>
    private static int FreshCount(TestHost host, long userId, long chatId)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT count(*) FROM (SELECT 1 FROM message_messages x JOIN message_members mem ON mem.chat_id = x.chat_id AND mem.user_id = @user " +
            "WHERE x.chat_id = @chat AND x.id > mem.read_inbox_max_id AND x.deleted = 0 AND x.from_id <> @user " +
            "AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = @user AND h.message_id = x.id) LIMIT 10000)";
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@chat", chatId);
        return Convert.ToInt32(command.ExecuteScalar());
    }

    /// <summary>Posts by <paramref name="fromId"/> written straight into the file (10,000 sends would take minutes).</summary>
    private static void InsertPosts(TestHost host, long chatId, long fromId, int count) =>
        Execute(host,
            $"WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < {count}) " +
            "INSERT INTO message_messages (chat_id, from_id, random_id, to_kind, to_id, date, text, deleted, silent) " +
            $"SELECT {chatId}, {fromId}, -v, {(int)PeerKind.Chat}, {chatId}, 1, 'bulk', 0, 0 FROM n");

    private static void Execute(TestHost host, string sql)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
