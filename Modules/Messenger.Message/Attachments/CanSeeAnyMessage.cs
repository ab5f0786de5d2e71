using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Messages;
using Messenger.Kernel.Storage;
using Messenger.Message.Storage;

namespace Messenger.Message.Attachments;

/// <summary>Answers the Media module before it serves a file: which one of the messages carrying it is visible to the user?
/// Visible means not deleted for everyone, not deleted by the user, and in a private chat the user is part of or a group
/// the user is a member of now.</summary>
internal sealed class FindVisibleMessageHandler(SqliteDatabase database) : IRequestHandler<FindVisibleMessageQuery, long?>
{
    public ValueTask<long?> Handle(FindVisibleMessageQuery query, CancellationToken cancellationToken)
    {
        if (query.MessageIds.Length == 0)
        {
            return ValueTask.FromResult<long?>(null);
        }

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT m.id FROM message_messages m WHERE m.id IN ({command.BindList("id", query.MessageIds)}) AND m.deleted = 0 " +
            "AND ((m.to_kind = @userKind AND (m.from_id = @user OR m.to_id = @user)) " +
            "OR (m.to_kind = @chatKind AND EXISTS (SELECT 1 FROM message_members mem WHERE mem.chat_id = m.chat_id AND mem.user_id = @user))) " +
            $"AND {MessageStore.NotHidden} LIMIT 1";
        command.Parameters.AddWithValue("@user", query.UserId);
        command.Parameters.AddWithValue("@userKind", (int)PeerKind.User);
        command.Parameters.AddWithValue("@chatKind", (int)PeerKind.Chat);

        return ValueTask.FromResult(command.ExecuteScalar() is long id ? id : (long?)null);
    }
}

/// <summary>Answers the Media module before it serves a group's photo: is the user a member of one of these groups now?</summary>
internal sealed class IsMemberOfAnyChatHandler(SqliteDatabase database) : IRequestHandler<IsMemberOfAnyChatQuery, bool>
{
    public ValueTask<bool> Handle(IsMemberOfAnyChatQuery query, CancellationToken cancellationToken)
    {
        if (query.ChatIds.Length == 0)
        {
            return ValueTask.FromResult(false);
        }

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT 1 FROM message_members WHERE user_id = @user AND chat_id IN ({command.BindList("chat", query.ChatIds)}) LIMIT 1";
        command.Parameters.AddWithValue("@user", query.UserId);

        return ValueTask.FromResult(command.ExecuteScalar() is not null);
    }
}
