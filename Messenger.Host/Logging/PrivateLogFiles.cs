using System.Text;
using Serilog.Sinks.File;

namespace Messenger.Host.Logging;

/// <summary>
/// Makes each log file the sink opens 0640 (the owner writes, its group reads, nobody else): the lines hold client
/// addresses and user names, and Serilog creates its files with the process's umask (0644 under systemd). The mode is
/// set right after the file is created, so the directory's mode (the unit's <c>LogsDirectoryMode=0750</c>) is what keeps
/// others out meanwhile.
/// </summary>
internal sealed class PrivateLogFiles : FileLifecycleHooks
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    public override Stream OnFileOpened(string path, Stream underlyingStream, Encoding encoding)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Mode);
        }

        return underlyingStream;
    }
}
