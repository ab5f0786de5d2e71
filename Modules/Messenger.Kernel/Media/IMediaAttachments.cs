using Messenger.Contracts.Media;
using Messenger.Kernel.Storage;

namespace Messenger.Kernel.Media;

/// <summary>
/// Media attached to messages, provided by the Media module (DESIGN §7). Two halves, because hashing and moving a
/// 2 GiB file must never run inside a writer unit (it would stall every write of the server):
/// <see cref="PrepareAsync"/> runs before the message's unit and does the file work; <see cref="Attach"/>,
/// <see cref="AddReference"/> and <see cref="Release"/> run inside it and only change rows, so a reference is created
/// or dropped in the same transaction as the message that owns it.
/// </summary>
public interface IMediaAttachments
{
    /// <summary>
    /// Completes the upload <paramref name="input"/> of <paramref name="userId"/>: every part present, content hashed
    /// (SHA-256) and stored once in the blob store. The blob stays protected from collection until the result is
    /// disposed: dispose it after the unit that attaches it has finished, committed or not. The completed upload is
    /// remembered durably for the upload expiry (until then the same file_id and part count give the same blob again,
    /// after a restart too), unless a call attached it and the blob's last reference goes first.
    /// Throws 400 <c>FILE_PARTS_INVALID</c>, <c>FILE_PART_MISSING</c>, <c>FILE_PART_SIZE_INVALID</c>, <c>MEDIA_INPUT_INVALID</c>.
    /// </summary>
    Task<PreparedMedia> PrepareAsync(long userId, InputMedia input, CancellationToken cancellationToken);

    /// <summary>Records the prepared media as carried by <paramref name="messageId"/> (one reference) and returns its
    /// descriptor; its completed upload is marked used in the same unit (forgotten with the blob's last reference).
    /// Throws 400 <c>QUOTA_EXCEEDED</c> when it would take <paramref name="uploaderId"/> over their quota.</summary>
    MessageMedia Attach(WriteScope scope, PreparedMedia prepared, long messageId, long uploaderId);

    /// <summary>One more message (a forward) carries existing media: a reference, never a copy of the bytes.
    /// Throws 404 <c>MEDIA_INVALID</c> when the media no longer exists.</summary>
    void AddReference(WriteScope scope, long mediaId, long messageId);

    /// <summary>Whether <paramref name="holderId"/> (a message or a photo's holder) carries <paramref name="prepared"/>
    /// already: a media of the same blob under the same name and type (a photo set again, say by a resend after a restart).
    /// If so, the call has used the upload as <see cref="Attach"/> would: its completed upload is marked used in the same unit.</summary>
    bool Carries(WriteScope scope, long holderId, PreparedMedia prepared);

    /// <summary>Drops the reference of <paramref name="messageId"/> if it has one (no-op otherwise). A blob left with no
    /// reference is deleted by the collector after the grace period, once no completed upload of it that was never
    /// attached is remembered (the used ones are forgotten here).</summary>
    void Release(WriteScope scope, long messageId);
}

/// <summary>Helpers over <see cref="IMediaAttachments"/>.</summary>
public static class MediaAttachmentsExtensions
{
    /// <summary>What <paramref name="holderId"/> (a photo's holder, <see cref="MediaHolders"/>) carries becomes
    /// <paramref name="prepared"/>, or nothing when null: the old reference is released and the new one attached in
    /// <paramref name="scope"/>'s unit. Returns the new descriptor.</summary>
    public static MessageMedia? Replace(this IMediaAttachments media, WriteScope scope, long holderId, PreparedMedia? prepared, long uploaderId)
    {
        media.Release(scope, holderId);
        return prepared is null ? null : media.Attach(scope, prepared, holderId, uploaderId);
    }
}

/// <summary>
/// What carries a media reference besides messages: <see cref="IMediaAttachments.Attach"/> and
/// <see cref="IMediaAttachments.Release"/> take a message id (positive) or one of these (negative, so the two never meet).
/// </summary>
public static class MediaHolders
{
    /// <summary>Where group photos' holders start (user ids stay far below it).</summary>
    public const long ChatPhotoBase = 1L << 52;

    /// <summary>Where scheduled messages' holders start (chat ids stay far below the gap).</summary>
    public const long ScheduledBase = 1L << 53;

    /// <summary>Where secret chats' files' holders start (scheduled ids stay far below the gap).</summary>
    public const long SecretFileBase = 1L << 54;

    /// <summary>The profile photo of <paramref name="userId"/>: readable by anyone signed in.</summary>
    public static long ProfilePhotoOf(long userId) => -userId;

    /// <summary>The photo of group <paramref name="chatId"/>: readable by its members.</summary>
    public static long ChatPhotoOf(long chatId) => -(ChatPhotoBase + chatId);

    public static bool IsProfilePhoto(long holderId) => holderId is < 0 and > -ChatPhotoBase;

    /// <summary>The group whose photo <paramref name="holderId"/> holds, or null.</summary>
    public static long? ChatOfPhoto(long holderId) => holderId <= -ChatPhotoBase && holderId > -ScheduledBase ? -holderId - ChatPhotoBase : null;

    /// <summary>The file of scheduled message <paramref name="scheduledId"/> until it is sent: readable by its uploader only.</summary>
    public static long ScheduledOf(long scheduledId) => -(ScheduledBase + scheduledId);

    /// <summary>The encrypted file <paramref name="secretFileId"/> of a secret chat (<c>message_secret_files</c>): readable
    /// by the chat's two members while it is not discarded.</summary>
    public static long SecretFileOf(long secretFileId) => -(SecretFileBase + secretFileId);

    /// <summary>The secret chat's file <paramref name="holderId"/> holds, or null.</summary>
    public static long? SecretFileOfHolder(long holderId) => holderId <= -SecretFileBase ? -holderId - SecretFileBase : null;
}

/// <summary>A completed upload whose blob is in the store, ready to be attached inside a writer unit.</summary>
public sealed class PreparedMedia(
    long uploaderId, long fileId, string hash, long size, string kind, string name, string mimeType, int? width, int? height, Action release,
    MediaThumb? thumb = null, byte[]? preview = null, int? duration = null, string? thumbKey = null) : IDisposable
{
    private Action? _release = release;

    /// <summary>The user whose upload this is.</summary>
    public long UploaderId { get; } = uploaderId;

    /// <summary>The upload's file_id (the uploader's): the completed upload a call that attaches it marks as used.</summary>
    public long FileId { get; } = fileId;

    public string Hash { get; } = hash;

    public long Size { get; } = size;

    public string Kind { get; } = kind;

    public string Name { get; } = name;

    public string MimeType { get; } = mimeType;

    public int? Width { get; } = width;

    public int? Height { get; } = height;

    /// <summary>The thumbnail made for the blob (images) or of the client's image (<see cref="ThumbKey"/>), and its
    /// inline preview; null when there is none.</summary>
    public MediaThumb? Thumb { get; } = thumb;

    public byte[]? Preview { get; } = preview;

    /// <summary>Seconds, as the client gave them (videos and audio).</summary>
    public int? Duration { get; } = duration;

    /// <summary>The name of the thumbnail made of the client's image for this upload (<c>&lt;hash&gt;-&lt;key&gt;.jpg</c>
    /// beside the blob's thumbnail); null when the media has none of its own.</summary>
    public string? ThumbKey { get; } = thumbKey;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
