using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Message.Chats;
using Messenger.Message.Sending;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;

namespace Messenger.Message.Pinning;

internal sealed class UnpinAllMessagesValidator : AbstractValidator<UnpinAllMessagesCall>
{
    public UnpinAllMessagesValidator() => RuleFor(c => c.Peer).ValidPeer();
}

/// <summary>Takes every pinned message of the chat off the list, as one <c>pinned_message</c> entry (no service message:
/// Telegram posts none either). Who may: as for a pin (<see cref="PinRights"/>).</summary>
internal sealed class UnpinAllMessagesHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<UnpinAllMessagesCall, AffectedMessages>
{
    public async ValueTask<AffectedMessages> Handle(UnpinAllMessagesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            return new AffectedMessages(log.CurrentPts(me), 0);
        }

        var affected = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var chat = PinRights.Open(scope, me, target, clock.GetUtcNow().ToUnixTimeSeconds());
            var answerOwner = chat.AnswerLog(me);
            var ids = MessagePins.RemoveAll(scope, chat.ChatId);
            if (ids.Length == 0)
            {
                return new AffectedMessages(log.CurrentPts(scope, answerOwner), 0, chat.HasOwnLog);
            }

            appends.AddRange(MessagePins.Announce(scope, log, chat, me, ids, pinned: false, clock.GetUtcNow().ToUnixTimeSeconds()));
            var mine = appends.Find(a => a.OwnerId == answerOwner).Update;
            return new AffectedMessages(mine.Pts, mine.PtsCount, chat.HasOwnLog);
        }, cancellationToken, caller.ConnectionId);

        return affected;
    }
}
