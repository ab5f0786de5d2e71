using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Reading;

internal sealed class GetHistoryValidator : AbstractValidator<GetHistoryCall>
{
    public const int MaxLimit = 100;

    public GetHistoryValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.OffsetId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, MaxLimit).WithErrorCode(MessageErrorNames.LimitInvalid);
        RuleFor(c => c.TopicId).Must(t => t is null or >= 0).WithErrorCode(Contracts.Messages.TopicErrorNames.TopicIdInvalid);
    }
}

/// <summary>A chat's history, newest first; with a topic, a forum's one topic (0: General, the messages outside topics).</summary>
internal sealed class GetHistoryHandler(Chats.ChatResolver chats, MessageStore store, Topics.TopicStore topics, ISender bus, RpcContext caller)
    : IRequestHandler<GetHistoryCall, MessageList>
{
    public async ValueTask<MessageList> Handle(GetHistoryCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (call.TopicId is { } topicId)
        {
            if (target.IsPrivate || topics.Chat(target.ChatId) is not { Forum: true } || (topicId != 0 && !topics.Exists(target.ChatId, topicId)))
            {
                throw MessengerError.BadRequest(Contracts.Messages.TopicErrorNames.TopicIdInvalid);
            }

            return store.TopicHistory(me, target.ChatId, topicId, call.OffsetId, call.Limit);
        }

        return target.ChatId == 0 ? new MessageList([]) : store.History(me, target.ChatId, call.OffsetId, call.Limit);
    }
}

internal sealed class GetRepliesValidator : AbstractValidator<GetRepliesCall>
{
    public GetRepliesValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.MessageId).GreaterThan(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
        RuleFor(c => c.OffsetId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, GetHistoryValidator.MaxLimit).WithErrorCode(MessageErrorNames.LimitInvalid);
    }
}

/// <summary>A message's thread: the messages answering it, oldest first, as the caller sees them.</summary>
internal sealed class GetRepliesHandler(Chats.ChatResolver chats, MessageStore store, ISender bus, RpcContext caller)
    : IRequestHandler<GetRepliesCall, MessageList>
{
    public async ValueTask<MessageList> Handle(GetRepliesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        return (target.ChatId == 0 ? null : store.Replies(me, target.ChatId, call.MessageId, call.OffsetId, call.Limit))
            ?? throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
    }
}

internal sealed class GetUnreadMentionsValidator : AbstractValidator<GetUnreadMentionsCall>
{
    public GetUnreadMentionsValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.OffsetId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, GetHistoryValidator.MaxLimit).WithErrorCode(MessageErrorNames.LimitInvalid);
    }
}

internal sealed class GetUnreadMentionsHandler(Chats.ChatResolver chats, MessageStore store, ISender bus, RpcContext caller)
    : IRequestHandler<GetUnreadMentionsCall, MessageList>
{
    public async ValueTask<MessageList> Handle(GetUnreadMentionsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        return target.IsPrivate ? new MessageList([]) : store.UnreadMentions(me, target.ChatId, call.OffsetId, call.Limit);
    }
}

internal sealed class GetDialogsValidator : AbstractValidator<GetDialogsCall>
{
    public const int MaxLimit = 100;

    public GetDialogsValidator()
    {
        RuleFor(c => c.Offset).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, MaxLimit).WithErrorCode(MessageErrorNames.LimitInvalid);
    }
}

internal sealed class GetDialogsHandler(MessageStore store, RpcContext caller) : IRequestHandler<GetDialogsCall, Dialogs>
{
    public ValueTask<Dialogs> Handle(GetDialogsCall call, CancellationToken cancellationToken)
    {
        var (dialogs, total) = store.Dialogs(caller.RequireUserId(), call.Offset, call.Limit);
        return ValueTask.FromResult(new Dialogs([.. dialogs], total));
    }
}

internal sealed class GetPeerDialogsValidator : AbstractValidator<GetPeerDialogsCall>
{
    public GetPeerDialogsValidator()
    {
        RuleFor(c => c.Peers).Must(peers => peers is { Length: > 0 and <= PeerDialogLimits.MaxPeers }).WithErrorCode(MessageErrorNames.LimitInvalid);
        RuleForEach(c => c.Peers).ValidPeer();
    }
}

/// <summary>The caller's chat-list rows for the given peers: those they have no row for are left out, as they are
/// missing from <c>messages.getDialogs</c>.</summary>
internal sealed class GetPeerDialogsHandler(MessageStore store, RpcContext caller) : IRequestHandler<GetPeerDialogsCall, Dialogs>
{
    public ValueTask<Dialogs> Handle(GetPeerDialogsCall call, CancellationToken cancellationToken)
    {
        var dialogs = store.PeerDialogs(caller.RequireUserId(), call.Peers);
        return ValueTask.FromResult(new Dialogs([.. dialogs], dialogs.Count));
    }
}
