using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;

namespace Messenger.Client;

/// <summary>
/// Files: upload in 512 KiB parts (several in flight, resumable), attach to a message, forward, download by ranges.
/// Server memory stays flat whatever the size; so does the SDK's (one part buffer per part in flight).
/// </summary>
public static partial class MediaMethods
{
    private const string StorageFull = "STORAGE_FULL";

    /// <summary>Bytes per uploaded part (the largest the server accepts).</summary>
    public const int PartSize = 512 * 1024;

    /// <summary>Bytes per download request (the largest the server serves at once).</summary>
    public const int DownloadChunk = 1024 * 1024;

    private const int Alignment = 4096;

    /// <summary>
    /// Uploads <paramref name="content"/> (seekable, not empty) in parts, <paramref name="parallelism"/> at a time,
    /// and returns the input to attach with <see cref="SendMediaAsync(MessengerClient, Peer, InputMedia, string, long?, bool, CancellationToken)"/>. To resume an upload that failed (dropped
    /// connection, server restart), call again with the same content and the <paramref name="fileId"/> of the first
    /// attempt (in the <see cref="UploadException"/>): only the parts the server lacks are sent. The same holds when the
    /// server had no room (<c>STORAGE_FULL</c>, the <see cref="RpcException"/> inside). A refusal of the file itself
    /// (<c>FILE_TOO_BIG</c>, <c>QUOTA_EXCEEDED</c>, …) is thrown as the <see cref="RpcException"/> itself.
    /// <paramref name="progress"/> receives the bytes the server has so far (on a stream: the bytes sent so far).
    /// With <see cref="MediaTransport.Stream"/> (the default) the missing parts go in order as media streams, one
    /// request per run of missing parts and one at a time (in order, the server hashes the file as it arrives); with
    /// <see cref="MediaTransport.Rpc"/>, one <c>upload.saveFilePart</c> call per part, <paramref name="parallelism"/>
    /// in flight. <paramref name="thumb"/> (a PNG, JPEG, GIF or WebP image of at most 200 KiB — a video's frame, say) is
    /// uploaded after the file and becomes the media's thumbnail once sent (<see cref="InputMedia.Thumb"/>);
    /// <paramref name="duration"/> (seconds; videos and audio) and <paramref name="width"/>/<paramref name="height"/>
    /// (videos) go into the input as given.
    /// Cancelling <paramref name="cancellationToken"/> gives the upload up: the <see cref="OperationCanceledException"/>
    /// comes at once, and in the background, once the calls already sent for it have been answered (so that none of its
    /// parts reaches the server after the cancel and starts it again), the SDK calls <c>upload.cancelUpload</c> for the
    /// file and its thumb, freeing their place among the uploads in progress and their quota reservation (best effort:
    /// if that call fails, the upload expires as before). A later call with the same <paramref name="fileId"/> then
    /// starts from nothing.
    /// </summary>
    public static async Task<InputMedia> UploadFileAsync(
        this MessengerClient client, Stream content, string name, string mimeType, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default, long? fileId = null, int parallelism = 4,
        MediaTransport transport = MediaTransport.Stream, byte[]? thumb = null, int? duration = null, int? width = null, int? height = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        if (!content.CanSeek || content.Length == 0)
        {
            throw new ArgumentException("the content must be seekable and not empty", nameof(content));
        }

        var id = fileId ?? Random.Shared.NextInt64(1, long.MaxValue);
        var calls = new CallsInFlight();
        long? thumbId = null;
        try
        {
            var totalParts = await UploadPartsAsync(client, content, id, calls, progress, cancellationToken, fileId is not null, parallelism, transport);
            InputThumb? thumbInput = null;
            if (thumb is not null)
            {
                thumbId = Random.Shared.NextInt64(1, long.MaxValue);
                thumbInput = await UploadThumbAsync(client, thumb, thumbId.Value, calls, cancellationToken);
            }

            return new InputMedia(id, totalParts, name, mimeType, thumbInput, duration, width, height);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            calls.CancelUploadsWhenSettled(client, thumbId is { } thumbUpload ? [id, thumbUpload] : [id]);
            throw;
        }
    }

