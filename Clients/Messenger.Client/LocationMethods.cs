using Messenger.Contracts.Messages;

namespace Messenger.Client;

public static partial class MessageMethods
{
    /// <summary>Sends a location (<c>messages.send</c> with <c>geo</c>): a point, or with <c>live_period</c> in
    /// <paramref name="geo"/> a live location to move with <see cref="EditLiveLocationAsync"/> until it ends or is stopped
    /// (<see cref="StopLiveLocationAsync"/>). A random non-zero <paramref name="randomId"/> is chosen when none is given
    /// (pass the same one to retry safely); <paramref name="silent"/> sends it without sound; <paramref name="topicId"/>:
    /// the forum topic it goes to.</summary>
    public static async Task<SentMessage> SendLocationAsync(
        this MessengerClient client, Peer peer, InputGeo geo, long? replyToId = null, long? randomId = null, bool silent = false, long? topicId = null,
        CancellationToken cancellationToken = default)
    {
        var id = randomId ?? NewRandomId();
        var sent = await client.CallAsync(new SendMessageCall(peer, id, "", replyToId, Silent: silent, Geo: geo, TopicId: topicId), cancellationToken);
        client.Events.Observe(sent, edited: false, id);
        return sent;
    }

    /// <summary>Moves one of the user's live locations to <paramref name="geo"/> (its point, heading and accuracy) and
    /// returns the message as it is now; the chat gets it as an edit (without an edit date).</summary>
    public static async Task<SentMessage> EditLiveLocationAsync(
        this MessengerClient client, Peer peer, long id, InputGeo geo, CancellationToken cancellationToken = default)
    {
        var edited = await client.CallAsync(new EditLiveLocationCall(peer, id, geo), cancellationToken);
        client.Events.Observe(edited, edited: true);
        return edited;
    }

    /// <summary>Ends one of the user's live locations now, where it is: it stays in the chat as its last point.</summary>
    public static async Task<SentMessage> StopLiveLocationAsync(
        this MessengerClient client, Peer peer, long id, CancellationToken cancellationToken = default)
    {
        var edited = await client.CallAsync(new EditLiveLocationCall(peer, id, Stop: true), cancellationToken);
        client.Events.Observe(edited, edited: true);
        return edited;
    }
}
