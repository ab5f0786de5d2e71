using Messenger.Contracts.Messages;
using Messenger.Kernel.Storage;
using Messenger.Message.Chats;
using Microsoft.Data.Sqlite;

namespace Messenger.Message.Storage;

/// <summary>What narrows a search besides its words: a sender (0: anyone), dates (unix seconds, inclusive; 0: unbounded),
/// a <see cref="SharedMedia"/> kind's number (0: any message) and a forum's topic (null: any; 0: General).</summary>
internal sealed record SearchFilter(long FromId, long MinDate, long MaxDate, int SharedKind, long? TopicId = null);

internal sealed class SearchStore(SqliteDatabase database)
{
    /// <summary>Up to this many chats go into the FTS5 query itself; more are a filter on the matched rows.</summary>
    public const int ChatsInIndexQuery = 8;

    /// <summary>A prefix with more completions than this stays an FTS5 prefix query.</summary>
    public const int MaxPrefixTerms = 64;

    /// <summary>At most this many of a query's words are prefixes (the last ones: the word being typed is the last);
    /// the others are whole words.</summary>
    public const int MaxPrefixWords = 4;

    /// <summary>Every chat the user can read: private chats and small groups (their dialogs), and groups they are in.</summary>
    public long[] ReadableChats(long userId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT chat_id FROM message_dialogs WHERE user_id = @user UNION SELECT chat_id FROM message_members WHERE user_id = @user";
        command.Parameters.AddWithValue("@user", userId);
        return [.. command.ReadInt64Column()];
    }

    /// <summary>
    /// Messages in <paramref name="chatIds"/> that pass <paramref name="filter"/> and (with words) whose text has every
    /// word as a prefix of one of its words (a one-character word, and longer words before the last
    /// <see cref="MaxPrefixWords"/>, as a whole word: <see cref="TextQuery"/>), newest first: with words the FTS5 index drives (<see cref="Matching"/>) and
    /// the filters check its matches; without, an index of the filters' (<see cref="Filtered"/>).
    /// </summary>
    public MessageList Search(long userId, IReadOnlyList<string> words, long[] chatIds, SearchFilter filter, long offsetId, int limit)
    {
        using var connection = database.Open();
        var (low, high) = IdWindow(connection, filter, offsetId);
        if (low >= high)
        {
            return new MessageList([]);
        }

        List<Contracts.Messages.Message> messages;
        if (words.Count > 0)
        {
            var (sql, match) = Matching(connection, words, chatIds, filter, low);
            messages = Read(connection, sql, userId, filter, low, high, limit, match);
        }
        else if (chatIds.Length > 1)
        {
            messages = InSlices(connection, userId, chatIds, filter, low, high, limit);
        }
        else
        {
            messages = Read(connection, Filtered(chatIds, filter, low), userId, filter, low, high, limit);
        }

        return MessageListing.Of(connection, userId, messages);
    }

    /// <summary>Initial span of ids <see cref="InSlices"/> reads, per message of the page.</summary>
    private const int SliceIdsPerMessage = 64;

    /// <summary>
    /// Without words over several chats (a sender or not), SQLite reads each chat's part of the id window from its index and
    /// sorts them together before the first row comes out, so a window of the whole history would be read whole. The
    /// window is read in slices instead, from the newest, each four times the one before, until the page is full: a
    /// page of recent messages costs a few small reads, and nothing outside the caller's chats is read.
    /// </summary>
    private static List<Contracts.Messages.Message> InSlices(
        SqliteConnection connection, long userId, long[] chatIds, SearchFilter filter, long low, long high, int limit)
    {
        using (var newest = connection.CreateCommand())
        {
            newest.CommandText = "SELECT max(id) FROM message_messages";
            high = Math.Min(high, newest.ExecuteScalar() is long top ? top + 1 : 0);
        }

        var sql = Filtered(chatIds, filter, low: 1);
        var messages = new List<Contracts.Messages.Message>();
        for (var span = (long)limit * SliceIdsPerMessage; messages.Count < limit && high > low; span *= 4)
        {
            var bottom = Math.Max(low, high - span);
            messages.AddRange(Read(connection, sql, userId, filter, bottom, high, limit - messages.Count));
            high = bottom;
        }

        return messages;
    }

    private static List<Contracts.Messages.Message> Read(
        SqliteConnection connection, string sql, long userId, SearchFilter filter, long low, long high, int limit, string? match = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (match is not null)
        {
            command.Parameters.AddWithValue("@query", match);
        }

        command.Parameters.AddWithValue("@offset", high);
        command.Parameters.AddWithValue("@low", low);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@limit", limit);
        command.Parameters.AddWithValue("@from", filter.FromId);
        command.Parameters.AddWithValue("@min", filter.MinDate);
        command.Parameters.AddWithValue("@max", filter.MaxDate);
        command.Parameters.AddWithValue("@kind", filter.SharedKind);
        command.Parameters.AddWithValue("@topic", filter.TopicId ?? 0);
        using var reader = command.ExecuteReader();
        var messages = new List<Contracts.Messages.Message>();
        while (reader.Read())
        {
            messages.Add(MessageStore.ReadMessage(reader, 0));
        }

        return messages;
    }

