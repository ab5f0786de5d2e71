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

    /// <summary>The key in the file, or a new one written there first. Safe for several stores and processes on one path
    /// (one key wins, all use it) and against a crash mid-write (the file appears whole or not at all); a file that
    /// holds no key is an <see cref="InvalidDataException"/> naming it.</summary>
    public NoiseKeyPair GetOrCreate()
    {
        lock (_gate)
        {
            var full = System.IO.Path.GetFullPath(path);
            if (File.Exists(full))
            {
                return Read(full);
            }

            var created = NoiseKeyPair.Generate();
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            // Written whole under another name, flushed to disk, then put in place only if no key is there yet: a crash
            // leaves no empty or half-written key, and of two first uses at once exactly one wins (ExclusiveFiles).
            var temporary = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            ExclusiveFiles.WriteFlushed(temporary, System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(created.PrivateKey)));
            return ExclusiveFiles.TryPlace(temporary, full) ? created : Read(full);
        }
    }

    private static NoiseKeyPair Read(string file)
    {
        var hex = File.ReadAllText(file).Trim();
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit)
            ? NoiseKeyPair.FromPrivateKey(Convert.FromHexString(hex))
            : throw new InvalidDataException($"{file} does not hold a device key (64 hex characters): restore it from a backup, or delete it to make this a new device");
    }
}
