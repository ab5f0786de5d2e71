using Messenger.Contracts.Bots;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;

namespace Messenger.Message.Bots;

/// <summary>
/// Forum topics over the Bot HTTP API, in Telegram's shapes: <c>createForumTopic</c> (<c>chat_id</c>, <c>name</c>,
/// <c>icon_color</c>) answers a ForumTopic <c>{message_thread_id, name, icon_color}</c>; <c>editForumTopic</c>
/// (<c>message_thread_id</c>, <c>name</c>: empty or absent keeps it), <c>closeForumTopic</c>, <c>reopenForumTopic</c> and
/// <c>deleteForumTopic</c> answer true. Each is the protocol's call made as the bot, so its rights are a person's: an
/// admin (or, to create, a member the group lets) and the topic's creator for edits. Telegram's
/// <c>icon_custom_emoji_id</c> is taken and not kept: topics here have colours, not custom emoji.
/// </summary>
internal static class BotTopics
{
    public const string ThreadNotFound = "Bad Request: message thread not found";
    public const string ChatNotForum = "Bad Request: the chat is not a forum";

    public static async Task<object> CreateAsync(IServiceProvider services, long bot, BotRequest request, long randomId, CancellationToken cancellationToken)
    {
        var chat = request.Chat();
        var name = request.Required("name");
        var color = request.Long("icon_color") switch
        {
            null => (int?)null,
            >= 0 and <= int.MaxValue and var value => (int)value,
            _ => throw MessengerError.BadRequest(TopicErrorNames.TopicIconColorInvalid),
        };
        var sent = await services.InvokeAsUserAsync<CreateTopicCall, SentMessage>(bot, new CreateTopicCall(chat, randomId, name, color), cancellationToken);
        var action = sent.Message.Action!;
        return new { message_thread_id = sent.Message.Id, name = action.Title, icon_color = action.IconColor };
    }

    public static async Task<object> EditAsync(IServiceProvider services, long bot, BotRequest request, CancellationToken cancellationToken)
    {
        var name = request.String("name") is { Length: > 0 } given ? given : null;
        try
        {
            await services.InvokeAsUserAsync<EditTopicCall, SentMessage>(bot, new EditTopicCall(request.Chat(), Thread(request), Title: name), cancellationToken);
        }
        catch (MessengerError error) when (name is null && request.String("icon_custom_emoji_id") is not null
                                           && error.Name == TopicErrorNames.TopicNotModified)
        {
            // Only icon_custom_emoji_id, which is not kept: Telegram answers true; the call above still checked the
            // topic and the bot's rights. With neither field it stays TOPIC_NOT_MODIFIED, as Telegram's.
        }

        return true;
    }

    public static async Task<object> CloseAsync(IServiceProvider services, long bot, BotRequest request, bool closed, CancellationToken cancellationToken)
    {
        await services.InvokeAsUserAsync<EditTopicCall, SentMessage>(bot, new EditTopicCall(request.Chat(), Thread(request), Closed: closed), cancellationToken);
        return true;
    }

    public static async Task<object> DeleteAsync(IServiceProvider services, long bot, BotRequest request, CancellationToken cancellationToken)
    {
        await services.InvokeAsUserAsync<DeleteTopicCall, AffectedMessages>(bot, new DeleteTopicCall(request.Chat(), Thread(request)), cancellationToken);
        return true;
    }

    /// <summary>The topic a method acts on: required here (General, 0, is no topic to edit or delete).</summary>
    private static long Thread(BotRequest request) =>
        request.ThreadId() ?? throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, "message_thread_id");
}
