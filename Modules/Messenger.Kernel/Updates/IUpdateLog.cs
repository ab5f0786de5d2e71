using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;

namespace Messenger.Kernel.Updates;

/// <summary>
/// The users' durable update logs (Telegram's pts model), provided by the Queue module. This is a port rather than a
/// bus message because an append must run inside the caller's writer unit (one transaction with the change it
/// records), and writer units are synchronous.
/// </summary>
public interface IUpdateLog
{
    /// <summary>
    /// Appends <paramref name="update"/> to the log of <paramref name="ownerId"/> inside <paramref name="scope"/>'s
    /// transaction and returns it with its <c>pts</c>. It becomes visible to <c>getDifference</c> only if the unit commits.
    /// <paramref name="messageId"/> marks an entry that carries a message's content, so it can be redacted later.
    /// </summary>
    LoggedUpdate Append(WriteScope scope, long ownerId, Update update, long date, long? messageId = null);

    /// <summary>
    /// Replaces every entry, in every log, that carries the content of <paramref name="messageId"/> with
    /// <paramref name="replacementFor"/>(owner) — keeping its pts — so that a message deleted for everyone no longer
    /// exists in any form, not even in the logs of devices that have not caught up yet.
    /// </summary>
    void Redact(WriteScope scope, long messageId, Func<long, Update> replacementFor);

    /// <summary>
    /// Passes every entry, in every log, that carries the content of <paramref name="messageId"/> through
    /// <paramref name="rewrite"/> and stores what it returns in its place (same pts; the entry still carries the message).
    /// An entry <paramref name="rewrite"/> returns unchanged (the same instance) is left as it is.
    /// </summary>
    void Rewrite(WriteScope scope, long messageId, Func<Update, Update> rewrite);

    /// <summary>Deletes the whole log of <paramref name="ownerId"/> (a deleted account's) inside <paramref name="scope"/>'s
    /// transaction.</summary>
    void Drop(WriteScope scope, long ownerId);

    /// <summary>The committed position of the log of <paramref name="ownerId"/> (0 for an empty log).</summary>
    long CurrentPts(long ownerId);

    /// <summary>The position of the log of <paramref name="ownerId"/> as <paramref name="scope"/>'s transaction sees it.</summary>
    long CurrentPts(WriteScope scope, long ownerId);
}

/// <summary>One update appended to one user's log. <paramref name="Device"/>: the one device of the owner that can read it
/// (a secret message: the device its chat is bound to), for whom a notification of it is meant; null for any device.
/// <paramref name="ForSender"/>: in a large group's log, the entry as its sender's own devices get it (their message with
/// its <c>random_id</c>), never stored; everyone else gets <paramref name="Update"/>.</summary>
public readonly record struct LogAppend(long OwnerId, LoggedUpdate Update, byte[]? Device = null, SenderCopy? ForSender = null);

/// <summary>A large group's log entry as <paramref name="UserId"/>, who posted it, gets it live.</summary>
public sealed record SenderCopy(long UserId, LoggedUpdate Update);
