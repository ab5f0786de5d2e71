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

namespace Messenger.Message.Groups;

internal sealed class ExportInviteValidator : AbstractValidator<ExportInviteCall>
{
    public ExportInviteValidator()
    {
        RuleFor(c => c.ExpiresInSeconds).Must(s => s is null or >= 60 and <= 365 * 24 * 3600).WithErrorCode(GroupErrorNames.ExpiresInvalid);
        RuleFor(c => c.UsageLimit).Must(u => u is null or >= 1 and <= 100_000).WithErrorCode(GroupErrorNames.UsageLimitInvalid);
    }
}

/// <summary>Admins create invite codes: 128 random bits, so a code cannot be guessed, with an optional expiry and
/// number of joins.</summary>
internal sealed class ExportInviteHandler(GroupChanges changes, StorageWriter writer, RpcContext caller, TimeProvider clock)
    : IRequestHandler<ExportInviteCall, ChatInvite>
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
            scope.Execute("INSERT INTO message_invites (code, chat_id, created_by, expires_at, usage_limit, usage) VALUES (@code, @chat, @me, @expires, @limit, 0)",
                ("@code", code), ("@chat", call.ChatId), ("@me", me), ("@expires", (object?)expiresAt ?? DBNull.Value),
                ("@limit", (object?)call.UsageLimit ?? DBNull.Value));
        }, cancellationToken);
        return new ChatInvite(code, call.ChatId, expiresAt, call.UsageLimit, 0);
    }
}

internal sealed class JoinByInviteValidator : AbstractValidator<JoinByInviteCall>
{
    public JoinByInviteValidator() =>
        RuleFor(c => c.Code).Must(c => c is { Length: > 0 and <= 64 }).WithErrorCode(GroupErrorNames.InviteHashInvalid);
}

internal sealed class JoinByInviteHandler(GroupChanges changes, StorageWriter writer, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<JoinByInviteCall, ChatChanged>
{
    public async ValueTask<ChatChanged> Handle(JoinByInviteCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var appends = new List<LogAppend>();
        var joined = await writer.WriteAsync(scope =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var invite = scope.Command("SELECT chat_id, expires_at, usage_limit, usage FROM message_invites WHERE code = @code");
            invite.Parameters.AddWithValue("@code", call.Code);
            long chatId;
            using (var reader = invite.ExecuteReader())
            {
                if (!reader.Read())
                {
                    throw MessengerError.BadRequest(GroupErrorNames.InviteHashInvalid);
                }

                chatId = reader.GetInt64(0);
                var expired = !reader.IsDBNull(1) && reader.GetInt64(1) <= now;
                var usedUp = !reader.IsDBNull(2) && reader.GetInt32(3) >= reader.GetInt32(2);
                if (expired || usedUp)
                {
                    throw MessengerError.BadRequest(GroupErrorNames.InviteHashExpired);
                }
            }

            var chat = GroupStore.Chat(scope, chatId) ?? throw MessengerError.BadRequest(GroupErrorNames.InviteHashInvalid);
            if (GroupStore.RoleOf(scope, chatId, me) is not null)
            {
                throw MessengerError.BadRequest(GroupErrorNames.UserAlreadyParticipant);
            }

            if (GroupStore.IsBanned(scope, chatId, me))
            {
                throw MessengerError.Forbidden(GroupErrorNames.UserBannedInChat);
            }

            scope.Execute("UPDATE message_invites SET usage = usage + 1 WHERE code = @code", ("@code", call.Code));
            changes.AddMembers(scope, chatId, chat.Kind, me, [me], now, appends);
            return changes.Record(scope, chatId, me, new ServiceAction(ServiceActions.JoinByInvite, [me]), now, appends, joined: [me], left: []);
        }, cancellationToken);

        await bus.Publish(new UpdatesAppendedEvent(appends), CancellationToken.None);
        return joined;
    }
}
