using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Background;
using Messenger.Message.Chats;
using Messenger.Message.Editing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Message.AutoDelete;

/// <summary>
/// Deletes messages whose time has come, once a second: those posted under a chat's auto-delete timer
/// (<c>message_messages.expires_at</c>) and, with <see cref="MessageOptions.RetentionDays"/> set, every message older
/// than that. Each goes for everyone, as a revoke does (<see cref="MessageDeletion.Revoke"/>: the text, the search
/// index, reactions, votes, the media reference, every log copy; the audience gets <c>delete_messages</c>), one writer
/// unit per chat, which re-reads what is still due. The partial index on <c>expires_at</c> holds only messages waiting
/// to expire (a revoke clears it), and the retention walks message ids (which grow with time) from where it stopped, so
/// a pass with nothing due costs an index probe and one row. A crash between passes leaves them due: the next start
/// deletes them.
/// </summary>
internal sealed class MessageExpiry(
    SqliteDatabase database, LoggedWriter writer, IUpdateLog log, IMediaAttachments media, IServiceScopeFactory scopes,
    IOptions<MessageOptions> options, TimeProvider clock, ILogger<MessageExpiry> logger, ChatList.LargeGroupUnread largeGroupUnread)
    : SecondlyPass(logger, "Deleting expired messages failed")
{
    /// <summary>Messages read per query; a pass goes on while a query comes back full.</summary>
    private const int PerQuery = 1_000;

    private const string Expired = "m.expires_at <= @bound";
    private const string Old = "m.date <= @bound";

    // The retention's walk: every message with an id up to this one is deleted or was found younger than the cutoff of
    // its pass (ids grow with time). In memory: a new process walks the old ids once.
    private long _retainedAfter;

    /// <summary>Deletes what is due now; returns how many messages were deleted.</summary>
    public Task<int> DeleteExpiredAsync(CancellationToken cancellationToken) => RunPassAsync(cancellationToken);

    protected override async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return await DeleteTimedAsync(now, cancellationToken) + await DeleteRetainedAsync(now, cancellationToken);
    }

    private async Task<int> DeleteTimedAsync(long now, CancellationToken cancellationToken)
    {
        var deleted = 0;
        while (true)
        {
            var due = DueByTimer(now);
            var page = 0;
            foreach (var chat in due.GroupBy(m => m.ChatId))
            {
                page += await DeleteAsync(chat.Key, [.. chat.Select(m => m.Id)], Expired, now, cancellationToken);
            }

            deleted += page;
            // A full page goes on to the next; one that deleted nothing (their chats gone, or changed meanwhile) ends the
            // pass rather than reading the same page again.
            if (due.Count < PerQuery || page == 0)
            {
                return deleted;
            }
        }
    }

    private async Task<int> DeleteRetainedAsync(long now, CancellationToken cancellationToken)
    {
        if (options.Value.RetentionDays == 0)
        {
            return 0;
        }

        var cutoff = now - options.Value.RetentionDays * 86_400L;
        var deleted = 0;
        while (true)
        {
            var (due, passed, more) = OlderThan(_retainedAfter, cutoff);
            foreach (var chat in due.GroupBy(m => m.ChatId))
            {
                deleted += await DeleteAsync(chat.Key, [.. chat.Select(m => m.Id)], Old, cutoff, cancellationToken);
            }

            _retainedAfter = passed;
            if (!more)
            {
                return deleted;
            }
        }
    }

    /// <summary>Deletes those of <paramref name="candidates"/> (all in the chat) still visible and still meeting
    /// <paramref name="condition"/> for <paramref name="bound"/>, in one unit; returns how many.</summary>
    private async Task<int> DeleteAsync(long chatId, long[] candidates, string condition, long bound, CancellationToken cancellationToken)
    {
        await using var services = scopes.CreateAsyncScope();
        return await writer.WriteAsync(services.ServiceProvider.GetRequiredService<IPublisher>(), (scope, appends) =>
        {
            // A command of its own (the id list is in its text; the unit's cached commands are kept for the writer's lifetime).
            using var command = scope.Connection.CreateCommand();
            command.Transaction = scope.Transaction;
            command.CommandText =
                "SELECT m.id, m.from_id, m.to_kind, m.to_id FROM message_messages m " +
                $"WHERE m.id IN ({command.BindList("m", candidates)}) AND m.deleted = 0 AND {condition} " +
                // A standing topic's first message goes only with its topic (MessageDeletion.Revoke leaves it out): not
                // counted here, so a page of nothing else ends the pass.
                "AND NOT EXISTS (SELECT 1 FROM message_topics t WHERE t.id = m.id AND t.deleting = 0) ORDER BY m.id";
            command.Parameters.AddWithValue("@bound", bound);
            var rows = new List<(long Id, long FromId, Peer ToPeer)>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    rows.Add((reader.GetInt64(0), reader.GetInt64(1), new Peer((PeerKind)reader.GetInt32(2), reader.GetInt64(3))));
                }
            }

            if (rows.Count == 0)
            {
                return 0;
            }

            var ids = rows.Select(r => r.Id).ToArray();
            var first = rows[0];
            if (ChatTarget.OfMessage(scope, chatId, first.ToPeer) is not { } target)
            {
                // Its chat is gone: nothing to delete it from, nothing to wait for.
                foreach (var id in ids)
                {
                    scope.Execute("UPDATE message_messages SET expires_at = NULL WHERE id = @id", ("@id", id));
                }

                return 0;
            }

            appends.AddRange(MessageDeletion.Revoke(scope, log, media, largeGroupUnread, target, first.FromId, ids, clock.GetUtcNow().ToUnixTimeSeconds()));
            return ids.Length;
        }, cancellationToken);
    }

    private List<(long Id, long ChatId)> DueByTimer(long now)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, chat_id FROM message_messages WHERE expires_at <= @now ORDER BY expires_at LIMIT @limit";
        command.Parameters.AddWithValue("@now", now);
        command.Parameters.AddWithValue("@limit", PerQuery);
        using var reader = command.ExecuteReader();
        var due = new List<(long, long)>();
        while (reader.Read())
        {
            due.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return due;
    }

    /// <summary>
    /// The next page of messages after id <paramref name="after"/> in id order: those not yet deleted, dated at or
    /// before <paramref name="cutoff"/>, up to the first younger one; the id the walk has passed; and whether it should
    /// go on (a full page of old ones).
    /// </summary>
    private (List<(long Id, long ChatId)> Due, long Passed, bool More) OlderThan(long after, long cutoff)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, chat_id, date, deleted FROM message_messages WHERE id > @after ORDER BY id LIMIT @limit";
        command.Parameters.AddWithValue("@after", after);
        command.Parameters.AddWithValue("@limit", PerQuery);
        using var reader = command.ExecuteReader();
        var due = new List<(long, long)>();
        var passed = after;
        var read = 0;
        while (reader.Read())
        {
            read++;
            if (reader.GetInt64(2) > cutoff)
            {
                return (due, passed, false);
            }

            passed = reader.GetInt64(0);
            if (!reader.GetBoolean(3))
            {
                due.Add((passed, reader.GetInt64(1)));
            }
        }

        return (due, passed, read == PerQuery);
    }
}
