using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Microsoft.Extensions.Options;

namespace Messenger.Protocol.Keys;

/// <summary>
/// The server's static X25519 key: created on first start as <c>server.key</c> (mode 0600) in the data directory,
/// with the public half beside it as <c>server.pub</c> (64 hex characters); reused afterwards.
/// </summary>
internal sealed class ServerKeyStore(IOptions<MessengerOptions> options)
{
    private readonly Lazy<NoiseKeyPair> _keyPair = new(() => LoadOrCreate(options.Value.DataDirectoryFullPath));

    public NoiseKeyPair KeyPair => _keyPair.Value;

    public string PublicKeyHex => ProtocolConstants.Hex(KeyPair.PublicKey);

    public string Fingerprint => ServerKeyFingerprint.Of(KeyPair.PublicKey);

    private static NoiseKeyPair LoadOrCreate(string dataDirectory)
    {
        var privatePath = Path.Combine(dataDirectory, "server.key");
        var publicPath = Path.Combine(dataDirectory, "server.pub");
        if (File.Exists(privatePath))
        {
            var existing = Read(privatePath);
            File.WriteAllText(publicPath, ProtocolConstants.Hex(existing.PublicKey) + "\n");
            return existing;
        }

        var created = NoiseKeyPair.Generate();
        PrivateFiles.Create(privatePath, ProtocolConstants.Hex(created.PrivateKey) + "\n");
        File.WriteAllText(publicPath, ProtocolConstants.Hex(created.PublicKey) + "\n");
        return created;
    }

    // Never replaced when it cannot be read: clients pin its public half.
    private static NoiseKeyPair Read(string path)
    {
        try
        {
            return NoiseKeyPair.FromPrivateKey(Convert.FromHexString(File.ReadAllText(path).Trim()));
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