    /// <summary>Gives up the caller's upload <paramref name="fileId"/> on the server (<c>upload.cancelUpload</c>): its
    /// parts, its place among the uploads in progress and its quota reservation go at once; a stream still sending it
    /// is refused (<c>UPLOAD_CANCELLED</c>). Unknown or finished uploads are no error. For an upload this client is
    /// sending, cancel its token instead: that waits for the parts already sent before it cancels.</summary>
    public static Task CancelUploadAsync(this MessengerClient client, long fileId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new CancelUploadCall(fileId), cancellationToken);

    /// <summary>Sends the parts the server lacks; returns their count.</summary>
    private static async Task<int> UploadPartsAsync(
        MessengerClient client, Stream content, long id, CallsInFlight calls, IProgress<long>? progress, CancellationToken cancellationToken,
        bool resume, int parallelism, MediaTransport transport)
    {
        var length = content.Length;
        var totalParts = (int)((length + PartSize - 1) / PartSize);
        var present = new HashSet<int>();
        if (resume)
        {
            var uploaded = await client.CallAsync(new GetUploadedPartsCall(id), cancellationToken);
            if (uploaded.TotalParts == totalParts)
            {
                present.UnionWith(uploaded.Parts);
            }
        }

        int PartLength(int part) => (int)Math.Min(PartSize, length - (long)part * PartSize);

        long sent = present.Sum(p => (long)PartLength(p));
        var report = RisingProgress.Wrap(progress);
        report?.Report(sent);
        var next = -1;
        var reading = new SemaphoreSlim(1, 1);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        async Task Worker()
        {
            var buffer = new byte[PartSize];
            while (true)
            {
                int part;
                byte[] bytes;
                await reading.WaitAsync(failed.Token);
                try
                {
                    do
                    {
                        part = ++next;
                    }
                    while (part < totalParts && present.Contains(part));

                    if (part >= totalParts)
                    {
                        return;
                    }

                    var partLength = PartLength(part);
                    bytes = partLength == PartSize ? buffer : new byte[partLength];
                    content.Position = (long)part * PartSize;
                    await content.ReadExactlyAsync(bytes, failed.Token);
                }
                finally
                {
                    reading.Release();
                }

                // The call is serialized before it is sent, so the buffer is free again once it returns. It is sent
                // without the caller's token, so that a cancellation can wait for its answer (see CallsInFlight).
                failed.Token.ThrowIfCancellationRequested();
                await calls.Add(client.CallAsync(new SaveFilePartCall(id, part, totalParts, bytes), CancellationToken.None)).WaitAsync(failed.Token);
                report?.Report(Interlocked.Add(ref sent, bytes.Length));
            }
        }

        async Task StreamWorker()
        {
            foreach (var (first, count) in MediaStreams.MissingRanges(totalParts, present))
            {
                await MediaStreams.UploadAsync(client, content, reading, id, first, count, calls,
                    part => report?.Report(Interlocked.Add(ref sent, PartLength(part))), failed.Token);
            }
        }

        var workerCount = transport == MediaTransport.Stream ? 1 : Math.Min(parallelism, totalParts);
        var workers = Enumerable.Range(0, workerCount).Select(async _ =>
        {
            try
            {
                await (transport == MediaTransport.Stream ? StreamWorker() : Worker());
            }
            catch
            {
                await failed.CancelAsync();
                throw;
            }
        }).ToList();
        try
        {
            await Task.WhenAll(workers);
        }
        catch (Exception e)
        {
            var cause = workers.Select(w => w.Exception?.InnerException).FirstOrDefault(x => x is not null and not OperationCanceledException) ?? e;
            if (cause is RpcException { Name: not StorageFull } || cancellationToken.IsCancellationRequested)
            {
                // The server refused the file (too big, quota, …) or the caller cancelled: resuming would not help. A
                // server out of disk space keeps the parts it has; resuming helps once it has room again.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(cause).Throw();
            }

            throw new UploadException(id, cause);
        }

        return totalParts;
    }

