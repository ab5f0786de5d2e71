using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Host;

/// <summary>The log file of <c>Messenger:Logging:FilePath</c> as an operator finds it: its lines name client addresses
/// and user names, so only the server's user and its group may read it; each names its category, as the console's do.</summary>
public sealed class FileLoggingTests
{
    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheLogFile_IsReadableByTheServersUserAndGroupOnly_AndNamesEachLinesCategory()
    {
        using var directory = new TempDirectory();
        var logs = Path.Combine(directory.Path, "logs");

        await using (await TestHost.StartAsync(Path.Combine(directory.Path, "data"), LogFiles.Settings(logs)))
        {
        }

        var files = Directory.GetFiles(logs, "messenger*.log");
        files.Should().NotBeEmpty();
        files.Select(File.GetUnixFileMode).Should().AllBeEquivalentTo(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640, not the umask's 0644");
        LogFiles.Read(logs).Should().Contain("[INF] Messenger.Startup: Messenger listening on", "a line names its category (SourceContext)");
    }
}
