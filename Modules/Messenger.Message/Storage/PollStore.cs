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
/// however many voted. A quiz's answer and explanation stay in <c>message_polls</c>: the message holds the poll as readers
/// get it (<see cref="Poll.ForReaders"/>), and results tell the answer only to a reader who may know it.
/// </summary>
internal static class PollStore
{
    private const string State = "SELECT voters, closed, correct_option, solution FROM message_polls WHERE message_id = @id";
    private const string Counts = "SELECT option, count FROM message_poll_options WHERE message_id = @id ORDER BY option";
    private const string Choices = "SELECT option FROM message_poll_votes WHERE message_id = @id AND user_id = @user ORDER BY option";

    /// <summary>Records a new poll message's question and options (a quiz's answer apart) and its empty results.</summary>
    public static void Create(WriteScope scope, long messageId, Poll poll)
    {
        scope.Execute("UPDATE message_messages SET poll = @poll WHERE id = @id",
            ("@poll", MessagePackSerializer.Serialize(poll.ForReaders(), WireSerializer.Options)), ("@id", messageId));
        scope.Execute("INSERT INTO message_polls (message_id, voters, closed, correct_option, solution) VALUES (@id, 0, 0, @correct, @solution)",
            ("@id", messageId), ("@correct", (object?)poll.CorrectOption ?? DBNull.Value), ("@solution", (object?)poll.Solution ?? DBNull.Value));
        for (var option = 0; option < poll.Options.Length; option++)
        {
            scope.Execute("INSERT INTO message_poll_options (message_id, option, count) VALUES (@id, @option, 0)", ("@id", messageId), ("@option", option));
        }
    }

    /// <summary>The poll's results with <paramref name="readerId"/>'s own choices, inside a writer unit.</summary>
    public static PollResults Results(WriteScope scope, long messageId, long readerId, long authorId) =>
        ResultsFor(messageId, ReadState(Bind(scope.Command(State), messageId)), ReadCounts(Bind(scope.Command(Counts), messageId)),
            Mine(scope, messageId, readerId), readerId == authorId);

    /// <summary>The poll with a quiz's answer and explanation, as its author sent it (a forward copies them).</summary>
    public static Poll Full(WriteScope scope, long messageId, Poll poll) =>
        poll.Quiz && ReadState(Bind(scope.Command(State), messageId)) is { Quiz: { } quiz }
            ? poll with { CorrectOption = quiz.CorrectOption, Solution = quiz.Solution }
            : poll;

    /// <summary>Who may see a quiz's answer before answering it: whoever wrote the poll, not whoever forwarded a copy.</summary>
    public static long WriterOf(Contracts.Messages.Message message) => message.FwdFromId is null ? message.FromId : 0;

    private static PollResults ResultsFor(long messageId, PollState state, int[] counts, int[] mine, bool author) =>
        state.Quiz is { } quiz && (mine.Length > 0 || state.Closed || author)
            ? new PollResults(messageId, counts, state.Voters, mine, state.Closed, quiz.CorrectOption, quiz.Solution)
            : new PollResults(messageId, counts, state.Voters, mine, state.Closed);

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

    /// <summary>The results of the polls among <paramref name="messages"/> with the reader's own choices (a history page's: a few at most).</summary>
    public static PollResults[] ForReader(SqliteConnection connection, long readerId, IEnumerable<(long Id, long AuthorId)> messages)
    {
        var results = new List<PollResults>();
        foreach (var (id, author) in messages)
        {
            using var state = Bind(connection.CreateCommand(), id, State);
            using var counts = Bind(connection.CreateCommand(), id, Counts);
            using var mine = Bind(connection.CreateCommand(), id, Choices);
            mine.Parameters.AddWithValue("@user", readerId);
            results.Add(ResultsFor(id, ReadState(state), ReadCounts(counts), ReadInts(mine), readerId == author));
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

    private static PollState ReadState(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return new PollState(0, false, null);
        }

        var quiz = reader.IsDBNull(2) ? null : new QuizAnswer(reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        return new PollState(reader.GetInt32(0), reader.GetBoolean(1), quiz);
    }

    private sealed record PollState(int Voters, bool Closed, QuizAnswer? Quiz);

    private sealed record QuizAnswer(int CorrectOption, string? Solution);

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
