using FluentValidation;
using MessagePack;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Contracts.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Groups;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Microsoft.Data.Sqlite;
using Messenger.Kernel.Text;

namespace Messenger.Message.Scheduling;

internal sealed class SendScheduledValidator : AbstractValidator<SendScheduledCall>
{
    public SendScheduledValidator()
    {
        RuleFor(c => c.Text).Must(t => !string.IsNullOrWhiteSpace(t)).When(c => c.Media is null).WithErrorCode(MessageErrorNames.MessageEmpty);
        RuleFor(c => c.Text).Must(t => SendMessageValidator.Fits(t, SendMessageValidator.MaxTextLength)).When(c => c.Media is null)
            .WithErrorCode(MessageErrorNames.MessageTooLong);
        RuleFor(c => c.Text).Must(t => SendMessageValidator.Fits(t, SendMessageValidator.MaxCaptionLength)).When(c => c.Media is not null)
            .WithErrorCode(MediaErrorNames.MediaCaptionTooLong);
        RuleFor(c => c.Text).Must(TextRules.IsCleanText).WithErrorCode(MessageErrorNames.MessageTextInvalid);
        RuleFor(c => c.RandomId).NotEqual(0).WithErrorCode(MessageErrorNames.RandomIdInvalid);
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.ReplyToId).Must(r => r is null or > 0).WithErrorCode(MessageErrorNames.ReplyToInvalid);
        RuleFor(c => c.Quote).Must((c, q) => ReplyQuotes.TextIsValid(q, c.ReplyToId)).WithErrorCode(MessageErrorNames.QuoteTextInvalid);
        RuleFor(c => c.Quote).Must(ReplyQuotes.OffsetIsValid).WithErrorCode(MessageErrorNames.QuoteOffsetInvalid);
    }
}

internal sealed class GetScheduledValidator : AbstractValidator<GetScheduledCall>
{
    public GetScheduledValidator() => RuleFor(c => c.Peer).ValidPeer();
}

internal sealed class DeleteScheduledValidator : AbstractValidator<DeleteScheduledCall>
{
    public DeleteScheduledValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Ids).Must(ids => ids is { Length: > 0 and <= 100 } && ids.All(id => id > 0)).WithErrorCode(MessageErrorNames.MessageIdsInvalid);
    }
}

