using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Media.Storage;
using Messenger.Media.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Messenger.Media.Streams;

/// <summary>
/// Media streams: a file's parts in one HTTP request body (<c>PUT</c>), or a range of a file as one response
/// (<c>GET</c>), each under a one-use ticket from <c>upload.openUploadStream</c>/<c>upload.openDownloadStream</c> and
/// sealed chunk by chunk (<see cref="MediaStreamCipher"/>) under the ticket's key. The bytes never pass through the
/// RPC layers (call, envelope, frame, SignalR), which is what made large files slow. Errors answer with the HTTP status
/// of the error's code and its name as a plain-text body.
/// </summary>
internal static class MediaStreamEndpoints
{
    private const int ReadBlockBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapMediaStreams(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPut(MediaStreamCipher.PathPrefix + "{ticket}", UploadAsync);
        endpoints.MapGet(MediaStreamCipher.PathPrefix + "{ticket}", DownloadAsync);
        return endpoints;
    }

    private static async Task UploadAsync(
        string ticket, HttpContext http, MediaStreamTickets tickets, UploadStore uploads, UploadQuota quota, ILogger<MediaStreamTickets> logger)
    {
        if (tickets.Take<UploadGrant>(ticket) is not { } grant)
        {
            await FailAsync(http, MessengerError.NotFound(MediaErrorNames.StreamTicketInvalid));
            return;
        }

        var sealedLength = MediaStreamCipher.SealedLength(grant.Length);
        if (http.Request.ContentLength is { } declared && declared != sealedLength)
        {
            await FailAsync(http, MessengerError.BadRequest(MediaErrorNames.StreamLengthInvalid));
            return;
        }

        // One chunk of slack: a body a little too long is read to its end and refused here, after its parts are
        // written; a much longer one is cut off by Kestrel.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = sealedLength + MediaStreamCipher.SealedChunkBytes;
        }

