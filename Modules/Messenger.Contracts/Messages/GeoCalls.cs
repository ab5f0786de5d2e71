using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Messages;

/// <summary>
/// A location to send (<c>geo</c> of <c>messages.send</c>) or to move a live location to (<c>messages.editLiveLocation</c>):
/// <see cref="Lat"/> −90…90 and <see cref="Long"/> −180…180 degrees (finite); <see cref="AccuracyRadius"/> how far off it
/// may be, 0–<see cref="GeoLimits.MaxAccuracyRadius"/> metres; <see cref="LivePeriod"/> makes it a live location that its
/// author moves for that many seconds (<see cref="GeoLimits.MinLivePeriod"/>–<see cref="GeoLimits.MaxLivePeriod"/>, or
/// <see cref="GeoLimits.LiveUntilStopped"/>: until stopped); <see cref="Heading"/> the direction the user moves in,
/// 1–360 degrees (clockwise from north), for a live location only. <see cref="AccuracyRadius"/>, <see cref="LivePeriod"/>
/// and <see cref="Heading"/> are integers on the wire: a float there (a client rounding nothing) fails decoding, 400
/// <c>ARGS_INVALID</c>; the coordinates take either. Errors: <c>GEO_POINT_INVALID</c>, <c>GEO_ACCURACY_INVALID</c>,
/// <c>GEO_LIVE_PERIOD_INVALID</c>, <c>GEO_HEADING_INVALID</c>.
/// </summary>
[MessagePackObject]
public sealed record InputGeo(
    [property: Key("lat")] double Lat,
    [property: Key("long")] double Long,
    [property: Key("accuracy_radius")] int? AccuracyRadius = null,
    [property: Key("live_period")] int? LivePeriod = null,
    [property: Key("heading")] int? Heading = null);

/// <summary>
/// A location message's place (<see cref="Message.Geo"/>): a point, or a live location when <see cref="LivePeriod"/> is
/// set, which its author moves (<c>messages.editLiveLocation</c>) until <see cref="LiveUntil"/> (unix seconds; nil while
/// one shared "until stopped" runs). Stopping it sets <see cref="LiveUntil"/> to the moment it stopped; from then (and
/// once the period is over) it is the last point it reached. <see cref="MoveDate"/> is when it last moved (nil: not since
/// it was sent, see the message's <c>date</c>): a move is not an edit, the message's <c>edit_date</c> stays as it was.
/// <see cref="Heading"/> (1–360) and <see cref="AccuracyRadius"/> (metres) as last reported.
/// </summary>
[MessagePackObject]
public sealed record MessageGeo(
    [property: Key("lat")] double Lat,
    [property: Key("long")] double Long,
    [property: Key("accuracy_radius")] int? AccuracyRadius = null,
    [property: Key("live_period")] int? LivePeriod = null,
    [property: Key("heading")] int? Heading = null,
    [property: Key("live_until")] long? LiveUntil = null,
    [property: Key("move_date")] long? MoveDate = null)
{
    /// <summary>Whether its author may still move it at <paramref name="now"/> (unix seconds).</summary>
    public bool IsLiveAt(long now) => LivePeriod is not null && (LiveUntil is null || now < LiveUntil);

    /// <summary>What a forward copies: the point alone (a live location's copy does not move with it, as in Telegram).</summary>
    public MessageGeo AsPoint() => new(Lat, Long, AccuracyRadius);
}

