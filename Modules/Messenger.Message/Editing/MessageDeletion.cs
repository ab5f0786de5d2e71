using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Mentions;
using Messenger.Message.Pinning;
using Messenger.Message.Sending;
using Messenger.Message.Storage;

namespace Messenger.Message.Editing;

/// <summary>
/// The two ways messages leave a chat, inside a writer unit, shared by <c>messages.delete</c> and
/// <c>messages.deleteHistory</c>. The ids are messages the caller can see in the chat, in ascending order; who may do
/// which is the caller's to check.
/// </summary>
internal static class MessageDeletion
{
    /// <summary>Every reader's position in a revoked message's thread, found by the <c>msg_id</c> index (the key starts
    /// with the user).</summary>
    internal const string ForgetThreadReadsSql = "DELETE FROM message_thread_reads WHERE msg_id = @id";

    /// <summary>
    /// Hides the messages from <paramref name="me"/> only (their log says so), with the caller's read position in their
    /// threads (a hidden message's thread is not theirs to open again). Hiding a forum topic's <c>topic_create</c>
    /// message keeps the caller's position in the topic (<c>message_topic_reads</c>): the topic stays theirs to read. A
    /// message of a private chat that both users have now hidden releases its media reference.
    /// </summary>
    public static LogAppend HideForMe(
        WriteScope scope, IUpdateLog log, IMediaAttachments media, ChatList.LargeGroupUnread largeGroupUnread, ChatTarget target, long me, long[] ids, long now)
    {
        foreach (var id in ids)
        {
            scope.Execute("INSERT OR IGNORE INTO message_hidden (user_id, message_id) VALUES (@user, @id)", ("@user", me), ("@id", id));
            scope.Execute("DELETE FROM message_thread_reads WHERE user_id = @user AND msg_id = @id", ("@user", me), ("@id", id));
            if (MessageStore.HiddenFromEveryone(scope, id))
            {
                media.Release(scope, id);
            }
        }

        UnreadMentions.Forget(scope, ids, me);
        if (target.HasOwnLog)
        {
            largeGroupUnread.Hiding(scope, me, target.ChatId);
        }

        var unread = target.HasOwnLog ? null : MessageStore.RecountUnread(scope, me, target.ChatId);
        return new LogAppend(me, log.Append(scope, me, new DeleteMessagesUpdate(target.ToPeer, ids, unread), now));
    }

