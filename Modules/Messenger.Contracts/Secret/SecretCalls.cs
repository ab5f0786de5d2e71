using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Secret;

/// <summary>Where a secret chat is: waiting for the participant's acceptance, open for messages, or over.</summary>
public enum SecretChatState
{
    /// <summary>The admin asked (<c>secret.requestChat</c>); the participant has not accepted yet.</summary>
    Requested = 0,

    /// <summary>The participant accepted from one device: both bound devices may send.</summary>
    Ready = 1,

    /// <summary>Ended for good (<see cref="SecretChat.Reason"/> says how).</summary>
    Discarded = 2,
}

/// <summary>Why a secret chat was discarded (<see cref="SecretChat.Reason"/>).</summary>
public static class SecretChatEndReasons
{
    /// <summary>The admin discarded it before it was accepted.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The participant discarded it before accepting it.</summary>
    public const string Declined = "declined";

    /// <summary>Either user discarded it once it was accepted.</summary>
    public const string Ended = "ended";

    /// <summary>One of its two bound devices was signed out (by itself, from another device, by expiry, by a password
    /// change, by an admin): the keys lived on that device.</summary>
    public const string DeviceSignedOut = "device_signed_out";

    /// <summary>One of its two users deleted their account.</summary>
    public const string AccountDeleted = "account_deleted";
}

/// <summary>
/// An end-to-end encrypted one-to-one chat (Telegram's secret chats) between ONE device of <see cref="AdminId"/> (who
/// asked) and ONE device of <see cref="ParticipantId"/> (who accepted). The server relays ciphertext and never sees the
/// keys: <see cref="GA"/> and <see cref="GB"/> are the two sides' X25519 public keys (32 bytes; <see cref="GB"/> null
/// until accepted), <see cref="KeyFingerprint"/> the participant's 48-bit fingerprint of the derived keys (0 until
/// accepted), which the admin's device compares with its own. Both users' logs get every change (<c>secret_chat</c>);
/// devices that do not hold the chat's keys do not show it. <see cref="Date"/>: when it was requested (unix seconds).
/// <see cref="Reason"/> is set once discarded (<see cref="SecretChatEndReasons"/>); <see cref="HistoryDeleted"/>: the
/// discarding side asked both devices to delete the chat's local history.
/// </summary>
[MessagePackObject]
public sealed record SecretChat(
    [property: Key("id")] long Id,
    [property: Key("admin_id")] long AdminId,
    [property: Key("participant_id")] long ParticipantId,
    [property: Key("state")] SecretChatState State,
    [property: Key("date")] long Date,
    [property: Key("g_a")] byte[] GA,
    [property: Key("g_b")] byte[]? GB = null,
    [property: Key("key_fingerprint")] long KeyFingerprint = 0,
    [property: Key("reason")] string? Reason = null,
    [property: Key("history_deleted")] bool HistoryDeleted = false);

/// <summary>
/// One encrypted message of secret chat <see cref="ChatId"/>, sent by <see cref="FromId"/> at <see cref="Date"/> (unix
/// seconds, the server's clock). <see cref="Data"/> is <c>nonce (24 bytes) || XChaCha20-Poly1305 ciphertext</c>, opaque
/// to the server (docs/secret-chats.md); <see cref="RandomId"/> is the sender's id for it (its associated data, and what
/// the recipient dedupes by). <see cref="Silent"/>: announce it without sound. <see cref="File"/>: the encrypted file it
/// carries (its key and what it is are inside <see cref="Data"/>), or null. <see cref="Service"/>: the sender said its
/// body is a control message (a delete, a key exchange), not one to show (<see cref="SendEncryptedCall.Service"/>).
/// </summary>
[MessagePackObject]
public sealed record EncryptedMessage(
    [property: Key("chat_id")] long ChatId,
    [property: Key("random_id")] long RandomId,
    [property: Key("from_id")] long FromId,
    [property: Key("date")] long Date,
    [property: Key("data")] byte[] Data,
    [property: Key("silent")] bool Silent = false,
    [property: Key("file")] EncryptedFile? File = null,
    [property: Key("service")] bool Service = false);

