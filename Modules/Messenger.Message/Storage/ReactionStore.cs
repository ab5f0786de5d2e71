using Messenger.Contracts.Messages;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;

namespace Messenger.Message.Storage;

/// <summary>
/// Reactions (<c>message_reactions</c>: one per user per message) and their totals (<c>message_reaction_counts</c>: one
/// row per message and kind, kept in the same unit), so that a reaction and a history page cost the same on a post
/// with a million reactions as on one with three. A message's totals are ordered by count, then by which kind was given
/// first (since it last had none: <c>since</c> is the rowid of the reaction that brought it back), so they keep their
/// places as people add to them.
/// </summary>
internal static class ReactionStore
{
    private const string Totals = "SELECT reaction, count FROM message_reaction_counts WHERE message_id = @id ORDER BY count DESC, since";

    /// <summary>The message's totals, inside a writer unit.</summary>
    public static ReactionCount[] Of(WriteScope scope, long messageId)
    {
        var command = scope.Command(Totals);
        command.Parameters.AddWithValue("@id", messageId);
        return Read(command);
    }

    public static string? MineOf(WriteScope scope, long messageId, long userId) =>
        scope.Scalar("SELECT reaction FROM message_reactions WHERE message_id = @id AND user_id = @user", ("@id", messageId), ("@user", userId)) as string;

    /// <summary>Sets (or, null, removes) the user's reaction and moves the totals with it; false when it was already so.</summary>
    public static bool Set(WriteScope scope, long messageId, long userId, string? reaction, long now)
    {
        var previous = MineOf(scope, messageId, userId);
        if (previous == reaction)
        {
            return false;
        }

        if (previous is not null)
        {
            scope.Execute("DELETE FROM message_reactions WHERE message_id = @id AND user_id = @user", ("@id", messageId), ("@user", userId));
            scope.Execute("UPDATE message_reaction_counts SET count = count - 1 WHERE message_id = @id AND reaction = @reaction",
                ("@id", messageId), ("@reaction", previous));
            scope.Execute("DELETE FROM message_reaction_counts WHERE message_id = @id AND reaction = @reaction AND count <= 0",
                ("@id", messageId), ("@reaction", previous));
        }

        if (reaction is not null)
        {
            var row = (long)scope.Scalar(
                "INSERT INTO message_reactions (message_id, user_id, reaction, date) VALUES (@id, @user, @reaction, @now) RETURNING rowid",
                ("@id", messageId), ("@user", userId), ("@reaction", reaction), ("@now", now))!;
            scope.Execute("INSERT INTO message_reaction_counts (message_id, reaction, count, since) VALUES (@id, @reaction, 1, @since) " +
                "ON CONFLICT (message_id, reaction) DO UPDATE SET count = count + 1",
                ("@id", messageId), ("@reaction", reaction), ("@since", row));
        }

        return true;
    }

    /// <summary>A message deleted for everyone keeps no reactions.</summary>
    public static void Forget(WriteScope scope, long messageId)
    {
        scope.Execute("DELETE FROM message_reactions WHERE message_id = @id", ("@id", messageId));
        scope.Execute("DELETE FROM message_reaction_counts WHERE message_id = @id", ("@id", messageId));
    }

    /// <summary>The reactions of those of the messages (<paramref name="ids"/>: a list of ids from the database) that
    /// have any, with the reader's own; null when none has.</summary>
    public static MessageReactions[]? ForReader(SqliteConnection connection, long readerId, string ids)
    {
        var counts = new Dictionary<long, List<ReactionCount>>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText =
                $"SELECT message_id, reaction, count FROM message_reaction_counts WHERE message_id IN ({ids}) ORDER BY message_id, count DESC, since";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                if (!counts.TryGetValue(id, out var list))
                {
                    counts[id] = list = [];
                }

                list.Add(new ReactionCount(reader.GetString(1), reader.GetInt32(2)));
            }
        }

        if (counts.Count == 0)
        {
            return null;
        }

        var mine = new Dictionary<long, string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT message_id, reaction FROM message_reactions WHERE user_id = @reader AND message_id IN ({ids})";
            command.Parameters.AddWithValue("@reader", readerId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                mine[reader.GetInt64(0)] = reader.GetString(1);
            }
        }

        return [.. counts.Select(c => new MessageReactions(c.Key, [.. c.Value], mine.GetValueOrDefault(c.Key)))];
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
