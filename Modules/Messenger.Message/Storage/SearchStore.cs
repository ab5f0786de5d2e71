using Messenger.Contracts.Messages;
using Messenger.Kernel.Storage;
using Messenger.Message.Chats;
using Microsoft.Data.Sqlite;

namespace Messenger.Message.Storage;

internal sealed class SearchStore(SqliteDatabase database)
{
    /// <summary>Up to this many chats go into the FTS5 query itself; more are a filter on the matched rows.</summary>
    public const int ChatsInIndexQuery = 8;

    /// <summary>A prefix with more completions than this stays an FTS5 prefix query.</summary>
    public const int MaxPrefixTerms = 64;

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
    /// Messages in <paramref name="chatIds"/> whose text has every word as a prefix of one of its words, newest first.
    /// With a few chats the chats are part of the FTS5 query (each message is indexed with its chat as a token); with
    /// many, merging one posting list per chat costs more than walking the words' matches newest first and keeping
    /// those in the caller's chats until the page is full, so the chats filter the rows instead.
    /// </summary>
    public MessageList Search(long userId, IReadOnlyList<string> words, long[] chatIds, long offsetId, int limit)
    {
        using var connection = database.Open();
        var text = string.Join(" AND ", words.Select(word => WordQuery(connection, word)));
        var inIndex = chatIds.Length <= ChatsInIndexQuery;
        var match = inIndex ? $"text : ({text}) AND chat : ({string.Join(" OR ", chatIds.Select(SearchIndex.ChatToken))})" : $"text : ({text})";
        // Chat ids come from the database, never from the caller: written into the statement as numbers.
        var chatFilter = inIndex ? "" : $"AND m.chat_id IN ({string.Join(", ", chatIds)}) ";

        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {MessageStore.MessageColumns} FROM message_search s JOIN message_messages m ON m.id = s.rowid " +
            $"WHERE message_search MATCH @query AND s.rowid < @offset AND m.deleted = 0 {chatFilter}" +
            "AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = @user AND h.message_id = m.id) " +
            "ORDER BY s.rowid DESC LIMIT @limit";
        command.Parameters.AddWithValue("@query", match);
        command.Parameters.AddWithValue("@offset", offsetId > 0 ? offsetId : long.MaxValue);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@limit", limit);
        using var reader = command.ExecuteReader();
        var messages = new List<Contracts.Messages.Message>();
        while (reader.Read())
        {
            messages.Add(MessageStore.ReadMessage(reader, 0));
        }

        reader.Close();
        return MessageListing.Of(connection, userId, messages);
    }

    /// <summary>
    /// One word of the query, matching every indexed word it begins. FTS5 answers <c>"word"*</c> by merging the
    /// posting lists of all its completions into one list in memory — for a common word, most of the index — before
    /// the first row comes out; the same completions looked up in the vocabulary and OR-ed as plain terms are read
    /// lazily, newest first, and the search stops at the page's last row. Only ASCII words are expanded (their
    /// tokenizer form is their lower case); others, and prefixes with very many completions, stay prefix queries.
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
        command.CommandText =
            "SELECT term FROM message_search_vocabulary WHERE col = 'text' AND term >= @from AND term < @to LIMIT @limit";
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