/// <summary>An encrypted file of a secret chat as stored by the server: <see cref="Id"/> is a media id to read with
/// <c>upload.getFile</c> or <c>upload.openDownloadStream</c> (allowed to the chat's two members while it is not
/// discarded), <see cref="Size"/> the ciphertext's bytes. The server never sees the file's key, name or type.</summary>
[MessagePackObject]
public sealed record EncryptedFile(
    [property: Key("id")] long Id,
    [property: Key("size")] long Size);

/// <summary>The encrypted file <c>secret.sendEncrypted</c> attaches: a finished upload (<c>upload.saveFilePart</c> or an
/// upload stream), its <see cref="FileId"/> and <see cref="TotalParts"/> as in <c>InputMedia</c>; or, with
/// <see cref="Id"/> (Telegram's <c>inputEncryptedFile</c>) and the other two 0, a file the caller already sent in this
/// chat and the chat still holds (its <see cref="EncryptedFile.Id"/>), sent again without a new upload, as a resend
/// request's answer does.</summary>
[MessagePackObject]
public sealed record InputEncryptedFile(
    [property: Key("file_id")] long FileId,
    [property: Key("total_parts")] int TotalParts,
    [property: Key("id")] long Id = 0);

/// <summary>The answer to <c>secret.sendEncrypted</c>: the message's server date (unix seconds), the first one's for a
/// resend of the same random_id; <see cref="File"/>: the encrypted file it carries, as the recipient gets it (null
/// without one).</summary>
[MessagePackObject]
public sealed record SentEncryptedMessage([property: Key("date")] long Date, [property: Key("file")] EncryptedFile? File = null);

/// <summary>The answer to <c>secret.getChats</c>.</summary>
[MessagePackObject]
public sealed record SecretChats([property: Key("chats")] SecretChat[] Chats);

/// <summary>
/// <c>secret.requestChat</c>: asks <see cref="UserId"/> for a secret chat with the admin's public key <see cref="GA"/>
/// (32 bytes, X25519), binding it to the calling device on the admin's side. Answers the chat (Requested); both users'
/// logs get <c>secret_chat</c>. Idempotent per (caller, <see cref="RandomId"/>): the same random_id answers the same
/// chat. Errors: <c>PEER_ID_INVALID</c> (no such user, a bot, oneself, a deleted account), <c>RANDOM_ID_INVALID</c> (0, or
/// beyond ±(2^53 − 1)), <c>DH_G_A_INVALID</c> (not 32 bytes, or a low-order point), 403 <c>USER_IS_BLOCKED</c>, 403
/// <c>YOU_BLOCKED_USER</c>, 420 <c>SECRET_CHATS_TOO_MUCH</c> (100 of the caller's requests already wait for acceptance),
/// 420 <c>FLOOD_WAIT</c> (the posting limit of <c>messages.send</c>, or 10 chats started with the same person in the last
/// 24 hours).
/// </summary>
[RpcMethod("secret.requestChat")]
[MessagePackObject]
public sealed record RequestSecretChatCall(
    [property: Key("user_id")] long UserId,
    [property: Key("random_id")] long RandomId,
    [property: Key("g_a")] byte[] GA) : IRpcCall<SecretChat>, IRepeatableCall;

/// <summary>
/// <c>secret.acceptChat</c> (the participant, while Requested): accepts with the participant's public key
/// <see cref="GB"/> and the fingerprint of the derived keys (48 bits: 1 to 2^48 − 1), binding the chat to the calling
/// device on the participant's side. Answers the chat (Ready); both logs get <c>secret_chat</c>. The same device repeating
/// the same accept gets the chat again; any other device, or another g_b, gets <c>ENCRYPTION_ALREADY_ACCEPTED</c>.
/// Errors: <c>ENCRYPTION_ID_INVALID</c> (unknown, or the caller is not its participant), <c>ENCRYPTION_ALREADY_ACCEPTED</c>,
/// <c>ENCRYPTION_DECLINED</c> (discarded), <c>DH_G_B_INVALID</c>, <c>KEY_FINGERPRINT_INVALID</c>.
/// </summary>
[RpcMethod("secret.acceptChat")]
[MessagePackObject]
public sealed record AcceptSecretChatCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("g_b")] byte[] GB,
    [property: Key("key_fingerprint")] long KeyFingerprint) : IRpcCall<SecretChat>;

