using FluentValidation;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Messages;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Media.Storage;

namespace Messenger.Media.Downloads;

internal sealed class GetFileValidator : AbstractValidator<GetFileCall>
{
    public const int Alignment = 4 * 1024;
    public const int MaxLimit = 1024 * 1024;

    public GetFileValidator()
    {
        RuleFor(c => c.Offset).Must(o => o >= 0 && o % Alignment == 0).WithErrorCode(MediaErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).Must(l => l is > 0 and <= MaxLimit && l % Alignment == 0).WithErrorCode(MediaErrorNames.LimitInvalid);
    }
}

/// <summary>
/// Serves a range of a media file to its uploader or to someone who can see a message carrying it. Everyone else gets
/// exactly the answer of a missing id (404 <c>MEDIA_INVALID</c>), so media ids cannot be probed.
/// </summary>
internal sealed class GetFileHandler(SqliteDatabase database, BlobStore blobs, ISender bus, RpcContext caller)
    : IRequestHandler<GetFileCall, FileBytes>
{
    private const int MessagesPerQuery = 500;

    public async ValueTask<FileBytes> Handle(GetFileCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var media = Find(call.MediaId) ?? throw MessengerError.NotFound(MediaErrorNames.MediaInvalid);
        if (media.OwnerId != me && !await CanSeeAsync(me, call.MediaId, cancellationToken))
        {
            throw MessengerError.NotFound(MediaErrorNames.MediaInvalid);
        }

        if (call.Offset >= media.Size)
        {
            return new FileBytes([]);
        }

        var bytes = new byte[(int)Math.Min(call.Limit, media.Size - call.Offset)];
        try
        {
            using var handle = File.OpenHandle(blobs.PathOf(media.Hash), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
            var read = 0;
            while (read < bytes.Length)
            {
                var n = await RandomAccess.ReadAsync(handle, bytes.AsMemory(read), call.Offset + read, cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return new FileBytes(read == bytes.Length ? bytes : bytes[..read]);
        }
        catch (FileNotFoundException)
        {
            throw MessengerError.NotFound(MediaErrorNames.MediaInvalid);
        }
    }

    private (long OwnerId, string Hash, long Size)? Find(long mediaId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner_id, hash, size FROM media_files WHERE id = @id";
        command.Parameters.AddWithValue("@id", mediaId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)) : null;
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
        command.CommandText = "SELECT message_id FROM media_refs WHERE media_id = @id AND message_id < @before ORDER BY message_id DESC LIMIT @limit";
        command.Parameters.AddWithValue("@id", mediaId);
        command.Parameters.AddWithValue("@before", before);
        command.Parameters.AddWithValue("@limit", MessagesPerQuery);
        return command.ReadInt64Column();
    }
}
