namespace Messenger.Kernel.Storage;

/// <summary>Files that hold a secret of the server's (its keys).</summary>
public static class PrivateFiles
{
    /// <summary>
    /// Writes <paramref name="text"/> as a new file readable by its owner only (mode 0600), all at once and durably:
    /// written beside it, synced, then renamed and its directory synced, so a crash never leaves a half-written key that
    /// the next start would trust, and a power loss does not take back a key that clients have since pinned.
    /// </summary>
    public static void Create(string path, string text)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        DurableFiles.Move(temporary, path);
    }
}