    /// <summary>
    /// Erases the messages for everyone: the text from the message row (which keeps its random_id so a late resend is
    /// answered, not stored again), the search index, the members' "deleted for me" marks, the reactions, a poll's votes, everyone's read position in its thread
    /// (a topic's go with the topic, <see cref="Topics.TopicStore.Delete"/>),
    /// the media reference, every log entry that carried them and the quotes of them in replies; a revoked pinned message is unpinned; the chat's audience gets <c>delete_messages</c> (and <c>pinned_message</c>
    /// after it when pinned ones went). The first message of a topic that stands is left out.
    /// </summary>
    public static List<LogAppend> Revoke(
        WriteScope scope, IUpdateLog log, IMediaAttachments media, ChatList.LargeGroupUnread largeGroupUnread, ChatTarget target, long me, long[] ids, long now)
    {
        // A moderator's sweep, a report or a timer never takes a standing topic's first message (the topic would stay,
        // opened by nothing; messages.delete refuses it outright). Topics still among the ids are being deleted: their
        // readers' positions go with the topic (TopicStore.Delete), not here.
        Dictionary<long, bool> topics = target.IsPrivate ? [] : Topics.TopicStore.TopicsAmong(scope, target.ChatId, ids);
        if (topics.ContainsValue(true))
        {
            ids = [.. ids.Where(id => !topics.GetValueOrDefault(id))];
            if (ids.Length == 0)
            {
                return [];
            }
        }

        var unpinned = new List<long>();
        foreach (var id in ids)
        {
            scope.Execute(
                "UPDATE message_messages SET deleted = 1, text = '', media = NULL, expires_at = NULL, web_page = NULL, shared_kind = NULL, " +
                "quote_text = NULL, quote_offset = NULL, geo = NULL WHERE id = @id", ("@id", id));
            SearchIndex.Remove(scope, id);
            // Whoever had deleted it for themselves sees it gone for everyone now: their marks would only pile up.
            scope.Execute("DELETE FROM message_hidden WHERE message_id = @id", ("@id", id));
            ReactionStore.Forget(scope, id);
            PollStore.Forget(scope, id);
            // A revoked message's thread cannot be opened or read again: the positions in it would only ever pile up.
            if (!topics.ContainsKey(id))
            {
                scope.Execute(ForgetThreadReadsSql, ("@id", id));
            }

            media.Release(scope, id);
            log.Redact(scope, id, owner => new DeleteMessagesUpdate(PeerFor(target, owner, me), [id]));

            // A revoked pinned message is unpinned (its pinned_message entries were just redacted like any copy).
            if (MessagePins.Remove(scope, target.ChatId, id))
            {
                unpinned.Add(id);
            }
        }

        // After every id is erased: a reply revoked in the same batch is redacted already, not rewritten first.
        foreach (var id in ids)
        {
            EraseQuotesOf(scope, log, id);
        }

        UnreadMentions.Forget(scope, ids);
        if (!target.IsPrivate)
        {
            Topics.TopicStore.AfterRevoke(scope, target.ChatId, ids);
        }

        if (target.HasOwnLog)
        {
            largeGroupUnread.Revoking(scope, target.ChatId);
            // A large group's dialog shows the chat's newest message: it must stay a visible one.
            scope.Execute("UPDATE message_chats SET top_message_id = coalesce((SELECT max(id) FROM message_messages WHERE chat_id = @chat AND deleted = 0), 0) " +
                "WHERE id = @chat",
                ("@chat", target.ChatId));
        }

        var appends = new List<LogAppend>();
        foreach (var (owner, peer) in target.Audience(scope, me))
        {
            // Each reader's own count comes with it, so a badge drops with the unread messages that went; a shared log
            // carries none (the clients read the chat's row again).
            var unread = LogOwners.IsChat(owner) ? null : MessageStore.RecountUnread(scope, owner, target.ChatId);
            appends.Add(new LogAppend(owner, log.Append(scope, owner, new DeleteMessagesUpdate(peer, ids, unread), now)));
        }

        // The newest pinned message may have changed, and a log that had not caught up lost the entries naming it.
        if (unpinned.Count > 0)
        {
            appends.AddRange(MessagePins.Announce(scope, log, target, me, [.. unpinned], pinned: false, now));
        }

        return appends;
    }

    /// <summary>
    /// The replies' quotes of a revoked message go with its words: the author's or a moderator's removal is meant to
    /// remove them everywhere, not leave them standing in the answers. The replies' log entries that carry the quote
    /// (their new_message, edit_message, pinned_message) lose it too, so a device that has not caught up never reads it;
    /// no update is logged, since clients drop the quotes themselves when they apply the original's delete_messages.
    /// The partial index of answers (<c>IX_message_messages_replies</c>) finds the replies.
    /// </summary>
    private static void EraseQuotesOf(WriteScope scope, IUpdateLog log, long id)
    {
        var erase = scope.Command(
            "UPDATE message_messages SET quote_text = NULL, quote_offset = NULL WHERE reply_to_id = @id AND quote_text IS NOT NULL RETURNING id");
        erase.Parameters.AddWithValue("@id", id);
        var replies = new List<long>();
        using (var reader = erase.ExecuteReader())
        {
            while (reader.Read())
            {
                replies.Add(reader.GetInt64(0));
            }
        }

        foreach (var reply in replies)
        {
            log.Rewrite(scope, reply, WithoutQuote);
        }
    }

    private static Update WithoutQuote(Update update) => update switch
    {
        NewMessageUpdate { Message.ReplyQuote: not null } added => added with { Message = added.Message with { ReplyQuote = null } },
        EditMessageUpdate { Message.ReplyQuote: not null } edited => edited with { Message = edited.Message with { ReplyQuote = null } },
        PinnedMessageUpdate { Message.ReplyQuote: not null } pinned => pinned with { Message = pinned.Message with { ReplyQuote = null } },
        _ => update,
    };

    /// <summary>How the owner of a log addresses the chat: the other user of a private chat, else the group.</summary>
    private static Peer PeerFor(ChatTarget target, long owner, long me) =>
        target.IsPrivate ? Peer.User(owner == me ? target.OtherUserId : me) : target.ToPeer;
}
