using MessagePack;

namespace Messenger.Contracts.Wire;

/// <summary>
/// The plaintext of one transport frame: the client's session id and one envelope. MessagePack array
/// <c>[session_id, envelope]</c>. The server answers with its own frames carrying the same session id.
/// </summary>
[MessagePackObject]
public sealed record Frame([property: Key(0)] long SessionId, [property: Key(1)] Envelope Envelope);

/// <summary>
/// One message of the message layer: MessagePack array <c>[msg_id, seq_no, body]</c>. Client msg_ids are about
/// unixtime·2³², divisible by 4 and strictly increasing per session; server msg_ids end in 01 (answers) or 11.
/// </summary>
[MessagePackObject]
public sealed record Envelope([property: Key(0)] long MsgId, [property: Key(1)] int SeqNo, [property: Key(2)] EnvelopeBody Body);

/// <summary>An envelope's body: MessagePack <c>[kind, [fields…]]</c> with the kind numbers below.</summary>
[Union(0, typeof(CallBody))]
[Union(1, typeof(ResultBody))]
[Union(2, typeof(ErrorBody))]
[Union(3, typeof(AckBody))]
[Union(4, typeof(UpdatesBody))]
[Union(5, typeof(ContainerBody))]
[Union(6, typeof(NewSessionBody))]
[Union(7, typeof(PingBody))]
[Union(8, typeof(PongBody))]
[Union(9, typeof(BadMsgBody))]
public abstract record EnvelopeBody
{
    /// <summary>Content bodies need an ack and count in seq_no; acks, containers and pings do not.</summary>
    [IgnoreMember]
    public virtual bool IsContent => true;
}

/// <summary>Kind 0, client → server: call <c>method</c> with MessagePack-encoded <c>args</c> (a map of the call's fields).
/// Read off a frame, <c>args</c> borrows the frame's buffer (an upload part is not copied on its way to the
/// call's own fields): it is valid until the frame is released.</summary>
[MessagePackObject]
public sealed record CallBody(
    [property: Key(0)] string Method,
    [property: Key(1), MessagePackFormatter(typeof(BorrowedBytesFormatter))] ReadOnlyMemory<byte> Args) : EnvelopeBody;

/// <summary>Kind 1, server → client: the MessagePack-encoded result of the call sent as <c>req_msg_id</c>.</summary>
[MessagePackObject]
public sealed record ResultBody([property: Key(0)] long ReqMsgId, [property: Key(1)] byte[] Value) : EnvelopeBody;

/// <summary>Kind 2, server → client: the call <c>req_msg_id</c> failed with a stable error name and code class.</summary>
[MessagePackObject]
public sealed record ErrorBody(
    [property: Key(0)] long ReqMsgId,
    [property: Key(1)] string Name,
    [property: Key(2)] int Code,
    [property: Key(3)] int? RetryAfterSeconds) : EnvelopeBody;

/// <summary>Kind 3, both ways: these msg_ids arrived; the peer may forget them.</summary>
[MessagePackObject]
public sealed record AckBody([property: Key(0)] long[] MsgIds) : EnvelopeBody
{
    [IgnoreMember]
    public override bool IsContent => false;
}

/// <summary>Kind 4, server → client: pushed updates (their format belongs to the module that produces them).</summary>
[MessagePackObject]
public sealed record UpdatesBody([property: Key(0)] string Kind, [property: Key(1)] byte[] Payload) : EnvelopeBody;

/// <summary>Kind 5, both ways: several envelopes in one frame (at most 1024, never nested).</summary>
[MessagePackObject]
public sealed record ContainerBody([property: Key(0)] Envelope[] Envelopes) : EnvelopeBody
{
    public const int MaxEnvelopes = 1024;

    [IgnoreMember]
    public override bool IsContent => false;
}

/// <summary>Kind 6, server → client: the server did not know this session; anything before <c>first_msg_id</c>
/// is unknown to it, so the client should resynchronise its state.</summary>
[MessagePackObject]
public sealed record NewSessionBody([property: Key(0)] long FirstMsgId, [property: Key(1)] long ServerTimeUnixMs) : EnvelopeBody;

/// <summary>Kind 7, client → server: keep-alive; answered with <see cref="PongBody"/>.</summary>
[MessagePackObject]
public sealed record PingBody([property: Key(0)] long PingId) : EnvelopeBody
{
    [IgnoreMember]
    public override bool IsContent => false;
}

/// <summary>Kind 8, server → client: the answer to the ping sent as <c>req_msg_id</c>.</summary>
[MessagePackObject]
public sealed record PongBody([property: Key(0)] long ReqMsgId, [property: Key(1)] long PingId) : EnvelopeBody
{
    [IgnoreMember]
    public override bool IsContent => false;
}

/// <summary>Kind 9, server → client: the envelope <c>bad_msg_id</c> was refused and not executed; see
/// <see cref="BadMsgCodes"/>. Carries the server's clock so the client can correct its offset and resend.</summary>
[MessagePackObject]
public sealed record BadMsgBody(
    [property: Key(0)] long BadMsgId,
    [property: Key(1)] int ErrorCode,
    [property: Key(2)] long ServerTimeUnixMs) : EnvelopeBody;

/// <summary>Why an envelope was refused (numbers follow MTProto's bad_msg_notification).</summary>
public static class BadMsgCodes
{
    /// <summary>msg_id is more than 300 s old, or below what the session still remembers: restamp and resend.</summary>
    public const int MsgIdTooLow = 16;

    /// <summary>msg_id is more than 30 s in the future: correct the clock offset, restamp and resend.</summary>
    public const int MsgIdTooHigh = 17;

    /// <summary>A client msg_id must be divisible by 4.</summary>
    public const int MsgIdWrongParity = 18;

    /// <summary>A container holds another container or more than 1024 envelopes; nothing in it was executed.</summary>
    public const int InvalidContainer = 64;
}
