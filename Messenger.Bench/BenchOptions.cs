namespace Messenger.Bench;

/// <summary>Command-line options shared by every scenario: <c>scenario [--duration S] [--json PATH] [--key value ...]</c>.</summary>
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values;

    private BenchOptions(string scenario, Dictionary<string, string> values)
    {
        Scenario = scenario;
        _values = values;
    }

    public string Scenario { get; }

    public TimeSpan Duration => TimeSpan.FromSeconds(Double("duration", 10));

    public string? JsonPath => _values.GetValueOrDefault("json");

    public string? Get(string key) => _values.GetValueOrDefault(key);

    public int Int(string key, int fallback) => _values.TryGetValue(key, out var value) ? int.Parse(value) : fallback;

    public double Double(string key, double fallback) => _values.TryGetValue(key, out var value) ? double.Parse(value) : fallback;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("usage: Messenger.Bench <scenario> [--duration S] [--json PATH] [--key value ...]");
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--key value', got '{args[i]}'");
            }

            values[args[i][2..]] = args[++i];
        }

        return new BenchOptions(args[0], values);
    }
}
