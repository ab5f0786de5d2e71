using MessagePack;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Media;

/// <summary><c>upload.saveFilePart</c>: stores part <see cref="Part"/> (0-based) of the caller's upload
/// <see cref="FileId"/> (a random non-zero id the client chooses), which has <see cref="TotalParts"/> parts. Every part
/// but the last has the same size, a multiple of 1 KiB that divides 512 KiB; the last may be smaller (not empty).
/// Parts may come in any order and in parallel; sending a part again overwrites it (the same bytes again change
/// nothing, so the call is repeatable: <see cref="IRepeatableCall"/>). Files are at most 2 GiB by default.
/// Errors: <c>FILE_ID_INVALID</c>, <c>FILE_PARTS_INVALID</c>, <c>FILE_PART_SIZE_INVALID</c>, <c>FILE_TOO_BIG</c>,
/// <c>QUOTA_EXCEEDED</c>.</summary>
[RpcMethod("upload.saveFilePart")]
[MessagePackObject]
public sealed record SaveFilePartCall(
    [property: Key("file_id")] long FileId,
    [property: Key("part")] int Part,
    [property: Key("total_parts")] int TotalParts,
    [property: Key("bytes")] byte[] Bytes) : IRpcCall<Done>, IRepeatableCall;

/// <summary><c>upload.getUploadedParts</c>: the parts of the caller's unfinished upload the server has (empty for an
/// unknown file id), to resume after a dropped connection or a server restart. Errors: <c>FILE_ID_INVALID</c>.</summary>
[RpcMethod("upload.getUploadedParts")]
[MessagePackObject]
public sealed record GetUploadedPartsCall([property: Key("file_id")] long FileId) : IRpcCall<UploadedParts>;

/// <summary><c>upload.cancelUpload</c>: gives up the caller's upload in progress <see cref="FileId"/> at once: its parts
/// on disk, its place among the uploads in progress (<c>UPLOADS_TOO_MANY</c>) and what it reserves of the quota. Unused
/// stream tickets for it are revoked, and a part being written for it at that moment (a call, or an upload stream
/// under way) fails with <c>UPLOAD_CANCELLED</c>; the answer comes once they have stopped and the files are gone. A
/// later part with the same id starts a new upload from nothing. An unknown or finished upload (attached, or being
/// attached by a send at that moment) is left as it is: the call answers <c>{}</c> all the same, so it can be sent
/// again. Only the caller's own uploads are touched (another user's same <c>file_id</c> is another upload).
/// Errors: <c>FILE_ID_INVALID</c>.</summary>
[RpcMethod("upload.cancelUpload")]
[MessagePackObject]
public sealed record CancelUploadCall([property: Key("file_id")] long FileId) : IRpcCall<Done>;

/// <summary>The part numbers the server has for an upload, ascending, and the total it was started with (0: unknown upload).</summary>
[MessagePackObject]
public sealed record UploadedParts([property: Key("parts")] int[] Parts, [property: Key("total_parts")] int TotalParts);

/// <summary><c>upload.getFile</c>: up to <see cref="Limit"/> bytes of a stored media file from <see cref="Offset"/>.
/// Offset and limit are multiples of 4 KiB and limit is at most 1 MiB (Telegram's alignment rules); fewer bytes (or
/// none) come back at the end of the file. Only the uploader and users who can see a message carrying the media may
/// read it; everyone else gets 404 <c>MEDIA_INVALID</c>, exactly as for an id that does not exist. With
/// <see cref="Thumb"/> the bytes are those of the media's thumbnail (a JPEG, longest side at most 320 px;
/// <see cref="MessageMedia.Thumb"/>), read under the same rules; 404 <c>MEDIA_INVALID</c> also when it has none.
/// Errors: <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>, 404 <c>MEDIA_INVALID</c>.</summary>
[RpcMethod("upload.getFile")]
[MessagePackObject]
public sealed record GetFileCall(
    [property: Key("media_id")] long MediaId,
    [property: Key("offset")] long Offset,
    [property: Key("limit")] int Limit,
    [property: Key("thumb")] bool Thumb = false) : IRpcCall<FileBytes>, IRepeatableCall;