    /// <summary>Uploads an image (not empty, at most 200 KiB: the server refuses larger ones with <c>THUMB_INVALID</c>
    /// when it is sent) to be a media's thumbnail: set it as <see cref="InputMedia.Thumb"/> (<c>media with { Thumb = … }</c>).
    /// The upload is used up by the send that carries it. Cancelling gives it up as <c>UploadFileAsync</c> does.</summary>
    public static async Task<InputThumb> UploadThumbAsync(this MessengerClient client, byte[] image, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(image.Length, nameof(image));
        var id = Random.Shared.NextInt64(1, long.MaxValue);
        var calls = new CallsInFlight();
        try
        {
            return await UploadThumbAsync(client, image, id, calls, cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            calls.CancelUploadsWhenSettled(client, [id]);
            throw;
        }
    }

    private static async Task<InputThumb> UploadThumbAsync(MessengerClient client, byte[] image, long id, CallsInFlight calls, CancellationToken cancellationToken)
    {
        var totalParts = (image.Length + PartSize - 1) / PartSize;
        for (var part = 0; part < totalParts; part++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = image.AsSpan(part * PartSize, Math.Min(PartSize, image.Length - (part * PartSize))).ToArray();
            await calls.Add(client.CallAsync(new SaveFilePartCall(id, part, totalParts, bytes), CancellationToken.None)).WaitAsync(cancellationToken);
        }

        return new InputThumb(id, totalParts);
    }

    /// <summary>Sends a message carrying an uploaded file, with an optional caption (≤ 1024 characters); <paramref name="silent"/>
    /// sends it without sound; <paramref name="topicId"/>: the forum topic it goes to.</summary>
    public static async Task<SentMessage> SendMediaAsync(
        this MessengerClient client, Peer peer, InputMedia media, string caption = "", long? randomId = null, bool silent = false,
        long? topicId = null, CancellationToken cancellationToken = default)
    {
        var id = randomId ?? Random.Shared.NextInt64(1, long.MaxValue);
        var sent = await client.CallAsync(new SendMessageCall(peer, id, caption, null, media, Silent: silent, TopicId: topicId), cancellationToken);
        client.Events.Observe(sent, edited: false, id);
        return sent;
    }

    /// <summary>Forwards messages of <paramref name="fromPeer"/> to <paramref name="toPeer"/> (media by reference);
    /// <paramref name="silent"/> posts the copies without sound; <paramref name="topicId"/>: the forum topic of
    /// <paramref name="toPeer"/> they go to. This device's <see cref="MessengerClient.Events"/> report each copy as
    /// <see cref="MessageReceived"/> (outgoing, with its random_id), as for a send.</summary>
    public static async Task<ForwardedMessages> ForwardMessagesAsync(
        this MessengerClient client, Peer fromPeer, long[] ids, Peer toPeer, bool silent = false, long? topicId = null, CancellationToken cancellationToken = default)
    {
        var randomIds = ids.Select(_ => Random.Shared.NextInt64(1, long.MaxValue)).ToArray();
        var forwarded = await client.CallAsync(new ForwardMessagesCall(fromPeer, ids, toPeer, randomIds, silent, topicId), cancellationToken);
        client.Events.Observe(forwarded, toPeer, randomIds);
        return forwarded;
    }

    /// <summary>
    /// Writes <paramref name="length"/> bytes (default: to the end) of <paramref name="media"/> from
    /// <paramref name="offset"/> to <paramref name="destination"/>, in order, fetching
    /// <paramref name="parallelism"/> 1 MiB ranges at a time (<see cref="MediaTransport.Rpc"/>) or as one media stream
    /// (<see cref="MediaTransport.Stream"/>, the default). <paramref name="progress"/> receives the bytes written.
    /// </summary>
    public static async Task DownloadFileAsync(
        this MessengerClient client, MessageMedia media, Stream destination, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default, long offset = 0, long? length = null, int parallelism = 4,
        MediaTransport transport = MediaTransport.Stream)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var end = Math.Min(media.Size, length is { } l ? offset + l : media.Size);
        if (transport == MediaTransport.Stream)
        {
            if (end > offset)
            {
                await MediaStreams.DownloadAsync(client, media.Id, offset, end - offset, destination, progress, cancellationToken);
            }

            return;
        }

        // Requests start on a 4 KiB boundary (the server's rule); the bytes before offset are skipped.
        var position = offset / Alignment * Alignment;
        var skip = (int)(offset - position);
        var inFlight = new Queue<Task<FileBytes>>();
        long written = 0;
        while (position < end || inFlight.Count > 0)
        {
            while (position < end && inFlight.Count < parallelism)
            {
                inFlight.Enqueue(GetRangeAsync(client, new GetFileCall(media.Id, position, DownloadChunk), cancellationToken));
                position += DownloadChunk;
            }

            var bytes = (await inFlight.Dequeue()).Bytes;
            var chunk = bytes.AsMemory();
            if (skip > 0)
            {
                chunk = chunk[Math.Min(skip, chunk.Length)..];
                skip = 0;
            }

            var take = (int)Math.Min(chunk.Length, end - offset - written);
            if (take <= 0)
            {
                continue;
            }

            await destination.WriteAsync(chunk[..take], cancellationToken);
            written += take;
            progress?.Report(written);
        }
    }