/// <summary>
/// Messages a user wrote to be sent later (<c>message_scheduled</c>): kept as written, with the random_id they will be
/// sent with, so the <see cref="ScheduledSender"/> sends each once whatever happens between its send and its row's
/// removal. Rights are checked when scheduling (the caller may post in the chat now) and again when sending. Every
/// change of a chat's waiting messages (scheduled, cancelled, sent, dropped) appends <c>scheduled_messages</c> with the list now
/// to the user's own log, in the change's unit, so all their devices — the calling one too — show the same list. A file
/// is stored when the message is scheduled and held by it (<see cref="MediaHolders.ScheduledOf"/>) until it is sent
/// (the message then holds its own reference) or cancelled.
/// </summary>
internal sealed class ScheduledMessagesHandler(
    Chats.ChatResolver chats, MessageStore messages, LoggedWriter writer, SqliteDatabase database, IUpdateLog log, IMediaAttachments media, IMediator bus,
    RpcContext caller, TimeProvider clock)
    : IRequestHandler<SendScheduledCall, ScheduledMessage>, IRequestHandler<GetScheduledCall, ScheduledMessages>, IRequestHandler<DeleteScheduledCall, Done>
{
    /// <summary>The columns <see cref="ReadOne"/> reads, in its order.</summary>
    internal const string Columns = "id, peer_kind, peer_id, text, date, random_id, reply_to_id, media, silent, quote_text, quote_offset, topic_id";

    /// <summary>How many columns <see cref="Columns"/> has.</summary>
    internal const int ColumnCount = 12;

    /// <summary>A user's waiting messages in one chat, soonest first (<c>@user</c>, <c>@kind</c>, <c>@peer</c>).</summary>
    private const string WaitingInChat =
        $"SELECT {Columns} FROM message_scheduled WHERE user_id = @user AND peer_kind = @kind AND peer_id = @peer ORDER BY date, id";

    public async ValueTask<ScheduledMessage> Handle(SendScheduledCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (call.Date < now + ScheduleLimits.MinAheadSeconds || call.Date > now + ScheduleLimits.MaxAheadDays * 86_400L)
        {
            throw MessengerError.BadRequest(MessageErrorNames.ScheduleDateInvalid);
        }

        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        if (call.Media is not null && StoredBefore(me, call.RandomId) is { } stored)
        {
            return stored;
        }

        using var prepared = call.Media is null ? null : await media.PrepareAsync(me, call.Media, cancellationToken);
        // No origin connection: the calling device is told too (its answer carries no log position).
        var scheduled = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var find = scope.Command($"SELECT {Columns} FROM message_scheduled WHERE user_id = @user AND random_id = @random");
            find.Parameters.AddWithValue("@user", me);
            find.Parameters.AddWithValue("@random", call.RandomId);
            if (Read(find).FirstOrDefault() is { } first)
            {
                return first;
            }

            if (MessageStore.FindByRandomId(scope, me, call.RandomId) is not null)
            {
                throw MessengerError.BadRequest(MessageErrorNames.RandomIdInvalid, "a sent message has this random_id");
            }

            var forum = false;
            var role = MemberRole.Member;
            if (!target.IsPrivate)
            {
                var poster = GroupStore.PosterOf(scope, target.ChatId, me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
                ChatRightsRules.RequireRights(poster, prepared is null ? ChatRights.Text : ChatRights.Media);
                (forum, role) = (poster.Forum, poster.Role);
            }

            var replied = call.ReplyToId is { } replyTo
                ? (target.ChatId == 0 ? null : MessageStore.FindVisible(scope, me, target.ChatId, replyTo)) ?? throw MessengerError.BadRequest(MessageErrorNames.ReplyToInvalid)
                : null;
            // Checked now as a send checks it (and again when it goes out: the topic may be closed or gone by then).
            var topicId = Topics.TopicStore.ForPost(scope, target with { Forum = forum, Role = role },
                call.TopicId, replied);
            var quote = call.Quote is null || replied is null ? null : ReplyQuotes.Resolve(call.Quote, replied);

            if (Convert.ToInt64(scope.Scalar("SELECT count(*) FROM message_scheduled WHERE user_id = @user", ("@user", me))) >= ScheduleLimits.MaxPerUser)
            {
                throw MessengerError.BadRequest(MessageErrorNames.ScheduledTooMany);
            }

            var text = call.Text?.Trim() ?? "";
            var id = (long)scope.Scalar(
                "INSERT INTO message_scheduled (user_id, peer_kind, peer_id, random_id, text, reply_to_id, date, silent, quote_text, quote_offset, topic_id) " +
                "VALUES (@user, @kind, @peer, @random, @text, @reply, @date, @silent, @quote, @offset, @topic) RETURNING id",
                ("@user", me), ("@kind", (int)call.Peer.Kind), ("@peer", call.Peer.Id), ("@random", call.RandomId), ("@text", text),
                ("@reply", (object?)call.ReplyToId ?? DBNull.Value), ("@date", call.Date), ("@silent", call.Silent),
                ("@quote", (object?)quote?.Text ?? DBNull.Value), ("@offset", (object?)quote?.Offset ?? DBNull.Value),
                ("@topic", topicId == 0 ? DBNull.Value : topicId))!;
            var file = prepared is null ? null : media.Attach(scope, prepared, MediaHolders.ScheduledOf(id), me);
            if (file is not null)
            {
                scope.Execute("UPDATE message_scheduled SET media = @media WHERE id = @id",
                    ("@media", MessagePackSerializer.Serialize(file, WireSerializer.Options)), ("@id", id));
            }

            appends.Add(Announce(scope, log, me, call.Peer, now));
            return new ScheduledMessage(id, call.Peer, text, call.Date, call.RandomId, call.ReplyToId, file, call.Silent, quote, topicId);
        }, cancellationToken);

        return scheduled;
    }

    /// <summary>
    /// A resend with a file, answered outside the writer before its upload is completed (the first send used the upload
    /// up, and a restart forgets that it did) as the unit answers it: the message scheduled with this random_id, or
    /// <c>RANDOM_ID_INVALID</c> once it has gone out; null when neither.
    /// </summary>
    private ScheduledMessage? StoredBefore(long me, long randomId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM message_scheduled WHERE user_id = @user AND random_id = @random";
        command.Parameters.AddWithValue("@user", me);
        command.Parameters.AddWithValue("@random", randomId);
        return Read(command).FirstOrDefault()
            ?? (messages.ReadByRandomId(me, randomId) is null ? null
                : throw MessengerError.BadRequest(MessageErrorNames.RandomIdInvalid, "a sent message has this random_id"));
    }

    public async ValueTask<ScheduledMessages> Handle(GetScheduledCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = WaitingInChat;
        command.Parameters.AddWithValue("@user", me);
        command.Parameters.AddWithValue("@kind", (int)call.Peer.Kind);
        command.Parameters.AddWithValue("@peer", call.Peer.Id);
        return new ScheduledMessages([.. Read(command)]);
    }

    public async ValueTask<Done> Handle(DeleteScheduledCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        await writer.WriteAsync(bus, (scope, appends) =>
        {
            using var delete = scope.Connection.CreateCommand();
            delete.Transaction = scope.Transaction;
            delete.CommandText =
                $"DELETE FROM message_scheduled WHERE user_id = @user AND peer_kind = @kind AND peer_id = @peer AND id IN ({delete.BindList("id", call.Ids)}) " +
                "RETURNING id";
            delete.Parameters.AddWithValue("@user", me);
            delete.Parameters.AddWithValue("@kind", (int)call.Peer.Kind);
            delete.Parameters.AddWithValue("@peer", call.Peer.Id);
            var deleted = delete.ReadInt64Column();
            foreach (var id in deleted)
            {
                media.Release(scope, MediaHolders.ScheduledOf(id));
            }

            if (deleted.Count > 0)
            {
                appends.Add(Announce(scope, log, me, call.Peer, clock.GetUtcNow().ToUnixTimeSeconds()));
            }
        }, cancellationToken);
        return new Done();
    }

    /// <summary>Inside the unit that changed them: tells the user's devices which messages wait in the chat now.</summary>
    internal static LogAppend Announce(WriteScope scope, IUpdateLog log, long userId, Peer peer, long now)
    {
        var command = scope.Command(WaitingInChat);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@kind", (int)peer.Kind);
        command.Parameters.AddWithValue("@peer", peer.Id);
        return new LogAppend(userId, log.Append(scope, userId, new ScheduledMessagesUpdate(peer, [.. Read(command)]), now));
    }

    internal static List<ScheduledMessage> Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var found = new List<ScheduledMessage>();
        while (reader.Read())
        {
            found.Add(ReadOne(reader));
        }

        return found;
    }

    internal static ScheduledMessage ReadOne(SqliteDataReader reader) =>
        new(reader.GetInt64(0), new Peer((PeerKind)reader.GetInt32(1), reader.GetInt64(2)), reader.GetString(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6),
            reader.IsDBNull(7) ? null : WireSerializer.Deserialize<MessageMedia>((byte[])reader.GetValue(7)), reader.GetBoolean(8),
            MessageStore.ReadQuote(reader, 9), reader.IsDBNull(11) ? 0 : reader.GetInt64(11));

    /// <summary>Drops a user's waiting messages (their account was deleted), letting go of their files.</summary>
    internal static void ForgetUser(WriteScope scope, IMediaAttachments media, long userId)
    {
        var delete = scope.Command("DELETE FROM message_scheduled WHERE user_id = @user RETURNING id");
        delete.Parameters.AddWithValue("@user", userId);
        foreach (var id in delete.ReadInt64Column())
        {
            media.Release(scope, MediaHolders.ScheduledOf(id));
        }
    }
}
