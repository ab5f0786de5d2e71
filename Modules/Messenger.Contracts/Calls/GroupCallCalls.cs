using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Calls;

/// <summary>
/// A group's voice chat: its members join and leave while it goes on; the apps connect to each other directly (a WebRTC
/// mesh: each pair of participants one connection, the one who joined later making the offer), the server only keeps
/// who is in it and carries their signals. <see cref="Participants"/> in the order they joined; <see cref="Ended"/>
/// with <see cref="Duration"/> (seconds) once the last one left.
/// </summary>
[MessagePackObject]
public sealed record GroupCall(
    [property: Key("id")] long Id,
    [property: Key("chat_id")] long ChatId,
    [property: Key("started_by")] long StartedBy,
    [property: Key("started_at")] long StartedAt,
    [property: Key("participants")] long[] Participants,
    [property: Key("ended")] bool Ended = false,
    [property: Key("duration")] int Duration = 0);

[MessagePackObject]
public sealed record GroupCalls([property: Key("calls")] GroupCall[] Calls);

/// <summary><c>phone.joinGroupCall</c>: joins the voice chat of group <see cref="ChatId"/>, starting it when there is none
/// (a <c>group_call</c> service message says so). Answers the call with the caller in it; the caller then offers a
/// connection to each earlier participant (<c>phone.sendGroupCallSignal</c>). Signals reach the connection that joined;
/// an app whose connection to the server closed joins again within <c>ReconnectGraceSeconds</c> to stay in (its place
/// moves to the new connection; so does a join from another device, and the connection that held it gets
/// <c>group_call</c> without the caller). The participants (and, in a small
/// group, every member) get <c>group_call</c>. With <see cref="Rejoin"/> (an app back after a dropped connection) it
/// only takes back the place this device still holds: never starts a call, never takes the place from another device of
/// the user; otherwise <c>GROUP_CALL_JOIN_MISSING</c> (the call ended, the grace ran out, or another device took over).
/// Errors: <c>CHAT_TYPE_INVALID</c> (a channel), <c>GROUP_CALL_FULL</c>
/// (<c>Messenger:Calls:GroupCallMaxParticipants</c>), <c>CALL_ALREADY_ACTIVE</c> (the caller is in another call),
/// <c>GROUP_CALL_JOIN_MISSING</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("phone.joinGroupCall")]
[MessagePackObject]
public sealed record JoinGroupCallCall([property: Key("chat_id")] long ChatId, [property: Key("rejoin")] bool Rejoin = false) : IRpcCall<GroupCall>;

/// <summary><c>phone.leaveGroupCall</c>: leaves it; the last one out ends it (a <c>group_call</c> service message with its
/// duration). Errors: <c>CALL_ID_INVALID</c> (not in it).</summary>
[RpcMethod("phone.leaveGroupCall")]
[MessagePackObject]
public sealed record LeaveGroupCallCall([property: Key("call_id")] long CallId) : IRpcCall<GroupCall>;

/// <summary><c>phone.getGroupCall</c>: the voice chat going on in group <see cref="ChatId"/>, if any (members only). Errors:
/// 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("phone.getGroupCall")]
[MessagePackObject]
public sealed record GetGroupCallCall([property: Key("chat_id")] long ChatId) : IRpcCall<GroupCalls>;

/// <summary><c>phone.sendGroupCallSignal</c>: passes <see cref="Data"/> (an SDP offer or answer, or an ICE candidate, as the
/// apps agree: JSON with a <c>type</c>) to participant <see cref="UserId"/> (<c>group_call_signal</c>). Errors:
/// <c>CALL_ID_INVALID</c> (the caller is not in it), <c>CALL_PEER_INVALID</c> (nor is <see cref="UserId"/>, or it is the
/// caller), <c>CALL_SIGNAL_INVALID</c> (empty or more than 16,384 characters).</summary>
[RpcMethod("phone.sendGroupCallSignal")]
[MessagePackObject]
public sealed record SendGroupCallSignalCall(
    [property: Key("call_id")] long CallId,
    [property: Key("user_id")] long UserId,
    [property: Key("data")] string Data) : IRpcCall<Done>;
