using System.Diagnostics;
using System.Text.RegularExpressions;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Host;

/// <summary>The systemd unit docs/operations.md gives operators, checked by systemd itself: <c>systemd-analyze verify</c>
/// reports a misspelt key, a value it cannot parse or a section it does not know (as warnings, with exit code 0, so the
/// test reads what it said). <c>ExecStart</c> points at the host the tests built instead of /opt/messenger, the one
/// path a test machine cannot have.</summary>
public sealed partial class SystemdUnitTests
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";

    [LinuxFact]
    public async Task TheDocumentedUnit_PassesSystemdAnalyzeVerify_WithoutAWarning()
    {
        File.Exists(SystemdAnalyze).Should().BeTrue($"{SystemdAnalyze} checks the unit (apt-get install -y systemd; .ci/run installs it)");
        var document = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "operations.md")).ReplaceLineEndings("\n");
        var unit = IniBlock().Match(document).Groups[1].Value;
        unit.Should().Contain("ExecStart=/opt/messenger/Messenger.Host ", "the documented unit starts the published binary");
        var host = Path.Combine(AppContext.BaseDirectory, "Messenger.Host");
        File.Exists(host).Should().BeTrue("the host's apphost is built beside the tests");

        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "messenger.service");
        await File.WriteAllTextAsync(path, unit.Replace("ExecStart=/opt/messenger/Messenger.Host ", $"ExecStart={host} "));
        var (exitCode, said) = await RunAsync(SystemdAnalyze, "verify", path);

        said.Should().BeEmpty("systemd accepts every line of the documented unit");
        exitCode.Should().Be(0);
    }

    private static async Task<(int ExitCode, string Said)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, (await output + await error).Trim());
    }

    [GeneratedRegex(@"```ini\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex IniBlock();
}
