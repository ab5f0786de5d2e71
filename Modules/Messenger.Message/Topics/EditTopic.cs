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

internal sealed class EditTopicValidator : AbstractValidator<EditTopicCall>
{
    public EditTopicValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.TopicId).GreaterThan(0).WithErrorCode(TopicErrorNames.TopicIdInvalid);
        RuleFor(c => c.Title).Must(t => t is null || TopicRules.TitleIsValid(t)).WithErrorCode(TopicErrorNames.TopicTitleInvalid);
        RuleFor(c => c.IconColor).Must(TopicRules.ColorIsValid).WithErrorCode(TopicErrorNames.TopicIconColorInvalid);
    }
}

/// <summary>
/// Renames, recolours, closes or reopens a topic (its creator, while a member, or an admin). The service message
/// <c>topic_edit</c>, carrying what changed, is posted in the topic, so its readers see it where they read.
/// </summary>
internal sealed class EditTopicHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<EditTopicCall, SentMessage>
{
    public async ValueTask<SentMessage> Handle(EditTopicCall call, CancellationToken cancellationToken)
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

            var topic = TopicStore.Find(scope, chat.ChatId, call.TopicId) ?? throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid);
            if (chat.Role == MemberRole.Member && topic.CreatorId != me)
            {
                throw MessengerError.Forbidden(GroupErrorNames.ChatAdminRequired);
            }

            var title = call.Title?.Trim();
            var edited = topic with { Title = title ?? topic.Title, IconColor = call.IconColor ?? topic.IconColor, Closed = call.Closed ?? topic.Closed };
            if (edited == topic)
            {
                throw MessengerError.BadRequest(TopicErrorNames.TopicNotModified);
            }

            TopicStore.Update(scope, edited);
            var action = new ServiceAction(ServiceActions.TopicEdit, [],
                edited.Title != topic.Title ? edited.Title : null,
                IconColor: edited.IconColor != topic.IconColor ? edited.IconColor : null,
                Closed: edited.Closed != topic.Closed ? edited.Closed : null);
            var posted = Delivery.Post(scope, log, chat with { TopicId = topic.Id }, me, Delivery.ServiceRandomId(), "", null, action, now);
            appends.AddRange(posted.Appends);
            return new SentMessage(posted.Message, posted.Answer.Pts, posted.Answer.PtsCount, posted.Channel);
        }, cancellationToken, caller.ConnectionId);
        return sent;
    }
}
