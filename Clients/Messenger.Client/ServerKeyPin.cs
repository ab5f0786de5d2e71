using Messenger.Contracts.Wire;

namespace Messenger.Client;

/// <summary>
/// Trust on first use: the server's public key, fetched from <c>/.well-known/messenger/server-key</c> the first time and
/// pinned in a file from then on. A server that later answers with another key fails the handshake
/// (<see cref="MessengerConnectionException"/>) instead of being believed: the file is never replaced by the SDK.
/// Apps that know the key in advance pass it as <see cref="MessengerClientOptions.ServerPublicKey"/> directly.
/// </summary>
public static class ServerKeyPin
{
    /// <summary>The key pinned in <paramref name="path"/>, or the server's, fetched now and pinned there.</summary>
    public static async Task<byte[]> LoadOrFetchAsync(Uri serverUrl, string path, HttpClient? http = null, CancellationToken cancellationToken = default)
    {
        if (File.Exists(path))
        {
            return Parse(await File.ReadAllTextAsync(path, cancellationToken), path);
        }

        var key = await FetchAsync(serverUrl, http, cancellationToken);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // Written whole under another name, flushed, and put in place: a crash or a power loss leaves no empty or
        // half-written pin, which would stop the client or, deleted, pin anew whatever answers then.
        var temporary = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        ExclusiveFiles.WriteFlushed(temporary, System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(key)));
        // Of two processes pinning at once exactly one wins; the other trusts that pin from now on.
        return ExclusiveFiles.TryPlace(temporary, full) ? key : Parse(await File.ReadAllTextAsync(full, cancellationToken), path);
    }

    /// <summary>The key the server serves now (64 hex characters), without pinning it.</summary>
    public static async Task<byte[]> FetchAsync(Uri serverUrl, HttpClient? http = null, CancellationToken cancellationToken = default)
    {
        using var owned = http is null ? new HttpClient() : null;
        var text = await (http ?? owned!).GetStringAsync(new Uri(serverUrl, ProtocolConstants.ServerKeyPath), cancellationToken);
        return Parse(text, ProtocolConstants.ServerKeyPath);
    }

    private static byte[] Parse(string text, string source)
    {
        var hex = text.Trim();
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit)
            ? Convert.FromHexString(hex)
            : throw new InvalidDataException($"{source} does not hold a server key (64 hex characters)");
    }
}
