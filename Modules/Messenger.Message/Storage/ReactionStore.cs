using Messenger.Contracts.Messages;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Storage;

/// <summary>
/// Reactions (<c>message_reactions</c>: one per user per message). A message's totals are ordered by count, then by
/// which was given first (of the reactions there now: a changed reaction is a new row), so they keep their places as
/// people add to them.
/// </summary>
internal static class ReactionStore
{
    private const string Totals =
        "SELECT reaction, count(*) FROM message_reactions WHERE message_id = @id GROUP BY reaction ORDER BY count(*) DESC, min(rowid)";

    /// <summary>The message's totals, inside a writer unit.</summary>
    public static ReactionCount[] Of(WriteScope scope, long messageId)
    {
        var command = scope.Command(Totals);
        command.Parameters.AddWithValue("@id", messageId);
        return Read(command);
    }

    public static string? MineOf(WriteScope scope, long messageId, long userId) =>
        scope.Scalar("SELECT reaction FROM message_reactions WHERE message_id = @id AND user_id = @user", ("@id", messageId), ("@user", userId)) as string;

    /// <summary>Sets (or, null, removes) the user's reaction; false when it was already so.</summary>
    public static bool Set(WriteScope scope, long messageId, long userId, string? reaction, long now)
    {
        if (MineOf(scope, messageId, userId) == reaction)
        {
            return false;
        }

        scope.Execute("DELETE FROM message_reactions WHERE message_id = @id AND user_id = @user", ("@id", messageId), ("@user", userId));
        if (reaction is not null)
        {
            scope.Execute("INSERT INTO message_reactions (message_id, user_id, reaction, date) VALUES (@id, @user, @reaction, @now)",
                ("@id", messageId), ("@user", userId), ("@reaction", reaction), ("@now", now));
        }

        return true;
    }

    /// <summary>A message deleted for everyone keeps no reactions.</summary>
    public static void Forget(WriteScope scope, long messageId) =>
        scope.Execute("DELETE FROM message_reactions WHERE message_id = @id", ("@id", messageId));

    /// <summary>The messages, and the reactions of those that have any with the reader's own.</summary>
    public static MessageList ListWithReactions(SqliteConnection connection, long readerId, List<ChatMessage> messages)
    {
        if (messages.Count == 0)
        {
            return new MessageList([]);
        }

        // Message ids come from the database, never from the caller: written into the statement as numbers.
        var ids = string.Join(", ", messages.Select(m => m.Id));
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT message_id, reaction, count(*), max(user_id = @reader) FROM message_reactions WHERE message_id IN ({ids}) " +
            "GROUP BY message_id, reaction ORDER BY message_id, count(*) DESC, min(rowid)";
        command.Parameters.AddWithValue("@reader", readerId);
        var found = new Dictionary<long, (List<ReactionCount> Counts, string? Mine)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                var reaction = reader.GetString(1);
                var entry = found.TryGetValue(id, out var existing) ? existing : ([], null);
                entry.Counts.Add(new ReactionCount(reaction, reader.GetInt32(2)));
                found[id] = reader.GetInt64(3) == 1 ? (entry.Counts, reaction) : entry;
            }
        }

        return new MessageList(
            [.. messages],
            found.Count == 0 ? null : [.. found.Select(r => new MessageReactions(r.Key, [.. r.Value.Counts], r.Value.Mine))]);
    }

    private static ReactionCount[] Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var counts = new List<ReactionCount>();
        while (reader.Read())
        {
            counts.Add(new ReactionCount(reader.GetString(0), reader.GetInt32(1)));
        }

        return [.. counts];
    }
}
