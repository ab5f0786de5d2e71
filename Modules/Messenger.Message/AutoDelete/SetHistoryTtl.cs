using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Groups;
using Messenger.Message.Sending;
using Messenger.Message.Storage;

namespace Messenger.Message.AutoDelete;

internal sealed class SetHistoryTtlValidator : AbstractValidator<SetHistoryTtlCall>
{
    public SetHistoryTtlValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Period).Must(p => p == 0 || p is >= HistoryTtl.Min and <= HistoryTtl.Max).WithErrorCode(MessageErrorNames.TtlPeriodInvalid);
    }
}

/// <summary>
/// A chat's auto-delete period (<c>message_chats.ttl_period</c>): set in the unit that posts the <c>set_ttl</c> service
/// message, so every message posted after it in the writer's order carries it (<see cref="Delivery.Post"/>) and none
/// before it does. Posting rights apply (blocks, a deleted peer); in a group only admins set it.
/// <see cref="MessageExpiry"/> deletes what expires.
/// </summary>
internal sealed class SetHistoryTtlHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<SetHistoryTtlCall, SentMessage>
{
    public async ValueTask<SentMessage> Handle(SetHistoryTtlCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        var sent = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            if (!target.IsPrivate)
            {
                GroupChanges.RequireAdmin(GroupStore.RoleOf(scope, target.ChatId, me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound));
            }

            var chat = Delivery.OpenForPosting(scope, me, target, now, ChatRights.None);
            if (MessageStore.TtlPeriod(scope, chat.ChatId) == call.Period)
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatNotModified);
            }

            scope.Execute("UPDATE message_chats SET ttl_period = @period WHERE id = @chat", ("@period", call.Period), ("@chat", chat.ChatId));
            var posted = Delivery.Post(scope, log, chat, me, Delivery.ServiceRandomId(), "", null,
                new ServiceAction(ServiceActions.SetTtl, [], Period: call.Period), now);
            appends.AddRange(posted.Appends);
            return new SentMessage(posted.Message, posted.Answer.Pts, posted.Answer.PtsCount, posted.Channel);
        }, cancellationToken, caller.ConnectionId);
        return sent;
    }
}
