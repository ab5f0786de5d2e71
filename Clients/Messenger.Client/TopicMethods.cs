using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;

namespace Messenger.Client;

/// <summary>
/// Forum topics (Telegram's "Topics"): a group organised in topics, each a thread of its own with a title and a
/// coloured icon. Posts take a topic id (<see cref="MessageMethods.SendMessageAsync(MessengerClient, Peer, string, long?, long?, bool, ReplyQuote?, long?, CancellationToken)"/>
/// and the other sends); <see cref="Message.TopicId"/> says where a message is (0: General).
/// </summary>
public static class TopicMethods
{
    /// <summary>Turns the group's topics on or off (admins; not channels).</summary>
    public static async Task<ChatChanged> ToggleForumAsync(this MessengerClient client, long chatId, bool enabled, CancellationToken cancellationToken = default)
    {
        var changed = await client.CallAsync(new ToggleForumCall(chatId, enabled), cancellationToken);
        client.Events.Observe(changed, isMember: true);
        return changed;
    }

    /// <summary>Opens a topic (admins; members when the group's <see cref="ChatPermissions.ManageTopics"/> lets them):
    /// the answer's message is its <c>topic_create</c> service message, whose id is the topic's. <paramref name="iconColor"/>:
    /// one of <see cref="TopicColors.All"/> (none: the first).</summary>
    public static async Task<SentMessage> CreateTopicAsync(
        this MessengerClient client, Peer peer, string title, int? iconColor = null, long? randomId = null, CancellationToken cancellationToken = default)
    {
        var sent = await client.CallAsync(new CreateTopicCall(peer, randomId ?? Random.Shared.NextInt64(1, long.MaxValue), title, iconColor), cancellationToken);
        client.Events.Observe(sent, edited: false);
        return sent;
    }

    /// <summary>Renames, recolours, closes or reopens a topic (its creator or an admin); what is null stays.</summary>
    public static async Task<SentMessage> EditTopicAsync(
        this MessengerClient client, Peer peer, long topicId, string? title = null, int? iconColor = null, bool? closed = null,
        CancellationToken cancellationToken = default)
    {
        var sent = await client.CallAsync(new EditTopicCall(peer, topicId, title, iconColor, closed), cancellationToken);
        client.Events.Observe(sent, edited: false);
        return sent;
    }

    /// <summary>Deletes a topic and every message in it for everyone (admins).</summary>
    public static async Task<AffectedMessages> DeleteTopicAsync(this MessengerClient client, Peer peer, long topicId, CancellationToken cancellationToken = default)
    {
        var affected = await client.CallAsync(new DeleteTopicCall(peer, topicId), cancellationToken);
        client.Events.Observe(affected, peer);
        return affected;
    }

    /// <summary>Pins the topic to the top of the forum's topic list for everyone, or unpins it (admins; members when the
    /// group's <see cref="ChatPermissions.ManageTopics"/> lets them; at most <see cref="TopicLimits.MaxPinned"/>). The answer's
    /// message is the <c>topic_edit</c> service message that records it.</summary>
    public static async Task<SentMessage> PinTopicAsync(
        this MessengerClient client, Peer peer, long topicId, bool pinned = true, CancellationToken cancellationToken = default)
    {
        var sent = await client.CallAsync(new UpdatePinnedTopicCall(peer, topicId, pinned), cancellationToken);
        client.Events.Observe(sent, edited: false);
        return sent;
    }

    /// <summary>Mutes one topic of the forum (0: General) for the user until <paramref name="muteUntil"/>
    /// (<see cref="NotifySettings.MuteForever"/> for good), or unmutes it (null); no notification of its messages unless one
    /// mentions the user. The user's other devices get <see cref="NotifySettingsChanged"/> with the topic.</summary>
    public static async Task<AffectedMessages> MuteTopicAsync(
        this MessengerClient client, Peer peer, long topicId, DateTimeOffset? muteUntil, CancellationToken cancellationToken = default)
    {
        var affected = await client.CallAsync(new UpdateNotifySettingsCall(peer, muteUntil?.ToUnixTimeSeconds() ?? 0, topicId), cancellationToken);
        client.Events.Observe(affected, null);
        return affected;
    }

    /// <summary>Messages of one topic (0: General) containing every word of <paramref name="query"/>, newest first, older
    /// than <paramref name="offsetId"/>: <see cref="GroupMethods.SearchMessagesAsync(MessengerClient, string, Peer?, long, int, long, DateTimeOffset?, DateTimeOffset?, string?, long?, CancellationToken)"/>
    /// within the topic.</summary>
    public static Task<Message[]> SearchTopicAsync(
        this MessengerClient client, Peer peer, long topicId, string query, long offsetId = 0, int limit = 20, CancellationToken cancellationToken = default) =>
        client.SearchMessagesAsync(query, peer, offsetId, limit, topicId: topicId, cancellationToken: cancellationToken);

    /// <summary>A page of the forum's topics by last activity (General, then the pinned topics first on the first page),
    /// with the user's unread counts and mutes; the next page starts after the last topic's <see cref="ForumTopic.TopMessage"/> (<paramref name="offsetId"/>).</summary>
    public static Task<ForumTopics> GetForumTopicsAsync(
        this MessengerClient client, Peer peer, long offsetId = 0, int limit = 50, string? query = null, long offsetDate = 0,
        CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetForumTopicsCall(peer, offsetDate, offsetId, limit, query), cancellationToken);

    /// <summary>One topic's messages (0: General), newest first, older than <paramref name="offsetId"/> (0: the newest).</summary>
    public static Task<MessageList> GetTopicHistoryAsync(
        this MessengerClient client, Peer peer, long topicId, long offsetId = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetHistoryCall(peer, offsetId, limit, topicId), cancellationToken);

    /// <summary>Marks a topic (0: General) read up to <paramref name="maxId"/> (not the answers to its first message:
    /// <see cref="MessageMethods.ReadThreadAsync"/>); the user's other devices get <see cref="ThreadRead"/> with
    /// <see cref="ThreadRead.Topic"/>.</summary>
    public static Task<AffectedMessages> ReadTopicAsync(
        this MessengerClient client, Peer peer, long topicId, long maxId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ReadThreadCall(peer, topicId, maxId, Topic: true), cancellationToken);
}
