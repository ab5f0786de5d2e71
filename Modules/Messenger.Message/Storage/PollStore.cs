using MessagePack;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;

namespace Messenger.Message.Storage;

/// <summary>
/// Polls: the question and options are the message's (<c>message_messages.poll</c>, never changed); the state
/// (<c>message_polls</c>: voters, closed), the count per option (<c>message_poll_options</c>) and each voter's choices
/// (<c>message_poll_votes</c>) are kept here, the counts moved in the vote's own unit so that results cost the same
/// however many voted.
/// </summary>
internal static class PollStore
{
    private const string State = "SELECT voters, closed FROM message_polls WHERE message_id = @id";
    private const string Counts = "SELECT option, count FROM message_poll_options WHERE message_id = @id ORDER BY option";
    private const string Choices = "SELECT option FROM message_poll_votes WHERE message_id = @id AND user_id = @user ORDER BY option";

    /// <summary>Records a new poll message's question and options and its empty results.</summary>
    public static void Create(WriteScope scope, long messageId, Poll poll)
    {
        scope.Execute("UPDATE message_messages SET poll = @poll WHERE id = @id",
            ("@poll", MessagePackSerializer.Serialize(poll, WireSerializer.Options)), ("@id", messageId));
        scope.Execute("INSERT INTO message_polls (message_id, voters, closed) VALUES (@id, 0, 0)", ("@id", messageId));
        for (var option = 0; option < poll.Options.Length; option++)
        {
            scope.Execute("INSERT INTO message_poll_options (message_id, option, count) VALUES (@id, @option, 0)", ("@id", messageId), ("@option", option));
        }
    }

    /// <summary>The poll's results with <paramref name="readerId"/>'s own choices, inside a writer unit.</summary>
    public static PollResults Results(WriteScope scope, long messageId, long readerId)
    {
        var (voters, closed) = ReadState(Bind(scope.Command(State), messageId));
        return new PollResults(messageId, ReadCounts(Bind(scope.Command(Counts), messageId)), voters, Mine(scope, messageId, readerId), closed);
    }

    public static int[] Mine(WriteScope scope, long messageId, long userId)
    {
        var command = Bind(scope.Command(Choices), messageId);
        command.Parameters.AddWithValue("@user", userId);
        return ReadInts(command);
    }

    /// <summary>Replaces the user's choices (none: takes the vote back) and moves the counts with them; false when they were already so.</summary>
    public static bool Vote(WriteScope scope, long messageId, long userId, int[] choices, long now)
    {
        var previous = Mine(scope, messageId, userId);
        var next = choices.Order().ToArray();
        if (previous.SequenceEqual(next))
        {
            return false;
        }

        foreach (var option in previous)
        {
            scope.Execute("UPDATE message_poll_options SET count = count - 1 WHERE message_id = @id AND option = @option", ("@id", messageId), ("@option", option));
        }

        scope.Execute("DELETE FROM message_poll_votes WHERE message_id = @id AND user_id = @user", ("@id", messageId), ("@user", userId));
        foreach (var option in next)
        {
            scope.Execute("INSERT INTO message_poll_votes (message_id, user_id, option, date) VALUES (@id, @user, @option, @now)",
                ("@id", messageId), ("@user", userId), ("@option", option), ("@now", now));
            scope.Execute("UPDATE message_poll_options SET count = count + 1 WHERE message_id = @id AND option = @option", ("@id", messageId), ("@option", option));
        }

        var voters = (next.Length > 0 ? 1 : 0) - (previous.Length > 0 ? 1 : 0);
        if (voters != 0)
        {
            scope.Execute("UPDATE message_polls SET voters = voters + @change WHERE message_id = @id", ("@change", voters), ("@id", messageId));
        }

        return true;
    }

    public static bool IsClosed(WriteScope scope, long messageId) => ReadState(Bind(scope.Command(State), messageId)).Closed;

    /// <summary>Ends the voting; false when it had ended.</summary>
    public static bool Close(WriteScope scope, long messageId) =>
        scope.Execute("UPDATE message_polls SET closed = 1 WHERE message_id = @id AND closed = 0", ("@id", messageId)) > 0;

    /// <summary>A poll deleted for everyone keeps no votes.</summary>
    public static void Forget(WriteScope scope, long messageId)
    {
        scope.Execute("DELETE FROM message_poll_votes WHERE message_id = @id", ("@id", messageId));
        scope.Execute("DELETE FROM message_poll_options WHERE message_id = @id", ("@id", messageId));
        scope.Execute("DELETE FROM message_polls WHERE message_id = @id", ("@id", messageId));
        scope.Execute("UPDATE message_messages SET poll = NULL WHERE id = @id", ("@id", messageId));
    }

    /// <summary>The results of the polls <paramref name="messageIds"/> with the reader's own choices (a history page's: a few at most).</summary>
    public static PollResults[] ForReader(SqliteConnection connection, long readerId, long[] messageIds)
    {
        var results = new List<PollResults>(messageIds.Length);
        foreach (var id in messageIds)
        {
            using var state = Bind(connection.CreateCommand(), id, State);
            var (voters, closed) = ReadState(state);
            using var counts = Bind(connection.CreateCommand(), id, Counts);
            using var mine = Bind(connection.CreateCommand(), id, Choices);
            mine.Parameters.AddWithValue("@user", readerId);
            results.Add(new PollResults(id, ReadCounts(counts), voters, ReadInts(mine), closed));
        }

        return [.. results];
    }

    /// <summary>Who chose <paramref name="option"/>, the latest first, and how many did.</summary>
    public static PollVoters Voters(SqliteConnection connection, long messageId, int option, int offset, int limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_id FROM message_poll_votes WHERE message_id = @id AND option = @option ORDER BY date DESC, rowid DESC LIMIT @limit OFFSET @offset";
        command.Parameters.AddWithValue("@id", messageId);
        command.Parameters.AddWithValue("@option", option);
        command.Parameters.AddWithValue("@limit", limit);
        command.Parameters.AddWithValue("@offset", offset);
        var users = new List<long>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                users.Add(reader.GetInt64(0));
            }
        }

        using var total = connection.CreateCommand();
        total.CommandText = "SELECT count FROM message_poll_options WHERE message_id = @id AND option = @option";
        total.Parameters.AddWithValue("@id", messageId);
        total.Parameters.AddWithValue("@option", option);
        return new PollVoters([.. users], Convert.ToInt32(total.ExecuteScalar() ?? 0));
    }

    private static SqliteCommand Bind(SqliteCommand command, long messageId, string? sql = null)
    {
        if (sql is not null)
        {
            command.CommandText = sql;
        }

        command.Parameters.AddWithValue("@id", messageId);
        return command;
    }

    private static (int Voters, bool Closed) ReadState(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt32(0), reader.GetBoolean(1)) : (0, false);
    }

    private static int[] ReadCounts(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var counts = new List<int>();
        while (reader.Read())
        {
            counts.Add(reader.GetInt32(1));
        }

        return [.. counts];
    }

    private static int[] ReadInts(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var values = new List<int>();
        while (reader.Read())
        {
            values.Add(reader.GetInt32(0));
        }

        return [.. values];
    }
}