    /// <summary>
    /// The thumbnail of <paramref name="media"/> (a JPEG, longest side at most 320 px: what a chat list, an avatar or a
    /// photo bubble shows before the photo is opened), read with <c>upload.getFile(…, thumb: true)</c> under the same
    /// access rules as the file. Media whose descriptor has no <see cref="MessageMedia.Thumb"/> may still have one
    /// (made for files stored before thumbnails existed); when it has none the server answers 404 <c>MEDIA_INVALID</c>,
    /// thrown as <see cref="RpcException"/>.
    /// </summary>
    public static async Task<byte[]> DownloadThumbnailAsync(this MessengerClient client, MessageMedia media, CancellationToken cancellationToken = default)
    {
        using var thumbnail = new MemoryStream();
        for (long offset = 0; ; offset += DownloadChunk)
        {
            var bytes = (await GetRangeAsync(client, new GetFileCall(media.Id, offset, DownloadChunk, Thumb: true), cancellationToken)).Bytes;
            await thumbnail.WriteAsync(bytes, cancellationToken);
            if (bytes.Length < DownloadChunk)
            {
                return thumbnail.ToArray();
            }
        }
    }

    /// <summary>
    /// One range. A range whose answer the server let go before it reached this device (lost with a connection while
    /// more than the session keeps was waiting to be acked: 500 <c>RESULT_DROPPED</c>) is read again, once, as every
    /// <see cref="IRepeatableCall"/> is (<see cref="MessengerClient.CallAsync{TResult}"/>): reading twice changes nothing.
    /// </summary>
    private static Task<FileBytes> GetRangeAsync(MessengerClient client, GetFileCall call, CancellationToken cancellationToken) =>
        client.CallAsync(call, cancellationToken);
}

/// <summary>An upload failed part-way; call <see cref="MediaMethods.UploadFileAsync(MessengerClient, Stream, string, string, IProgress{long}?, CancellationToken, long?, int, MediaTransport, byte[], int?, int?, int?)"/> again with <see cref="FileId"/> to resume.</summary>
public sealed class UploadException(long fileId, Exception inner)
    : Exception($"upload {fileId} failed: {inner.Message}", inner)
{
    public long FileId { get; } = fileId;
}

/// <summary>
/// The calls an upload has sent and not yet had answered. A call whose token is cancelled stops waiting but may still
/// run on the server, so a part sent just before a cancel could reach it after <c>upload.cancelUpload</c> and start the
/// upload again: the parts are sent without the caller's token (each waits with it), and the cancel goes once they
/// have all been answered, failed or timed out.
/// </summary>
internal sealed class CallsInFlight
{
    private readonly HashSet<Task> _calls = [];

    public Task<T> Add<T>(Task<T> call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }

        call.ContinueWith(done => Remove(done), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return call;
    }

    /// <summary>In the background: waits for the calls in flight, then cancels <paramref name="fileIds"/> on the server,
    /// ignoring failures (an upload left over expires as it always did).</summary>
    public void CancelUploadsWhenSettled(MessengerClient client, long[] fileIds)
    {
        Task[] pending;
        lock (_calls)
        {
            pending = [.. _calls];
        }

        _ = Task.Run(async () =>
        {
            await Task.WhenAll(pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var fileId in fileIds)
            {
                try
                {
                    await client.CancelUploadAsync(fileId);
                }
                catch (Exception)
                {
                    // Best effort: the server drops an upload left in progress when it expires.
                }
            }
        });
    }

    private void Remove(Task call)
    {
        lock (_calls)
        {
            _calls.Remove(call);
        }
    }
}
