using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Editing;
using Messenger.Message.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Message.Groups;

/// <summary>
/// The creator deletes the group or channel for everyone (<c>groups.delete</c>). One unit ends it for everyone
/// (<see cref="GroupDeletion.End"/>); the call then tells the members and purges the messages unit by unit
/// (<see cref="GroupDeletion.PurgeAsync"/>) before it answers, so the answer means nothing of the chat is left.
/// </summary>
internal sealed class DeleteGroupHandler(GroupDeletion deletion, LoggedWriter writer, IMediator bus, RpcContext caller)
    : IRequestHandler<DeleteGroupCall, ChatChanged>
{
    public async ValueTask<ChatChanged> Handle(DeleteGroupCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var changed = await writer.WriteAsync(bus, (scope, appends) => deletion.End(scope, call.ChatId, me, appends), cancellationToken);
        await bus.Publish(new MemberLeftEvent(call.ChatId, me), CancellationToken.None);

        // The chat is gone for everyone already: a caller who leaves now does not stop the rest (nor does it need them).
        await deletion.PurgeAsync(bus, call.ChatId, changed.Chat.Kind, me, CancellationToken.None);
        return changed;
    }
}

/// <summary>
/// How a group or channel is deleted for everyone, in units that never grow with the chat. <see cref="End"/>, the
/// first, checks the caller is the creator and ends the chat for everyone at once: it marks it deleted
/// (<c>message_chats.deleted</c> = 1: the row stays as a tombstone, so its id is never taken again and a cut-short
/// purge is found), moves its members to <c>message_chat_farewells</c> (two statements, whatever their number: from
/// its COMMIT on every membership check answers <c>CHAT_NOT_FOUND</c>), removes its invites, join requests, bans,
/// webhooks and the dialogs of it, releases its photo, and tells the caller. <see cref="PurgeAsync"/> then tells the
/// other members <see cref="FarewellBatchSize"/> per unit (a <c>chat</c> update with <see cref="Chat.Deleted"/>, not a
/// member, in each one's log; their drafts, pins, mutes, marks and scheduled messages of the chat go with it), revokes
/// the messages <see cref="BatchSize"/> per unit as a delete for everyone does (<see cref="MessageDeletion.Revoke"/>:
/// text, files' references, search entries, reactions, votes, pins, the log entries that carried them), and its last
/// unit drops the chat's own log and topics, empties the row and marks the chat purged (2). The chat also goes from each
/// told member's chat folders (<see cref="ChatList.DialogFolders.Forget"/>), in the same unit as their farewell, and then,
/// <see cref="FarewellBatchSize"/> per unit, from the folders of former members that named it when they left
/// (<c>message_former_members</c>: they get only the <c>dialog_filter</c>, not the chat update). A purge cut short (a stop,
/// a crash, a full disk) is finished at the next start (<see cref="GroupPurgeResumer"/>).
/// </summary>
internal sealed class GroupDeletion(
    GroupChanges changes, ChatDirectory directory, LoggedWriter writer, IUpdateLog log, IMediaAttachments media, TimeProvider clock,
    ChatList.LargeGroupUnread largeGroupUnread)
{
    public const int BatchSize = 500;
    public const int FarewellBatchSize = 1000;

    public ChatChanged End(WriteScope scope, long chatId, long me, LogAppends appends)
    {
        var (_, role) = changes.RequireMember(scope, chatId, me);
        if (role != MemberRole.Creator)
        {
            throw MessengerError.Forbidden(GroupErrorNames.ChatCreatorRequired);
        }

        scope.Execute("INSERT INTO message_chat_farewells (chat_id, user_id) SELECT chat_id, user_id FROM message_members WHERE chat_id = @chat AND user_id <> @me",
            ("@chat", chatId), ("@me", me));
        foreach (var table in (string[])["message_members", "message_dialogs", "message_invites", "message_join_requests", "message_bans", "message_webhooks"])
        {
            scope.Execute($"DELETE FROM {table} WHERE chat_id = @chat", ("@chat", chatId));
        }

        // Every topic goes with the purge: a standing topic's first message is otherwise never revoked.
        scope.Execute("UPDATE message_topics SET deleting = 1, closed = 1 WHERE chat_id = @chat", ("@chat", chatId));
        media.Release(scope, MediaHolders.ChatPhotoOf(chatId));
        scope.Execute("UPDATE message_chats SET deleted = 1, photo = NULL, member_count = 0 WHERE id = @chat", ("@chat", chatId));
        var chat = Farewell(scope, chatId, [me], appends);

        scope.OnCommitted(() => directory.Invalidate(chatId));
        var mine = appends.Last(a => a.OwnerId == me).Update;
        return new ChatChanged(chat, null, mine.Pts, mine.PtsCount);
    }

    /// <summary>Tells the members still to be told, then revokes the deleted chat's messages, oldest first, a batch per
    /// unit; the last unit drops what is left of it. <paramref name="me"/> only names whose delete it is (nobody is in
    /// the chat's audience now).</summary>
    public async Task PurgeAsync(IPublisher bus, long chatId, ChatKind kind, long me, CancellationToken cancellationToken)
    {
        while (true)
        {
            var told = await writer.WriteAsync(bus, (scope, appends) =>
            {
                var next = scope.Command("DELETE FROM message_chat_farewells WHERE rowid IN " +
                    "(SELECT rowid FROM message_chat_farewells WHERE chat_id = @chat ORDER BY user_id LIMIT @limit) RETURNING user_id");
                next.Parameters.AddWithValue("@chat", chatId);
                next.Parameters.AddWithValue("@limit", FarewellBatchSize);
                long[] users = [.. next.ReadInt64Column()];
                if (users.Length > 0)
                {
                    Farewell(scope, chatId, users, appends);
                }

                return users;
            }, cancellationToken);

            foreach (var user in told)
            {
                await bus.Publish(new MemberLeftEvent(chatId, user), CancellationToken.None);
            }

            if (told.Length < FarewellBatchSize)
            {
                break;
            }
        }

        while (true)
        {
            var cleaned = await writer.WriteAsync(bus, (scope, appends) =>
            {
                var next = scope.Command("DELETE FROM message_former_members WHERE rowid IN " +
                    "(SELECT rowid FROM message_former_members WHERE chat_id = @chat ORDER BY user_id LIMIT @limit) RETURNING user_id");
                next.Parameters.AddWithValue("@chat", chatId);
                next.Parameters.AddWithValue("@limit", FarewellBatchSize);
                long[] users = [.. next.ReadInt64Column()];
                ChatList.DialogFolders.Forget(scope, users, Peer.Chat(chatId), clock.GetUtcNow().ToUnixTimeSeconds(), appends);
                return users.Length;
            }, cancellationToken);

            if (cleaned < FarewellBatchSize)
            {
                break;
            }
        }

        var target = new ChatTarget(chatId, kind, Peer.Chat(chatId), 0, MemberRole.Creator);
        var after = 0L;
        while (true)
        {
            (after, var done) = await writer.WriteAsync(bus, (scope, appends) =>
            {
                var ids = scope.Command("SELECT id FROM message_messages WHERE chat_id = @chat AND deleted = 0 AND id > @after ORDER BY id LIMIT @limit");
                ids.Parameters.AddWithValue("@chat", chatId);
                ids.Parameters.AddWithValue("@after", after);
                ids.Parameters.AddWithValue("@limit", BatchSize);
                long[] batch = [.. ids.ReadInt64Column()];
                if (batch.Length > 0)
                {
                    // Nobody is left to tell: what the revoke appends goes only to the chat's own log, dropped below.
                    _ = MessageDeletion.Revoke(scope, log, media, largeGroupUnread, target, me, batch, clock.GetUtcNow().ToUnixTimeSeconds());
                }

                if (batch.Length == BatchSize)
                {
                    return (batch[^1], false);
                }

                Finish(scope, chatId, target.HasOwnLog);
                return (after, true);
            }, cancellationToken);

            if (done)
            {
                return;
            }
        }
    }

    /// <summary>Tells <paramref name="users"/> the chat is gone (a <c>chat</c> update in each one's log, the chat as it
    /// was with <see cref="Chat.Deleted"/> set), and their own rows of it go: drafts, dialog pins, archive entries,
    /// unread marks, mutes (the topics' too), the messages they scheduled into it, whose files are released, and its
    /// place in their chat folders (each changed folder told as <c>dialog_filter</c>).</summary>
    private Chat Farewell(WriteScope scope, long chatId, long[] users, LogAppends appends)
    {
        GroupStore.ForgetSettings(scope, chatId, users);
        var ids = System.Text.Json.JsonSerializer.Serialize(users);

        var scheduled = scope.Command(
            "DELETE FROM message_scheduled WHERE user_id IN (SELECT value FROM json_each(@ids)) AND peer_kind = @kind AND peer_id = @chat RETURNING id");
        scheduled.Parameters.AddWithValue("@ids", ids);
        scheduled.Parameters.AddWithValue("@kind", (int)PeerKind.Chat);
        scheduled.Parameters.AddWithValue("@chat", chatId);
        foreach (var id in scheduled.ReadInt64Column())
        {
            media.Release(scope, MediaHolders.ScheduledOf(id));
        }

        var chat = GroupStore.ToChat(scope, chatId, log) with { Deleted = true, About = "" };
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var user in users)
        {
            appends.Append(user, new ChatUpdate(chat, IsMember: false), now);
        }

        ChatList.DialogFolders.Forget(scope, users, Peer.Chat(chatId), now, appends);

        return chat;
    }

    private void Finish(WriteScope scope, long chatId, bool ownLog)
    {
        var topics = scope.Command("SELECT id FROM message_topics WHERE chat_id = @chat");
        topics.Parameters.AddWithValue("@chat", chatId);
        foreach (var topicId in topics.ReadInt64Column())
        {
            Topics.TopicStore.Delete(scope, chatId, topicId);
        }

        scope.Execute("DELETE FROM message_pins WHERE chat_id = @chat", ("@chat", chatId));
        // Everyone's read positions in its topics (General's and those of members who left before) go with the topics.
        scope.Execute("DELETE FROM message_topic_reads WHERE chat_id = @chat", ("@chat", chatId));
        if (ownLog)
        {
            log.Drop(scope, LogOwners.OfChat(chatId));
        }

        scope.Execute("UPDATE message_chats SET deleted = 2, title = '', about = '', forum = 0, top_message_id = 0 WHERE id = @chat", ("@chat", chatId));
    }
}

