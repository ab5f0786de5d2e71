using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Storage;
using Microsoft.Data.Sqlite;

namespace Messenger.Message.Groups;

internal sealed class ExportInviteValidator : AbstractValidator<ExportInviteCall>
{
    public ExportInviteValidator()
    {
        RuleFor(c => c.ExpiresInSeconds).Must(s => s is null or >= 60 and <= 365 * 24 * 3600).WithErrorCode(GroupErrorNames.ExpiresInvalid);
        RuleFor(c => c.UsageLimit).Must(u => u is null or >= 1 and <= 100_000).WithErrorCode(GroupErrorNames.UsageLimitInvalid);
        RuleFor(c => c.UsageLimit).Null().When(c => c.RequestNeeded).WithErrorCode(GroupErrorNames.UsageLimitInvalid);
    }
}

internal sealed class JoinByInviteValidator : AbstractValidator<JoinByInviteCall>
{
    public JoinByInviteValidator() => RuleFor(c => c.Code).Must(Invites.CodeFits).WithErrorCode(GroupErrorNames.InviteHashInvalid);
}

internal sealed class CheckInviteValidator : AbstractValidator<CheckInviteCall>
{
    public CheckInviteValidator() => RuleFor(c => c.Code).Must(Invites.CodeFits).WithErrorCode(GroupErrorNames.InviteHashInvalid);
}

internal sealed class RevokeInviteValidator : AbstractValidator<RevokeInviteCall>
{
    public RevokeInviteValidator() => RuleFor(c => c.Code).Must(Invites.CodeFits).WithErrorCode(GroupErrorNames.InviteHashInvalid);
}

/// <summary>
/// Invite links (<c>message_invites</c>): admins create codes — 128 random bits, so a code cannot be guessed — with an
/// optional expiry, number of joins, or the need for an admin's approval (<see cref="JoinRequestsHandler"/>), list
/// them and revoke them; anyone with a code sees what it leads to before joining, and joins (or asks to).
/// </summary>
internal sealed class InvitesHandler(
    GroupChanges changes, Chats.ChatDirectory directory, StorageWriter writer, LoggedWriter logged, SqliteDatabase database, IMediator bus, RpcContext caller,
    TimeProvider clock)
    : IRequestHandler<ExportInviteCall, ChatInvite>, IRequestHandler<JoinByInviteCall, ChatChanged>, IRequestHandler<CheckInviteCall, InvitePreview>,
        IRequestHandler<GetInvitesCall, ChatInvites>, IRequestHandler<RevokeInviteCall, ChatInvite>
{
    public async ValueTask<ChatInvite> Handle(ExportInviteCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var code = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        long? expiresAt = call.ExpiresInSeconds is { } seconds ? now + seconds : null;
        await writer.WriteAsync(scope =>
        {
            var (_, role) = changes.RequireMember(scope, call.ChatId, me);
            GroupChanges.RequireAdmin(role);
            scope.Execute(
                "INSERT INTO message_invites (code, chat_id, created_by, expires_at, usage_limit, usage, date, revoked, request_needed) " +
                "VALUES (@code, @chat, @me, @expires, @limit, 0, @now, 0, @request)",
                ("@code", code), ("@chat", call.ChatId), ("@me", me), ("@expires", (object?)expiresAt ?? DBNull.Value),
                ("@limit", (object?)call.UsageLimit ?? DBNull.Value), ("@now", now), ("@request", call.RequestNeeded));
        }, cancellationToken);
        return new ChatInvite(code, call.ChatId, expiresAt, call.UsageLimit, 0, me, now, Revoked: false, call.RequestNeeded);
    }

    public async ValueTask<ChatChanged> Handle(JoinByInviteCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var joined = await logged.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var invite = Invites.Usable(scope, call.Code, now);
            var chat = GroupStore.Chat(scope, invite.ChatId) ?? throw MessengerError.BadRequest(GroupErrorNames.InviteHashInvalid);
            if (GroupStore.RoleOf(scope, invite.ChatId, me) is not null)
            {
                throw MessengerError.BadRequest(GroupErrorNames.UserAlreadyParticipant);
            }

            if (GroupStore.IsBanned(scope, invite.ChatId, me))
            {
                throw MessengerError.Forbidden(GroupErrorNames.UserBannedInChat);
            }

            if (invite.RequestNeeded)
            {
                JoinRequestStore.Add(scope, changes.Log, invite.ChatId, me, call.Code, now, appends);
                return null;
            }

            scope.Execute("UPDATE message_invites SET usage = usage + 1 WHERE code = @code", ("@code", call.Code));
            changes.AddMembers(scope, invite.ChatId, chat.Kind, me, [me], now, appends);
            return changes.Record(scope, invite.ChatId, me, new ServiceAction(ServiceActions.JoinByInvite, [me]), now, appends, joined: [me], left: [],
                members: [new Chats.MemberChange(me, MemberRole.Member)]);
        }, cancellationToken);
        // Telegram's answer to a request: not a failure, and the only one that tells the app to say "sent".
        return joined ?? throw MessengerError.BadRequest(GroupErrorNames.InviteRequestSent, "the chat's admins approve joins by this link");
    }

    /// <summary>Read on a reading connection (a preview never waits for the writer): the code, its chat and the caller's
    /// place in it, in one query.</summary>
    public ValueTask<InvitePreview> Handle(CheckInviteCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT i.chat_id, {Invites.RevokedOf("i")}, i.expires_at, i.usage_limit, i.usage, i.request_needed, " +
            "c.kind, c.title, coalesce(c.about, ''), c.member_count, " +
            "EXISTS (SELECT 1 FROM message_members m WHERE m.chat_id = i.chat_id AND m.user_id = @me), " +
            "EXISTS (SELECT 1 FROM message_join_requests r WHERE r.chat_id = i.chat_id AND r.user_id = @me) " +
            "FROM message_invites i JOIN message_chats c ON c.id = i.chat_id WHERE i.code = @code";
        command.Parameters.AddWithValue("@code", call.Code);
        command.Parameters.AddWithValue("@me", me);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw MessengerError.BadRequest(GroupErrorNames.InviteHashInvalid);
        }

        var chatId = reader.GetInt64(0);
        Invites.RequireOpen(reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt32(3),
            reader.GetInt32(4), clock.GetUtcNow().ToUnixTimeSeconds());
        return ValueTask.FromResult(new InvitePreview(reader.GetString(7), reader.GetString(8), (ChatKind)reader.GetInt32(6), reader.GetInt32(9),
            reader.GetBoolean(5), reader.GetBoolean(11), reader.GetBoolean(10) ? chatId : 0));
    }

    public ValueTask<ChatInvites> Handle(GetInvitesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        GroupChanges.RequireAdmin(directory.Get(call.ChatId)?.RoleOf(me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound));
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Invites.Columns} FROM message_invites WHERE chat_id = @chat ORDER BY date DESC, rowid DESC LIMIT @limit";
        command.Parameters.AddWithValue("@chat", call.ChatId);
        command.Parameters.AddWithValue("@limit", InviteLimits.Listed);
        return ValueTask.FromResult(new ChatInvites([.. Invites.Read(command)]));
    }

    public async ValueTask<ChatInvite> Handle(RevokeInviteCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        return await writer.WriteAsync(scope =>
        {
            GroupChanges.RequireAdmin(changes.RequireMember(scope, call.ChatId, me).Role);
            scope.Execute("UPDATE message_invites SET revoked = 1 WHERE code = @code AND chat_id = @chat", ("@code", call.Code), ("@chat", call.ChatId));
            var read = scope.Command($"SELECT {Invites.Columns} FROM message_invites WHERE code = @code AND chat_id = @chat");
            read.Parameters.AddWithValue("@code", call.Code);
            read.Parameters.AddWithValue("@chat", call.ChatId);
            return Invites.Read(read).FirstOrDefault() ?? throw MessengerError.BadRequest(GroupErrorNames.InviteHashInvalid);
        }, cancellationToken);
    }
}

