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
            ReplyCounts(connection, readerId, ids, [.. messages.Where(m => m.FromId == readerId).Select(m => m.Id)]));
    }

    /// <summary>Answers to each of the messages <paramref name="ids"/> that has any, as the reader sees them (not deleted, not
    /// hidden by the reader, not service messages — a pin's record points at the pinned message too), by the partial index
    /// of answers (only messages with a <c>reply_to_id</c> are in it); for the threads the reader follows (wrote the
    /// message in <paramref name="own"/>, answered in it, or read it), how far they read and how many answers by others
    /// come after that — one count by the same index per such thread with something new.</summary>
    private static ReplyCount[]? ReplyCounts(SqliteConnection connection, long readerId, string ids, HashSet<long> own)
    {
        var threads = new List<(long Root, int Count, long MaxId, long MyLast)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText =
                $"SELECT m.reply_to_id, count(*), max(m.id), max(CASE WHEN m.from_id = @user THEN m.id ELSE 0 END) FROM message_messages m " +
                $"WHERE m.reply_to_id IN ({ids}) AND m.deleted = 0 AND m.action IS NULL AND {MessageStore.NotHidden} GROUP BY m.reply_to_id";
            command.Parameters.AddWithValue("@user", readerId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                threads.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3)));
            }
        }

        if (threads.Count == 0)
        {
            return null;
        }

        var reads = ThreadReads(connection, readerId, string.Join(", ", threads.Select(t => t.Root)));
        var counts = new ReplyCount[threads.Count];
        for (var i = 0; i < threads.Count; i++)
        {
            var (root, count, maxId, myLast) = threads[i];
            var read = reads.GetValueOrDefault(root);
            if (read is null && myLast == 0 && !own.Contains(root))
            {
                counts[i] = new ReplyCount(root, count, maxId);
                continue;
            }

            var position = Math.Max(read ?? 0, myLast);
            var unread = maxId > position ? UnreadAnswers(connection, readerId, root, position) : 0;
            counts[i] = new ReplyCount(root, count, maxId, position, unread);
        }

        return counts;
    }

    private static Dictionary<long, long?> ThreadReads(SqliteConnection connection, long readerId, string roots)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT msg_id, read_max_id FROM message_thread_reads WHERE user_id = @user AND msg_id IN ({roots})";
        command.Parameters.AddWithValue("@user", readerId);
        using var reader = command.ExecuteReader();
        var reads = new Dictionary<long, long?>();
        while (reader.Read())
        {
            reads[reader.GetInt64(0)] = reader.GetInt64(1);
        }

        return reads;
    }

    private static int UnreadAnswers(SqliteConnection connection, long readerId, long root, long after)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT count(*) FROM message_messages m WHERE m.reply_to_id = @root AND m.id > @after AND m.from_id <> @user " +
            $"AND m.deleted = 0 AND m.action IS NULL AND {MessageStore.NotHidden}";
        command.Parameters.AddWithValue("@root", root);
        command.Parameters.AddWithValue("@after", after);
        command.Parameters.AddWithValue("@user", readerId);
        return Convert.ToInt32(command.ExecuteScalar());
    }
}
