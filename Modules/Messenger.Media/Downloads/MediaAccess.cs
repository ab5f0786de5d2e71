using Mediator;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Messages;
using Messenger.Kernel.Storage;

namespace Messenger.Media.Downloads;

/// <summary>A stored media file as a reader sees it.</summary>
internal sealed record ReadableMedia(long Id, string Hash, long Size, string? ThumbKey);

/// <summary>
/// Who may read a media file: its uploader, whoever can see a message carrying it, anyone signed in when it is a
/// current profile photo, the members of a group whose current photo it is, and the two members of a secret chat
/// (not discarded) holding its encrypted file. Everyone else gets exactly the answer of a missing id (404 <c>MEDIA_INVALID</c>), so media
/// ids cannot be probed.
/// </summary>
internal sealed class MediaAccess(SqliteDatabase database, ISender bus, MediaAccessMemory memory, TimeProvider clock)
{
    public async ValueTask<ReadableMedia> RequireReadableAsync(long userId, long mediaId, CancellationToken cancellationToken)
    {
        var media = Find(mediaId) ?? throw MessengerError.NotFound(MediaErrorNames.MediaInvalid);
        if (media.OwnerId != userId && !await IsReadableByHolderAsync(userId, mediaId, cancellationToken) && !await CanSeeAsync(userId, mediaId, cancellationToken))
        {
            throw MessengerError.NotFound(MediaErrorNames.MediaInvalid);
        }

        return new ReadableMedia(mediaId, media.Hash, media.Size, media.ThumbKey);
    }

    private (long OwnerId, string Hash, long Size, string? ThumbKey)? Find(long mediaId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner_id, hash, size, thumb_key FROM media_files WHERE id = @id";
        command.Parameters.AddWithValue("@id", mediaId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3)) : null;
    }

    // Photos and secret chats' files are held by negative ids (MediaHolders), messages by positive ones.
    private async ValueTask<bool> IsReadableByHolderAsync(long userId, long mediaId, CancellationToken cancellationToken)
    {
        List<long> holders;
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT message_id FROM media_refs WHERE media_id = @id AND message_id < 0";
            command.Parameters.AddWithValue("@id", mediaId);
            holders = command.ReadInt64Column();
        }

        if (holders.Any(MediaHolders.IsProfilePhoto))
        {
            return true;
        }

        long[] chats = [.. holders.Select(MediaHolders.ChatOfPhoto).OfType<long>()];
        if (chats.Length > 0 && await bus.Send(new IsMemberOfAnyChatQuery(userId, chats), cancellationToken))
        {
            return true;
        }

        long[] secretFiles = [.. holders.Select(MediaHolders.SecretFileOfHolder).OfType<long>()];
        return secretFiles.Length > 0 && await bus.Send(new CanReadAnySecretFileQuery(userId, secretFiles), cancellationToken);
    }

    /// <summary>
    /// Whether the user sees a message carrying the media. A file forwarded 100,000 times has as many messages, and a
    /// download asks once per part: so the message found visible is remembered and only it is asked about the next time
    /// (still visible: one query; deleted, hidden, its chat left: the walk again), and a walk that found none is trusted
    /// for <see cref="MediaAccessMemory.NotSeenSeconds"/>, but for copies newer than it (a forward to the user since).
    /// </summary>
    private async ValueTask<bool> CanSeeAsync(long userId, long mediaId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (after, until) = (0L, now.AddSeconds(MediaAccessMemory.NotSeenSeconds));
        switch (memory.Recall(userId, mediaId))
        {
            case MediaAccessMemory.Seen seen:
                if (Carries(seen.MessageId, mediaId) && await AskAsync(userId, [seen.MessageId], cancellationToken) is not null)
                {
                    return true;
                }

                break;
            case MediaAccessMemory.NotSeen notSeen when now < notSeen.Until:
                (after, until) = (notSeen.NewestWalked, notSeen.Until);
                break;
        }

        var newest = after;
        var before = long.MaxValue;
        while (true)
        {
            var messages = Messages(mediaId, after, before);
            if (messages.Count == 0)
            {
                memory.Remember(userId, mediaId, new MediaAccessMemory.NotSeen(newest, until));
                return false;
            }

            newest = Math.Max(newest, messages[0]);
            if (await AskAsync(userId, [.. messages], cancellationToken) is { } visible)
            {
                memory.Remember(userId, mediaId, new MediaAccessMemory.Seen(visible));
                return true;
            }

            before = messages[^1];
        }
    }

    private ValueTask<long?> AskAsync(long userId, long[] messageIds, CancellationToken cancellationToken)
    {
        memory.CountQuery();
        return bus.Send(new FindVisibleMessageQuery(userId, messageIds), cancellationToken);
    }

    /// <summary>Whether the message still carries the media (an edit may have replaced it).</summary>
    private bool Carries(long messageId, long mediaId) =>
        database.Exists("SELECT 1 FROM media_refs WHERE message_id = @message AND media_id = @id", ("@message", messageId), ("@id", mediaId));

    // Newest first: the copy the caller is most likely to see is usually the latest forward.
    private List<long> Messages(long mediaId, long after, long before)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message_id FROM media_refs WHERE media_id = @id AND message_id > @after AND message_id < @before " +
            "ORDER BY message_id DESC LIMIT @limit";
        command.Parameters.AddWithValue("@id", mediaId);
        command.Parameters.AddWithValue("@after", after);
        command.Parameters.AddWithValue("@before", before);
        command.Parameters.AddWithValue("@limit", memory.MessagesPerQuery);
        return command.ReadInt64Column();
    }
}
