using Mediator;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Groups;

/// <summary>What the Queue and Update modules ask about group chats, answered from the cached directory.</summary>
internal sealed class ChatQueries(ChatDirectory directory, GroupStore store)
    : IRequestHandler<GetChatMembersQuery, long[]>, IRequestHandler<GetUserChannelsQuery, long[]>, IRequestHandler<CanReadChatLogQuery, bool>
{
    public ValueTask<long[]> Handle(GetChatMembersQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(directory.Get(query.ChatId)?.MemberIds ?? []);

    public ValueTask<long[]> Handle(GetUserChannelsQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(store.ChannelsOf(query.UserId));

    public ValueTask<bool> Handle(CanReadChatLogQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(directory.Get(query.ChatId) is { HasOwnLog: true } chat && chat.RoleOf(query.UserId) is not null);
}