/// <summary>
/// <c>secret.discardChat</c>: either user, from any of their devices (a chat living on a lost phone can be ended from
/// another), ends the chat; <see cref="DeleteHistory"/> asks both devices to delete its local history. Both logs get
/// <c>secret_chat</c> (Discarded, with the reason). An already discarded chat answers Done and logs nothing; no ending
/// is rate-limited (a user at the posting limit can still end a chat). Errors: <c>ENCRYPTION_ID_INVALID</c>.
/// </summary>
[RpcMethod("secret.discardChat")]
[MessagePackObject]
public sealed record DiscardSecretChatCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("delete_history")] bool DeleteHistory = false) : IRpcCall<Done>;

/// <summary>
/// <c>secret.sendEncrypted</c>: relays <see cref="Data"/> (41 to 65,536 bytes: a 24-byte nonce, the ciphertext and its
/// 16-byte tag) to the other side; answered after COMMIT with the message's date. Only from the chat's bound device of a
/// member, only while Ready. Idempotent per (chat, sender, <see cref="RandomId"/>): a resend answers the first date and
/// logs nothing. The OTHER user's log alone gets <c>new_encrypted_message</c>. Errors: <c>ENCRYPTION_ID_INVALID</c>
/// (unknown, not a member, or not accepted yet), <c>ENCRYPTION_DECLINED</c> (discarded), 403
/// <c>ENCRYPTION_DEVICE_INVALID</c> (another device of the member), <c>RANDOM_ID_INVALID</c>,
/// <c>ENCRYPTED_MESSAGE_INVALID</c>, 403 <c>USER_IS_BLOCKED</c>, 403 <c>YOU_BLOCKED_USER</c>, 420 <c>FLOOD_WAIT</c>
/// (the posting limit of <c>messages.send</c>). With <see cref="File"/>, the finished upload of an encrypted file
/// becomes a file held by the chat (its blob goes when the chat is discarded), carried by the message as
/// <see cref="EncryptedMessage.File"/>; errors then also those of attaching media (<c>FILE_ID_INVALID</c>,
/// <c>FILE_PARTS_INVALID</c>, <c>FILE_PART_MISSING</c>, <c>FILE_PART_SIZE_INVALID</c>, <c>QUOTA_EXCEEDED</c>; the upload's
/// size limit is <c>FILE_TOO_BIG</c>), and 403 <c>ENCRYPTED_FILES_DISABLED</c> when the server's operator turned files in
/// secret chats off. With <see cref="InputEncryptedFile.Id"/>, the chat holds the same file once more (one more
/// reference to the same blob, released with the chat like the first): only a file the caller sent in this chat, which
/// the chat still holds, else <c>ENCRYPTED_FILE_INVALID</c>.
/// <see cref="Service"/> (Telegram's <c>sendEncryptedService</c>) tells the server only that the body is a control
/// message — a delete, a key exchange — so no notification is pushed for it; the recipient's client still decides from
/// the decrypted body what it is. It is carried to the recipient as <see cref="EncryptedMessage.Service"/>; a service
/// message carries no new upload (<c>ENCRYPTED_MESSAGE_INVALID</c>), only a file already held (a resend request's answer).
/// </summary>
[RpcMethod("secret.sendEncrypted")]
[MessagePackObject]
public sealed record SendEncryptedCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("random_id")] long RandomId,
    [property: Key("data")] byte[] Data,
    [property: Key("silent")] bool Silent = false,
    [property: Key("file")] InputEncryptedFile? File = null,
    [property: Key("service")] bool Service = false) : IRpcCall<SentEncryptedMessage>, IRepeatableCall;

