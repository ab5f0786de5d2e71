using System.Text.Json;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Web;

/// <summary>
/// The web client's own tests (vitest) run as part of the one test command, its interop suite (test/interop.test.ts:
/// the browser code against a real server) and the independent client (test/independent-noise.test.ts: another
/// project's Noise implementation and only the README's protocol section) against a real host started here.
/// </summary>
public sealed class VitestSuiteTests
{
    [Fact]
    public async Task Vitest_WhenTheWebClientSuiteRuns_EveryTestPasses()
    {
        using var directory = new TempDirectory();
        var reportPath = Path.Combine(directory.Path, "vitest.json");
        await using var host = await WebTestKit.StartHostAsync();
        var server = new Dictionary<string, string>
        {
            ["MESSENGER_URL"] = host.BaseAddress.ToString(),
            ["MESSENGER_SERVER_KEY"] = Convert.ToHexString(host.ServerPublicKey).ToLowerInvariant(),
        };

        var (exitCode, output) = await NodeProcess.RunAsync(
            WebTestKit.WebClientSources, "npm", ["test", "--", "--reporter=json", $"--outputFile={reportPath}"], TimeSpan.FromMinutes(5), server);

        File.Exists(reportPath).Should().BeTrue($"vitest writes its report (exit code {exitCode}):\n{output}");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(reportPath));
        var tests = report.RootElement.GetProperty("testResults").EnumerateArray()
            .SelectMany(file => TestsOf(file, Path.GetRelativePath(WebTestKit.WebClientSources, file.GetProperty("name").GetString()!)))
            .ToList();
        var failures = tests.Where(test => test.Status != "passed").ToList();

        tests.Should().Contain(test => test.Name.StartsWith("test/interop.test.ts"), $"the interop suite runs against the host:\n{output}");
        tests.Should().Contain(test => test.Name.StartsWith("test/independent-noise.test.ts"), $"the independent client runs against the host:\n{output}");
        failures.Should().BeEmpty(string.Join("\n\n", failures.Select(failure => $"{failure.Name}: {failure.Status}\n{failure.Message}")));
        exitCode.Should().Be(0, output);
    }

    private static IEnumerable<(string Name, string Status, string Message)> TestsOf(JsonElement file, string fileName)
    {
        var assertions = file.GetProperty("assertionResults").EnumerateArray().ToList();
        if (assertions.Count == 0 && file.GetProperty("status").GetString() != "passed")
        {
            // A file that failed to load (a syntax error, a missing import) has no test results, only its message.
            yield return (fileName, file.GetProperty("status").GetString()!, file.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "");
        }

        foreach (var test in assertions)
        {
            var messages = test.TryGetProperty("failureMessages", out var failed)
                ? string.Join("\n", failed.EnumerateArray().Select(m => m.GetString()))
                : "";
            yield return ($"{fileName} › {test.GetProperty("fullName").GetString()}", test.GetProperty("status").GetString()!, messages);
        }
    }
}
