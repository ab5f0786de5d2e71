using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Storage;
using Messenger.Message.Storage;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

/// <summary>
/// <c>messages.getDialogs</c> reads the chat list's order whole, narrow, and only the page's chats as dialogs: the order
/// reads no message but each chat's top one by key, no pinned message, draft or large group's unread count (which counts
/// up to 10,000 messages), and the page's dialogs are key lookups of the page's chats. A page is the same slice of the
/// list as before.
/// </summary>
public sealed class ChatListPageTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task GetDialogs_PagesOfPrivateChatsGroupsAndPins_AreSlicesOfTheWholeList()
    {
        await using var alice = await _host.SignUpAsync("alice_clp");
        await using var bob = await _host.SignUpAsync("bob_clp");
        await using var carol = await _host.SignUpAsync("carol_clp");
        await bob.SendAsync(alice, "from bob");
        var large = Peer.Chat((await bob.Client.CreateGroupAsync("Large", [alice.UserId, carol.UserId], large: true)).Chat.Id);
        var small = Peer.Chat((await carol.Client.CreateGroupAsync("Small", [alice.UserId])).Chat.Id);
        var channel = Peer.Chat((await bob.Client.CreateGroupAsync("News", [alice.UserId], large: true, broadcast: true)).Chat.Id);
        await bob.Client.SendMessageAsync(large, "one");
        await carol.Client.SendMessageAsync(large, "two");
        await carol.SendAsync(alice, "from carol");
        await carol.Client.SendMessageAsync(small, "in the small group");
        await alice.Client.PinDialogAsync(bob.Peer, pinned: true);

        var whole = (await alice.Client.GetDialogsAsync(0, 100)).Items;
        var pages = new List<Dialog>();
        for (var offset = 0; offset < whole.Length; offset += 2)
        {
            var page = await alice.Client.GetDialogsAsync(offset, 2);
            page.Total.Should().Be(5);
            pages.AddRange(page.Items);
        }

        whole.Select(d => d.Peer).Should().Equal(bob.Peer, small, carol.Peer, large, channel);
        pages.Should().BeEquivalentTo(whole, o => o.WithStrictOrdering());
        whole.Single(d => d.Peer == large).Should().Match<Dialog>(d => d.UnreadCount == 3 && d.TopMessage!.Text == "two");
        whole[0].Pinned.Should().BeTrue();
        // 3 unread in the large group: the service message of its creation and the two posts.
    }

    [Fact]
    public void ChatOrder_ReadsEachDialogRowAndItsTopMessagesKey_NothingPerChatBesides()
    {
        var plan = Plan(MessageStore.ChatOrderSql);

        plan.Should().Contain("SEARCH d USING INDEX sqlite_autoindex_message_dialogs_1 (user_id=?)");
        plan.Should().Contain("SEARCH m USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN");
        plan.Should().NotContain(line => line.Contains("SUBQUERY", StringComparison.Ordinal), string.Join(" | ", plan));
        plan.Should().NotContain(line => line.StartsWith("SCAN", StringComparison.Ordinal), string.Join(" | ", plan));
    }

    [Fact]
    public void LargeGroupOrder_CountsNoUnreadMessages()
    {
        var plan = Plan(GroupStore.LargeGroupOrderSql);

        plan.Should().Contain(line => line.StartsWith("SEARCH mem USING ", StringComparison.Ordinal) && line.Contains("(user_id=?)", StringComparison.Ordinal),
            string.Join(" | ", plan));
        plan.Should().NotContain(line => line.Contains(" x ", StringComparison.Ordinal) || line.Contains("message_pins", StringComparison.Ordinal),
            string.Join(" | ", plan));
        plan.Should().NotContain(line => line.StartsWith("SCAN", StringComparison.Ordinal), string.Join(" | ", plan));
    }

    [Fact]
    public void PageDialogs_AreKeyLookupsOfThePagesChats()
    {
        var plan = Plan(MessageStore.DialogsSql);

        plan[0].Should().StartWith("SCAN j VIRTUAL TABLE", string.Join(" | ", plan));
        plan.Should().Contain("SEARCH d USING INDEX sqlite_autoindex_message_dialogs_1 (user_id=? AND chat_id=?)");
    }

    [Fact]
    public void PageLargeGroups_AreKeyLookupsOfThePagesChats()
    {
        var plan = Plan(GroupStore.LargeGroupDialogsSql);

        plan[0].Should().StartWith("SCAN j VIRTUAL TABLE", string.Join(" | ", plan));
        plan.Should().Contain(line => line.StartsWith("SEARCH mem USING ", StringComparison.Ordinal) && line.Contains("(chat_id=? AND user_id=?)", StringComparison.Ordinal),
            string.Join(" | ", plan));
    }

    /// <summary>A large group's unread count (<see cref="Messenger.Message.ChatList.LargeGroupUnread"/>) seeks into the chat's
    /// range of the <c>(chat_id, id)</c> index past the id counted up to, and finds the chat's newest id by the end of
    /// that range: no walk from the chat's first message, in the chat list's statement and the writer's alike.</summary>
    [Fact]
    public void LargeGroupUnread_SeeksPastWhatWasCounted()
    {
        foreach (var sql in new[] { GroupStore.LargeGroupDialogsSql, Messenger.Message.ChatList.LargeGroupUnread.MemberSql })
        {
            var plan = Plan(sql);

            plan.Should().Contain("SEARCH x USING INDEX IX_message_messages_chat_id_id (chat_id=? AND id>?)", string.Join(" | ", plan));
            plan.Should().Contain(line => line.Contains("SEARCH n USING COVERING INDEX IX_message_messages_chat_id_id (chat_id=?)", StringComparison.Ordinal), string.Join(" | ", plan));
            plan.Should().NotContain(line => line.StartsWith("SCAN x", StringComparison.Ordinal) || line.StartsWith("SCAN n", StringComparison.Ordinal), string.Join(" | ", plan));
        }
    }

    private List<string> Plan(string sql)
    {
        using var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "@user", "@userKind", "@large", "@channel", "@chat", "@fromRead", "@fromUpTo", "@fromCount" })
        {
            command.Parameters.AddWithValue(name, 1L);
        }

        command.Parameters.AddWithValue("@chats", "[1,2,3]");
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return lines;
    }
}