/// <summary>A range of a media file.</summary>
[MessagePackObject]
public sealed record FileBytes([property: Key("bytes")] byte[] Bytes);

/// <summary>A finished upload to attach to a message (<c>messages.send</c>'s <c>media</c>): the server checks every
/// part is there, stores the content once (deduplicated by SHA-256) and records it under <see cref="Name"/> and
/// <see cref="MimeType"/>. <see cref="Thumb"/> is another finished upload, a small image (PNG, JPEG, GIF or WebP, at
/// most 200 KiB) the client made of the file — a video's frame, say: the server decodes it and makes the media's
/// thumbnail and inline preview of it, as of a photo; the upload is consumed and never becomes a file of its own. A
/// photo the server can decode keeps its own thumbnail (the client's is used only when the server made none).
/// <see cref="Duration"/> (seconds, 0–86400) is for videos and audio; <see cref="Width"/> and <see cref="Height"/>
/// (1–10000, both or neither) for videos. Errors: <c>THUMB_INVALID</c>, <c>MEDIA_DURATION_INVALID</c>,
/// <c>MEDIA_DIMENSIONS_INVALID</c>.</summary>
[MessagePackObject]
public sealed record InputMedia(
    [property: Key("file_id")] long FileId,
    [property: Key("total_parts")] int TotalParts,
    [property: Key("name")] string Name,
    [property: Key("mime_type")] string MimeType,
    [property: Key("thumb")] InputThumb? Thumb = null,
    [property: Key("duration")] int? Duration = null,
    [property: Key("width")] int? Width = null,
    [property: Key("height")] int? Height = null);

/// <summary>The finished upload of a thumbnail the client made (<see cref="InputMedia.Thumb"/>): its file id (not the
/// media's) and part count.</summary>
[MessagePackObject]
public sealed record InputThumb(
    [property: Key("file_id")] long FileId,
    [property: Key("total_parts")] int TotalParts);

/// <summary>The media a message carries. <see cref="Kind"/> is one of <see cref="MediaKinds"/> (from the mime type);
/// width and height are given for PNG, JPEG, GIF and WebP images: the size as displayed (after the EXIF orientation)
/// when the server could decode the image, else the size its header declares. Read the bytes with
/// <c>upload.getFile(id, …)</c>. Images the server decoded also carry <see cref="Thumb"/> (read it with
/// <c>upload.getFile(id, …, thumb: true)</c>) and usually <see cref="Preview"/>; so do other files sent with a thumbnail
/// the client made (<see cref="InputMedia.Thumb"/>: a video's frame), where width and height are those the client gave
/// (videos). Both are absent (nil) for files without one, for images it could not or would not decode, and in
/// descriptors stored before the image's thumbnail was made (before thumbnails existed, or sent while the decoder was
/// busy) until the server's background passes give them theirs (no update is sent: the next fetch shows them).
/// <see cref="Duration"/> (seconds) is the one the client gave for a video
/// or audio, else nil.</summary>
[MessagePackObject]
public sealed record MessageMedia(
    [property: Key("id")] long Id,
    [property: Key("kind")] string Kind,
    [property: Key("name")] string Name,
    [property: Key("mime_type")] string MimeType,
    [property: Key("size")] long Size,
    [property: Key("width")] int? Width = null,
    [property: Key("height")] int? Height = null,
    [property: Key("thumb")] MediaThumb? Thumb = null,
    [property: Key("preview")] byte[]? Preview = null,
    [property: Key("duration")] int? Duration = null)
{
    /// <summary>Equal descriptors: the same fields, and previews with the same bytes.</summary>
    public bool Equals(MessageMedia? other) =>
        other is not null && Id == other.Id && Kind == other.Kind && Name == other.Name && MimeType == other.MimeType &&
        Size == other.Size && Width == other.Width && Height == other.Height && Thumb == other.Thumb && Duration == other.Duration &&
        (Preview ?? []).AsSpan().SequenceEqual(other.Preview ?? []);

    public override int GetHashCode() => HashCode.Combine(Id, Kind, Name, MimeType, Size, Width, Height, HashCode.Combine(Thumb, Duration));
}

