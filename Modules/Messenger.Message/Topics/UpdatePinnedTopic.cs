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

namespace Messenger.Message.Topics;

internal sealed class UpdatePinnedTopicValidator : AbstractValidator<UpdatePinnedTopicCall>
{
    public UpdatePinnedTopicValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        // General is no stored topic: it is listed first already and cannot be pinned.
        RuleFor(c => c.TopicId).GreaterThan(0).WithErrorCode(TopicErrorNames.TopicIdInvalid);
    }
}

/// <summary>
/// Pins a topic to the top of its forum's list, or unpins it (admins, and members when the group's <c>manage_topics</c>
/// lets them, as for opening topics). The service message <c>topic_edit</c> with <c>pinned</c> is posted in the topic:
/// it is what tells the members' clients to read the list again, as for any other change of a topic.
/// </summary>
internal sealed class UpdatePinnedTopicHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<UpdatePinnedTopicCall, SentMessage>
{
    public async ValueTask<SentMessage> Handle(UpdatePinnedTopicCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        if (target.IsPrivate)
        {
            throw MessengerError.BadRequest(TopicErrorNames.ChatNotForum);
        }

        var sent = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var chat = Delivery.OpenForPosting(scope, me, target, now, ChatRights.None);
            if (!chat.Forum)
            {
                throw MessengerError.BadRequest(TopicErrorNames.ChatNotForum);
            }

            GroupChanges.RequireRight(scope, chat.ChatId, chat.Role, ChatRights.ManageTopics);
            var topic = TopicStore.Find(scope, chat.ChatId, call.TopicId) ?? throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid);
            if (topic.Pinned == call.Pinned)
            {
                throw MessengerError.BadRequest(TopicErrorNames.TopicNotModified);
            }

            TopicStore.Pin(scope, chat.ChatId, topic.Id, call.Pinned);
            var posted = Delivery.Post(scope, log, chat with { TopicId = topic.Id }, me, Delivery.ServiceRandomId(), "", null,
                new ServiceAction(ServiceActions.TopicEdit, [], Pinned: call.Pinned), now);
            appends.AddRange(posted.Appends);
            return new SentMessage(posted.Message, posted.Answer.Pts, posted.Answer.PtsCount, posted.Channel);
        }, cancellationToken, caller.ConnectionId);
        return sent;
    }
}
