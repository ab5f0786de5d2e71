using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
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
/// of the error's code and its name as a plain-text body. An upload stream whose upload is cancelled
/// (<c>upload.cancelUpload</c>) stops at its next part and answers <c>UPLOAD_CANCELLED</c>: its writes are cancelled,
/// and none starts the upload again.
/// </summary>
internal static class MediaStreamEndpoints
{
    private const int ReadBlockBytes = 1024 * 1024;
    private const int PartBuffers = 4;
    private const int LargeReadBlockBytes = 4 * 1024 * 1024;
    private const int LargeReadStreams = 4;
    private static readonly SemaphoreSlim LargeReads = new(LargeReadStreams);

    // 1 MiB of plaintext: what a download stream leaves in Kestrel's output at most before it waits for the socket.
    private const int FlushEveryChunks = 16;

    public static IEndpointRouteBuilder MapMediaStreams(this IEndpointRouteBuilder endpoints)
    {
        // Any path under the prefix (a slash, an empty or very long ticket) reaches the handlers, so it is answered with
        // the error's name as every other refusal is, not with the routing's empty 404.
        endpoints.MapPut(MediaStreamCipher.PathPrefix + "{**ticket}", UploadAsync);
        endpoints.MapGet(MediaStreamCipher.PathPrefix + "{**ticket}", DownloadAsync);
        return endpoints;
    }

    private static async Task UploadAsync(
        string? ticket, HttpContext http, MediaStreamTickets tickets, UploadStore uploads, UploadQuota quota, StorageSpace space,
        ILogger<MediaStreamTickets> logger)
    {
        using var lease = tickets.TakeUpload(ticket ?? "");
        if (lease is null)
        {
            await RefuseUploadAsync(http, MessengerError.NotFound(MediaErrorNames.StreamTicketInvalid));
            return;
        }

        var grant = lease.Grant;

        var sealedLength = MediaStreamCipher.SealedLength(grant.Length);
        if (http.Request.ContentLength is { } declared && declared != sealedLength)
        {
            await RefuseUploadAsync(http, MessengerError.BadRequest(MediaErrorNames.StreamLengthInvalid));
            return;
        }

        // One chunk of slack: a body a little too long is read to its end and refused here, after its parts are
        // written; a much longer one is cut off by Kestrel.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = sealedLength + MediaStreamCipher.SealedChunkBytes;
        }

