using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Message.Chats;
using Messenger.Message.Reading;

namespace Messenger.Message.Topics;

internal sealed class GetForumTopicsValidator : AbstractValidator<GetForumTopicsCall>
{
    public GetForumTopicsValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.OffsetDate).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.OffsetId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, GetHistoryValidator.MaxLimit).WithErrorCode(MessageErrorNames.LimitInvalid);
        RuleFor(c => c.Query)
            .Must(q => q is null || (q.Trim().Length is >= 1 and <= TopicColors.MaxTitleLength && !q.Any(char.IsControl)))
            .WithErrorCode(SessionErrorNames.SearchQueryInvalid);
    }
}

/// <summary>A forum's topics by last activity, General first on the first page, with the reader's unread counts.</summary>
internal sealed class GetForumTopicsHandler(Chats.ChatResolver chats, TopicStore store, ISender bus, RpcContext caller)
    : IRequestHandler<GetForumTopicsCall, ForumTopics>
{
    public async ValueTask<ForumTopics> Handle(GetForumTopicsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.IsPrivate || store.Chat(target.ChatId) is not { Forum: true } chat)
        {
            throw MessengerError.BadRequest(TopicErrorNames.ChatNotForum);
        }

        var query = call.Query?.Trim();
        return store.List(me, target.ChatId, chat.CreatorId, chat.Date, call.OffsetDate, call.OffsetId, call.Limit, string.IsNullOrEmpty(query) ? null : query);
    }
}
