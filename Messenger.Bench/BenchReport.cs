using System.Globalization;
using System.Text.Json;

namespace Messenger.Bench;

/// <summary>One scenario's outcome: its parameters and figures, printed as a table and written as JSON.</summary>
internal sealed class BenchReport(string scenario)
{
    public string Scenario { get; } = scenario;

    public Dictionary<string, object> Parameters { get; } = [];

    /// <summary>Top-level text fields of the JSON (e.g. the SQLite synchronous mode a figure was measured with).</summary>
    public Dictionary<string, string> Labels { get; } = [];

    public Dictionary<string, double> Figures { get; } = [];

    public List<string> Notes { get; } = [];

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"scenario {Scenario} — {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        foreach (var (key, value) in Parameters.Concat(Labels.Select(l => KeyValuePair.Create(l.Key, (object)l.Value))))
        {
            output.WriteLine($"  {key,-28} {(value is Array list ? $"{list.Length} values (in the JSON)" : value)}");
        }

        output.WriteLine(new string('-', 48));
        foreach (var (key, value) in Figures)
        {
            output.WriteLine($"  {key,-28} {value.ToString(value >= 100 ? "N0" : "0.###", CultureInfo.InvariantCulture),16}");
        }

        foreach (var note in Notes)
        {
            output.WriteLine($"  note: {note}");
        }
    }

    public async Task WriteJsonAsync(string path)
    {
        var document = new Dictionary<string, object>
        {
            ["scenario"] = Scenario,
            ["date"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["machine_cores"] = Environment.ProcessorCount,
            ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            ["parameters"] = Parameters,
        };
        foreach (var (key, value) in Labels)
        {
            document[key] = value;
        }

        foreach (var (key, value) in Figures)
        {
            document[key] = Math.Round(value, 3);
        }

        if (Notes.Count > 0)
        {
            document["notes"] = Notes;
        }

        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }
}
