namespace Messenger.Kernel.Storage;

/// <summary>Files that hold a secret of the server's (its keys), and directories that hold its users' (the data
/// directory, backups).</summary>
public static class PrivateFiles
{
    /// <summary>rwx for the owner alone (0700): what a directory the server creates for its data or a backup gets.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode OthersAccess =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The directory's mode in octal (e.g. <c>0755</c>) when its group or other users have any access to it;
    /// null when only its owner has (and on Windows, which has no such modes).</summary>
    public static string? OpenToOthers(string directory) =>
        !OperatingSystem.IsWindows() && File.GetUnixFileMode(directory) is var mode && (mode & OthersAccess) != 0
            ? Convert.ToString((int)mode, 8).PadLeft(4, '0')
            : null;

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
