using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Messenger.Contracts.Media;

namespace Messenger.Client;

/// <summary>How file bytes travel between the SDK and the server.</summary>
public enum MediaTransport
{
    /// <summary>Media streams: a range of parts (or a download) in one HTTP request to the server's own address,
    /// sealed in 64 KiB chunks under a one-use key that came through the encrypted session. The fast path.</summary>
    Stream,

    /// <summary>One call per part (<c>upload.saveFilePart</c>) or per 1 MiB range (<c>upload.getFile</c>) inside the
    /// session, as the web client does.</summary>
    Rpc,
}

/// <summary>The client side of media streams (see <c>upload.openUploadStream</c>, <c>upload.openDownloadStream</c>).</summary>
internal static class MediaStreams
{
    /// <summary>The parts still missing, as contiguous ranges.</summary>
    public static List<(int First, int Count)> MissingRanges(int totalParts, IReadOnlySet<int> present)
    {
        var ranges = new List<(int, int)>();
        for (var part = 0; part < totalParts; part++)
        {
            if (present.Contains(part))
            {
                continue;
            }

            var first = part;
            while (part + 1 < totalParts && !present.Contains(part + 1))
            {
                part++;
            }

            ranges.Add((first, part - first + 1));
        }

        return ranges;
    }

    public static async Task UploadAsync(
        MessengerClient client, Stream content, SemaphoreSlim reading, long fileId, int firstPart, int partCount, CallsInFlight calls,
        Action<int> partSent, CancellationToken cancellationToken)
    {
        // Without the caller's token (it waits with it): a cancel waits for the ticket, so the ticket is issued before the
        // cancel revokes the upload's tickets. The stream itself needs no wait: a cancel revokes it on the server.
        var ticket = await calls.Add(client.CallAsync(new OpenUploadStreamCall(fileId, content.Length, firstPart, partCount), CancellationToken.None))
            .WaitAsync(cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Put, ticket.Path)
        {
            Content = new SealedPartsContent(content, reading, ticket, firstPart, partCount, partSent),
        };
        using var response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ThrowIfRefusedAsync(response, cancellationToken);
    }

    public static async Task DownloadAsync(
        MessengerClient client, long mediaId, long offset, long length, Stream destination, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        var ticket = await client.CallAsync(new OpenDownloadStreamCall(mediaId, offset, length), cancellationToken);
        using var response = await client.Http.GetAsync(ticket.Path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ThrowIfRefusedAsync(response, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var cipher = new MediaStreamCipher(ticket.Key);
        var sealedChunk = ArrayPool<byte>.Shared.Rent(MediaStreamCipher.SealedChunkBytes);
        var plain = ArrayPool<byte>.Shared.Rent(MediaStreamCipher.ChunkBytes);
        try
        {
            long written = 0;
            for (long chunk = 0; written < ticket.Length; chunk++)
            {
                var plainLength = (int)Math.Min(MediaStreamCipher.ChunkBytes, ticket.Length - written);
                await body.ReadExactlyAsync(sealedChunk.AsMemory(0, plainLength + MediaStreamCipher.TagBytes), cancellationToken);
                cipher.Open(chunk, sealedChunk.AsSpan(0, plainLength + MediaStreamCipher.TagBytes), plain);
                await destination.WriteAsync(plain.AsMemory(0, plainLength), cancellationToken);
                written += plainLength;
                progress?.Report(written);
            }
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new IOException("a download chunk failed authentication (changed on the way)", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedChunk);
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>A refusal comes back as the HTTP status of the error's code with its name (UPPER_SNAKE) as the body;
    /// anything else that is not a success (an empty or other body, as from a proxy) is a transport failure.</summary>
    private static async Task ThrowIfRefusedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var name = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        int? retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? (int)delta.TotalSeconds : null;
        if (!IsErrorName(name))
        {
            throw new HttpRequestException($"media stream failed with HTTP {(int)response.StatusCode}", null, response.StatusCode);
        }

        throw new RpcException(name, (int)response.StatusCode, retryAfter);
    }

    private static bool IsErrorName(string text) =>
        text.Length is > 0 and <= 64 && char.IsAsciiLetterUpper(text[0]) && text.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');

    /// <summary>Parts read from the content (one at a time across all streams) and sealed chunk by chunk as they are sent.</summary>
    private sealed class SealedPartsContent(
        Stream content, SemaphoreSlim reading, MediaStreamTicket ticket, int firstPart, int partCount, Action<int> partSent) : HttpContent
    {
        private const int PartBytes = MediaMethods.PartSize;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            using var cipher = new MediaStreamCipher(ticket.Key);
            var plain = ArrayPool<byte>.Shared.Rent(PartBytes);
            var sealedPart = ArrayPool<byte>.Shared.Rent((int)MediaStreamCipher.SealedLength(PartBytes));
            try
            {
                long chunk = 0;
                for (var part = firstPart; part < firstPart + partCount; part++)
                {
                    var length = (int)Math.Min(PartBytes, content.Length - (long)part * PartBytes);
                    await reading.WaitAsync(cancellationToken);
                    try
                    {
                        content.Position = (long)part * PartBytes;
                        await content.ReadExactlyAsync(plain.AsMemory(0, length), cancellationToken);
                    }
                    finally
                    {
                        reading.Release();
                    }

                    var sealedLength = cipher.Seal(chunk, plain.AsSpan(0, length), sealedPart);
                    chunk += MediaStreamCipher.ChunksIn(length);
                    await stream.WriteAsync(sealedPart.AsMemory(0, sealedLength), cancellationToken);
                    partSent(part);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(plain);
                ArrayPool<byte>.Shared.Return(sealedPart);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = MediaStreamCipher.SealedLength(ticket.Length);
            return true;
        }
    }
}
