using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Storage;
using Messenger.Message.Storage;
using Messenger.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Groups;

/// <summary>
/// <c>messages.search</c>'s filters read an index range or follow FTS5's matches: SQLite's plan for each statement the
/// search runs (on the migrated schema) never scans the messages table, so a sender's or a day's messages in a big chat
/// cost their own rows, not the chat's or every chat's history.
/// </summary>
public sealed class SearchPlanTests : IAsyncLifetime
{
    private static readonly long[] OneChat = [5];
    private static readonly long[] ManyChats = [.. Enumerable.Range(1, 100).Select(i => (long)i)];
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, bool, long, long, long, int, string> WithoutWords => new()
    {
        // name, many chats, from_id, min_date, max_date, kind → the index that drives
        { "a sender in one chat", false, 7, 0, 0, 0, "IX_message_messages_from_id_chat_id_id" },
        { "a sender in every chat", true, 7, 0, 0, 0, "IX_message_messages_from_id_chat_id_id" },
        { "a sender's photos in a day", false, 7, 10, 20, 1, "IX_message_messages_from_id_chat_id_id" },
        { "photos in one chat", false, 0, 0, 0, 1, "IX_message_messages_chat_id_shared_kind_id" },
        { "links of a day in every chat", true, 0, 10, 20, 5, "IX_message_messages_chat_id_shared_kind_id" },
        { "a day in one chat", false, 0, 10, 20, 0, "IX_message_messages_chat_id_id" },
        { "a day in every chat", true, 0, 10, 0, 0, "IX_message_messages_chat_id_id" },
    };

    [Theory]
    [MemberData(nameof(WithoutWords))]
    public void Filters_WithoutWords_ReadOneIndexRange(string name, bool many, long fromId, long minDate, long maxDate, int kind, string index)
    {
        var plan = Plan(SearchStore.Filtered(many ? ManyChats : OneChat, new SearchFilter(fromId, minDate, maxDate, kind), low: minDate > 0 ? 100 : 0));

        plan.Should().Contain(line => line.StartsWith($"SEARCH m USING INDEX {index} (", StringComparison.Ordinal), name);
        plan.Should().NotContain(line => line.StartsWith("SCAN m", StringComparison.Ordinal), name);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(12L, 0L)]
    [InlineData(12L, 10L)]
    public void Filters_WithoutWords_InATopic_ReadTheTopicsIndexRange(long topicId, long minDate)
    {
        var plan = Plan(SearchStore.Filtered(OneChat, new SearchFilter(0, minDate, 0, 0, topicId), low: minDate > 0 ? 100 : 0));

        plan.Should().Contain(line => line.StartsWith("SEARCH m USING INDEX IX_message_messages_topics (chat_id=? AND topic_id=?", StringComparison.Ordinal),
            string.Join(" | ", plan));
        plan.Should().NotContain(line => line.StartsWith("SCAN m", StringComparison.Ordinal));
        plan.Should().NotContain(line => line.Contains("TEMP B-TREE", StringComparison.Ordinal), "the topic's messages come newest first");
    }

    [Theory]
    [InlineData(false, 7, 0, 0)]
    [InlineData(true, 7, 10, 1)]
    [InlineData(true, 0, 10, 5)]
    public void Filters_WithWords_FollowTheTextIndexsMatches(bool many, long fromId, long minDate, int kind)
    {
        using var connection = Open();
        var (sql, match) = SearchStore.Matching(connection, ["report"], many ? ManyChats : OneChat, new SearchFilter(fromId, minDate, 0, kind), low: minDate > 0 ? 100 : 0);

        var plan = Plan(sql, match);

        plan[0].Should().StartWith("SCAN s VIRTUAL TABLE", "FTS5 drives: {0}", string.Join(" | ", plan));
        plan.Should().Contain("SEARCH m USING INTEGER PRIMARY KEY (rowid=?)");
        plan.Should().NotContain(line => line.StartsWith("SCAN m", StringComparison.Ordinal));
        plan.Should().NotContain(line => line.Contains("TEMP B-TREE", StringComparison.Ordinal), "the matches come newest first");
    }