/// <summary>At start, finishes the purges of deleted chats a stop or crash cut short (<c>message_chats.deleted</c> = 1).
/// Nobody can reach such a chat meanwhile: its members went in the unit that deleted it.</summary>
internal sealed class GroupPurgeResumer(StorageWriter writer, GroupDeletion deletion, IServiceScopeFactory scopes, ILogger<GroupPurgeResumer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            var unfinished = await writer.WriteAsync(scope =>
            {
                var command = scope.Command("SELECT id, kind, creator_id FROM message_chats WHERE deleted = 1");
                using var reader = command.ExecuteReader();
                var chats = new List<(long Id, ChatKind Kind, long CreatorId)>();
                while (reader.Read())
                {
                    chats.Add((reader.GetInt64(0), (ChatKind)reader.GetInt32(1), reader.GetInt64(2)));
                }

                return chats;
            }, stoppingToken);

            foreach (var (chatId, kind, creatorId) in unfinished)
            {
                await using var scope = scopes.CreateAsyncScope();
                await deletion.PurgeAsync(scope.ServiceProvider.GetRequiredService<IMediator>(), chatId, kind, creatorId, stoppingToken);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Never the host's end: the chats stay unreachable, and the next start tries again.
            logger.LogWarning(e, "Finishing the purge of deleted chats failed");
        }
    }
}