    /// <summary>
    /// The words' matches. With a few chats the chats are part of the FTS5 query (each message is indexed with its chat as
    /// a token); with many, merging one posting list per chat costs more than walking the words' matches newest first and
    /// keeping those in the caller's chats until the page is full, so the chats filter the rows instead. The filters check
    /// each match as it comes; the id window (the offset, and the dates') bounds the walk inside FTS5.
    /// </summary>
    internal static (string Sql, string Match) Matching(SqliteConnection connection, IReadOnlyList<string> words, long[] chatIds, SearchFilter filter, long low)
    {
        var text = TextQuery(connection, words);
        var inIndex = chatIds.Length <= ChatsInIndexQuery;
        var match = inIndex ? $"text : ({text}) AND chat : ({string.Join(" OR ", chatIds.Select(SearchIndex.ChatToken))})" : $"text : ({text})";
        // Chat ids come from the database, never from the caller: written into the statement as numbers.
        var chatFilter = inIndex ? "" : $"AND m.chat_id IN ({string.Join(", ", chatIds)}) ";
        // CROSS JOIN keeps FTS5 the outer loop: given a sender and a window, SQLite would otherwise walk the sender's
        // messages and ask FTS5 about each, then sort them all — what it costs depends on data it has no statistics of.
        var sql =
            $"SELECT {MessageStore.MessageColumns} FROM message_search s CROSS JOIN message_messages m ON m.id = s.rowid " +
            $"WHERE message_search MATCH @query AND s.rowid < @offset {(low > 0 ? "AND s.rowid >= @low " : "")}AND m.deleted = 0 {chatFilter}" +
            $"{Conditions(filter)}" +
            $"AND {MessageStore.NotHidden} " +
            "ORDER BY s.rowid DESC LIMIT @limit";
        return (sql, match);
    }

    /// <summary>
    /// Without words, the messages people posted (not service messages) that pass the filters, newest first, from the
    /// index of the narrowest filter, named so the plan cannot drift: a sender's messages in the chats from
    /// <c>(from_id, chat_id, id)</c> (what they posted elsewhere is never read); else a kind's from the shared-media index
    /// <c>(chat_id, shared_kind, id)</c>; else a topic's from the topics' index <c>(chat_id, topic_id, id)</c>; else the
    /// chats' messages from <c>(chat_id, id)</c> — within the id window.
    /// </summary>
    internal static string Filtered(long[] chatIds, SearchFilter filter, long low)
    {
        var index = filter.FromId > 0 ? "IX_message_messages_from_id_chat_id_id"
            : filter.SharedKind > 0 ? "IX_message_messages_chat_id_shared_kind_id"
            : filter.TopicId is not null ? "IX_message_messages_topics"
            : "IX_message_messages_chat_id_id";
        // Chat ids come from the database, never from the caller: written into the statement as numbers.
        var chat = chatIds.Length == 1 ? $"m.chat_id = {chatIds[0]}" : $"m.chat_id IN ({string.Join(", ", chatIds)})";
        return
            $"SELECT {MessageStore.MessageColumns} FROM message_messages m INDEXED BY {index} " +
            $"WHERE {chat} AND m.id < @offset {(low > 0 ? "AND m.id >= @low " : "")}" +
            $"AND m.deleted = 0 AND m.action IS NULL {Conditions(filter)}" +
            $"AND {MessageStore.NotHidden} " +
            "ORDER BY m.id DESC LIMIT @limit";
    }

    private static string Conditions(SearchFilter filter) =>
        (filter.FromId > 0 ? "AND m.from_id = @from " : "") +
        (filter.MinDate > 0 ? "AND m.date >= @min " : "") +
        (filter.MaxDate > 0 ? "AND m.date <= @max " : "") +
        (filter.SharedKind > 0 ? "AND m.shared_kind = @kind " : "") +
        (filter.TopicId is not null ? "AND m.topic_id = @topic " : "");

