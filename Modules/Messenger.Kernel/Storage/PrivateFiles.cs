namespace Messenger.Kernel.Storage;

/// <summary>Files that hold a secret of the server's (its keys).</summary>
public static class PrivateFiles
{
    /// <summary>
    /// Writes <paramref name="text"/> as a new file readable by its owner only (mode 0600), all at once and durably:
    /// written beside it, synced, then renamed, so a crash never leaves a half-written key that the next start would trust.
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

        File.Move(temporary, path);
    }
}