internal static class Invites
{
    public static readonly string Columns =
        $"code, chat_id, expires_at, usage_limit, usage, created_by, date, {RevokedOf("message_invites")}, request_needed";

    /// <summary>
    /// Whether the link of the <paramref name="invites"/> row is revoked: by an admin, or because its maker is no longer an
    /// admin or the creator of its chat (demoted, removed, left, account deleted) — a link lets people in with its
    /// maker's powers, so it stops with them, read at every use as webhooks are (<c>WebhookEndpoint</c>), whatever path
    /// took the role away. <c>groups.getInvites</c> shows such a link revoked; it works again if its maker is made an
    /// admin again.
    /// </summary>
    public static string RevokedOf(string invites) =>
        $"({invites}.revoked OR NOT EXISTS (SELECT 1 FROM message_members maker WHERE maker.chat_id = {invites}.chat_id " +
        $"AND maker.user_id = {invites}.created_by AND maker.role IN ({(int)MemberRole.Admin}, {(int)MemberRole.Creator})))";

    public static bool CodeFits(string? code) => code is { Length: > 0 and <= 64 };

    /// <summary>The invite <paramref name="code"/> names if it still lets anyone in: <c>INVITE_HASH_INVALID</c> for a code
    /// nobody made, <c>INVITE_HASH_EXPIRED</c> for one past its time or joins, or revoked (<see cref="RevokedOf"/>).</summary>
    public static ChatInvite Usable(WriteScope scope, string code, long now)
    {
        var command = scope.Command($"SELECT {Columns} FROM message_invites WHERE code = @code");
        command.Parameters.AddWithValue("@code", code);
        var invite = Read(command).FirstOrDefault() ?? throw MessengerError.BadRequest(GroupErrorNames.InviteHashInvalid);
        RequireOpen(invite.Revoked, invite.ExpiresAt, invite.UsageLimit, invite.Usage, now);
        return invite;
    }

    /// <summary>400 <c>INVITE_HASH_EXPIRED</c> for a link revoked, past its time or its joins.</summary>
    public static void RequireOpen(bool revoked, long? expiresAt, int? usageLimit, int usage, long now)
    {
        if (revoked || expiresAt <= now || usage >= usageLimit)
        {
            throw MessengerError.BadRequest(GroupErrorNames.InviteHashExpired);
        }
    }

    public static List<ChatInvite> Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var invites = new List<ChatInvite>();
        while (reader.Read())
        {
            invites.Add(new ChatInvite(
                reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt32(3),
                reader.GetInt32(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetBoolean(7), reader.GetBoolean(8)));
        }

        return invites;
    }
}
