namespace Messenger.Kernel.Storage;

/// <summary>
/// The other processes that have a file open, read from <c>/proc</c> (Linux; elsewhere none are found). Only processes
/// this user may look into are seen, which includes every one running as the server's own user.
/// </summary>
public static class OpenFileHolders
{
    private const int MaxCommandLine = 200;

    /// <summary>Each other process with <paramref name="path"/> open: its id and command line (shortened).</summary>
    public static List<(int Pid, string CommandLine)> Of(string path)
    {
        var holders = new List<(int, string)>();
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc"))
        {
            return holders;
        }

        var target = Path.GetFullPath(path);
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (Directory.EnumerateFiles(Path.Combine(process, "fd")).Any(fd => new FileInfo(fd).LinkTarget == target))
                {
                    holders.Add((pid, CommandLine(process)));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's process, or one that ended while it was read.
            }
        }

        return holders;
    }

    private static string CommandLine(string process)
    {
        var line = File.ReadAllText(Path.Combine(process, "cmdline")).Replace('\0', ' ').Trim();
        return line.Length <= MaxCommandLine ? line : line[..MaxCommandLine] + "…";
    }
}
