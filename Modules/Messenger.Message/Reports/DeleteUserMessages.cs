using FluentValidation;
using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Chats;
using Messenger.Message.Editing;
using Messenger.Message.Scheduling;
using Messenger.Message.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Message.Reports;

internal sealed class DeleteUserMessagesValidator : AbstractValidator<DeleteUserMessagesCall>
{
    public DeleteUserMessagesValidator() => RuleFor(c => c.UserId).GreaterThan(0).WithErrorCode(MessageErrorNames.UserIdInvalid);
}

/// <summary>
/// A server admin deletes everything a user posted, everywhere, as the user would revoke it (and the messages they
/// scheduled): a batch of their messages (chat by chat, by the <c>(from_id, chat_id, id)</c> index) per writer unit, so a spammer's thousands of messages never hold the
/// writer for long, each batch's changes told to the chats' audiences before the next.
/// </summary>
internal sealed class DeleteUserMessagesHandler(
    StorageWriter writer, LoggedWriter logged, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller, TimeProvider clock,
    ILogger<DeleteUserMessagesHandler> logger, ChatList.LargeGroupUnread largeGroupUnread)
    : IRequestHandler<DeleteUserMessagesCall, UserMessagesDeleted>
{
    /// <summary>Messages revoked in one writer unit.</summary>
    public const int BatchSize = 50;

    public async ValueTask<UserMessagesDeleted> Handle(DeleteUserMessagesCall call, CancellationToken cancellationToken)
    {
        var admin = await ServerAdmin.RequireAsync(caller, bus, cancellationToken);
        // Messages waiting to be sent go first, so none of them goes out while the rest are deleted.
        await writer.WriteAsync(scope => ScheduledMessagesHandler.ForgetUser(scope, media, call.UserId), cancellationToken);
        var deleted = 0;
        var after = (ChatId: 0L, Id: 0L);
        while (true)
        {
            var (count, last) = await logged.WriteAsync(bus, (scope, appends) => RevokeBatch(scope, call.UserId, after, appends), cancellationToken);

            deleted += count;
            if (last is not { } next)
            {
                break;
            }

            after = next;
        }

        logger.LogInformation("Admin {AdminId} deleted {Count} messages of user {UserId}", admin, deleted, call.UserId);
        await bus.Publish(new AdminActionTakenEvent(clock.GetUtcNow().ToUnixTimeSeconds(), admin, AuditActions.DeleteUserMessages, call.UserId,
            $"{deleted} messages"), CancellationToken.None);
        return new UserMessagesDeleted(deleted);
    }

    /// <summary>Revokes the user's next messages after <paramref name="after"/>: how many, and the last one looked at
    /// (null when there were none left).</summary>
    private (int Count, (long ChatId, long Id)? Last) RevokeBatch(WriteScope scope, long userId, (long ChatId, long Id) after, List<LogAppend> appends)
    {
        var rows = ReportStore.PostedBy(scope, userId, after, BatchSize);
        if (rows.Count == 0)
        {
            return (0, null);
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var revoked = 0;
        foreach (var chat in rows.GroupBy(r => (r.ChatId, r.ToPeer)))
        {
            // A group that is gone has nobody to delete its messages from.
            if (ChatTarget.OfMessage(scope, chat.Key.ChatId, chat.Key.ToPeer) is { } target)
            {
                var ids = chat.Select(r => r.Id).Order().ToArray();
                appends.AddRange(MessageDeletion.Revoke(scope, log, media, largeGroupUnread, target, userId, ids, now));
                revoked += ids.Length;
            }
        }

        return (revoked, (rows[^1].ChatId, rows[^1].Id));
    }
}
