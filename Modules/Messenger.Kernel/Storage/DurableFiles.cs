using System.Runtime.InteropServices;

namespace Messenger.Kernel.Storage;

/// <summary>
/// Names that survive a power loss. An fsync of a file makes its bytes durable, not its name: the name is an entry of
/// the directory that holds it, and until that directory is synced a power loss can take back a rename (or a new
/// directory) while a database COMMIT that refers to the file, synced since, survives. So a file moved into place has
/// its directory synced after the rename, and a directory created for it has its parent synced. One fsync of a
/// directory per stored file (a few milliseconds on a disk) is the price. On Windows, which has no fsync of a
/// directory (NTFS journals its names), these are the plain operations.
/// </summary>
public static class DurableFiles
{
    private const int NoSuchEntry = 2; // ENOENT (Linux and macOS)
    private const int NotADirectory = 20; // ENOTDIR
    private const int NotSupported = 22; // EINVAL: fsync on a file system that cannot sync a directory

    // O_RDONLY | O_DIRECTORY: opening a directory read-only is all fsync needs; O_DIRECTORY refuses anything else.
    private static readonly int ReadOnlyDirectory = !OperatingSystem.IsLinux() ? 0 : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x10000,
        Architecture.Arm64 or Architecture.Arm => 0x4000,
        _ => 0,
    };

    private static bool _libcMissing = OperatingSystem.IsWindows();

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/> (never over an existing file; the
    /// destination's directory must exist) and syncs the destination's directory, so the new name is on the disk when
    /// this returns.</summary>
    public static void Move(string source, string destination)
    {
        File.Move(source, destination, overwrite: false);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
    }

    /// <summary>Creates <paramref name="directory"/> and any missing parents, syncing the parent of each directory it
    /// creates (nothing when it exists); with <paramref name="ownerOnly"/>, each one it creates is its owner's alone
    /// (0700, <see cref="PrivateFiles.OwnerOnly"/>).</summary>
    public static void CreateDirectory(string directory, bool ownerOnly = false)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (Directory.Exists(full))
        {
            return;
        }

        var parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            CreateDirectory(parent, ownerOnly);
        }

        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full, PrivateFiles.OwnerOnly);
        }
        else
        {
            Directory.CreateDirectory(full);
        }
        if (parent is not null)
        {
            SyncDirectory(parent);
        }
    }

    /// <summary>
    /// fsync of <paramref name="directory"/>: what was renamed into it, created or deleted in it is on the disk when this
    /// returns true. False where there is no such call (Windows, no libc) or the file system cannot sync a directory.
    /// Throws <see cref="DirectoryNotFoundException"/> when there is no such directory and <see cref="IOException"/>
    /// when it cannot be opened or the sync fails (a disk error: what is in the directory may not be on the disk).
    /// </summary>
    public static bool SyncDirectory(string directory)
    {
        if (_libcMissing)
        {
            return false;
        }

        int fd;
        try
        {
            fd = open(directory, ReadOnlyDirectory);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _libcMissing = true;
            return false;
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno is NoSuchEntry or NotADirectory
                ? new DirectoryNotFoundException($"Cannot sync directory '{directory}': there is no such directory")
                : new IOException($"Cannot open directory '{directory}' to sync it: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }

        try
        {
            if (fsync(fd) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == NotSupported)
            {
                return false;
            }

            throw new IOException($"Cannot sync directory '{directory}': {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>fsync of a file written without one (a copy): its bytes are on the disk when this returns.</summary>
    public static void SyncFile(string path)
    {
        // Read-only is all fsync needs, so a copy that took its source's read-only mode (a backup's) is synced all the
        // same, by any user; Windows flushes only a handle it may write with.
        using var file = File.OpenHandle(path, FileMode.Open, OperatingSystem.IsWindows() ? FileAccess.Write : FileAccess.Read, FileShare.ReadWrite);
        RandomAccess.FlushToDisk(file);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
