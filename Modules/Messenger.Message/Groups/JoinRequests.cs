using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Storage;

namespace Messenger.Message.Groups;

internal sealed class GetJoinRequestsValidator : AbstractValidator<GetJoinRequestsCall>
{
    public GetJoinRequestsValidator()
    {
        RuleFor(c => c.Offset).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, 200).WithErrorCode(MessageErrorNames.LimitInvalid);
    }
}

/// <summary>
/// Requests to join by a link that needs an admin's approval (<c>message_join_requests</c>, one per user and chat):
/// admins list them and approve (the user joins as by a link, the service message <c>join_by_request</c> posted as
/// them) or decline them (nothing is said to the user, as Telegram does). Each change of a chat's requests tells its
/// admins how many wait (<c>pending_join_requests</c> in their own logs), so their apps can show it.
/// </summary>
internal sealed class JoinRequestsHandler(
    GroupChanges changes, Chats.ChatDirectory directory, LoggedWriter writer, SqliteDatabase database, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<GetJoinRequestsCall, JoinRequests>, IRequestHandler<HideJoinRequestCall, Done>
{
    public ValueTask<JoinRequests> Handle(GetJoinRequestsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        GroupChanges.RequireAdmin(directory.Get(call.ChatId)?.RoleOf(me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound));
        using var connection = database.Open();
        using var page = connection.CreateCommand();
        page.CommandText = "SELECT user_id, date FROM message_join_requests WHERE chat_id = @chat ORDER BY date, user_id LIMIT @limit OFFSET @offset";
        page.Parameters.AddWithValue("@chat", call.ChatId);
        page.Parameters.AddWithValue("@limit", call.Limit);
        page.Parameters.AddWithValue("@offset", call.Offset);
        var requests = new List<JoinRequest>();
        using (var reader = page.ExecuteReader())
        {
            while (reader.Read())
            {
                requests.Add(new JoinRequest(reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM message_join_requests WHERE chat_id = @chat";
        count.Parameters.AddWithValue("@chat", call.ChatId);
        return ValueTask.FromResult(new JoinRequests([.. requests], Convert.ToInt32(count.ExecuteScalar())));
    }

    public async ValueTask<Done> Handle(HideJoinRequestCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var (kind, role) = changes.RequireMember(scope, call.ChatId, me);
            GroupChanges.RequireAdmin(role);
            if (!JoinRequestStore.Requested(scope, call.ChatId, call.UserId))
            {
                throw MessengerError.BadRequest(GroupErrorNames.HideRequesterMissing);
            }

            // Approving adds the user, which drops the request and tells the admins (AddMembers); so does declining here.
            if (call.Approved && GroupStore.RoleOf(scope, call.ChatId, call.UserId) is null)
            {
                changes.AddMembers(scope, call.ChatId, kind, call.UserId, [call.UserId], now, appends);
                changes.Record(scope, call.ChatId, call.UserId, new ServiceAction(ServiceActions.JoinByRequest, [call.UserId]), now, appends,
                    joined: [call.UserId], left: [], members: [new Chats.MemberChange(call.UserId, MemberRole.Member)]);
            }
            else
            {
                JoinRequestStore.Drop(scope, changes.Log, call.ChatId, [call.UserId], now, appends);
            }
        }, cancellationToken);
        return new Done();
    }
}

/// <summary>The rows of <c>message_join_requests</c> and the admins' count of them, inside a writer unit.</summary>
internal static class JoinRequestStore
{
    /// <summary>Keeps <paramref name="userId"/>'s request to join (made by <paramref name="code"/>); tells the admins when it
    /// is new. False when it was there already.</summary>
    public static bool Add(WriteScope scope, IUpdateLog log, long chatId, long userId, string code, long now, List<LogAppend> appends)
    {
        if (scope.Execute("INSERT OR IGNORE INTO message_join_requests (chat_id, user_id, date, code) VALUES (@chat, @user, @now, @code)",
                ("@chat", chatId), ("@user", userId), ("@now", now), ("@code", code)) == 0)
        {
            return false;
        }

        Announce(scope, log, chatId, now, appends);
        return true;
    }

    /// <summary>The users' requests are answered (they joined, or were declined): gone, and the admins told if any was there.</summary>
    public static void Drop(WriteScope scope, IUpdateLog log, long chatId, IEnumerable<long> userIds, long now, List<LogAppend> appends)
    {
        // Every added member passes here (a group's creation with all its members too): most chats have no requests.
        if (scope.Scalar("SELECT 1 FROM message_join_requests WHERE chat_id = @chat LIMIT 1", ("@chat", chatId)) is null)
        {
            return;
        }

        var dropped = userIds.Sum(user =>
            scope.Execute("DELETE FROM message_join_requests WHERE chat_id = @chat AND user_id = @user", ("@chat", chatId), ("@user", user)));
        if (dropped > 0)
        {
            Announce(scope, log, chatId, now, appends);
        }
    }

    public static bool Requested(WriteScope scope, long chatId, long userId) =>
        scope.Scalar("SELECT 1 FROM message_join_requests WHERE chat_id = @chat AND user_id = @user", ("@chat", chatId), ("@user", userId)) is not null;

    /// <summary>A deleted account's requests go (the admins' count catches up at the chat's next change or listing).</summary>
    public static void ForgetUser(WriteScope scope, long userId) =>
        scope.Execute("DELETE FROM message_join_requests WHERE user_id = @user", ("@user", userId));

    /// <summary>Appends the chat's count and latest requesters to each admin's own log.</summary>
    private static void Announce(WriteScope scope, IUpdateLog log, long chatId, long now, List<LogAppend> appends)
    {
        var count = Convert.ToInt32(scope.Scalar("SELECT count(*) FROM message_join_requests WHERE chat_id = @chat", ("@chat", chatId)));
        var recent = scope.Command("SELECT user_id FROM message_join_requests WHERE chat_id = @chat ORDER BY date DESC, user_id DESC LIMIT @limit");
        recent.Parameters.AddWithValue("@chat", chatId);
        recent.Parameters.AddWithValue("@limit", InviteLimits.RecentRequesters);
        var update = new PendingJoinRequestsUpdate(chatId, count, [.. recent.ReadInt64Column()]);
        foreach (var admin in GroupStore.AdminIds(scope, chatId))
        {
            appends.Add(new LogAppend(admin, log.Append(scope, admin, update, now)));
        }
    }
}
