using Mediator;
using Messenger.Kernel.ServerInfo;
using Messenger.Kernel.Storage;

namespace Messenger.Message.Chats;

/// <summary>For <c>admin.getServerStats</c>: the messages stored (a full count: admins ask rarely) and the chats.</summary>
internal sealed class MessageStatsHandler(SqliteDatabase database) : IRequestHandler<MessageStatsQuery, MessageStats>
{
    public ValueTask<MessageStats> Handle(MessageStatsQuery query, CancellationToken cancellationToken)
    {
        var (messages, chats) = database.ReadTwoNumbers("SELECT (SELECT count(*) FROM message_messages), (SELECT count(*) FROM message_chats)");
        return ValueTask.FromResult(new MessageStats(messages, chats));
    }
}
