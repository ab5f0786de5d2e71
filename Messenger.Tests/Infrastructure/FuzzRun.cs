using System.Text.RegularExpressions;
using Messenger.Client;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// What the seeded fuzz tests share (as <c>RpcArgumentFuzzTests</c> does it): the seed and the number of cases from the
/// environment (<c>MESSENGER_FUZZ_SEED=n MESSENGER_FUZZ_CASES=200 dotnet test …</c>), failures that name the seed and the
/// case, a tally of the answers for the test output, and the check after a family: two other users still chat and the
/// host logged no error.
/// </summary>
internal sealed class FuzzRun(string family, int defaultCases)
{
    public static readonly Regex ErrorName = new("^[A-Z][A-Z0-9_]*$", RegexOptions.Compiled);

    private readonly List<string> _failures = [];
    private readonly Dictionary<string, int> _answers = [];

    /// <summary>The host's settings for a fuzz family: its log written to <paramref name="logDirectory"/> (read by
    /// <see cref="ShouldLeaveEveryoneWellAsync"/>'s check) and the limits a burst of cases from one address would meet lifted.</summary>
    public static Dictionary<string, string?> HostSettings(string logDirectory) => new(LogFiles.Settings(logDirectory))
    {
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
        ["Messenger:Message:PostsPerSecond"] = "0",
        ["Messenger:Protocol:WritesPerSecond"] = "100000",
        ["Messenger:Protocol:WriteBurst"] = "100000",
    };

    public int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("MESSENGER_FUZZ_SEED"), out var seed) ? seed : 20261207;

    public int Cases { get; } = int.TryParse(Environment.GetEnvironmentVariable("MESSENGER_FUZZ_CASES"), out var cases) && cases > 0 ? cases : defaultCases;

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>One seed per case, drawn from the run's seed: a case is reproduced by its own.</summary>
    public int[] CaseSeeds()
    {
        var random = new Random(Seed);
        return [.. Enumerable.Range(0, Cases).Select(_ => random.Next())];
    }

    public void Tally(string kind, string answer)
    {
        lock (_answers)
        {
            var key = $"{kind}: {answer}";
            _answers[key] = _answers.GetValueOrDefault(key) + 1;
        }
    }

    public void Fail(string kind, int caseSeed, string what)
    {
        lock (_failures)
        {
            _failures.Add($"{kind} (case seed {caseSeed}): {what}");
        }
    }

    /// <summary>Runs <paramref name="check"/>, recording an exception it throws (an assertion, a hang) as the case's failure.</summary>
    public async Task CaseAsync(string kind, int caseSeed, Func<Task> check)
    {
        try
        {
            await check();
        }
        catch (Exception e)
        {
            Fail(kind, caseSeed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    public string Summary() =>
        string.Join("\n", _answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} × {a.Value}"));

    /// <summary>No failure, two other users still chat, and the host's log holds no error.</summary>
    public async Task ShouldLeaveEveryoneWellAsync(Device dave, Device erin, string logDirectory)
    {
        _failures.Should().BeEmpty($"seed {Seed}, {Cases} {family} cases: every answer is the one documented; failed:\n{string.Join("\n", _failures)}\n");
        await dave.SendAsync(erin, $"after the {family} fuzz");
        (await erin.Client.GetHistoryAsync(dave.Peer)).Select(m => m.Text).Should().Contain($"after the {family} fuzz");
        var log = LogFiles.Read(logDirectory);
        log.Should().NotContain("[ERR]").And.NotContain("[FTL]").And.NotContain("Unhandled exception").And.NotContain("failed unexpectedly");
    }
}
