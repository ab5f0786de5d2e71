using Messenger.Contracts.Calls;
using Messenger.Contracts.Rpc;

namespace Messenger.Client;

/// <summary>One-to-one calls: the server carries the WebRTC signalling (offer, answer, ICE candidates); the media does
/// not pass through it. The events <see cref="PhoneCallChanged"/> and <see cref="PhoneCallSignal"/> carry the other side's part.</summary>
public static class PhoneMethods
{
    /// <summary>The ICE servers to give <c>RTCPeerConnection</c> and how long a call rings.</summary>
    public static Task<CallConfig> GetCallConfigAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetCallConfigCall(), cancellationToken);

    /// <summary>The user's call in progress, if any (a ringing one with the caller's offer): for a device that just connected.</summary>
    public static async Task<PhoneCall?> GetCurrentCallAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetCallsCall(), cancellationToken)).Calls.FirstOrDefault();

    /// <summary>Rings <paramref name="userId"/> with an SDP offer; <paramref name="video"/> asks them to answer with their camera.</summary>
    public static Task<PhoneCall> RequestCallAsync(
        this MessengerClient client, long userId, string offer, bool video = false, CancellationToken cancellationToken = default) =>
        client.CallAsync(new RequestCallCall(userId, offer, video), cancellationToken);

    /// <summary>Answers a ringing call with an SDP answer.</summary>
    public static Task<PhoneCall> AcceptCallAsync(this MessengerClient client, long callId, string answer, CancellationToken cancellationToken = default) =>
        client.CallAsync(new AcceptCallCall(callId, answer), cancellationToken);

    /// <summary>Passes an ICE candidate (or any short text) to the other side.</summary>
    public static Task<Done> SendCallSignalAsync(this MessengerClient client, long callId, string data, CancellationToken cancellationToken = default) =>
        client.CallAsync(new SendCallSignalCall(callId, data), cancellationToken);

    /// <summary>Cancels, declines or hangs up.</summary>
    public static Task<PhoneCall> DiscardCallAsync(this MessengerClient client, long callId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new DiscardCallCall(callId), cancellationToken);

    /// <summary>Joins the group's voice chat (starting it when there is none); then offer a connection to each earlier
    /// participant with <see cref="SendGroupCallSignalAsync"/>. <see cref="GroupCallChanged"/> tells who comes and goes.
    /// After a dropped connection the client joins it again by itself (<see cref="MessengerClient.CurrentGroupCall"/>).
    /// Given up (cancelled, timed out), the join is not the app's: if the server ran it anyway, the client leaves when
    /// the answer comes.</summary>
    public static async Task<GroupCall> JoinGroupCallAsync(this MessengerClient client, long chatId, CancellationToken cancellationToken = default)
    {
        using var joining = client.VoiceChat.Joining(chatId);
        var call = await client.CallWithLateAnswerAsync(
            new JoinGroupCallCall(chatId),
            late =>
            {
                // Given up: this join is on its way no more, whether or not its caller has seen the cancel yet.
                joining.Dispose();
                client.VoiceChat.JoinedLate(late);
            },
            cancellationToken);
        await client.VoiceChat.JoinedAsync(call);
        return call;
    }

    /// <summary>Leaves the voice chat; the last one out ends it.</summary>
    public static async Task<GroupCall> LeaveGroupCallAsync(this MessengerClient client, long callId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await client.CallAsync(new LeaveGroupCallCall(callId), cancellationToken);
        }
        finally
        {
            client.VoiceChat.Left(callId);
        }
    }

    /// <summary>The group's voice chat going on, if any.</summary>
    public static async Task<GroupCall?> GetGroupCallAsync(this MessengerClient client, long chatId, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetGroupCallCall(chatId), cancellationToken)).Calls.FirstOrDefault();

    /// <summary>Passes an offer, an answer or an ICE candidate to one other participant (<see cref="GroupCallSignal"/>).</summary>
    public static Task<Done> SendGroupCallSignalAsync(
        this MessengerClient client, long callId, long userId, string data, CancellationToken cancellationToken = default) =>
        client.CallAsync(new SendGroupCallSignalCall(callId, userId, data), cancellationToken);
}
