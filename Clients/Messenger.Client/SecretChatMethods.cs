using Messenger.Contracts.Secret;

namespace Messenger.Client;

/// <summary>A secret chat as this device holds it: <see cref="PeerId"/> is the other user; <see cref="IsAdmin"/>: this
/// device asked for it; <see cref="Verification"/> is the code both users compare (null until accepted);
/// <see cref="Accepting"/>: this device's acceptance is on its way.</summary>
public sealed record LocalSecretChat(
    long Id, long PeerId, bool IsAdmin, SecretChatState State, long Date, string? Verification, long KeyFingerprint, string? Reason, bool HistoryDeleted,
    bool Accepting)
{
    /// <summary>How many times the chat's keys were replaced (re-keying: every 100 messages or 7 days,
    /// docs/secret-chats.md); 0 for the first keys. <see cref="Verification"/> and <see cref="KeyFingerprint"/> stay
    /// those of the first keys: each later generation is agreed inside messages sealed by the one before it.</summary>
    public int KeyGeneration { get; init; }

    /// <summary>Bodies this device sealed in the chat (texts, files, deletes, re-keying steps): the next one's <c>out_seq</c>.</summary>
    public long Sent { get; init; }

    /// <summary>The other side's bodies received in order (the <c>in_seq</c> this device sends): every number below it came.</summary>
    public long ReceivedInOrder { get; init; }

    /// <summary>One more than the other side's highest number received (0 before any, and in a chat whose peer sends none).</summary>
    public long Received { get; init; }

    /// <summary>The other side's bodies missing for longer than a minute although later ones came (dropped or refused on
    /// the way, or undecryptable): what <see cref="SecretMessagesMissing"/> last said.</summary>
    public long Missing { get; init; }
}

/// <summary>A message of a secret chat's local history: <see cref="Date"/> is the server's (0 while an outgoing one is
/// on its way), <see cref="SenderDate"/> the sender's clock; <see cref="Ttl"/> seconds of self-destruct (0: none),
/// counting from <see cref="ExpiresAt"/> minus it once read. With a <see cref="File"/>, <see cref="Text"/> is its caption
/// (may be empty); read the file with <see cref="SecretChatMethods.DownloadSecretFileAsync"/>.</summary>
public sealed record SecretMessage(
    long ChatId, long RandomId, long FromId, bool IsOutgoing, long Date, long SenderDate, string Text, int Ttl, long? ReplyTo, bool Silent,
    DateTimeOffset? ExpiresAt, SecretFile? File = null)
{
    /// <summary>An outgoing message whose last send failed (no answer, or refused after an attempt whose answer was lost):
    /// the other side may have it, so it stays; send it again with its <see cref="RandomId"/>, which the server takes once.
    /// A first attempt the server refused leaves nothing in the history. An answer that comes after the send was given up
    /// clears it (<see cref="SecretMessageSent"/>).</summary>
    public bool Failed { get; init; }
}

/// <summary>A secret message's file: <see cref="Id"/> and <see cref="EncryptedSize"/> of the ciphertext on the server (Id 0
/// while an outgoing one is on its way); the rest came inside the encrypted message — <see cref="Name"/>,
/// <see cref="MimeType"/>, <see cref="Size"/> (plaintext bytes), the picture's or video's <see cref="Width"/> and
/// <see cref="Height"/>, the <see cref="Duration"/> in seconds, and the sender's small JPEG <see cref="Thumb"/> to show
/// before the file is downloaded. Its key stays inside the SDK's store. <see cref="Name"/> and <see cref="MimeType"/> are
/// the peer's words: clean the name before using it as a path, and do not trust the type to open the file.</summary>
public sealed record SecretFile(
    long Id, long EncryptedSize, string Name, string MimeType, long Size, int? Width, int? Height, int? Duration, byte[]? Thumb);

