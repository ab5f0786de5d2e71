using System.Runtime.InteropServices;

namespace Messenger.Client;

/// <summary>
/// Puts a finished file in place under a name only if nothing is there yet, atomically among processes: of two at
/// once, exactly one wins and the other learns it. <see cref="File.Move(string, string, bool)"/> without overwrite is not
/// that on Unix: it checks for the destination and then renames, and a rename replaces, so both could "win" and the
/// first be left holding a key the file no longer has. A hard link is made instead (<c>link(2)</c> fails with EEXIST
/// when the name exists), then the temporary name is removed. A placed file is durable: its content was flushed when
/// written (<see cref="WriteFlushed"/>), and its name is once the directory is (<see cref="FlushDirectory"/>), so after a
/// power loss the pin or key is there whole, or not at all, never an empty file to refuse or trust anew.
/// </summary>
internal static class ExclusiveFiles
{
    private const int Eexist = 17; // Linux and macOS alike.

    /// <summary>Moves <paramref name="temporary"/> to <paramref name="destination"/>; false (and the temporary file
    /// deleted) when the destination exists already.</summary>
    public static bool TryPlace(string temporary, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING fails when the name exists: atomic already.
            return MoveUnlessTaken(temporary, destination);
        }

        if (link(temporary, destination) == 0)
        {
            File.Delete(temporary);
            FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error == Eexist)
        {
            File.Delete(temporary);
            return false;
        }

        // A file system without hard links (EPERM, ENOTSUP…): the plain move, with its small window.
        return MoveUnlessTaken(temporary, destination);
    }

    /// <summary>Creates <paramref name="path"/> (it must not exist; 0600 on Unix) with <paramref name="content"/>, flushed to disk.</summary>
    public static void WriteFlushed(string path, ReadOnlySpan<byte> content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>fsync of a directory (POSIX), which makes the names made or renamed in it durable; Windows has no such call
    /// for a directory, and NTFS journals its names.</summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd;
        try
        {
            fd = open(directory, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return;
        }

        if (fd < 0)
        {
            return;
        }

        try
        {
            fsync(fd);
        }
        finally
        {
            close(fd);
        }
    }

    private static bool MoveUnlessTaken(string temporary, string destination)
    {
        try
        {
            File.Move(temporary, destination, overwrite: false);
            FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
            return true;
        }
        catch (IOException) when (File.Exists(destination))
        {
            File.Delete(temporary);
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
