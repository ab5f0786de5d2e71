using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Pinning;

/// <summary>
/// A chat's pinned messages (<c>message_pins</c>), inside a writer unit: ordered by message id, the newest message
/// first. Every change is told to the chat's audience as one <c>pinned_message</c> entry carrying the ids changed, the
/// newest pinned message now (what a client that knows one pinned message shows) and the count.
/// </summary>
internal static class MessagePins
{
    public static long Newest(WriteScope scope, long chatId) =>
        scope.Scalar("SELECT max(msg_id) FROM message_pins WHERE chat_id = @chat", ("@chat", chatId)) as long? ?? 0;

    public static int Count(WriteScope scope, long chatId) =>
        Convert.ToInt32(scope.Scalar("SELECT count(*) FROM message_pins WHERE chat_id = @chat", ("@chat", chatId)));

    public static bool IsPinned(WriteScope scope, long chatId, long messageId) =>
        scope.Scalar("SELECT 1 FROM message_pins WHERE chat_id = @chat AND msg_id = @id", ("@chat", chatId), ("@id", messageId)) is not null;

    public static void Add(WriteScope scope, long chatId, long messageId, long now) =>
        scope.Execute("INSERT INTO message_pins (chat_id, msg_id, pinned_at) VALUES (@chat, @id, @at)", ("@chat", chatId), ("@id", messageId), ("@at", now));

    public static bool Remove(WriteScope scope, long chatId, long messageId) =>
        scope.Execute("DELETE FROM message_pins WHERE chat_id = @chat AND msg_id = @id", ("@chat", chatId), ("@id", messageId)) > 0;

    public static long[] RemoveAll(WriteScope scope, long chatId)
    {
        var ids = new List<long>();
        var command = scope.Command("SELECT msg_id FROM message_pins WHERE chat_id = @chat ORDER BY msg_id");
        command.Parameters.AddWithValue("@chat", chatId);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        scope.Execute("DELETE FROM message_pins WHERE chat_id = @chat", ("@chat", chatId));
        return [.. ids];
    }

    /// <summary>The newest pinned message <paramref name="userId"/> sees and how many pins they see: those of messages
    /// they did not delete for themselves, as the dialog list counts them (<see cref="MessageStore.PinnedJoin"/>,
    /// <see cref="MessageStore.PinnedCountColumn"/>). User 0 hid nothing: the chat's own newest pin and count.</summary>
    public static (long NewestId, int Count) SeenBy(WriteScope scope, long chatId, long userId)
    {
        var command = scope.Command(
            "SELECT max(pn.msg_id), count(*) FROM message_pins pn JOIN message_messages pm ON pm.id = pn.msg_id AND pm.deleted = 0 " +
            "WHERE pn.chat_id = @chat AND NOT EXISTS (SELECT 1 FROM message_hidden ph WHERE ph.user_id = @user AND ph.message_id = pn.msg_id)");
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@user", userId);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.GetInt32(1));
    }

    /// <summary>Appends <c>pinned_message</c> (<paramref name="ids"/> pinned or unpinned) to the log of every one of the
    /// chat's audience. The entry carries the newest pinned message's content, so it is marked with that message's id
    /// and redacted with it. A member log gets its owner's own view (<see cref="SeenBy"/>: a pin of a message they
    /// deleted for themselves is not shown back to them, and the count is theirs), as their dialog list has it; a large
    /// group's shared log gets the chat's, and its clients drop a pinned message they deleted.</summary>
    public static List<LogAppend> Announce(WriteScope scope, IUpdateLog log, ChatTarget chat, long me, long[] ids, bool pinned, long now)
    {
        var appends = new List<LogAppend>();
        foreach (var (owner, peer) in chat.Audience(scope, me))
        {
            var (newestId, count) = SeenBy(scope, chat.ChatId, LogOwners.IsChat(owner) ? 0 : owner);
            var newest = newestId == 0 ? null : MessageStore.FindVisible(scope, 0, chat.ChatId, newestId);
            appends.Add(new LogAppend(owner, log.Append(scope, owner, new PinnedMessageUpdate(peer, newest, ids, pinned, count), now, newest?.Id)));
        }

        return appends;
    }
}
