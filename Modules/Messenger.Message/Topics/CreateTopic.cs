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
using Messenger.Kernel.Text;

namespace Messenger.Message.Topics;

internal sealed class CreateTopicValidator : AbstractValidator<CreateTopicCall>
{
    public CreateTopicValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.RandomId).NotEqual(0).WithErrorCode(MessageErrorNames.RandomIdInvalid);
        RuleFor(c => c.Title).Must(TopicRules.TitleIsValid).WithErrorCode(TopicErrorNames.TopicTitleInvalid);
        RuleFor(c => c.IconColor).Must(TopicRules.ColorIsValid).WithErrorCode(TopicErrorNames.TopicIconColorInvalid);
    }
}

/// <summary>What a topic may be called and coloured.</summary>
internal static class TopicRules
{
    public static bool TitleIsValid(string? title) => TextRules.IsName(title, TopicColors.MaxTitleLength);

    public static bool ColorIsValid(int? color) => color is null || TopicColors.All.Contains(color.Value);
}

/// <summary>
/// Opens a topic in a forum (admins; members when the group's <c>manage_topics</c> lets them): the service message
/// <c>topic_create</c> is posted as any message (idempotent by random_id, the posting limit, the audience's logs — a
/// large group's own log), its id becomes the topic's, and it is the topic's first message.
/// </summary>
internal sealed class CreateTopicHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<CreateTopicCall, SentMessage>
{
    public async ValueTask<SentMessage> Handle(CreateTopicCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        if (target.IsPrivate)
        {
            throw MessengerError.BadRequest(TopicErrorNames.ChatNotForum);
        }

        var title = call.Title.Trim();
        var color = call.IconColor ?? TopicColors.All[0];
        var sent = await writer.WriteAsync(bus, (scope, appends) =>
        {
            if (MessageStore.FindByRandomId(scope, me, call.RandomId) is { } first)
            {
                return Delivery.Resent(first, target, me, log, scope);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var chat = Delivery.OpenForPosting(scope, me, target, now, ChatRights.None);
            if (!chat.Forum)
            {
                throw MessengerError.BadRequest(TopicErrorNames.ChatNotForum);
            }

            GroupChanges.RequireRight(scope, chat.ChatId, chat.Role, ChatRights.ManageTopics);
            var posted = Delivery.Post(scope, log, chat with { TopicId = TopicStore.OwnTopic }, me, call.RandomId, "", null,
                new ServiceAction(ServiceActions.TopicCreate, [], title, IconColor: color), now);
            TopicStore.Create(scope, chat.ChatId, posted.Message.Id, title, color, me, now);
            appends.AddRange(posted.Appends);
            return new SentMessage(posted.Message, posted.Answer.Pts, posted.Answer.PtsCount, posted.Channel);
        }, cancellationToken, caller.ConnectionId);

        return sent;
    }
}