        // Two aligned part buffers: a whole part is written (straight to disk where it can be) and hashed while the
        // next one arrives and is opened.
        AlignedBuffer[] parts = [new(UploadStore.MaxPartBytes), new(UploadStore.MaxPartBytes)];
        var scratch = ArrayPool<byte>.Shared.Rent(MediaStreamCipher.SealedChunkBytes);
        var saving = Task.CompletedTask;
        using var cipher = new MediaStreamCipher(grant.Key);
        try
        {
            var reader = http.Request.BodyReader;
            var cancellation = http.RequestAborted;
            long chunk = 0;
            for (var index = grant.FirstPart; index < grant.FirstPart + grant.PartCount; index++)
            {
                var part = parts[index & 1].Memory;
                var partLength = grant.PartLength(index);
                for (var filled = 0; filled < partLength;)
                {
                    var plainLength = Math.Min(MediaStreamCipher.ChunkBytes, partLength - filled);
                    if (!await OpenChunkAsync(reader, cipher, chunk++, plainLength, part[filled..], scratch, cancellation))
                    {
                        await saving;
                        await FailAsync(http, MessengerError.BadRequest(MediaErrorNames.StreamLengthInvalid));
                        return;
                    }

                    filled += plainLength;
                }

                await saving;
                saving = SaveAsync(uploads, quota, grant, index, part[..partLength], cancellation);
            }

            await saving;
            var rest = await reader.ReadAsync(cancellation);
            if (!rest.IsCompleted || !rest.Buffer.IsEmpty)
            {
                await FailAsync(http, MessengerError.BadRequest(MediaErrorNames.StreamLengthInvalid));
                return;
            }

            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync("OK", cancellation);
        }
        catch (AuthenticationTagMismatchException)
        {
            logger.LogWarning("Upload stream of file {FileId} (user {UserId}): a chunk failed authentication; the parts before it are kept", grant.FileId, grant.UserId);
            await FailAsync(http, MessengerError.BadRequest(MediaErrorNames.StreamChunkInvalid));
        }
        catch (MessengerError error)
        {
            await FailAsync(http, error);
        }
        catch (BadHttpRequestException e)
        {
            logger.LogWarning("Upload stream of file {FileId} (user {UserId}) refused: {Reason}", grant.FileId, grant.UserId, e.Message);
            await FailAsync(http, MessengerError.BadRequest(MediaErrorNames.StreamLengthInvalid));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException)
        {
            logger.LogInformation("Upload stream of file {FileId} (user {UserId}) ended early: {Reason}", grant.FileId, grant.UserId, e.Message);
        }
        finally
        {
            // A part still being written holds its buffer until it is done; what it threw was answered or no longer matters.
            await saving.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    // On the thread pool: the write and the hash run while the request goes on reading.
    private static Task SaveAsync(UploadStore uploads, UploadQuota quota, UploadGrant grant, int part, ReadOnlyMemory<byte> bytes, CancellationToken cancellation) =>
        Task.Run(() => uploads.SaveAsync(grant.UserId, grant.FileId, part, grant.TotalParts, bytes, smallest => quota.Check(grant.UserId, smallest), cancellation), cancellation);

    /// <summary>Reads sealed chunk <paramref name="index"/> and opens it into <paramref name="plain"/>; false when the body ends first.</summary>
    private static async ValueTask<bool> OpenChunkAsync(
        PipeReader reader, MediaStreamCipher cipher, long index, int plainLength, Memory<byte> plain, byte[] scratch, CancellationToken cancellation)
    {
        var sealedLength = plainLength + MediaStreamCipher.TagBytes;
        while (true)
        {
            var result = await reader.ReadAsync(cancellation);
            var buffer = result.Buffer;
            if (buffer.Length >= sealedLength)
            {
                var sealedChunk = buffer.Slice(0, sealedLength);
                try
                {
                    if (sealedChunk.IsSingleSegment)
                    {
                        cipher.Open(index, sealedChunk.FirstSpan, plain.Span);
                    }
                    else
                    {
                        sealedChunk.CopyTo(scratch);
                        cipher.Open(index, scratch.AsSpan(0, sealedLength), plain.Span);
                    }
                }
                finally
                {
                    reader.AdvanceTo(sealedChunk.End);
                }

                return true;
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return false;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static async Task DownloadAsync(string ticket, HttpContext http, MediaStreamTickets tickets, BlobStore blobs)
    {
        if (tickets.Take<DownloadGrant>(ticket) is not { } grant)
        {
            await FailAsync(http, MessengerError.NotFound(MediaErrorNames.StreamTicketInvalid));
            return;
        }

        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(blobs.PathOf(grant.Hash), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            await FailAsync(http, MessengerError.NotFound(MediaErrorNames.MediaInvalid));
            return;
        }

        var block = ArrayPool<byte>.Shared.Rent(ReadBlockBytes);
        using var cipher = new MediaStreamCipher(grant.Key);
        using (file)
        {
            try
            {
                http.Response.ContentType = "application/octet-stream";
                http.Response.ContentLength = MediaStreamCipher.SealedLength(grant.Length);
                var writer = http.Response.BodyWriter;
                long chunk = 0;
                for (long sent = 0; sent < grant.Length;)
                {
                    var want = (int)Math.Min(ReadBlockBytes, grant.Length - sent);
                    var read = await ReadExactlyAsync(file, block.AsMemory(0, want), grant.Offset + sent, http.RequestAborted);
                    for (var at = 0; at < read; at += MediaStreamCipher.ChunkBytes)
                    {
                        var plain = block.AsSpan(at, Math.Min(MediaStreamCipher.ChunkBytes, read - at));
                        var sealedChunk = writer.GetSpan(plain.Length + MediaStreamCipher.TagBytes);
                        cipher.Seal(chunk++, plain, sealedChunk);
                        writer.Advance(plain.Length + MediaStreamCipher.TagBytes);
                    }

                    sent += read;
                    if ((await writer.FlushAsync(http.RequestAborted)).IsCompleted)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException)
            {
                // The reader went away; it asks for a new ticket from where it got to.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(block);
            }
        }
    }

    private static async ValueTask<int> ReadExactlyAsync(SafeFileHandle file, Memory<byte> buffer, long offset, CancellationToken cancellation)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await RandomAccess.ReadAsync(file, buffer[read..], offset + read, cancellation);
            if (n == 0)
            {
                // The blob is shorter than its record says: end the response short rather than send made-up bytes.
                throw new IOException("the blob ended before its recorded size");
            }

            read += n;
        }

        return read;
    }

    private static Task FailAsync(HttpContext http, MessengerError error)
    {
        if (http.Response.HasStarted)
        {
            http.Abort();
            return Task.CompletedTask;
        }

        http.Response.StatusCode = error.Code;
        if (error.RetryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        http.Response.ContentType = "text/plain";
        return http.Response.WriteAsync(error.Name);
    }

}
