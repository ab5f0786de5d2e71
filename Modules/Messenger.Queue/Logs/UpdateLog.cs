using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Microsoft.Data.Sqlite;

namespace Messenger.Queue.Logs;

/// <summary>
/// The users' update logs. Appends run inside the caller's writer unit, so a log entry commits or rolls back with
/// the change it records; pts is the log's last pts + 1, read in the same transaction (the writer serializes every
/// append, so no two units can take the same pts). Reads open their own connection.
/// </summary>
internal sealed class UpdateLog(SqliteDatabase database, RecentUpdates recent) : IUpdateLog
{
    private const string LastPtsSql = "SELECT pts FROM queue_updates WHERE owner_id = @owner ORDER BY pts DESC LIMIT 1";

    // The last update serialized by Append and its bytes: a message goes into every log of its audience as the same
    // instance (both sides of a private chat, each member of a small group), so it is serialized once, and the rows and
    // the memory cache share one array. Updates are immutable records; the pair is swapped whole, never torn. It holds the
    // last update and its bytes until the next append, which is all it costs.
    private Serialized? _last;

    public LoggedUpdate Append(WriteScope scope, long ownerId, Update update, long date, long? messageId = null)
    {
        // The log's end (an index seek on the primary key) + 1, then a plain insert: two statements cost less than one
        // INSERT … SELECT … RETURNING, whose RETURNING opens and closes a temporary B-tree on every run.
        var pts = CurrentPts(scope, ownerId) + 1;
        var payload = PayloadOf(update);
        scope.Statement("INSERT INTO queue_updates (owner_id, pts, pts_count, date, payload, message_id) VALUES (@owner, @pts, 1, @date, @payload, @message)")
            .Bind("@owner", ownerId)
            .Bind("@pts", pts)
            .Bind("@date", date)
            .Bind("@payload", payload)
            .Bind("@message", messageId)
            .Execute();

        scope.OnCommitted(() => recent.Committed(ownerId, pts, 1, date, payload));
        return new LoggedUpdate(pts, 1, date, update);
    }

    public void Redact(WriteScope scope, long messageId, Func<long, Update> replacementFor)
    {
        var find = scope.Command("SELECT owner_id, pts FROM queue_updates WHERE message_id = @message");
        find.Parameters.AddWithValue("@message", messageId);
        var entries = new List<(long Owner, long Pts)>();
        using (var reader = find.ExecuteReader())
        {
            while (reader.Read())
            {
                entries.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        var replaced = new List<(long Owner, long Pts, byte[] Payload)>(entries.Count);
        foreach (var (owner, pts) in entries)
        {
            var payload = WireSerializer.Serialize(replacementFor(owner));
            var replace = scope.Command("UPDATE queue_updates SET payload = @payload, message_id = NULL WHERE owner_id = @owner AND pts = @pts");
            replace.Parameters.AddWithValue("@payload", payload);
            replace.Parameters.AddWithValue("@owner", owner);
            replace.Parameters.AddWithValue("@pts", pts);
            replace.ExecuteNonQuery();
            replaced.Add((owner, pts, payload));
        }

        ReplaceAfterCommit(scope, replaced);
    }

    public void Rewrite(WriteScope scope, long messageId, Func<Update, Update> rewrite)
    {
        // Every member's copy of one update is the same bytes (a group's new_message in each of its members' logs, an
        // edit's too): each distinct payload is read and rewritten once, and its rows changed by one statement, so a
        // reply in a large small group costs a statement per update it had, not per member.
        var find = scope.Command("SELECT owner_id, pts, payload FROM queue_updates WHERE message_id = @message");
        find.Parameters.AddWithValue("@message", messageId);
        var rewritten = new Dictionary<byte[], byte[]?>(PayloadComparer.Instance);
        var entries = new List<(long Owner, long Pts, byte[] Payload)>();
        using (var reader = find.ExecuteReader())
        {
            while (reader.Read())
            {
                var payload = (byte[])reader.GetValue(2);
                if (!rewritten.TryGetValue(payload, out var changed))
                {
                    var stored = WireSerializer.Deserialize<Update>(payload);
                    var update = rewrite(stored);
                    changed = ReferenceEquals(update, stored) ? null : WireSerializer.Serialize(update);
                    rewritten[payload] = changed;
                }

                if (changed is not null)
                {
                    entries.Add((reader.GetInt64(0), reader.GetInt64(1), changed));
                }
            }
        }

        foreach (var (old, changed) in rewritten)
        {
            if (changed is not null)
            {
                scope.Execute("UPDATE queue_updates SET payload = @payload WHERE message_id = @message AND payload = @old",
                    ("@payload", changed), ("@message", messageId), ("@old", old));
            }
        }

        ReplaceAfterCommit(scope, entries);
    }

    public void Drop(WriteScope scope, long ownerId)
    {
        scope.Execute("DELETE FROM queue_updates WHERE owner_id = @owner", ("@owner", ownerId));
        scope.OnCommitted(() => recent.Forget(ownerId));
    }

    public long CurrentPts(WriteScope scope, long ownerId) => scope.Statement(LastPtsSql).Bind("@owner", ownerId).Int64() ?? 0;

    public long CurrentPts(long ownerId)
    {
        if (recent.CurrentPts(ownerId) is { } cached)
        {
            return cached;
        }

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = LastPtsSql;
        command.Parameters.AddWithValue("@owner", ownerId);
        // Taken right before the read's snapshot: a commit it misses bumps the count after it.
        var changes = recent.Changes(ownerId);
        var pts = command.ExecuteScalar() is long found ? found : 0;
        recent.Seed(ownerId, pts, changes);
        return pts;
    }

    /// <summary>Up to <paramref name="limit"/> updates after <paramref name="pts"/>, in order: from memory when it holds
    /// them, else from the database (where compaction may have removed the oldest: the caller checks contiguity).</summary>
    public List<LoggedUpdate> ReadAfter(long ownerId, long pts, int limit)
    {
        if (recent.TryRead(ownerId, pts, limit) is { } cached)
        {
            return cached;
        }

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT pts, pts_count, date, payload FROM queue_updates WHERE owner_id = @owner AND pts > @pts ORDER BY pts LIMIT @limit";
        command.Parameters.AddWithValue("@owner", ownerId);
        command.Parameters.AddWithValue("@pts", pts);
        command.Parameters.AddWithValue("@limit", limit);
        using var reader = command.ExecuteReader();
        var updates = new List<LoggedUpdate>(Math.Min(limit, 1024));
        while (reader.Read())
        {
            updates.Add(new LoggedUpdate(
                reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), WireSerializer.Deserialize<Update>((byte[])reader.GetValue(3))));
        }

        return updates;
    }

    private byte[] PayloadOf(Update update)
    {
        if (_last is { } last && ReferenceEquals(last.Update, update))
        {
            return last.Payload;
        }

        var payload = WireSerializer.Serialize(update);
        _last = new Serialized(update, payload);
        return payload;
    }

    /// <summary>The memory cache follows rows rewritten in place, once (and if) their unit commits.</summary>
    private void ReplaceAfterCommit(WriteScope scope, List<(long Owner, long Pts, byte[] Payload)> entries)
    {
        if (entries.Count > 0)
        {
            scope.OnCommitted(() =>
            {
                foreach (var (owner, pts, payload) in entries)
                {
                    recent.Replace(owner, pts, payload);
                }
            });
        }
    }

    private sealed record Serialized(Update Update, byte[] Payload);

    /// <summary>Payloads compared by their bytes.</summary>
    private sealed class PayloadComparer : IEqualityComparer<byte[]>
    {
        public static readonly PayloadComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