/// <summary>
/// <c>secret.readHistory</c>: the bound device read the other side's messages dated up to <see cref="MaxDate"/>; the
/// other user's log gets <c>encrypted_read</c> when the position moves forward (it never moves past the server's now).
/// Errors: <c>ENCRYPTION_ID_INVALID</c> (unknown, not a member, or not accepted yet), <c>ENCRYPTION_DECLINED</c>
/// (discarded), 403 <c>ENCRYPTION_DEVICE_INVALID</c> (another device of the member), <c>MAX_DATE_INVALID</c> (0 or less).
/// </summary>
[RpcMethod("secret.readHistory")]
[MessagePackObject]
public sealed record ReadSecretHistoryCall([property: Key("chat_id")] long ChatId, [property: Key("max_date")] long MaxDate) : IRpcCall<Done>, IRepeatableCall;

/// <summary>
/// <c>secret.setTyping</c>: the bound device's user is typing; the other user's online devices get the ephemeral
/// <c>encrypted_typing</c> (valid 6 s, at most one per 2 s per chat forwarded; nothing to a blocked pair). Errors:
/// <c>ENCRYPTION_ID_INVALID</c> (unknown, not a member, or not accepted yet), <c>ENCRYPTION_DECLINED</c> (discarded),
/// 403 <c>ENCRYPTION_DEVICE_INVALID</c> (another device of the member).
/// </summary>
[RpcMethod("secret.setTyping")]
[MessagePackObject]
public sealed record SetSecretTypingCall([property: Key("chat_id")] long ChatId) : IRpcCall<Done>, IRepeatableCall;

/// <summary><c>secret.getChats</c>: the caller's secret chats, from any device: those not discarded, and the 100 latest
/// discarded in the last 30 days (so a device that resynced learns of endings).</summary>
[RpcMethod("secret.getChats")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetSecretChatsCall : IRpcCall<SecretChats>, IRepeatableCall;

/// <summary>Stable error names of secret chats (besides <c>PEER_ID_INVALID</c>, <c>RANDOM_ID_INVALID</c>,
/// <c>USER_IS_BLOCKED</c> and <c>YOU_BLOCKED_USER</c> of messages).</summary>
public static class SecretErrorNames
{
    /// <summary>g_a is not 32 bytes, or is a low-order point (X25519 with it is all zero).</summary>
    public const string DhGaInvalid = "DH_G_A_INVALID";

    /// <summary>g_b is not 32 bytes, or is a low-order point.</summary>
    public const string DhGbInvalid = "DH_G_B_INVALID";

    /// <summary>The key fingerprint is 0, negative, or 2^48 or more.</summary>
    public const string KeyFingerprintInvalid = "KEY_FINGERPRINT_INVALID";

    /// <summary>420: 100 of the caller's requests already wait for acceptance.</summary>
    public const string SecretChatsTooMuch = "SECRET_CHATS_TOO_MUCH";

    /// <summary>No such secret chat for the caller (unknown, not theirs, or — to send — not accepted yet).</summary>
    public const string EncryptionIdInvalid = "ENCRYPTION_ID_INVALID";

    /// <summary>The chat was accepted already (by another device, or with another g_b).</summary>
    public const string EncryptionAlreadyAccepted = "ENCRYPTION_ALREADY_ACCEPTED";

    /// <summary>The chat was discarded.</summary>
    public const string EncryptionDeclined = "ENCRYPTION_DECLINED";

    /// <summary>403: the call came from a device of the member other than the one the chat is bound to.</summary>
    public const string EncryptionDeviceInvalid = "ENCRYPTION_DEVICE_INVALID";

    /// <summary>The data is shorter than 41 bytes or longer than 65,536, or a service message carries a file.</summary>
    public const string EncryptedMessageInvalid = "ENCRYPTED_MESSAGE_INVALID";

    /// <summary>max_date is 0 or less.</summary>
    public const string MaxDateInvalid = "MAX_DATE_INVALID";

    /// <summary>The file to send again (<see cref="InputEncryptedFile.Id"/>) is not one the caller sent in this chat and
    /// the chat still holds (unknown, another user's, another chat's, or released), or names an upload too.</summary>
    public const string EncryptedFileInvalid = "ENCRYPTED_FILE_INVALID";

    /// <summary>403: the server's operator turned files in secret chats off (<c>Messenger:Message:SecretFiles</c>).</summary>
    public const string EncryptedFilesDisabled = "ENCRYPTED_FILES_DISABLED";
}
