using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Messenger.Contracts.Admin;
using Messenger.Kernel.Backups;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Messenger.Host.Backup;

/// <summary>The <c>Messenger:Backup</c> section: backups the server takes of itself.</summary>
internal sealed class BackupOptions
{
    public const string Section = "Messenger:Backup";

    /// <summary>Where the backups go, each in a directory of its own (<c>messenger-20261203-221500</c>, UTC); empty:
    /// no scheduled backups. Outside the data directory, best on another disk.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Minutes from one backup to the next (from the newest one there, so a restart does not take another).</summary>
    public int IntervalMinutes { get; set; } = 1440;

    /// <summary>Backups kept; older ones are deleted once a new one is complete.</summary>
    public int Keep { get; set; } = 7;
}

internal sealed class BackupOptionsValidator(IOptions<MessengerOptions> messenger) : IValidateOptions<BackupOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupOptions options)
    {
        var problems = new List<string>();
        // The wait for the next backup is one Task.Delay, at most 49.7 days.
        OptionsProblems.RequireInRange(problems, BackupOptions.Section, nameof(options.IntervalMinutes), options.IntervalMinutes, 1, 31 * 24 * 60);
        OptionsProblems.RequireInRange(problems, BackupOptions.Section, nameof(options.Keep), options.Keep, 1, 1000);
        if (options.Directory.Length > 0)
        {
            var directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Directory));
            var data = Path.TrimEndingDirectorySeparator(messenger.Value.DataDirectoryFullPath);
            if (directory == data || directory.StartsWith(data + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                // Each backup would copy the ones before it.
                problems.Add($"{BackupOptions.Section}:Directory: '{directory}' is inside the data directory; backups go outside it");
            }
            else if (MessengerOptionsValidator.WritableDirectoryProblem(directory) is { } problem)
            {
                problems.Add($"{BackupOptions.Section}:Directory: '{directory}' {problem}");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>One scheduled backup: when it was taken, what it holds, or why it failed.</summary>
internal sealed record BackupRun(string Name, DateTimeOffset At, BackupSummary? Summary, string? Error);

/// <summary>
/// Backups on a schedule (<c>Messenger:Backup</c>), taken as the <c>backup</c> command takes them (SQLite's online
/// backup, checked, then the key pair and the media store), into <c>.name.partial</c> first and renamed when complete
/// and fsynced, so a directory with a backup's name is always a whole one, after a power loss too. Blobs already in the newest backup are hard-linked
/// from it instead of copied. Once a backup is complete the oldest beyond <c>Keep</c> are deleted; a failure is
/// logged, counted (<c>messenger.backup.failures</c>), leaves nothing behind and is tried again after at most
/// 15 minutes. A backup never stops the server: it reads the database beside the writer.
/// </summary>
internal sealed class ScheduledBackups : BackgroundService, IServerBackups
{
    public const string MeterName = "Messenger.Backup";
    private const string Prefix = "messenger-";
    private const string NameFormat = "yyyyMMdd-HHmmss";
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(15);

    private readonly IOptions<BackupOptions> _options;
    private readonly IOptions<MessengerOptions> _messenger;
    private readonly TimeProvider _clock;
    private readonly ILogger<ScheduledBackups> _logger;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _duration;
    private readonly string _directory;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private long _lastSuccess;

    // The server's own meter (not a static one): the gauge is this server's state, and two servers in one process (the
    // tests) each report their own.
    public ScheduledBackups(
        IOptions<BackupOptions> options, IOptions<MessengerOptions> messenger, TimeProvider clock, ILogger<ScheduledBackups> logger, IMeterFactory meters)
    {
        _options = options;
        _messenger = messenger;
        _clock = clock;
        _logger = logger;
        _directory = options.Value.Directory.Length == 0 ? "" : Path.GetFullPath(options.Value.Directory);
        var meter = meters.Create(MeterName);
        _failures = meter.CreateCounter<long>("messenger.backup.failures", "{backup}", "Scheduled backups that failed");
        _duration = meter.CreateHistogram<double>("messenger.backup.duration", "s", "Time a complete scheduled backup took");
        meter.CreateObservableGauge("messenger.backup.last_success", () => Interlocked.Read(ref _lastSuccess), "s",
            "When the newest scheduled backup in the directory was taken (Unix time; 0: none there)");
    }

    /// <summary>The latest run since start, or null.</summary>
    public BackupRun? LastRun { get; private set; }

    public BackupList List() => new(
        _directory, _options.Value.IntervalMinutes, _options.Value.Keep,
        [.. Complete(_directory).Select(b => new StoredBackup(Path.GetFileName(b.Path), b.At.ToUnixTimeSeconds()))],
        LastRun is { Error: { } reason } failed ? new BackupFailure(failed.At.ToUnixTimeSeconds(), reason) : null);

    public async Task<BackupList> BackUpNowAsync(CancellationToken cancellationToken)
    {
        if (_directory.Length == 0)
        {
            throw MessengerError.BadRequest(AdminErrorNames.BackupsOff);
        }

        await RunAsync(cancellationToken);
        return List();
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        _oneAtATime.Dispose();
        base.Dispose();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_directory.Length == 0)
        {
            return;
        }

        // A restart does not make the newest backup look days old to an alert on this gauge: it is the newest one's time
        // (its name's: when it was begun) until the next completes.
        if (Complete(_directory).FirstOrDefault() is { } kept)
        {
            Interlocked.CompareExchange(ref _lastSuccess, kept.At.ToUnixTimeSeconds(), 0);
        }

        var interval = TimeSpan.FromMinutes(_options.Value.IntervalMinutes);
        var retry = interval < LongestRetry ? interval : LongestRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Read again after every wait: a backup taken meanwhile (admin.backupNow) moves the next one.
            var newest = Complete(_directory).FirstOrDefault();
            var due = LastRun is { Error: not null } failed ? failed.At + retry : newest is null ? _clock.GetUtcNow() : newest.At + interval;
            var wait = due - _clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _clock, stoppingToken);
                continue;
            }

            await RunAsync(stoppingToken);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            // On a thread of its own: the copy is long, synchronous file and SQLite work. Only shutting down stops it.
            LastRun = await Task.Factory.StartNew(() => TakeOne(_directory, Complete(_directory).FirstOrDefault()?.Path, _stopping.Token),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private BackupRun TakeOne(string directory, string? linkFrom, CancellationToken cancellationToken)
    {
        var at = _clock.GetUtcNow();
        var name = NameAt(at);
        while (System.IO.Directory.Exists(Path.Combine(directory, name)))
        {
            // Two in one second (admin.backupNow twice): the second is named a second later.
            at += TimeSpan.FromSeconds(1);
            name = NameAt(at);
        }

        var partial = Path.Combine(directory, $".{name}.partial");
        var started = Stopwatch.GetTimestamp();
        try
        {
            DurableFiles.CreateDirectory(directory, ownerOnly: true);
            DeleteLeftovers(directory);
            var summary = DataBackup.Copy(_messenger.Value.DataDirectoryFullPath, partial, linkFrom, cancellationToken);
            // Every file of it is synced by now; the rename is, before an older backup is pruned for it.
            System.IO.Directory.Move(partial, Path.Combine(directory, name));
            DurableFiles.SyncDirectory(directory);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            _duration.Record(seconds);
            Interlocked.Exchange(ref _lastSuccess, _clock.GetUtcNow().ToUnixTimeSeconds());
            _logger.LogInformation(
                "Backup {Name} in {Directory}: database {DatabaseBytes:N0} bytes, {Files:N0} other files ({Linked:N0} linked to the backup before), {Bytes:N0} bytes copied, {Seconds:F1} s",
                name, directory, summary.DatabaseBytes, summary.Files, summary.LinkedFiles, summary.FileBytes, seconds);
            if (summary.Vanished > 0)
            {
                _logger.LogWarning(
                    "Backup {Name}: {Count:N0} media files were deleted by the collector while it was copied and are not in it",
                    name, summary.Vanished);
            }

            Prune(directory);
            return new BackupRun(name, at, summary, null);
        }
        catch (Exception e) when (e is BackupException or IOException or UnauthorizedAccessException or SqliteException or OperationCanceledException)
        {
            TryDelete(partial);
            if (e is OperationCanceledException)
            {
                _logger.LogInformation("Backup {Name} stopped: the server is shutting down", name);
                return new BackupRun(name, at, null, "stopped");
            }

            _failures.Add(1);
            _logger.LogError("Backup {Name} into {Directory} failed: {Reason}. Trying again in {Retry}.",
                name, directory, e.Message.TrimEnd('.', ' '), Minutes(Math.Min(_options.Value.IntervalMinutes, LongestRetry.TotalMinutes)));
            return new BackupRun(name, at, null, e.Message);
        }
    }

    /// <summary>"1 minute", "15 minutes": the retry's wait as the failure's log line says it.</summary>
    internal static string Minutes(double minutes) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{minutes} minute{(minutes == 1 ? "" : "s")}");

    private void Prune(string directory)
    {
        foreach (var old in Complete(directory).Skip(_options.Value.Keep))
        {
            if (TryDelete(old.Path))
            {
                _logger.LogInformation("Backup {Name} deleted: {Keep} newer ones are kept", Path.GetFileName(old.Path), _options.Value.Keep);
            }
        }
    }

    private void DeleteLeftovers(string directory)
    {
        foreach (var leftover in System.IO.Directory.EnumerateDirectories(directory, $".{Prefix}*.partial"))
        {
            TryDelete(leftover);
        }
    }

    private bool TryDelete(string path)
    {
        try
        {
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Could not delete {Path}: {Reason}", path, e.Message);
            return false;
        }
    }

    private static string NameAt(DateTimeOffset at) => Prefix + at.UtcDateTime.ToString(NameFormat, CultureInfo.InvariantCulture);

    /// <summary>The complete backups in <paramref name="directory"/>, newest first.</summary>
    private static List<Kept> Complete(string directory) =>
        !System.IO.Directory.Exists(directory)
            ? []
            : System.IO.Directory.EnumerateDirectories(directory, Prefix + "*")
                .Select(path => DateTime.TryParseExact(System.IO.Path.GetFileName(path)[Prefix.Length..], NameFormat, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) ? new Kept(path, new DateTimeOffset(at, TimeSpan.Zero)) : null)
                .OfType<Kept>()
                .OrderByDescending(b => b.At)
                .ToList();

    private sealed record Kept(string Path, DateTimeOffset At);
}
