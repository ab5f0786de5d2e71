using Mediator;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Groups;

/// <summary>What the Queue and Update modules ask about group chats, answered from the cached directory.</summary>
internal sealed class ChatQueries(ChatDirectory directory, GroupStore store, MessageStore messages)
    : IRequestHandler<GetChatMembersQuery, long[]>, IRequestHandler<GetUserChannelsQuery, long[]>, IRequestHandler<CanReadChatLogQuery, bool>,
        IRequestHandler<GetOwnRandomIdsQuery, IReadOnlyDictionary<long, long>>
{
    public ValueTask<IReadOnlyDictionary<long, long>> Handle(GetOwnRandomIdsQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyDictionary<long, long>>(messages.RandomIdsOf(query.UserId, query.ChatId, query.MessageIds));

    public ValueTask<long[]> Handle(GetChatMembersQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(directory.Get(query.ChatId)?.MemberIds ?? []);

    public ValueTask<long[]> Handle(GetUserChannelsQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(store.ChannelsOf(query.UserId));

    public ValueTask<bool> Handle(CanReadChatLogQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(directory.Get(query.ChatId) is { HasOwnLog: true } chat && chat.RoleOf(query.UserId) is not null);
}