    /// <summary>
    /// The ids a page may hold: below the offset, and within the dates. Ids grow with time (each message is stamped with
    /// the writer's clock inside its unit, one unit after another), so the first message dated after
    /// <see cref="SearchFilter.MaxDate"/> is where the dates' window ends and the first dated at or after
    /// <see cref="SearchFilter.MinDate"/> where it begins — one seek each in the index on <c>date</c>. The dates are
    /// checked on each row too.
    /// </summary>
    private static (long Low, long High) IdWindow(SqliteConnection connection, SearchFilter filter, long offsetId)
    {
        var high = offsetId > 0 ? offsetId : long.MaxValue;
        long low = 0;
        if (filter.MaxDate > 0 && FirstDated(connection, FirstDatedAfter, filter.MaxDate) is { } after)
        {
            high = Math.Min(high, after);
        }

        if (filter.MinDate > 0)
        {
            low = FirstDated(connection, FirstDatedFrom, filter.MinDate) ?? long.MaxValue;
        }

        return (low, high);
    }

    internal const string FirstDatedAfter = "SELECT id FROM message_messages WHERE date > @date ORDER BY date, id LIMIT 1";
    internal const string FirstDatedFrom = "SELECT id FROM message_messages WHERE date >= @date ORDER BY date, id LIMIT 1";

    private static long? FirstDated(SqliteConnection connection, string sql, long date)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@date", date);
        return command.ExecuteScalar() is long id ? id : null;
    }

    /// <summary>
    /// The index's terms from <c>@from</c> (included) to <c>@to</c> (excluded), at most <c>@limit</c>: one seek per term in
    /// the index's occurrences (<c>fts5vocab</c> 'instance', read lazily), each past the last term found (<c>|| char(1)</c>:
    /// the next string after it, since a term holds no control characters; a <c>&gt;</c> would step over each of its
    /// occurrences). The per-column vocabulary counted every occurrence of each term it listed: the commonest word of
    /// 775,000 messages cost 90–270 ms there. A term of the chat column (a chat's token, <c>c123</c>) may be among them:
    /// OR-ed into the text column's query it matches only texts holding it as a word, as the prefix would, so the
    /// results are the same (past 64 terms the word stays a prefix query, with the same results too).
    /// </summary>
    internal const string CompletionsSql =
        "WITH RECURSIVE t(term, n) AS (" +
        "SELECT (SELECT term FROM message_search_instances WHERE term >= @from AND term < @to LIMIT 1), 1 " +
        "UNION ALL SELECT (SELECT v.term FROM message_search_instances v WHERE v.term >= t.term || char(1) AND v.term < @to LIMIT 1), t.n + 1 " +
        "FROM t WHERE t.term IS NOT NULL AND t.n < @limit) " +
        "SELECT term FROM t WHERE term IS NOT NULL";

    /// <summary>
    /// The words' part of the FTS5 query: every word, AND-ed. A one-character word is a whole word (<c>"a"</c>): the
    /// index has no one-character prefix index, so <c>"a"*</c> would merge the posting lists of every word on the server
    /// that starts with it before the caller's chats narrow anything. Of the longer words the last
    /// <see cref="MaxPrefixWords"/> are prefixes (<see cref="WordQuery"/>), the others whole words, so a query's cost
    /// does not grow with its length beyond that many prefix merges.
    /// </summary>
    internal static string TextQuery(SqliteConnection connection, IReadOnlyList<string> words)
    {
        var prefixes = 0;
        var parts = new string[words.Count];
        for (var i = words.Count - 1; i >= 0; i--)
        {
            var word = words[i];
            parts[i] = word.EnumerateRunes().Skip(1).Any() && prefixes++ < MaxPrefixWords ? WordQuery(connection, word) : $"\"{word}\"";
        }

        return string.Join(" AND ", parts);
    }

    /// <summary>
    /// One word of the query, matching every indexed word it begins. FTS5 answers <c>"word"*</c> by merging the
    /// posting lists of all its completions into one list in memory — for a common word, most of the index — before
    /// the first row comes out; the same completions looked up in the vocabulary and OR-ed as plain terms are read
    /// lazily, newest first, and the search stops at the page's last row. Only ASCII words are expanded (their
    /// tokenizer form is their lower case); others, and prefixes with very many completions, stay prefix queries.
    /// The completions come from <see cref="CompletionsSql"/>.
    /// </summary>
    private static string WordQuery(SqliteConnection connection, string word)
    {
        var prefixQuery = $"\"{word}\"*";
        if (!word.All(char.IsAscii))
        {
            return prefixQuery;
        }

        var term = word.ToLowerInvariant();
        using var command = connection.CreateCommand();
        command.CommandText = CompletionsSql;
        command.Parameters.AddWithValue("@from", term);
        command.Parameters.AddWithValue("@to", term[..^1] + (char)(term[^1] + 1));
        command.Parameters.AddWithValue("@limit", MaxPrefixTerms + 1);
        using var reader = command.ExecuteReader();
        var completions = new List<string>();
        while (reader.Read())
        {
            completions.Add($"\"{reader.GetString(0)}\"");
        }

        return completions.Count is > 0 and <= MaxPrefixTerms ? $"({string.Join(" OR ", completions)})" : prefixQuery;
    }
}
