using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Updates;

/// <summary>
/// Where the caller's update log stands: <see cref="Pts"/> and the server time (unix seconds). The answer of
/// <c>updates.getState</c> also lists the caller's large groups with the position of each one's own log
/// (<see cref="Channels"/>, as <see cref="Difference.Channels"/> lists them), read with <see cref="Pts"/>: a client
/// starting fresh follows each from there, so anything posted after the answer is above it. Null in a
/// <see cref="Difference"/>'s state (its own <see cref="Difference.Channels"/> lists them) and from servers older than
/// the field.
/// </summary>
[MessagePackObject]
public sealed partial record UpdatesState(
    [property: Key("pts")] long Pts,
    [property: Key("date")] long Date,
    [property: Key("channels")] ChannelState[]? Channels = null);

/// <summary>The earlier shape of <see cref="UpdatesState"/>'s constructor and deconstruction (an app built against an
/// earlier SDK binds to them; see <c>Messages/Compatibility.cs</c>).</summary>
public sealed partial record UpdatesState
{
    /// <summary>The constructor from before <see cref="Channels"/>; see the current one.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public UpdatesState(long pts, long date)
        : this(pts, date, Channels: null)
    {
    }

    /// <summary>The deconstruction from before <see cref="Channels"/>.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public void Deconstruct(out long pts, out long date) => (pts, date) = (Pts, Date);
}

/// <summary>
/// What changed since the caller's <c>pts</c>: <see cref="Updates"/> in pts order and <see cref="State"/> after them.
/// When <see cref="Slice"/> is set there is more: call again from <c>State.Pts</c>. When <see cref="TooLong"/> is set
/// the gap is too large (or older than the log keeps): refetch dialogs and continue from <c>State.Pts</c>.
/// The last answer (not a slice) also lists the caller's large groups with the position of each one's own log
/// (<see cref="Channels"/>): a client whose position in one of them is behind calls <c>updates.getChannelDifference</c>
/// (Telegram's "channel too long" without copying messages into member logs).
/// </summary>
[MessagePackObject]
public sealed record Difference(
    [property: Key("updates")] LoggedUpdate[] Updates,
    [property: Key("state")] UpdatesState State,
    [property: Key("slice")] bool Slice,
    [property: Key("too_long")] bool TooLong,
    [property: Key("channels")] ChannelState[]? Channels = null);

/// <summary>Where a large group's own log stands.</summary>
[MessagePackObject]
public sealed record ChannelState([property: Key("chat_id")] long ChatId, [property: Key("pts")] long Pts);

/// <summary><c>updates.getState</c>: the caller's current log position, with their large groups' positions.</summary>
[RpcMethod("updates.getState")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetStateCall : IRpcCall<UpdatesState>, IRepeatableCall;

/// <summary><c>updates.getDifference</c>: up to <see cref="Limit"/> (1–1000) updates after <see cref="Pts"/>. A pts
/// ahead of the log (e.g. the server's database was restored from a backup) is answered <c>too_long</c>, like a gap
/// too large to replay. Errors: <c>PTS_INVALID</c> (negative), <c>LIMIT_INVALID</c>.</summary>
[RpcMethod("updates.getDifference")]
[MessagePackObject]
public sealed record GetDifferenceCall([property: Key("pts")] long Pts, [property: Key("limit")] int Limit = 1000) : IRpcCall<Difference>, IRepeatableCall;

/// <summary><c>account.updateStatus</c>: marks the caller offline now (the app went to the background) or online
/// again. Without calls the caller is online while any device is connected.</summary>
[RpcMethod("account.updateStatus")]
[MessagePackObject]
public sealed record UpdateStatusCall([property: Key("offline")] bool Offline) : IRpcCall<Done>;

/// <summary>Online state of users, as last seen by the server.</summary>
[MessagePackObject]
public sealed record UserStatuses([property: Key("statuses")] UserStatusUpdate[] Items);

/// <summary><c>users.getStatuses</c>: online state and last-seen time of up to 200 users who share a private chat with
/// the caller (others are left out). Errors: <c>USER_IDS_INVALID</c>.</summary>
[RpcMethod("users.getStatuses")]
[MessagePackObject]
public sealed record GetStatusesCall([property: Key("ids")] long[] Ids) : IRpcCall<UserStatuses>;

/// <summary>Stable error names of update logs.</summary>
public static class UpdateErrorNames
{
    public const string PtsInvalid = "PTS_INVALID";
    public const string LimitInvalid = "LIMIT_INVALID";
    public const string UserIdsInvalid = "USER_IDS_INVALID";
}
