using Microsoft.Extensions.Options;

namespace Messenger.Kernel.Configuration;

internal sealed class MessengerOptionsValidator : IValidateOptions<MessengerOptions>
{
    public ValidateOptionsResult Validate(string? name, MessengerOptions options)
    {
        var problems = new List<string>();
        var urls = options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            problems.Add("Messenger:Urls: at least one listen URL is required");
        }

        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                problems.Add($"Messenger:Urls: '{url}' is not an absolute http:// or https:// URL");
            }
        }

        foreach (var (entry, _) in options.TrustedProxyNetworks().Where(p => p.Network is null))
        {
            problems.Add($"Messenger:TrustedProxies: '{entry}' is not an IP address or a network such as 10.0.0.0/8");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            problems.Add("Messenger:DataDirectory: must not be empty");
        }
        else if (WritableDirectoryProblem(options.DataDirectoryFullPath) is { } problem)
        {
            problems.Add($"Messenger:DataDirectory: '{options.DataDirectoryFullPath}' {problem}");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    // Creating the directory and a probe file is the only honest writability test (permissions, read-only
    // mounts, a file in the way), and it is what the server does next anyway.
    internal static string? WritableDirectoryProblem(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"is not a writable directory ({e.Message})";
        }
    }
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var problems = new List<string>();
        if (!StorageOptions.SynchronousModes.Contains(options.Synchronous, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"Messenger:Storage:Synchronous: '{options.Synchronous}' is not one of {string.Join(", ", StorageOptions.SynchronousModes)}");
        }

        OptionsProblems.RequirePositive(problems, StorageOptions.Section, nameof(options.BusyTimeoutMs), options.BusyTimeoutMs);
        OptionsProblems.RequirePositive(problems, StorageOptions.Section, nameof(options.WriterBatchSize), options.WriterBatchSize);
        OptionsProblems.RequirePositive(problems, StorageOptions.Section, nameof(options.WriterQueueCapacity), options.WriterQueueCapacity);
        OptionsProblems.RequireInRange(problems, StorageOptions.Section, nameof(options.CheckpointIntervalMs), options.CheckpointIntervalMs, 0, 60_000);
        OptionsProblems.RequireInRange(problems, StorageOptions.Section, nameof(options.WriterNice), options.WriterNice, -20, 19);
        OptionsProblems.RequireInRange(problems, StorageOptions.Section, nameof(options.MaxDatabaseMiB), options.MaxDatabaseMiB, 0, 16 * 1024 * 1024);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

internal sealed class LoggingOptionsValidator : IValidateOptions<LoggingOptions>
{
    public ValidateOptionsResult Validate(string? name, LoggingOptions options) =>
        LoggingOptions.Levels.Contains(options.MinimumLevel, StringComparer.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Messenger:Logging:MinimumLevel: '{options.MinimumLevel}' is not one of {string.Join(", ", LoggingOptions.Levels)}");
}
