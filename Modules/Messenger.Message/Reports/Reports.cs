using FluentValidation;
using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Text;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Chats;
using Messenger.Message.Editing;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Message.Reports;

internal sealed class ReportMessagesValidator : AbstractValidator<ReportMessagesCall>
{
    public ReportMessagesValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Ids).Must(ids => ids is { Length: > 0 and <= ReportLimits.MaxIds } && ids.All(id => id > 0))
            .WithErrorCode(MessageErrorNames.MessageIdsInvalid);
        RuleFor(c => c.Reason).Must(reason => ReportReasons.All.Contains(reason)).WithErrorCode(ReportErrorNames.ReportReasonInvalid);
        RuleFor(c => c.Comment).Must(comment => comment is null || comment.Trim().Length <= ReportLimits.MaxCommentLength)
            .WithErrorCode(ReportErrorNames.ReportCommentTooLong);
        RuleFor(c => c.Comment).Must(TextRules.IsCleanText).WithErrorCode(ReportErrorNames.ReportCommentInvalid);
    }
}

/// <summary>
/// A user tells the server's admins about messages they can see: each is copied into its report as it is now (text or
/// a poll's question, a file's kind and name), so the admins judge what was reported even if it is edited or deleted
/// later. A message is reported once per user (a second report of it is no new one).
/// </summary>
internal sealed class ReportMessagesHandler(
    Chats.ChatResolver chats, LoggedWriter writer, OpenReports reports, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock,
    ILogger<ReportMessagesHandler> logger)
    : IRequestHandler<ReportMessagesCall, ReportsFiled>
{
    public async ValueTask<ReportsFiled> Handle(ReportMessagesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, call.Ids.Length);
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var comment = string.IsNullOrWhiteSpace(call.Comment) ? null : call.Comment.Trim();
        var filed = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var ids = call.Ids.Distinct().ToArray();
            var messages = MessageStore.VisibleMessages(scope, me, target.ChatId, ids);
            if (messages.Count != ids.Length || messages.Any(m => m.FromId == me || m.Action is not null))
            {
                throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var count = messages.Sum(message => ReportStore.File(scope, me, target.ChatId, message, call.Reason, comment, now));
            if (count > 0)
            {
                reports.Announce(scope, now, appends);
            }

            return count;
        }, cancellationToken);

        if (filed > 0)
        {
            logger.LogInformation("User {UserId} reported {Count} messages of chat {ChatId} for {Reason}", me, filed, target.ChatId, call.Reason);
        }

        return new ReportsFiled(filed);
    }
}

internal sealed class GetReportsValidator : AbstractValidator<GetReportsCall>
{
    public GetReportsValidator()
    {
        RuleFor(c => c.OffsetId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, 100).WithErrorCode(MessageErrorNames.LimitInvalid);
    }
}

internal sealed class ResolveReportValidator : AbstractValidator<ResolveReportCall>
{
    public ResolveReportValidator() =>
        RuleFor(c => c.Action).Must(action => action is ReportActions.Dismiss or ReportActions.DeleteMessage)
            .WithErrorCode(ReportErrorNames.ReportActionInvalid);
}

/// <summary>
/// The server admins' side of reports: the open (or resolved) ones, newest first; dismissing one; deleting the reported
/// message for everyone, as its author would revoke it, which resolves every open report of it. Each resolution goes into
/// the audit log (the Session module's, after this unit).
/// </summary>
internal sealed class ReportsAdministration(
    SqliteDatabase database, LoggedWriter writer, IUpdateLog log, IMediaAttachments media, OpenReports reports, IMediator bus, RpcContext caller,
    TimeProvider clock, ChatList.LargeGroupUnread largeGroupUnread)
    : IRequestHandler<GetReportsCall, ReportList>, IRequestHandler<ResolveReportCall, Report>
{
    public async ValueTask<ReportList> Handle(GetReportsCall call, CancellationToken cancellationToken)
    {
        await RequireAdminAsync(cancellationToken);
        using var connection = database.Open();
        return ReportStore.Page(connection, call.Resolved, call.OffsetId, call.Limit);
    }

    public async ValueTask<Report> Handle(ResolveReportCall call, CancellationToken cancellationToken)
    {
        var admin = await RequireAdminAsync(cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var resolved = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var report = ReportStore.Find(scope, call.Id) ?? throw MessengerError.NotFound(ReportErrorNames.ReportIdInvalid);
            if (report.State != ReportActions.Open)
            {
                throw MessengerError.BadRequest(ReportErrorNames.ReportAlreadyResolved);
            }

            if (call.Action == ReportActions.Dismiss)
            {
                ReportStore.Resolve(scope, "id = @id", report.Id, ReportStore.Dismissed, admin, now);
            }
            else
            {
                if (ReportStore.StoredMessage(scope, report.ChatId, report.MessageId) is { } stored && ChatTarget.OfMessage(scope, report.ChatId, stored.ToPeer) is { } target)
                {
                    appends.AddRange(MessageDeletion.Revoke(scope, log, media, largeGroupUnread, target, stored.FromId, [report.MessageId], now));
                }

                ReportStore.Resolve(scope, "message_id = @id AND state = 0", report.MessageId, ReportStore.Deleted, admin, now);
            }

            reports.Announce(scope, now, appends);

            return ReportStore.Find(scope, call.Id)!;
        }, cancellationToken);

        var audited = call.Action == ReportActions.Dismiss ? AuditActions.DismissReport : AuditActions.DeleteReportedMessage;
        await bus.Publish(new AdminActionTakenEvent(now, admin, audited, resolved.FromId,
            $"report {resolved.Id}: message {resolved.MessageId} of chat {resolved.ChatId}, {resolved.Reason}"), CancellationToken.None);
        return resolved;
    }

    private ValueTask<long> RequireAdminAsync(CancellationToken cancellationToken) => ServerAdmin.RequireAsync(caller, bus, cancellationToken);
}

/// <summary>The server's admins are the Session module's to know: asked over the bus by this module's <c>admin.*</c>
/// methods.</summary>
internal static class ServerAdmin
{
    /// <summary>The caller's user id when they are a server admin; 403 <c>ADMIN_REQUIRED</c> otherwise.</summary>
    public static async ValueTask<long> RequireAsync(RpcContext caller, ISender bus, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        return await bus.Send(new IsServerAdminQuery(me), cancellationToken) ? me : throw MessengerError.Forbidden(SessionErrorNames.AdminRequired);
    }
}
