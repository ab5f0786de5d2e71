using Mediator;
using Messenger.Kernel.Messages;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Users;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Mentions;

/// <summary>
/// A group member's unread mentions (<c>message_mentions</c>): a group message that names them (<c>@username</c>) or
/// answers one of theirs, until they read past it. Names are resolved before the post's unit (the Session module
/// answers); the unit keeps the members among them, so a name of someone outside the chat records nothing. Private
/// chats keep none: every message there is for the reader.
/// </summary>
internal static class UnreadMentions
{
    /// <summary>At most this many names of one message are looked up.</summary>
    public const int MaxNamesPerMessage = 20;

    /// <summary>The usernames <paramref name="text"/> mentions as its reader sees them (the markup's mentions: not an
    /// escaped <c>\@name</c>, nor one in code or a link's text), distinct, any case.</summary>
    public static string[] UsernamesIn(string? text) =>
        string.IsNullOrEmpty(text) ? [] : [.. MessageMarkup.Mentions(text).Take(MaxNamesPerMessage)];

    /// <summary>Before the unit: the accounts a group post names (none for a private chat, or a text without <c>@</c>).</summary>
    public static async ValueTask<long[]> ResolveAsync(ChatTarget target, string? text, ISender bus, CancellationToken cancellationToken) =>
        target.IsPrivate || UsernamesIn(text) is not { Length: > 0 } names ? [] : await bus.Send(new FindUsersByUsernameQuery(names), cancellationToken);

    /// <summary>Inside the post's unit: a mention for each member named, and for the author of the message answered.</summary>
    public static void Record(WriteScope scope, ChatTarget target, long me, long messageId, long? replyToId, IReadOnlyCollection<long> named)
    {
        if (target.IsPrivate)
        {
            return;
        }

        var users = new HashSet<long>(named);
        if (replyToId is { } answered
            && scope.Scalar("SELECT from_id FROM message_messages WHERE id = @id AND chat_id = @chat", ("@id", answered), ("@chat", target.ChatId)) is long author)
        {
            users.Add(author);
        }

        users.Remove(me);
        foreach (var user in users.Where(user => GroupStore.RoleOf(scope, target.ChatId, user) is not null))
        {
            scope.Execute("INSERT OR IGNORE INTO message_mentions (user_id, chat_id, message_id) VALUES (@user, @chat, @id)",
                ("@user", user), ("@chat", target.ChatId), ("@id", messageId));
        }
    }

    /// <summary>The member read the chat up to <paramref name="maxId"/>: the mentions up to it are read; how many are left.</summary>
    public static int ReadUpTo(WriteScope scope, long userId, long chatId, long maxId)
    {
        scope.Execute("DELETE FROM message_mentions WHERE user_id = @user AND chat_id = @chat AND message_id <= @max",
            ("@user", userId), ("@chat", chatId), ("@max", maxId));
        return Convert.ToInt32(scope.Scalar("SELECT count(*) FROM message_mentions WHERE user_id = @user AND chat_id = @chat",
            ("@user", userId), ("@chat", chatId)));
    }

    /// <summary>Messages revoked for everyone (or hidden by <paramref name="userId"/> alone): their mentions go.</summary>
    public static void Forget(WriteScope scope, IEnumerable<long> messageIds, long? userId = null)
    {
        foreach (var id in messageIds)
        {
            if (userId is { } user)
            {
                scope.Execute("DELETE FROM message_mentions WHERE message_id = @id AND user_id = @user", ("@id", id), ("@user", user));
            }
            else
            {
                scope.Execute("DELETE FROM message_mentions WHERE message_id = @id", ("@id", id));
            }
        }
    }

    /// <summary>A dialog query's count of <c>@user</c>'s unread mentions in <c>message_chats c</c> (messages still
    /// shown to them only).</summary>
    public const string CountColumn =
        "(SELECT count(*) FROM message_mentions mm JOIN message_messages mx ON mx.id = mm.message_id AND mx.deleted = 0 " +
        "WHERE mm.user_id = @user AND mm.chat_id = c.id AND NOT EXISTS (SELECT 1 FROM message_hidden mh WHERE mh.user_id = @user AND mh.message_id = mm.message_id))";
}