/// <summary><c>messages.editLiveLocation</c>: the author of a live location moves it to <see cref="Geo"/> (its point,
/// heading and accuracy; <c>live_period</c> must be left out or stay what it is) or, with <see cref="Stop"/>, ends it
/// (at <see cref="Geo"/> when given, else where it is); the chat's audience gets <c>edit_message</c> with the message as
/// it is now. Only while it is live (<see cref="MessageGeo.IsLiveAt"/>). Errors: <c>GEO_POINT_INVALID</c> (neither a point
/// nor <c>stop</c>, or a point out of range), <c>GEO_ACCURACY_INVALID</c>, <c>GEO_HEADING_INVALID</c>,
/// <c>GEO_LIVE_PERIOD_INVALID</c>, <c>PEER_ID_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c> (a group the caller is not in: one they
/// left, or were removed from, whose live locations the server ended then), <c>MESSAGE_ID_INVALID</c> (not a message of
/// the chat the caller sees), 403 <c>MESSAGE_AUTHOR_REQUIRED</c>, 403 <c>USER_IS_BLOCKED</c> (a private chat whose other
/// user blocked the caller), <c>GEO_NOT_LIVE</c> (not a live location), <c>MESSAGE_EDIT_TIME_EXPIRED</c>
/// (its period is over or it was stopped), <c>MESSAGE_NOT_MODIFIED</c> (the same point, heading and accuracy), 403
/// <c>CHAT_WRITE_FORBIDDEN</c> (a move in a group where the caller may no longer write, as <c>messages.edit</c>; a stop
/// where it is stays allowed).</summary>
[RpcMethod("messages.editLiveLocation")]
[MessagePackObject]
public sealed record EditLiveLocationCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("id")] long Id,
    [property: Key("geo")] InputGeo? Geo = null,
    [property: Key("stop")] bool Stop = false) : IRpcCall<SentMessage>;

/// <summary>Limits of <see cref="InputGeo"/> (Telegram's).</summary>
public static class GeoLimits
{
    public const int MaxAccuracyRadius = 1500;
    public const int MinLivePeriod = 60;
    public const int MaxLivePeriod = 86400;

    /// <summary>A live period that lasts until its author stops it (Telegram's 0x7FFFFFFF).</summary>
    public const int LiveUntilStopped = int.MaxValue;

    public static bool PointIsValid(InputGeo geo) =>
        double.IsFinite(geo.Lat) && double.IsFinite(geo.Long) && geo.Lat is >= -90 and <= 90 && geo.Long is >= -180 and <= 180;

    public static bool AccuracyIsValid(int? radius) => radius is null or >= 0 and <= MaxAccuracyRadius;

    public static bool LivePeriodIsValid(int? period) => period is null or >= MinLivePeriod and <= MaxLivePeriod or LiveUntilStopped;

    /// <summary>A heading, 1–360; only a <paramref name="live"/> location has one.</summary>
    public static bool HeadingIsValid(int? heading, bool live) => heading is null || (live && heading is >= 1 and <= 360);
}

public static class GeoErrorNames
{
    /// <summary>Latitude not in −90…90 or longitude not in −180…180 (or not a finite number); or no point where one is needed.</summary>
    public const string GeoPointInvalid = "GEO_POINT_INVALID";

    /// <summary>An accuracy radius not in 0–1500 metres.</summary>
    public const string GeoAccuracyInvalid = "GEO_ACCURACY_INVALID";

    /// <summary>A live period not in 60–86400 seconds nor 0x7FFFFFFF (until stopped); or, in an edit, a different one.</summary>
    public const string GeoLivePeriodInvalid = "GEO_LIVE_PERIOD_INVALID";

    /// <summary>A heading not in 1–360, or a heading on a point that is not live.</summary>
    public const string GeoHeadingInvalid = "GEO_HEADING_INVALID";

    /// <summary>A location message carries nothing else: no text (no caption, as in Telegram) and no file.</summary>
    public const string GeoAloneRequired = "GEO_ALONE_REQUIRED";

    /// <summary><c>messages.editLiveLocation</c> on a message that is not a live location.</summary>
    public const string GeoNotLive = "GEO_NOT_LIVE";

    /// <summary>The live location's period is over, or it was stopped: it no longer moves.</summary>
    public const string MessageEditTimeExpired = "MESSAGE_EDIT_TIME_EXPIRED";
}
