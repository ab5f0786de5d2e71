using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Messenger.Kernel.Errors;
using Microsoft.AspNetCore.Http;

namespace Messenger.Message.Http;

/// <summary>What the plain-HTTP endpoints (webhooks, the Bot API) share: bodies read into memory never past their
/// limit, whatever the client says or streams, and a <see cref="MessengerError"/> as an HTTP status.</summary>
internal static class HttpPlumbing
{
    /// <summary>The whole body, or null as soon as it passes <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAtMostAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The error's status (420 <c>FLOOD_WAIT</c> as 429 Too Many Requests) and its <c>Retry-After</c>.</summary>
    public static void SetStatus(HttpResponse response, MessengerError error)
    {
        response.StatusCode = error.Code == 420 ? StatusCodes.Status429TooManyRequests : error.Code;
        if (error.RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The random_id of a keyed request: the same key, the same id (random_ids are per sender: a webhook's or an API bot's).</summary>
    public static long RandomIdOf(string key)
    {
        var id = BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(key))) & long.MaxValue;
        return id == 0 ? 1 : id;
    }
}
