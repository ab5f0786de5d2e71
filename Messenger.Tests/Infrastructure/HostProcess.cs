using System.Diagnostics;

namespace Messenger.Tests.Infrastructure;

/// <summary>The built host run as a command (<c>backup</c>, <c>reset-password</c>): its exit code and what it printed.</summary>
internal static class HostProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Messenger.Host.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true); // a server that started instead of a command must not outlive the test
            throw;
        }
        return (process.ExitCode, await output + await error);
    }
}
