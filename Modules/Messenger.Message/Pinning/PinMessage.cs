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

namespace Messenger.Message.Pinning;

internal sealed class PinMessageValidator : AbstractValidator<PinMessageCall>
{
    public PinMessageValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Id).GreaterThan(0).When(c => !c.Unpin).WithErrorCode(MessageErrorNames.MessageIdInvalid);
        RuleFor(c => c.Id).GreaterThanOrEqualTo(0).When(c => c.Unpin).WithErrorCode(MessageErrorNames.MessageIdInvalid);
    }
}

/// <summary>
/// A chat's pinned messages (<see cref="MessagePins"/>), for everyone in it. A pin or unpin appends
/// <c>pinned_message</c> to the chat's audience (carrying the newest pinned message, so a revoke redacts it like any
/// copy of the text); a pin also posts the service message <c>pin_message</c> unless silent. Posting rights apply
/// (blocks, a deleted peer, channel posting), and in a large group or channel only admins pin. A revoke of a pinned
/// message unpins it (<see cref="Editing.MessageDeletion.Revoke"/>).
/// </summary>
internal sealed class PinMessageHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<PinMessageCall, PinResult>
{
    public async ValueTask<PinResult> Handle(PinMessageCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            // A private chat without messages has nothing to pin, and nothing pinned.
            return call.Unpin ? new PinResult(null, null, log.CurrentPts(me), 0) : throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var affected = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var chat = PinRights.Open(scope, me, target, now);
            // The caller is answered with the pins they see, as their dialog list shows them.
            PinResult Answer(Posted? posted, long pts, int ptsCount)
            {
                var (newestId, count) = MessagePins.SeenBy(scope, chat.ChatId, me);
                return new PinResult(MessageStore.FindVisible(scope, 0, chat.ChatId, newestId), posted?.Message, pts, ptsCount, chat.HasOwnLog, count);
            }

            PinResult Unchanged() => Answer(null, log.CurrentPts(scope, chat.AnswerLog(me)), 0);

            Posted? posted = null;
            if (call.Unpin)
            {
                var id = call.Id == 0 ? MessagePins.Newest(scope, chat.ChatId) : call.Id;
                if (id == 0 || !MessagePins.Remove(scope, chat.ChatId, id))
                {
                    return Unchanged();
                }

                appends.AddRange(MessagePins.Announce(scope, log, chat, me, [id], pinned: false, now));
            }
            else
            {
                var pinned = MessageStore.FindVisible(scope, me, chat.ChatId, call.Id) is { Action: null } found
                    ? found
                    : throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
                if (MessagePins.IsPinned(scope, chat.ChatId, pinned.Id))
                {
                    return Unchanged();
                }

                if (MessagePins.Count(scope, chat.ChatId) >= PinnedMessages.MaxPinned)
                {
                    throw MessengerError.BadRequest(MessageErrorNames.PinnedTooMuch);
                }

                MessagePins.Add(scope, chat.ChatId, pinned.Id, now);
                if (!call.Silent)
                {
                    // In a forum the record of the pin stands in the pinned message's topic, where its readers look.
                    var topic = chat.Forum && pinned.TopicId != 0 && Topics.TopicStore.Find(scope, chat.ChatId, pinned.TopicId) is not null ? pinned.TopicId : 0;
                    posted = Delivery.Post(scope, log, chat with { TopicId = topic }, me, Delivery.ServiceRandomId(), "", pinned.Id,
                        new ServiceAction(ServiceActions.PinMessage, []), now);
                    appends.AddRange(posted.Appends);
                }

                appends.AddRange(MessagePins.Announce(scope, log, chat, me, [pinned.Id], pinned: true, now));
            }

            // The caller's answer covers every entry this change put in the log it follows.
            var answerOwner = chat.AnswerLog(me);
            var mine = appends.Where(a => a.OwnerId == answerOwner).Select(a => a.Update).ToList();
            return Answer(posted, mine[^1].Pts, mine.Sum(u => u.PtsCount));
        }, cancellationToken, caller.ConnectionId);

        return affected;
    }
}

/// <summary>Who may change a chat's pinned messages: a poster of the chat (blocks, a deleted peer, channel posting) who,
/// in a group, holds the pin right (admins always; members where the group lets them).</summary>
internal static class PinRights
{
    public static ChatTarget Open(WriteScope scope, long me, ChatTarget target, long now)
    {
        if (!target.IsPrivate)
        {
            var role = GroupStore.RoleOf(scope, target.ChatId, me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
            GroupChanges.RequireRight(scope, target.ChatId, role, ChatRights.PinMessages);
        }

        return Delivery.OpenForPosting(scope, me, target, now, ChatRights.None);
    }
}
