using Messenger.Contracts.Noise;

namespace Messenger.Client;

/// <summary>Where a device keeps its static X25519 key: the key is the device's identity to the server.</summary>
public interface IDeviceKeyStore
{
    NoiseKeyPair GetOrCreate();
}

/// <summary>A key that lives as long as the object (tests, throw-away clients).</summary>
public sealed class InMemoryDeviceKeyStore(NoiseKeyPair? keyPair = null) : IDeviceKeyStore
{
    private readonly NoiseKeyPair _keyPair = keyPair ?? NoiseKeyPair.Generate();

    public NoiseKeyPair GetOrCreate() => _keyPair;
}

/// <summary>The default for apps: the private key as hex in a file readable only by its owner (mode 0600).</summary>
public sealed class FileDeviceKeyStore(string path) : IDeviceKeyStore
{
    private readonly Lock _gate = new();

    /// <summary>The key file (secret chats keep theirs beside it by default: <see cref="FileSecretChatKeyStore"/>).</summary>
    public string Path => path;

    public NoiseKeyPair GetOrCreate()
    {
        lock (_gate)
        {
            if (File.Exists(path))
            {
                return NoiseKeyPair.FromPrivateKey(Convert.FromHexString(File.ReadAllText(path).Trim()));
            }

            var created = NoiseKeyPair.Generate();
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var writer = new StreamWriter(new FileStream(path, options));
            writer.Write(Convert.ToHexStringLower(created.PrivateKey));
            return created;
        }
    }
}
