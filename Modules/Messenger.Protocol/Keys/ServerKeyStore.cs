using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Microsoft.Extensions.Options;

namespace Messenger.Protocol.Keys;

/// <summary>
/// The server's static X25519 key: created on first start as <c>server.key</c> (mode 0600) in the data directory,
/// with the public half beside it as <c>server.pub</c> (64 hex characters); loaded at every start after that. Clients
/// pin the public key, so a server that has accounts never makes itself a new one: its <c>server.key</c> missing is a
/// key lost (left out of a restore, deleted), and the start stops there and says so.
/// </summary>
internal sealed class ServerKeyStore(IOptions<MessengerOptions> options)
{
    public const string PrivateFileName = "server.key";
    public const string PublicFileName = "server.pub";

    private NoiseKeyPair? _keyPair;

    /// <summary>The key pair, loaded or created at start-up (<see cref="LoadAsync"/>).</summary>
    public NoiseKeyPair KeyPair => _keyPair ?? throw new InvalidOperationException("The server key is loaded when the server starts");

    public string PublicKeyHex => ProtocolConstants.Hex(KeyPair.PublicKey);

    public string Fingerprint => ServerKeyFingerprint.Of(KeyPair.PublicKey);

    /// <summary>
    /// Loads the key, or creates it when there is none and <paramref name="anyAccount"/> answers that no one can have
    /// pinned one (no account was ever made: a client pins the key before it registers, and registering needs it).
    /// </summary>
    public async Task LoadAsync(Func<CancellationToken, ValueTask<bool>> anyAccount, CancellationToken cancellationToken)
    {
        var directory = options.Value.DataDirectoryFullPath;
        var privatePath = Path.Combine(directory, PrivateFileName);
        if (File.Exists(privatePath))
        {
            var existing = await ReadAsync(privatePath, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory, PublicFileName), ProtocolConstants.Hex(existing.PublicKey) + "\n", cancellationToken);
            _keyPair = existing;
            return;
        }

        if (await anyAccount(cancellationToken))
        {
            throw new StartupException(
                $"Messenger:DataDirectory: {PrivateFileName} is missing from '{directory}', but this server has accounts, whose " +
                $"clients pinned its key and refuse another: restore {PrivateFileName} from a backup of this data directory; " +
                "with no copy left, 'Messenger.Host new-server-key' makes a new one (clients must forget the old key), " +
                $"or move {MessengerOptions.DatabaseFileName} and media/ away to start over as a new server");
        }

        _keyPair = CreateNew(directory);
    }

    /// <summary>A new key pair in <paramref name="dataDirectory"/>; null when it has one (it is never replaced).</summary>
    public static NoiseKeyPair? CreateNew(string dataDirectory)
    {
        var privatePath = Path.Combine(dataDirectory, PrivateFileName);
        if (File.Exists(privatePath))
        {
            return null;
        }

        var created = NoiseKeyPair.Generate();
        PrivateFiles.Create(privatePath, ProtocolConstants.Hex(created.PrivateKey) + "\n");
        File.WriteAllText(Path.Combine(dataDirectory, PublicFileName), ProtocolConstants.Hex(created.PublicKey) + "\n");
        return created;
    }

    // Never replaced when it cannot be read: clients pin its public half.
    private static async Task<NoiseKeyPair> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return NoiseKeyPair.FromPrivateKey(Convert.FromHexString((await File.ReadAllTextAsync(path, cancellationToken)).Trim()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Messenger:DataDirectory: '{path}' cannot be read ({e.Message})");
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new StartupException($"Messenger:DataDirectory: '{path}' is not a server key (64 hex digits); it was left untouched");
        }
    }
}
