namespace Messenger.Client;

/// <summary>
/// Where a device keeps its secret chats: for each, its own secret key, the public keys, the derived keys and the local
/// history, which exist on this device only (the server has none of them). The SDK saves everything as one blob after
/// each change and reads it back at start, so a restarted app keeps its chats.
/// </summary>
public interface ISecretChatKeyStore
{
    /// <summary>What was saved last, or null when nothing was.</summary>
    byte[]? Load();

    /// <summary>Replaces what was saved.</summary>
    void Save(byte[] state);
}

/// <summary>Secret chats that live as long as the object (tests, throw-away clients).</summary>
public sealed class InMemorySecretChatKeyStore : ISecretChatKeyStore
{
    private byte[]? _state;

    public byte[]? Load() => Volatile.Read(ref _state);

    public void Save(byte[] state) => Volatile.Write(ref _state, (byte[])state.Clone());
}

/// <summary>
/// The default for apps whose device key is a <see cref="FileDeviceKeyStore"/>: a file beside it
/// (<c>&lt;key file&gt;.secret-chats</c>) readable only by its owner (mode 0600), replaced whole on each save (written
/// to a temporary file first, then renamed over it, so a crash leaves the old or the new state, never half of one).
/// </summary>
public sealed class FileSecretChatKeyStore(string path) : ISecretChatKeyStore
{
    private readonly Lock _gate = new();

    /// <summary>The file beside a device key file.</summary>
    public static string BesideDeviceKey(string deviceKeyPath) => deviceKeyPath + ".secret-chats";

    public string Path => path;

    public byte[]? Load()
    {
        lock (_gate)
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
    }

    public void Save(byte[] state)
    {
        lock (_gate)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            var temporary = path + ".tmp";
            // A temporary file left by a crash keeps its mode when opened again: start from none.
            File.Delete(temporary);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, options))
            {
                file.Write(state);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
    }
}
