using System.Diagnostics;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Infrastructure;

/// <summary>The built host run as a command (<c>backup</c>, <c>reset-password</c>): its exit code and what it printed.</summary>
internal static class HostProcess
{
    /// <summary>A data directory <c>data</c> under <paramref name="directory"/> that a server made and left, with one account
    /// in it (<paramref name="username"/>): what a command is run on.</summary>
    public static async Task<string> DataWithOneAccountAsync(string directory, string username)
    {
        var data = Path.Combine(directory, "data");
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data))
        {
            await using var account = await host.SignUpAsync(username);
        }

        return data;
    }

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
