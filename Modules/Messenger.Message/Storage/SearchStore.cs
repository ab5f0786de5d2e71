using Messenger.Kernel.Storage;

namespace Messenger.Message.Storage;

internal sealed class SearchStore(SqliteDatabase database)
{
    /// <summary>Every chat the user can read: private chats and small groups (their dialogs), and groups they are in.</summary>
    public long[] ReadableChats(long userId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT chat_id FROM message_dialogs WHERE user_id = @user UNION SELECT chat_id FROM message_members WHERE user_id = @user";
        command.Parameters.AddWithValue("@user", userId);
        using var reader = command.ExecuteReader();
        var chats = new List<long>();
        while (reader.Read())
        {
            chats.Add(reader.GetInt64(0));
        }

        return [.. chats];
    }

    /// <summary>Up to this many chats go into the FTS5 query itself; more are a filter on the matched rows.</summary>
    public const int ChatsInIndexQuery = 8;

    public List<Contracts.Messages.Message> Search(long userId, string query, long[]? chatIds, long offsetId, int limit)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        // Chat ids come from the database, never from the caller: written into the statement as numbers.
        var chatFilter = chatIds is null ? "" : $"AND m.chat_id IN ({string.Join(", ", chatIds)}) ";
        command.CommandText =
            $"SELECT {MessageStore.MessageColumns} FROM message_search s JOIN message_messages m ON m.id = s.rowid " +
            $"WHERE message_search MATCH @query AND s.rowid < @offset AND m.deleted = 0 {chatFilter}" +
            "AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = @user AND h.message_id = m.id) " +
            "ORDER BY s.rowid DESC LIMIT @limit";
        command.Parameters.AddWithValue("@query", query);
        command.Parameters.AddWithValue("@offset", offsetId > 0 ? offsetId : long.MaxValue);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@limit", limit);
        using var reader = command.ExecuteReader();
        var messages = new List<Contracts.Messages.Message>();
        while (reader.Read())
        {
            messages.Add(MessageStore.ReadMessage(reader, 0));
        }

        return messages;
    }
}