/// <summary>The thumbnail of an image (<c>upload.getFile(…, thumb: true)</c>): a JPEG of <see cref="Width"/> ×
/// <see cref="Height"/> pixels (the longest side at most 320, displayed orientation) and <see cref="Size"/> bytes.
/// <see cref="MessageMedia.Preview"/>, when present, is an inline JPEG of the same picture at most 40 pixels on its
/// longest side and 1 KiB, to show blurred until the thumbnail is there.</summary>
[MessagePackObject]
public sealed record MediaThumb(
    [property: Key("width")] int Width,
    [property: Key("height")] int Height,
    [property: Key("size")] long Size);

/// <summary>Kinds of <see cref="MessageMedia"/>.</summary>
public static class MediaKinds
{
    public const string Photo = "photo";
    public const string Video = "video";
    public const string Audio = "audio";
    public const string Document = "document";

    public static string FromMimeType(string mimeType) =>
        mimeType.Split('/')[0].ToLowerInvariant() switch
        {
            "image" => Photo,
            "video" => Video,
            "audio" => Audio,
            _ => Document,
        };
}

/// <summary><c>messages.forward</c>: copies messages of <see cref="FromPeer"/> that the caller can see into
/// <see cref="ToPeer"/>, one new message per id (same text and media; media gains a reference, its bytes are never
/// copied; a poll is posted anew with its question and options, open and without votes, a quiz with its answer). <see cref="RandomIds"/> (one per id, non-zero) make the call idempotent like <c>messages.send</c>. At most
/// 100 ids. Errors: <c>PEER_ID_INVALID</c>, <c>MESSAGE_IDS_INVALID</c>, <c>RANDOM_ID_INVALID</c>,
/// <c>MESSAGE_ID_INVALID</c> (an id the caller cannot see), <c>QUIZ_ANSWER_REQUIRED</c> (a quiz the caller has not
/// answered, did not write and is still open), <c>BROADCAST_PUBLIC_VOTERS_FORBIDDEN</c> (a poll with public voters into a
/// channel), 403 <c>USER_IS_BLOCKED</c>, 403 <c>YOU_BLOCKED_USER</c>. <see cref="Silent"/>
/// posts the copies without sound (<see cref="Message.Silent"/>); a copy never takes the original's. <see cref="TopicId"/>:
/// the forum topic of <see cref="ToPeer"/> the copies go to (0 or none: General), as for <c>messages.send</c>.</summary>
[RpcMethod("messages.forward")]
[MessagePackObject]
public sealed record ForwardMessagesCall(
    [property: Key("from_peer")] Peer FromPeer,
    [property: Key("ids")] long[] Ids,
    [property: Key("to_peer")] Peer ToPeer,
    [property: Key("random_ids")] long[] RandomIds,
    [property: Key("silent")] bool Silent = false,
    [property: Key("topic_id")] long? TopicId = null) : IRpcCall<ForwardedMessages>, IRepeatableCall;

/// <summary>The new messages, in the order of the ids, and the caller's log position after them (apply them as
/// updates ending at <see cref="Pts"/>, <see cref="PtsCount"/> in all).</summary>
[MessagePackObject]
public sealed record ForwardedMessages(
    [property: Key("messages")] Message[] Messages,
    [property: Key("pts")] long Pts,
    [property: Key("pts_count")] int PtsCount,
    [property: Key("channel")] bool Channel = false);

/// <summary>Stable error names of uploads, downloads and media.</summary>
public static class MediaErrorNames
{
    /// <summary>400: file_id is 0.</summary>
    public const string FileIdInvalid = "FILE_ID_INVALID";