/// <summary>
/// Secret chats (end to end encrypted one-to-one chats between one device of each user; docs/secret-chats.md): the
/// device makes and keeps the keys (<see cref="MessengerClientOptions.SecretChatKeys"/>) and the history; the server
/// relays ciphertext. Start <see cref="MessengerClient.Events"/> first: requests, messages, receipts and endings arrive
/// there (<see cref="SecretChatChanged"/>, <see cref="SecretMessageReceived"/>, <see cref="SecretMessagesRead"/>,
/// <see cref="SecretMessagesDeleted"/>, <see cref="SecretChatTyping"/>, <see cref="SecretMessageUndecryptable"/>,
/// <see cref="SecretMessagesMissing"/>).
/// </summary>
public static class SecretChatMethods
{
    /// <summary>Asks <paramref name="userId"/> for a secret chat held by this device: a key pair made for it and saved
    /// before the call (a lost answer is asked again with the same key). Answers the chat (Requested); once one of the
    /// other user's devices accepts, <see cref="SecretChatChanged"/> says it is Ready.</summary>
    public static Task<SecretChat> RequestSecretChatAsync(this MessengerClient client, long userId, CancellationToken cancellationToken = default) =>
        client.SecretChats.RequestAsync(userId, cancellationToken);

    /// <summary>Accepts a request on this device (for apps that turned <see cref="MessengerClientOptions.AutoAcceptSecretChats"/>
    /// off). <c>ENCRYPTION_ALREADY_ACCEPTED</c>: another device of the user accepted it.</summary>
    public static Task<SecretChat> AcceptSecretChatAsync(this MessengerClient client, long chatId, CancellationToken cancellationToken = default) =>
        client.SecretChats.AcceptAsync(chatId, cancellationToken);

    /// <summary>Sends <paramref name="text"/> (1–4096 characters as shown, the markup of ordinary messages) encrypted;
    /// <paramref name="ttl"/> seconds of self-destruct once read (0: none), <paramref name="replyTo"/> the random_id
    /// answered. A <paramref name="randomId"/> of a message already sent sends it once. Answers it as kept in the history,
    /// with the server's date. When the call fails the message leaves the history only if the server refused its first
    /// attempt; otherwise it stays with <see cref="SecretMessage.Failed"/> set — until the answer of a send given up
    /// (cancelled, timed out) still comes, which dates it and reports <see cref="SecretMessageSent"/>.</summary>
    public static Task<SecretMessage> SendSecretMessageAsync(
        this MessengerClient client, long chatId, string text, int ttl = 0, long? replyTo = null, bool silent = false, long? randomId = null,
        CancellationToken cancellationToken = default) =>
        client.SecretChats.SendAsync(chatId, text, ttl, replyTo, silent, randomId, cancellationToken);

    /// <summary>
    /// Sends a file: <paramref name="content"/> is read to its end and encrypted on this device with a key made for it
    /// (into a temporary file, deleted when done), the ciphertext uploaded as an ordinary upload, and the key, the
    /// <paramref name="name"/>, <paramref name="mimeType"/>, size, <paramref name="thumb"/> (a small JPEG of at most
    /// 4 KiB the app made, shown before the file is downloaded), <paramref name="width"/>, <paramref name="height"/>
    /// and <paramref name="duration"/> go inside the encrypted message with the <paramref name="caption"/> (0–1024
    /// characters as shown). <paramref name="ttl"/>: self-destruct as for text. The server never sees the file, its name
    /// or its type; its upload size limit applies to the ciphertext (<c>FILE_TOO_BIG</c>). After a send that failed without
    /// an answer (<see cref="SecretMessage.Failed"/>), send the same file again with its <paramref name="randomId"/>: it is
    /// encrypted again under the message's first key and the other side gets it once.
    /// </summary>
    public static Task<SecretMessage> SendSecretFileAsync(
        this MessengerClient client, long chatId, Stream content, string name, string mimeType, string caption = "", int ttl = 0, byte[]? thumb = null,
        int? width = null, int? height = null, int? duration = null, bool silent = false, long? randomId = null,
        CancellationToken cancellationToken = default) =>
        client.SecretChats.SendFileAsync(chatId, content, name, mimeType, caption, ttl, thumb, width, height, duration, silent, randomId, cancellationToken);

