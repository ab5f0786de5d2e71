using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Media;

/// <summary>The <c>Messenger:Media</c> section: file size, quotas, and how long unreferenced data is kept.</summary>
internal sealed class MediaOptions
{
    public const string Section = "Messenger:Media";

    /// <summary>Largest file accepted (<c>FILE_TOO_BIG</c> above it).</summary>
    public int MaxFileMegabytes { get; set; } = 2048;

    /// <summary>Bytes a user may have stored, each distinct file counted once; 0 for no limit.</summary>
    public int UserQuotaMegabytes { get; set; } = 10240;

    /// <summary>A blob left without references is deleted this long after its last reference went.</summary>
    public int GracePeriodMinutes { get; set; } = 60;

    /// <summary>An upload untouched for this long is abandoned: its temporary files are deleted.</summary>
    public int UploadExpiryHours { get; set; } = 24;

    public int CollectionIntervalMinutes { get; set; } = 10;

    /// <summary>Uploads one user may have in progress (started, not yet attached or expired): <c>UPLOADS_TOO_MANY</c> past it.</summary>
    public int UploadsInProgressPerUser { get; set; } = 32;

    /// <summary>Images whose header declares more pixels than this get no thumbnail (they are never decoded).</summary>
    public int ThumbnailMaxPixels { get; set; } = 50_000_000;

    /// <summary>Images larger than this get no thumbnail.</summary>
    public int ThumbnailMaxFileMegabytes { get; set; } = 50;

    public long ThumbnailMaxFileBytes => ThumbnailMaxFileMegabytes * 1024L * 1024L;

    public long MaxFileBytes => MaxFileMegabytes * 1024L * 1024L;

    public long UserQuotaBytes => UserQuotaMegabytes * 1024L * 1024L;
}

internal sealed class MediaOptionsValidator : IValidateOptions<MediaOptions>
{
    public ValidateOptionsResult Validate(string? name, MediaOptions options)
    {
        var problems = new List<string>();
        // 2^31 - 1 MiB would overflow part arithmetic nowhere, but 1 TiB is far beyond what a part protocol should carry.
        OptionsProblems.RequireInRange(problems, MediaOptions.Section, nameof(options.MaxFileMegabytes), options.MaxFileMegabytes, 1, 1024 * 1024);
        OptionsProblems.RequireInRange(problems, MediaOptions.Section, nameof(options.UserQuotaMegabytes), options.UserQuotaMegabytes, 0, int.MaxValue);
        // The upper bounds keep the cutoff dates and the collector's timer (at most 49.7 days) computable.
        OptionsProblems.RequireInRange(problems, MediaOptions.Section, nameof(options.GracePeriodMinutes), options.GracePeriodMinutes, 1, 527_040);
        OptionsProblems.RequireInRange(problems, MediaOptions.Section, nameof(options.UploadExpiryHours), options.UploadExpiryHours, 1, 8_784);
        OptionsProblems.RequireInRange(problems, MediaOptions.Section, nameof(options.CollectionIntervalMinutes), options.CollectionIntervalMinutes, 1, 10_080);
        OptionsProblems.RequireInRange(problems, MediaOptions.Section, nameof(options.UploadsInProgressPerUser), options.UploadsInProgressPerUser, 1, 10_000);
        // 0 turns thumbnails off; past a gigapixel one decode would need gigabytes of memory.
        OptionsProblems.RequireInRange(problems, MediaOptions.Section, nameof(options.ThumbnailMaxPixels), options.ThumbnailMaxPixels, 0, 1_000_000_000);
        OptionsProblems.RequireInRange(problems, MediaOptions.Section, nameof(options.ThumbnailMaxFileMegabytes), options.ThumbnailMaxFileMegabytes, 0, 1024);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
