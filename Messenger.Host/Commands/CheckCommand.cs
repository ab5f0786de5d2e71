using System.Diagnostics;
using Messenger.Kernel.Configuration;
using Microsoft.Data.Sqlite;

namespace Messenger.Host.Commands;

/// <summary>
/// <c>Messenger.Host check [--full] [--hashes]</c>: whether a data directory is whole, after a power cut, a disk problem
/// or an upgrade. Offline, as <c>compact</c>: it takes the data directory's lock (refused while a server runs there) and
/// opens the database read-only, so it never writes to the database or the media store. SQLite's own check first
/// (<c>quick_check</c>, or <c>integrity_check</c> with <c>--full</c>) and <c>foreign_key_check</c>, then the invariants
/// the modules rely on (<see cref="DataChecks"/>); <c>--hashes</c> also reads every media file to compare its SHA-256
/// with its name. Prints a line a problem and a summary.
/// </summary>
internal static class CheckCommand
{
    /// <summary>0 when whole (files the server tidies at its next start are listed, and no problem); 1 when it found
    /// problems (a database that cannot be read is one); 2 with a one-line reason when there is no database or a server
    /// runs on the directory.</summary>
    public static int Run(bool full, bool hashes, string[] args, TextWriter output, TextWriter error)
    {
        if (OfflineDirectory.Hold("Check", args, error) is not { } hold)
        {
            return 2;
        }

        using var held = hold.Lock;
        var directory = Path.GetFullPath(hold.Directory);

        var database = Path.Combine(directory, MessengerOptions.DatabaseFileName);
        var clock = Stopwatch.StartNew();
        var report = new CheckReport(output);
        try
        {
            using var connection = new SqliteConnection(
                new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            if (SqliteChecks(connection, full, report))
            {
                new DataChecks(connection, report, directory, hashes).RunAll();
            }
        }
        catch (SqliteException e)
        {
            report.Problem("database", database, $"cannot be read: {e.Message}");
        }

        report.WriteLeftOut();
        var took = $"{clock.Elapsed.TotalSeconds:0.0} s";
        var size = CheckReport.Number(new FileInfo(database).Length);
        var tidy = (report.TidyFiles == 0
            ? ""
            : $"; {CheckReport.Number(report.TidyFiles)} files without a row ({CheckReport.Number(report.TidyBytes)} bytes) for the server to delete at its next start") +
            (report.UnfinishedCount == 0 ? "" : $"; {CheckReport.Number(report.UnfinishedCount)} clean-ups for the server to finish at its next start");
        if (report.Problems == 0)
        {
            output.WriteLine($"Checked {database} ({size} bytes) in {took}: whole{tidy}");
            return 0;
        }

        var kinds = string.Join(", ", report.ProblemsByKind.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {CheckReport.Number(p.Value)}"));
        output.WriteLine($"Checked {database} ({size} bytes) in {took}: {CheckReport.Number(report.Problems)} problems ({kinds}){tidy}");
        return 1;
    }

    /// <summary>SQLite's page-level check, then the foreign keys; false when the file is too damaged for the rest (the
    /// invariants would fail on the same broken pages, or read garbage).</summary>
    private static bool SqliteChecks(SqliteConnection connection, bool full, CheckReport report)
    {
        var whole = true;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = full ? "PRAGMA integrity_check" : "PRAGMA quick_check";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (reader.GetString(0) is var line && line != "ok")
                {
                    whole = false;
                    report.Problem("database", full ? "integrity_check" : "quick_check", line);
                }
            }
        }

        if (!whole)
        {
            return false;
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT \"table\", parent, count(*) FROM pragma_foreign_key_check GROUP BY \"table\", parent";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                report.Problem("foreign-key", $"{reader.GetString(0)} → {reader.GetString(1)}", $"{CheckReport.Number(reader.GetInt64(2))} rows refer to a missing row");
            }
        }

        return true;
    }
}
