using System.Net.Sockets;
using System.Text;

namespace Messenger.Tests.Infrastructure;

/// <summary>An HTTP/1.1 answer as it came off the socket (null status: the server closed the connection without one).</summary>
internal sealed record RawHttpAnswer(int? Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public override string ToString() => Status is null ? "no answer (connection closed)" : $"{Status} \"{(Text.Length > 200 ? Text[..200] + "…" : Text)}\"";
}

/// <summary>
/// HTTP/1.1 spoken by hand over a socket, for what no HTTP client sends: a <c>Content-Length</c> that is not the body's,
/// a body cut off, a malformed header, a path sent exactly as written. One request per connection
/// (<c>Connection: close</c>); the answer is read to the server's close.
/// </summary>
internal static class RawHttp
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How the request ends after its head and the bytes of the body it sends.</summary>
    public enum Ending
    {
        /// <summary>Waits for the answer.</summary>
        Wait,

        /// <summary>Closes its sending side (the body ends there), then reads the answer.</summary>
        HalfClose,

        /// <summary>Resets the connection: a client that went away mid-body; no answer is read.</summary>
        Reset,

        /// <summary>Keeps its side open (a body still to come, as far as the server knows) and reads until the answer's
        /// head and first body bytes are in, then resets: a client that learns it was refused before it sent it all.</summary>
        ReadFirstAnswer,
    }

    /// <summary>Sends <paramref name="method"/> <paramref name="target"/> with <paramref name="headers"/> (Host and
    /// Connection are added), then <paramref name="body"/> as it is (the caller frames it: Content-Length, chunked or
    /// nothing), and ends as <paramref name="ending"/> says.</summary>
    public static async Task<RawHttpAnswer> SendAsync(
        Uri server, string method, string target, IEnumerable<(string Name, string Value)> headers, ReadOnlyMemory<byte> body, Ending ending = Ending.Wait)
    {
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.Host, server.Port, timeout.Token);
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        try
        {
            await socket.SendAsync(Encoding.Latin1.GetBytes(head.ToString()), timeout.Token);
            if (body.Length > 0)
            {
                await socket.SendAsync(body, timeout.Token);
            }
        }
        catch (SocketException)
        {
            // The server answered and closed before the whole body went: read what it said.
        }

        if (ending == Ending.Reset)
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
            return new RawHttpAnswer(null, new Dictionary<string, string>(), []);
        }

        if (ending == Ending.HalfClose)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                if (ending == Ending.ReadFirstAnswer && HasFirstBodyBytes(received.ToArray()))
                {
                    socket.LingerState = new LingerOption(true, 0);
                    break;
                }
            }
        }
        catch (SocketException)
        {
            // Reset after (or instead of) the answer: what came is what there is.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{method} {target[..Math.Min(target.Length, 80)]}: no answer within {AnswerTimeout.TotalSeconds} s (a hang)");
        }

        return Parse(received.ToArray());
    }

    private static bool HasFirstBodyBytes(byte[] bytes)
    {
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        return end >= 0 && Parse(bytes) is { Body.Length: > 0 };
    }

    private static RawHttpAnswer Parse(byte[] bytes)
    {
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return new RawHttpAnswer(null, new Dictionary<string, string>(), bytes);
        }

        var lines = Encoding.Latin1.GetString(bytes, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => string.Join(", ", g.Select(p => p[1].Trim())), StringComparer.OrdinalIgnoreCase);
        var body = bytes[(end + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }
        else if (headers.TryGetValue("Content-Length", out var length) && long.Parse(length, System.Globalization.CultureInfo.InvariantCulture) < body.Length)
        {
            body = body[..(int)long.Parse(length, System.Globalization.CultureInfo.InvariantCulture)];
        }

        return new RawHttpAnswer(status, headers, body);
    }

    private static byte[] Unchunk(byte[] chunked)
    {
        var body = new MemoryStream();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var size = Convert.ToInt32(Encoding.Latin1.GetString(chunked, at, lineEnd).Split(';')[0].Trim(), 16);
            at += lineEnd + 2;
            if (size == 0 || at + size > chunked.Length)
            {
                break;
            }

            body.Write(chunked, at, size);
            at += size + 2;
        }

        return body.ToArray();
    }

    /// <summary><paramref name="body"/> in the chunked transfer coding, in chunks of at most <paramref name="chunkBytes"/>.</summary>
    public static byte[] Chunked(ReadOnlySpan<byte> body, int chunkBytes)
    {
        var framed = new MemoryStream();
        for (var at = 0; at < body.Length; at += chunkBytes)
        {
            var chunk = body.Slice(at, Math.Min(chunkBytes, body.Length - at));
            framed.Write(Encoding.Latin1.GetBytes($"{chunk.Length:x}\r\n"));
            framed.Write(chunk);
            framed.Write("\r\n"u8);
        }

        framed.Write("0\r\n\r\n"u8);
        return framed.ToArray();
    }
}
