using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Queue;

/// <summary>The <c>Messenger:Queue</c> section: how far back getDifference answers and how long logs are kept.</summary>
internal sealed class QueueOptions
{
    public const string Section = "Messenger:Queue";

    /// <summary>A client further behind than this many updates gets <c>too_long</c> and refetches its dialogs.</summary>
    public int TooLongAfterUpdates { get; set; } = 100_000;

    /// <summary>Log entries older than this are compacted away (the newest entry of each log is always kept).</summary>
    public int RetentionDays { get; set; } = 30;

    public int CompactionIntervalMinutes { get; set; } = 60;

    /// <summary>The newest updates of each recently active log kept in memory for getDifference and getState.</summary>
    public int CachedUpdatesPerLog { get; set; } = 128;

    /// <summary>A log's oldest entries in memory are dropped while their stored updates take more than this many bytes,
    /// down to the newest, which is always kept: with <see cref="CachedLogs"/>, what bounds the cache's memory.</summary>
    public int CachedBytesPerLog { get; set; } = 32 * 1024;

    /// <summary>Logs whose recent updates are kept in memory.</summary>
    public int CachedLogs { get; set; } = 10_000;
}

internal sealed class QueueOptionsValidator : IValidateOptions<QueueOptions>
{
    public ValidateOptionsResult Validate(string? name, QueueOptions options)
    {
        var problems = new List<string>();
        OptionsProblems.RequirePositive(problems, QueueOptions.Section, nameof(options.TooLongAfterUpdates), options.TooLongAfterUpdates);
        // The upper bounds keep the cutoff date and the compaction timer (at most 49.7 days) computable.
        OptionsProblems.RequireInRange(problems, QueueOptions.Section, nameof(options.RetentionDays), options.RetentionDays, 1, 36_600);
        OptionsProblems.RequireInRange(problems, QueueOptions.Section, nameof(options.CompactionIntervalMinutes), options.CompactionIntervalMinutes, 1, 10_080);
        OptionsProblems.RequireInRange(problems, QueueOptions.Section, nameof(options.CachedUpdatesPerLog), options.CachedUpdatesPerLog, 1, 100_000);
        OptionsProblems.RequireInRange(problems, QueueOptions.Section, nameof(options.CachedBytesPerLog), options.CachedBytesPerLog, 1024, 64 * 1024 * 1024);
        OptionsProblems.RequirePositive(problems, QueueOptions.Section, nameof(options.CachedLogs), options.CachedLogs);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
