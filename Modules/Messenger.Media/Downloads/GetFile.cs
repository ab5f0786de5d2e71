using FluentValidation;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Media.Storage;
using Messenger.Media.Thumbnails;

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

/// <summary>Serves a range of a media file, or of its thumbnail, to those <see cref="MediaAccess"/> lets read it.</summary>
internal sealed class GetFileHandler(MediaAccess access, BlobStore blobs, ThumbnailStore thumbnails, RpcContext caller)
    : IRequestHandler<GetFileCall, FileBytes>
{
    public async ValueTask<FileBytes> Handle(GetFileCall call, CancellationToken cancellationToken)
    {
        var media = await access.RequireReadableAsync(caller.RequireUserId(), call.MediaId, cancellationToken);
        var (path, size) = (call.Thumb, media.ThumbKey) switch
        {
            (false, _) => (blobs.PathOf(media.Hash), media.Size),
            // The media's own thumbnail (made of its uploader's image) comes before the blob's: its descriptor shows it.
            (true, { } key) => (thumbnails.PathOf(media.Hash, key), thumbnails.LengthOf(media.Hash, key) ?? throw MessengerError.NotFound(MediaErrorNames.MediaInvalid)),
            (true, null) => (thumbnails.PathOf(media.Hash), thumbnails.Read(media.Hash)?.Thumb?.Size ?? throw MessengerError.NotFound(MediaErrorNames.MediaInvalid)),
        };
        if (call.Offset >= size)
        {
            return new FileBytes([]);
        }

        var bytes = new byte[(int)Math.Min(call.Limit, size - call.Offset)];
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
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
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw MessengerError.NotFound(MediaErrorNames.MediaInvalid);
        }
    }
}
