using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Kernel.Storage;

/// <summary>
/// One server per data directory: an exclusive lock on <see cref="FileName"/> in it, taken at start-up before the
/// database is written and held until the process ends (or the host is disposed). Two servers on one directory would
/// each take the database's single writer, the media store and the key files for their own; and holding the lock, a
/// start may clear what an interrupted one left behind (EF Core's migration lock) knowing that no one else is
/// migrating. The lock belongs to the open file (<c>flock</c> on Linux, a share mode on Windows), so a killed process's
/// lock goes with it and the file it leaves stops nothing; the file is never deleted (a process that opened it just
/// before would lock a name no one else sees). .NET takes no lock where <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> is set.
/// </summary>
public sealed class DataDirectoryLock(IOptions<MessengerOptions> options) : IDisposable
{
    public const string FileName = "messenger.lock";

    // How .NET reports a lock held elsewhere: ERROR_SHARING_VIOLATION on Windows; on Unix the errno (EWOULDBLOCK) as the HResult.
    private static readonly int HeldElsewhere =
        OperatingSystem.IsWindows() ? unchecked((int)0x80070020) : OperatingSystem.IsMacOS() ? 35 : 11;

    private FileStream? _held;

    /// <summary>Takes the lock (once); a <see cref="StartupException"/> when another process holds it.</summary>
    public void Acquire()
    {
        if (_held is not null)
        {
            return;
        }

        var directory = options.Value.DataDirectoryFullPath;
        var path = Path.Combine(directory, FileName);
        try
        {
            _held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException e) when (e.HResult == HeldElsewhere)
        {
            throw new StartupException($"Messenger:DataDirectory: another Messenger server is using '{directory}' (it holds {FileName}); stop it first, or give this one a directory of its own");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Messenger:DataDirectory: cannot lock '{path}' ({e.Message})");
        }
    }

    public void Dispose() => _held?.Dispose();
}
