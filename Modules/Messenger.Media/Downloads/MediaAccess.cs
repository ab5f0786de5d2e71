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
internal sealed class MediaAccess(SqliteDatabase database, ISender bus)
{
    private const int MessagesPerQuery = 500;

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

    private async ValueTask<bool> CanSeeAsync(long userId, long mediaId, CancellationToken cancellationToken)
    {
        long before = long.MaxValue;
        while (true)
        {
            var messages = Messages(mediaId, before);
            if (messages.Count == 0)
            {
                return false;
            }

            if (await bus.Send(new CanSeeAnyMessageQuery(userId, [.. messages]), cancellationToken))
            {
                return true;
            }

            before = messages[^1];
        }
    }

    // Newest first: the copy the caller is most likely to see is usually the latest forward.
    private List<long> Messages(long mediaId, long before)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message_id FROM media_refs WHERE media_id = @id AND message_id > 0 AND message_id < @before ORDER BY message_id DESC LIMIT @limit";
        command.Parameters.AddWithValue("@id", mediaId);
        command.Parameters.AddWithValue("@before", before);
        command.Parameters.AddWithValue("@limit", MessagesPerQuery);
        return command.ReadInt64Column();
    }
}