    [Fact]
    public void Words_SixteenSingleLetters_AreWholeWords_NoPrefixMerge()
    {
        using var connection = Open();
        var letters = Enumerable.Range(0, 16).Select(i => ((char)('a' + i)).ToString()).ToList();

        var text = SearchStore.TextQuery(connection, letters);

        text.Should().Be(string.Join(" AND ", letters.Select(letter => $"\"{letter}\"")));
    }

    [Fact]
    public void Words_SixteenLongerWords_AtMostTheLastFourArePrefixes()
    {
        using var connection = Open();
        var words = Enumerable.Range(0, 16).Select(i => $"wo{(char)('a' + i)}").ToList();

        var parts = SearchStore.TextQuery(connection, words).Split(" AND ");

        parts.Should().HaveCount(16);
        parts[..12].Should().Equal(words[..12].Select(word => $"\"{word}\""));
        parts[12..].Should().Equal(words[12..].Select(word => $"\"{word}\"*"), "no completions in an empty index: FTS5 prefix queries");
    }

    [Fact]
    public void Completions_SkipFromTermToTerm_InTheOccurrencesView_NotThePerColumnCounts()
    {
        var plan = Plan(SearchStore.CompletionsSql);

        plan.Should().Contain(line => line.Contains("message_search_instances VIRTUAL TABLE", StringComparison.Ordinal), string.Join(" | ", plan));
        plan.Should().NotContain(line => line.Contains("vocabulary", StringComparison.Ordinal));
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'message_search_vocabulary'";
        command.ExecuteScalar().Should().Be(0L, "the per-column view counted every occurrence of each term it listed");
    }

    [Fact]
    public async Task Completions_OfAPrefix_AreTheIndexsWordsStartingWithIt_EachOnce()
    {
        await using var alice = await _host.MemberAsync("alice_compl");
        await using var bob = await _host.MemberAsync("bob_compl");
        var chat = Peer.Chat((await alice.Client.CreateGroupAsync("Completions", [bob.Id])).Chat.Id);
        foreach (var text in new[] { "noni nonijoli", "noni again", "nonj nono", "Nonijoli NONI", "no" })
        {
            await alice.Client.SendMessageAsync(chat, text);
        }

        using var connection = Open();

        SearchStore.TextQuery(connection, ["noni"]).Should().Be("(\"noni\" OR \"nonijoli\")");
        SearchStore.TextQuery(connection, ["non"]).Should().Be("(\"noni\" OR \"nonijoli\" OR \"nonj\" OR \"nono\")");
        SearchStore.TextQuery(connection, ["nonik"]).Should().Be("\"nonik\"*", "no completion: the prefix query, which matches nothing");
        (await bob.Client.SearchMessagesAsync("nonij")).Select(m => m.Text).Should().Equal("Nonijoli NONI", "noni nonijoli");
    }

    [Theory]
    [InlineData(SearchStore.FirstDatedAfter)]
    [InlineData(SearchStore.FirstDatedFrom)]
    public void DateBounds_AreOneSeekInTheDateIndex(string sql)
    {
        var plan = Plan(sql);

        plan.Should().Equal("SEARCH message_messages USING COVERING INDEX IX_message_messages_date (date>?)");
    }

    private SqliteConnection Open() => _host.Services.GetRequiredService<SqliteDatabase>().Open();

    private List<string> Plan(string sql, string? match = null)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "@offset", "@low", "@user", "@limit", "@from", "@min", "@max", "@kind", "@date", "@topic", "@to" })
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(name, 1L);
            }
        }

        if (match is not null)
        {
            command.Parameters.AddWithValue("@query", match);
        }

        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return lines;
    }
}