        // PartBuffers aligned part buffers: the parts are written (straight to disk where it can be) and hashed one
        // after another, in order, while the next ones arrive and are opened; a slow write holds the request back
        // only once every buffer waits for the disk.
        var parts = new AlignedBuffer[PartBuffers];
        var saved = new Task[PartBuffers];
        for (var i = 0; i < PartBuffers; i++)
        {
            parts[i] = AlignedBuffer.Rent(UploadStore.MaxPartBytes);
            saved[i] = Task.CompletedTask;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(MediaStreamCipher.SealedChunkBytes);

        // The newest part's save, which ends after every earlier one.
        var saving = Task.CompletedTask;
        using var cipher = new MediaStreamCipher(grant.Key);
        // The saves stop when the upload is cancelled too; the body is read until the next part (and drained by the refusal).
        using var saves = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lease.Revoked);
        try
        {
            var reader = http.Request.BodyReader;
            var cancellation = http.RequestAborted;
            long chunk = 0;
            for (var index = grant.FirstPart; index < grant.FirstPart + grant.PartCount; index++)
            {
                saves.Token.ThrowIfCancellationRequested();
                var slot = index % PartBuffers;
                await saved[slot];
                var part = parts[slot].Memory;
                var partLength = grant.PartLength(index);
                for (var filled = 0; filled < partLength;)
                {
                    var plainLength = Math.Min(MediaStreamCipher.ChunkBytes, partLength - filled);
                    if (!await OpenChunkAsync(reader, cipher, chunk++, plainLength, part[filled..], scratch, cancellation))
                    {
                        await saving;
                        await RefuseUploadAsync(http, MessengerError.BadRequest(MediaErrorNames.StreamLengthInvalid));
                        return;
                    }

                    filled += plainLength;
                }

                saving = saved[slot] = uploads.SaveAsync(
                    grant.UserId, grant.FileId, index, grant.TotalParts, part[..partLength], (smallest, open) => quota.Check(grant.UserId, smallest, open), saves.Token, writeAfter: saving);
            }

            await saving;
            var rest = await reader.ReadAsync(cancellation);
            reader.AdvanceTo(rest.Buffer.Start);
            if (!rest.IsCompleted || !rest.Buffer.IsEmpty)
            {
                await RefuseUploadAsync(http, MessengerError.BadRequest(MediaErrorNames.StreamLengthInvalid));
                return;
            }

            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync("OK", cancellation);
        }
        catch (AuthenticationTagMismatchException)
        {
            // The answer lists what the server kept: the part still being written is among it.
            await SettleAsync(saving);
            logger.LogWarning("Upload stream of file {FileId} (user {UserId}): a chunk failed authentication; the parts before it are kept", grant.FileId, grant.UserId);
            await RefuseUploadAsync(http, MessengerError.BadRequest(MediaErrorNames.StreamChunkInvalid));
        }
        catch (MessengerError error)
        {
            await SettleAsync(saving);
            await RefuseUploadAsync(http, error);
        }
        catch (BadHttpRequestException e)
        {
            await SettleAsync(saving);
            logger.LogWarning("Upload stream of file {FileId} (user {UserId}) refused: {Reason}", grant.FileId, grant.UserId, e.Message);
            await RefuseUploadAsync(http, MessengerError.BadRequest(MediaErrorNames.StreamLengthInvalid));
        }
        catch (IOException e) when (StorageSpace.IsFull(e))
        {
            // The disk, not the client: the parts written so far are kept, and the same upload resumes once there is room.
            await SettleAsync(saving);
            await RefuseUploadAsync(http, space.Refused(e));
        }
        catch (OperationCanceledException) when (lease.Revoked.IsCancellationRequested)
        {
            await SettleAsync(saving);
            await RefuseUploadAsync(http, MessengerError.BadRequest(MediaErrorNames.UploadCancelled));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException)
        {
            logger.LogInformation("Upload stream of file {FileId} (user {UserId}) ended early: {Reason}", grant.FileId, grant.UserId, e.Message);
            // The client is gone mid-body: nobody to answer, and a body reader left mid-read is not Kestrel's to drain (it
            // would log an error for every such client).
            http.Abort();
        }
        finally
        {
            // A part still being written holds its buffer until it is done; what it threw was answered or no longer matters.
            await SettleAsync(saving);
            foreach (var buffer in parts)
            {
                buffer.Return();
            }

            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Waits for <paramref name="task"/> to end, however it ends.</summary>
    private static Task SettleAsync(Task task) =>
        task.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

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

    private static async Task DownloadAsync(string? ticket, HttpContext http, MediaStreamTickets tickets, BlobStore blobs)
    {
        if (tickets.Take<DownloadGrant>(ticket ?? "") is not { } grant)
        {
            await FailAsync(http, MessengerError.NotFound(MediaErrorNames.StreamTicketInvalid));
            return;
        }

        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(blobs.PathOf(grant.Hash), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            await FailAsync(http, MessengerError.NotFound(MediaErrorNames.MediaInvalid));
            return;
        }

        // Two blocks: the next one is read from disk while this one is sealed and sent. From a 4 KiB boundary the
        // reads bypass the page cache (aligned blocks; the last read is rounded up and cut to what is wanted).
        // Reads of 4 MiB keep the disk busy enough (1 MiB: ≈ 590 MB/s, 4 MiB: ≈ 620–710 here); at most
        // LargeReadStreams streams at once use them (8 MiB each), the others 1 MiB.
        var large = LargeReads.Wait(0);
        var blockBytes = large ? LargeReadBlockBytes : ReadBlockBytes;
        AlignedBuffer[] blocks = [AlignedBuffer.Rent(blockBytes), AlignedBuffer.Rent(blockBytes)];
        var direct = grant.Offset % DirectIo.Alignment == 0 && DirectIo.TryEnable(file);
        var reading = Task.FromResult(0);
        using var cipher = new MediaStreamCipher(grant.Key);
        using (file)
        {
            try
            {
                http.Response.ContentType = "application/octet-stream";
                http.Response.ContentLength = MediaStreamCipher.SealedLength(grant.Length);
                var writer = http.Response.BodyWriter;
                Task<int> ReadBlock(long index, long from)
                {
                    var want = (int)Math.Min(blockBytes, grant.Length - from);
                    var length = direct ? (want + DirectIo.Alignment - 1) / DirectIo.Alignment * DirectIo.Alignment : want;
                    return ReadAtLeastAsync(file, blocks[index & 1].Memory[..length], want, grant.Offset + from, http.RequestAborted).AsTask();
                }

                long chunk = 0;
                reading = grant.Length > 0 ? ReadBlock(0, 0) : reading;
                for (long sent = 0, index = 0; sent < grant.Length; index++)
                {
                    var read = (int)Math.Min(await reading, grant.Length - sent);
                    var block = blocks[index & 1].Memory;
                    reading = sent + read < grant.Length ? ReadBlock(index + 1, sent + read) : Task.FromResult(0);
                    for (var at = 0; at < read; at += MediaStreamCipher.ChunkBytes)
                    {
                        var plain = block.Span.Slice(at, Math.Min(MediaStreamCipher.ChunkBytes, read - at));
                        var sealedChunk = writer.GetSpan(plain.Length + MediaStreamCipher.TagBytes);
                        cipher.Seal(chunk, plain, sealedChunk);
                        writer.Advance(plain.Length + MediaStreamCipher.TagBytes);
                        if (++chunk % FlushEveryChunks == 0 && (await writer.FlushAsync(http.RequestAborted)).IsCompleted)
                        {
                            return;
                        }
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
                // A read still running holds its block (and the file) until it is done.
                await SettleAsync(reading);
                blocks[0].Return();
                blocks[1].Return();
                if (large)
                {
                    LargeReads.Release();
                }
            }
        }
    }

    /// <summary>Reads into <paramref name="buffer"/> until at least <paramref name="minimum"/> bytes are in (or it is full).</summary>
    private static async ValueTask<int> ReadAtLeastAsync(SafeFileHandle file, Memory<byte> buffer, int minimum, long offset, CancellationToken cancellation)
    {
        var read = 0;
        while (read < minimum)
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

    /// <summary>
    /// Answers an upload with <paramref name="error"/>, then reads and drops the rest of its body (up to the request's
    /// size limit): a client still sending then reads the answer instead of finding its connection reset.
    /// </summary>
    private static async Task RefuseUploadAsync(HttpContext http, MessengerError error)
    {
        await FailAsync(http, error);
        try
        {
            var reader = http.Request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync(http.RequestAborted);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (BadHttpRequestException)
        {
            // Over the limit, or ended before its declared length: the answer stands, and Kestrel closes the connection.
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException)
        {
            // The client went away: nothing more to do for it, and nothing for Kestrel to drain.
            http.Abort();
        }
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
