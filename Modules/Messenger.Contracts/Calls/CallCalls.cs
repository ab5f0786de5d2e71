using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Calls;

/// <summary>Where a call is: ringing at the callee's devices, talking, or over.</summary>
public enum CallState
{
    Ringing = 0,
    Active = 1,
    Ended = 2,
}

/// <summary>Why a call ended (<see cref="PhoneCall.Reason"/>, and the title of its <c>phone_call</c> service message).</summary>
public static class CallEndReasons
{
    /// <summary>One side hung up a call that was answered.</summary>
    public const string Hangup = "hangup";

    /// <summary>The caller gave up before the callee answered.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The callee refused it.</summary>
    public const string Declined = "declined";

    /// <summary>Nobody answered within the ring timeout.</summary>
    public const string Missed = "missed";

    /// <summary>The connection of a side in the call closed (its app went away).</summary>
    public const string Disconnected = "disconnected";
}

/// <summary>
/// A one-to-one voice or (<see cref="Video"/>) video call, signalled through the server (WebRTC: the media flows
/// between the two browsers or apps, not through the server). <see cref="Sdp"/> is the caller's offer in the ringing
/// call the callee is shown, and the callee's answer in the active call the caller is shown. <see cref="StartedAt"/>
/// is when it was answered (unix seconds, 0 before), <see cref="Duration"/> how long it lasted once ended.
/// </summary>
[MessagePackObject]
public sealed record PhoneCall(
    [property: Key("id")] long Id,
    [property: Key("caller_id")] long CallerId,
    [property: Key("callee_id")] long CalleeId,
    [property: Key("state")] CallState State,
    [property: Key("date")] long Date,
    [property: Key("sdp")] string? Sdp = null,
    [property: Key("reason")] string? Reason = null,
    [property: Key("started_at")] long StartedAt = 0,
    [property: Key("duration")] int Duration = 0,
    [property: Key("video")] bool Video = false);

/// <summary>A STUN or TURN server for the calls' WebRTC connections, as <c>RTCIceServer</c> takes it.</summary>
[MessagePackObject]
public sealed record IceServer(
    [property: Key("urls")] string[] Urls,
    [property: Key("username")] string? Username = null,
    [property: Key("credential")] string? Credential = null);

/// <summary>How clients set up calls: the ICE servers to use (none: direct connections only, which work on one
/// network) and how long a call rings.</summary>
[MessagePackObject]
public sealed record CallConfig(
    [property: Key("ice_servers")] IceServer[] IceServers,
    [property: Key("ring_timeout")] int RingTimeoutSeconds);

/// <summary><c>phone.getCallConfig</c>.</summary>
[RpcMethod("phone.getCallConfig")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetCallConfigCall : IRpcCall<CallConfig>;

/// <summary><c>phone.getCalls</c>: the caller's call in progress, if any (0 or 1): a device that opened the app while a
/// call rings for it learns of it here (a ringing call's callee gets the offer).</summary>
[RpcMethod("phone.getCalls")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetCallsCall : IRpcCall<PhoneCalls>;

/// <summary>The calls <c>phone.getCalls</c> answers.</summary>
[MessagePackObject]
public sealed record PhoneCalls([property: Key("calls")] PhoneCall[] Calls);

/// <summary><c>phone.requestCall</c>: calls <see cref="UserId"/> with a WebRTC <see cref="Offer"/> (SDP, 1–16384
/// characters), with the camera when <see cref="Video"/> (the callee is told, to answer with theirs): every online device of theirs gets <c>phone_call</c> (ringing) until one answers, the caller cancels,
/// or the ring timeout passes (missed). Errors: <c>CALL_PEER_INVALID</c> (no such person, a bot, oneself),
/// <c>CALL_SDP_INVALID</c>, 403 <c>USER_IS_BLOCKED</c>, 403 <c>YOU_BLOCKED_USER</c>, 403 <c>USER_PRIVACY_RESTRICTED</c>
/// (their privacy), 420 <c>USER_BUSY</c> (they are in a call), <c>CALL_ALREADY_ACTIVE</c> (the caller is).</summary>
[RpcMethod("phone.requestCall")]
[MessagePackObject]
public sealed record RequestCallCall(
    [property: Key("user_id")] long UserId,
    [property: Key("offer")] string Offer,
    [property: Key("video")] bool Video = false) : IRpcCall<PhoneCall>;

/// <summary><c>phone.acceptCall</c> (the callee, from one device): answers the ringing call with a WebRTC
/// <see cref="Answer"/>; the caller gets the active call with it, the callee's other devices stop ringing. Errors:
/// <c>CALL_ID_INVALID</c> (unknown, over, or not the callee's), <c>CALL_ALREADY_ACCEPTED</c>, <c>CALL_SDP_INVALID</c>.</summary>
[RpcMethod("phone.acceptCall")]
[MessagePackObject]
public sealed record AcceptCallCall([property: Key("call_id")] long CallId, [property: Key("answer")] string Answer) : IRpcCall<PhoneCall>;

/// <summary><c>phone.sendSignal</c>: passes <see cref="Data"/> (an ICE candidate, opaque to the server, 1–4096
/// characters) to the other side of the call as <c>phone_signal</c>. Errors: <c>CALL_ID_INVALID</c>,
/// <c>CALL_SIGNAL_INVALID</c>.</summary>
[RpcMethod("phone.sendSignal")]
[MessagePackObject]
public sealed record SendCallSignalCall([property: Key("call_id")] long CallId, [property: Key("data")] string Data) : IRpcCall<Rpc.Done>;

/// <summary><c>phone.discardCall</c> (either side): ends the call — cancelled or declined while it rings, hung up once
/// answered; both sides get the ended call, and the private chat gets a <c>phone_call</c> service message from the
/// caller (its title the reason, its period the seconds talked). Errors: <c>CALL_ID_INVALID</c>.</summary>
[RpcMethod("phone.discardCall")]
[MessagePackObject]
public sealed record DiscardCallCall([property: Key("call_id")] long CallId) : IRpcCall<PhoneCall>;

/// <summary>Stable error names of calls.</summary>
public static class CallErrorNames
{
    public const string CallPeerInvalid = "CALL_PEER_INVALID";
    public const string CallSdpInvalid = "CALL_SDP_INVALID";
    public const string CallSignalInvalid = "CALL_SIGNAL_INVALID";
    public const string CallIdInvalid = "CALL_ID_INVALID";
    public const string CallAlreadyAccepted = "CALL_ALREADY_ACCEPTED";
    public const string CallAlreadyActive = "CALL_ALREADY_ACTIVE";

    /// <summary>A group's voice chat has as many participants as a mesh may hold.</summary>
    public const string GroupCallFull = "GROUP_CALL_FULL";

    /// <summary>A rejoin (<c>phone.joinGroupCall</c> with <c>rejoin</c>) from a device that holds no place in the chat's
    /// voice chat any more: it ended, the grace ran out, or another device of the user took the place.</summary>
    public const string GroupCallJoinMissing = "GROUP_CALL_JOIN_MISSING";

    /// <summary>420: the user is in another call.</summary>
    public const string UserBusy = "USER_BUSY";
}
