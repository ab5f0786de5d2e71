using Messenger.Contracts.Messages;
using Microsoft.Data.Sqlite;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Storage;

/// <summary>A page of messages as a reader gets it (history, search): with the reactions of those that have any, the
/// results of the polls among them, each with the reader's own, and how many replies those answered have.</summary>
internal static class MessageListing
{
    public static MessageList Of(SqliteConnection connection, long readerId, List<ChatMessage> messages)
    {
        if (messages.Count == 0)
        {
            return new MessageList([]);
        }

        // Message ids come from the database, never from the caller: written into the statements as numbers.
        var ids = string.Join(", ", messages.Select(m => m.Id));
        var polls = messages.Where(m => m.Poll is not null).Select(m => (m.Id, PollStore.WriterOf(m))).ToArray();
        return new MessageList(
            [.. messages],
            ReactionStore.ForReader(connection, readerId, ids),
            polls.Length == 0 ? null : PollStore.ForReader(connection, readerId, polls),
            ReplyCounts(connection, readerId, ids));
    }

    /// <summary>Answers to each of the messages <paramref name="ids"/> that has any, as the reader sees them (not deleted, not
    /// hidden by the reader, not service messages — a pin's record points at the pinned message too), by the partial index
    /// of answers (only messages with a <c>reply_to_id</c> are in it).</summary>
    private static ReplyCount[]? ReplyCounts(SqliteConnection connection, long readerId, string ids)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT m.reply_to_id, count(*) FROM message_messages m WHERE m.reply_to_id IN ({ids}) AND m.deleted = 0 AND m.action IS NULL " +
            "AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = @user AND h.message_id = m.id) GROUP BY m.reply_to_id";
        command.Parameters.AddWithValue("@user", readerId);
        using var reader = command.ExecuteReader();
        var counts = new List<ReplyCount>();
        while (reader.Read())
        {
            counts.Add(new ReplyCount(reader.GetInt64(0), reader.GetInt32(1)));
        }

        return counts.Count == 0 ? null : [.. counts];
    }
}