    /// <summary>Downloads the file of <paramref name="message"/> (one of this device's history, while it holds it: a
    /// self-destructed message's key is gone) and writes it decrypted to <paramref name="destination"/>. Every chunk is
    /// verified before it is written; a file altered or cut short on the server throws
    /// <see cref="System.Security.Cryptography.CryptographicException"/> (discard what was written), a file gone with its
    /// chat <see cref="RpcException"/> <c>MEDIA_INVALID</c>.</summary>
    public static Task DownloadSecretFileAsync(this MessengerClient client, SecretMessage message, Stream destination, CancellationToken cancellationToken = default) =>
        client.SecretChats.DownloadFileAsync(message, destination, cancellationToken);

    /// <summary>Deletes these messages (by random_id, either side's) on both devices.</summary>
    public static Task DeleteSecretMessagesAsync(this MessengerClient client, long chatId, long[] randomIds, CancellationToken cancellationToken = default) =>
        client.SecretChats.DeleteAsync(chatId, randomIds, cancellationToken);

    /// <summary>Marks the other side's messages read up to <paramref name="maxDate"/> (server dates; null: all received),
    /// starting their self-destruct time on both devices.</summary>
    public static Task ReadSecretHistoryAsync(this MessengerClient client, long chatId, long? maxDate = null, CancellationToken cancellationToken = default) =>
        client.SecretChats.ReadAsync(chatId, maxDate, cancellationToken);

    /// <summary>Tells the other side's device the user is typing (valid 6 s).</summary>
    public static async Task SetSecretTypingAsync(this MessengerClient client, long chatId, CancellationToken cancellationToken = default) =>
        await client.CallAsync(new SetSecretTypingCall(chatId), cancellationToken);

    /// <summary>Ends the chat for both, from any device of the user (one held elsewhere too);
    /// <paramref name="deleteHistory"/> asks both devices to delete its history.</summary>
    public static Task DiscardSecretChatAsync(this MessengerClient client, long chatId, bool deleteHistory = false, CancellationToken cancellationToken = default) =>
        client.SecretChats.DiscardAsync(chatId, deleteHistory, cancellationToken);

    /// <summary>Drops the chat from this device: its keys, its local history and its place among
    /// <see cref="GetLocalSecretChats"/> (a chat still open is ended for both first, as
    /// <see cref="DiscardSecretChatAsync"/> does). What the log replays of it later is ignored. An ended chat with
    /// nothing in its history is dropped by itself once <see cref="SecretChatChanged"/> has told of its end.</summary>
    public static Task ForgetSecretChatAsync(this MessengerClient client, long chatId, CancellationToken cancellationToken = default) =>
        client.SecretChats.ForgetAsync(chatId, cancellationToken);

    /// <summary>The user's secret chats as the server lists them (any device's; the 100 latest discarded in the last 30 days too).</summary>
    public static async Task<SecretChat[]> GetSecretChatsAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetSecretChatsCall(), cancellationToken)).Chats;

    /// <summary>The secret chats this device holds, newest first.</summary>
    public static LocalSecretChat[] GetLocalSecretChats(this MessengerClient client) => client.SecretChats.LocalChats();

    /// <summary>The secret chat as this device holds it, or null.</summary>
    public static LocalSecretChat? GetLocalSecretChat(this MessengerClient client, long chatId) => client.SecretChats.LocalChat(chatId);

    /// <summary>The code both users compare to know nobody sits between them (<c>721a 04e2 b613 9af9 8356 97df 21c7
    /// 0708</c>); null until accepted, or when this device does not hold the chat.</summary>
    public static string? GetSecretChatVerification(this MessengerClient client, long chatId) => client.SecretChats.LocalChat(chatId)?.Verification;

    /// <summary>The chat's local history, oldest first (self-destructed messages gone).</summary>
    public static SecretMessage[] GetSecretHistory(this MessengerClient client, long chatId) => client.SecretChats.History(chatId);

    /// <summary>Brings the device's secret chats up to date with the server now (the client does it by itself at start
    /// and after a resync): unfinished requests and acceptances finished, endings learned.</summary>
    public static Task SyncSecretChatsAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.SecretChats.SyncAsync(cancellationToken);
}
