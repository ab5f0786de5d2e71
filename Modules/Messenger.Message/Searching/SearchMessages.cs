using System.Text.RegularExpressions;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Searching;

internal sealed partial class SearchMessagesValidator : AbstractValidator<SearchMessagesCall>
{
    public const int MaxLimit = 100;
    public const int MaxWords = 16;

    public SearchMessagesValidator()
    {
        RuleFor(c => c.Query).Must((call, q) => call.HasFilter || Words(q).Count > 0).WithErrorCode(GroupErrorNames.SearchQueryEmpty);
        RuleFor(c => c.Limit).InclusiveBetween(1, MaxLimit).WithErrorCode(MessageErrorNames.LimitInvalid);
        RuleFor(c => c.OffsetId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Peer).Must(p => p is null || (p.Id > 0 && Enum.IsDefined(p.Kind))).WithErrorCode(MessageErrorNames.PeerIdInvalid);
        RuleFor(c => c.FromId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.UserIdInvalid);
        RuleFor(c => c.Filter).Must(f => SearchFilters.SharedKindOf(f) >= 0).WithErrorCode(GroupErrorNames.SearchFilterInvalid);
        // A topic is one forum's: without a peer it names nothing.
        RuleFor(c => c.TopicId).Must((call, t) => t is null || (t >= 0 && call.Peer is not null)).WithErrorCode(TopicErrorNames.TopicIdInvalid);
        RuleFor(c => c)
            .Must(c => c.MinDate >= 0 && c.MaxDate >= 0 && (c.MaxDate == 0 || c.MinDate <= c.MaxDate))
            .WithErrorCode(GroupErrorNames.DateRangeInvalid);
    }

    /// <summary>The query's words (letters and digits of any script), the first <see cref="MaxWords"/> (the rest of a
    /// longer query is left out, not refused: a pasted sentence still finds its message): nothing of the user's text
    /// reaches FTS5's query syntax except these, each quoted.</summary>
    public static List<string> Words(string? query) =>
        query is null ? [] : [.. WordPattern().Matches(query).Select(m => m.Value).Take(MaxWords)];

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();
}

/// <summary>Full-text search over the chats the caller can read now (their private chats, the groups they are a member of),
/// or over one of them, newest first, narrowed by sender, dates and kind; or, without words, those filters alone. A
/// sender that is nobody finds nothing, as one who never wrote there: deleted accounts' and webhook bots' messages stay
/// in their chats and are found by their author too, and user ids are no secret (<c>users.getUsers</c>). With a topic, a
/// forum's one topic (0: General), refused as <c>messages.getHistory</c> refuses it.</summary>
internal sealed class SearchMessagesHandler(Chats.ChatResolver chats, SearchStore store, Topics.TopicStore topics, ISender bus, RpcContext caller)
    : IRequestHandler<SearchMessagesCall, MessageList>
{
    public async ValueTask<MessageList> Handle(SearchMessagesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        long[] chatIds;
        if (call.Peer is not null)
        {
            var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
            if (call.TopicId is { } topicId
                && (target.IsPrivate || topics.Chat(target.ChatId) is not { Forum: true } || (topicId != 0 && !topics.Exists(target.ChatId, topicId))))
            {
                throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid);
            }

            chatIds = target.ChatId == 0 ? [] : [target.ChatId];
        }
        else
        {
            chatIds = store.ReadableChats(me);
        }

        return chatIds.Length == 0
            ? new MessageList([])
            : store.Search(
                me,
                SearchMessagesValidator.Words(call.Query),
                chatIds,
                new SearchFilter(call.FromId, call.MinDate, call.MaxDate, SearchFilters.SharedKindOf(call.Filter), call.TopicId),
                call.OffsetId,
                call.Limit);
    }
}
