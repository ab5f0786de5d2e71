using System.Globalization;

namespace Messenger.Host.Commands;

/// <summary>
/// What <c>check</c> found, printed as it is found: one line a problem (<c>problem &lt;kind&gt;: where: what</c>), at
/// most <see cref="LinesPerKind"/> of a kind (a database broken the same way a million times would otherwise print a
/// million lines; the rest are counted in one line), and what the server tidies by itself at its next start
/// (<c>tidy …</c>: files no row counts, an account deletion's clean-up), which is no problem.
/// </summary>
internal sealed class CheckReport(TextWriter output)
{
    public const int LinesPerKind = 20;

    private readonly Dictionary<string, long> _problems = new(StringComparer.Ordinal);

    public long Problems => _problems.Values.Sum();

    public long TidyFiles { get; private set; }

    public long TidyBytes { get; private set; }

    public IReadOnlyDictionary<string, long> ProblemsByKind => _problems;

    public void Problem(string kind, string where, string what)
    {
        var count = _problems.GetValueOrDefault(kind) + 1;
        _problems[kind] = count;
        if (count <= LinesPerKind)
        {
            output.WriteLine($"problem {kind}: {where}: {what}");
        }
    }

    /// <summary>A file the server's start-up sweep deletes (no row counts it): listed with its size, not a problem.</summary>
    public void Tidy(string kind, string path, long bytes)
    {
        TidyFiles++;
        TidyBytes += bytes;
        if (TidyFiles <= LinesPerKind)
        {
            output.WriteLine($"tidy {kind}: {path}: {Number(bytes)} bytes, deleted at the server's next start");
        }
    }

    /// <summary>What the server finishes by itself at its next start (an account deletion's clean-up): not a problem.</summary>
    public void Unfinished(string kind, string where, string what)
    {
        UnfinishedCount++;
        if (UnfinishedCount <= LinesPerKind)
        {
            output.WriteLine($"tidy {kind}: {where}: {what}, finished at the server's next start");
        }
    }

    public long UnfinishedCount { get; private set; }

    /// <summary>The lines that were left out, one a kind.</summary>
    public void WriteLeftOut()
    {
        foreach (var (kind, count) in _problems.Where(p => p.Value > LinesPerKind).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"problem {kind}: {Number(count - LinesPerKind)} more not listed ({Number(count)} in all)");
        }

        if (TidyFiles > LinesPerKind)
        {
            output.WriteLine($"tidy: {Number(TidyFiles - LinesPerKind)} more files not listed");
        }

        if (UnfinishedCount > LinesPerKind)
        {
            output.WriteLine($"tidy: {Number(UnfinishedCount - LinesPerKind)} more clean-ups not listed");
        }
    }

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