    /// <summary>400: a part's size is not a multiple of 1 KiB dividing 512 KiB, differs from the upload's other
    /// parts, or (the last part) is empty or larger than them.</summary>
    public const string FilePartSizeInvalid = "FILE_PART_SIZE_INVALID";

    /// <summary>400: part or total_parts out of range, total_parts changed during the upload, or an unknown upload.</summary>
    public const string FilePartsInvalid = "FILE_PARTS_INVALID";

    /// <summary>400: attaching an upload that lacks a part (resume with <c>upload.getUploadedParts</c>).</summary>
    public const string FilePartMissing = "FILE_PART_MISSING";

    /// <summary>400: the file would be larger than the server allows (2 GiB by default).</summary>
    public const string FileTooBig = "FILE_TOO_BIG";

    /// <summary>400: the caller's stored bytes would exceed their quota; or, starting an upload, what they store and their
    /// uploads in progress fill it, or their uploads in progress with this one would reserve more than it.</summary>
    public const string QuotaExceeded = "QUOTA_EXCEEDED";

    /// <summary>420 on starting an upload (its first part, or <c>upload.openUploadStream</c>): the caller has
    /// <c>Messenger:Media:UploadsInProgressPerUser</c> uploads in progress; the seconds until the least recently
    /// touched one expires. Attach (or finish) one, or resume one, instead of starting another.</summary>
    public const string UploadsTooMany = "UPLOADS_TOO_MANY";

    /// <summary>400 on a part (<c>upload.saveFilePart</c>, or an upload stream) being written when
    /// <c>upload.cancelUpload</c> gave its upload up: nothing of it is kept. A part sent afterwards starts the upload
    /// again from nothing.</summary>
    public const string UploadCancelled = "UPLOAD_CANCELLED";

    /// <summary>404: no such media, or the caller may not see it (the two are not told apart).</summary>
    public const string MediaInvalid = "MEDIA_INVALID";

    /// <summary>400: a caption (the text of a message with media) longer than 1024 characters.</summary>
    public const string MediaCaptionTooLong = "MEDIA_CAPTION_TOO_LONG";

    /// <summary>400: the media's name is empty, longer than 255 characters, or holds a control or bidi character (a name's
    /// rules); or its MIME type, without its parameters, is not an RFC 6838 <c>type/subtype</c> token.</summary>
    public const string MediaInputInvalid = "MEDIA_INPUT_INVALID";

    /// <summary>400: the media's thumb is an unknown or incomplete upload, has the media's own file id, is larger than
    /// 200 KiB, or is not a PNG, JPEG, GIF or WebP image that decodes within the budgets.</summary>
    public const string ThumbInvalid = "THUMB_INVALID";

    /// <summary>400: a duration outside 0–86400 seconds, or one given for a file that is neither video nor audio.</summary>
    public const string MediaDurationInvalid = "MEDIA_DURATION_INVALID";

    /// <summary>400: a width or height outside 1–10000, only one of them, or given for a file that is not a video.</summary>
    public const string MediaDimensionsInvalid = "MEDIA_DIMENSIONS_INVALID";

    public const string OffsetInvalid = "OFFSET_INVALID";
    public const string LimitInvalid = "LIMIT_INVALID";

    /// <summary>404 on a media stream: the ticket is unknown, expired or already used.</summary>
    public const string StreamTicketInvalid = "STREAM_TICKET_INVALID";

    /// <summary>400 on an upload stream: the body is longer or shorter than the ticket says.</summary>
    public const string StreamLengthInvalid = "STREAM_LENGTH_INVALID";

    /// <summary>400 on an upload stream: a chunk failed authentication (tampered, reordered or under another key).
    /// The parts before it are kept.</summary>
    public const string StreamChunkInvalid = "STREAM_CHUNK_INVALID";

    /// <summary>420 on <c>upload.openUploadStream</c>/<c>upload.openDownloadStream</c>: too many unused tickets.</summary>
    public const string StreamTicketsExhausted = "STREAM_TICKETS_EXHAUSTED";
}
