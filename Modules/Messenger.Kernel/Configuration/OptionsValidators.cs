using Messenger.Kernel.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Kernel.Configuration;

internal sealed class MessengerOptionsValidator(IConfiguration configuration) : IValidateOptions<MessengerOptions>
{
    /// <summary>ASP.NET Core's own key (Kestrel reads its section) for the certificate an https URL is served with.</summary>
    public const string CertificateSection = "Kestrel:Certificates:Default";

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
            else if ((uri.PathAndQuery != "/" && !IsUnixSocket(url)) || uri.Fragment.Length > 0)
            {
                // Kestrel refuses a path base in a listen URL, and the server serves from the root anyway; a Unix
                // socket's URL (http://unix:/run/messenger.sock) is the one whose path is an address.
                problems.Add($"Messenger:Urls: '{url}' has a path; a listen URL is a scheme, a host and a port (the server and its web client are served at the root of a host name, not under a path)");
            }
            else if (uri.Scheme == "https" && !HasCertificate())
            {
                problems.Add($"Messenger:Urls: '{url}': https needs a certificate: set {CertificateSection}:Path and :Password, or put a TLS proxy in front");
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
        else
        {
            foreach (var file in new[] { "", "-wal", "-shm" }.Select(suffix => options.DatabasePath + suffix))
            {
                if (WritableFileProblem(file) is { } fileProblem)
                {
                    problems.Add($"Messenger:DataDirectory: '{file}' {fileProblem}");
                }
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static bool IsUnixSocket(string url)
    {
        try
        {
            return BindingAddress.Parse(url).IsUnixPipe;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // Without a configured certificate Kestrel would look for the ASP.NET development certificate, which a server has not.
    private bool HasCertificate() =>
        !string.IsNullOrWhiteSpace(configuration[$"{CertificateSection}:Path"]) || !string.IsNullOrWhiteSpace(configuration[$"{CertificateSection}:Subject"]);

    // SQLite opens a database file it may not write read-only without a word, and the first write fails: the database
    // and its -wal and -shm files (when they exist) must be writable by the server's user. Opening one for writing (and
    // closing it, before SQLite has opened anything) is the honest test, as for the directory.
    internal static string? WritableFileProblem(string path)
    {
        if (!Path.Exists(path))
        {
            return null;
        }

        try
        {
            using (File.Open(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
            {
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be written by this user ({e.Message})";
        }
    }

    // Creating the directory and a probe file is the only honest writability test (permissions, read-only
    // mounts, a file in the way), and it is what the server does next anyway. One the server creates is the server's
    // user's alone (0700): the database holds message text and two-step secrets in the clear.
    internal static string? WritableDirectoryProblem(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, PrivateFiles.OwnerOnly);
            }

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

        OptionsProblems.RequireInRange(problems, StorageOptions.Section, nameof(options.BusyTimeoutMs), options.BusyTimeoutMs, 1, 600_000);
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
    public ValidateOptionsResult Validate(string? name, LoggingOptions options)
    {
        var problems = new List<string>();
        if (!LoggingOptions.Levels.Contains(options.MinimumLevel, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"Messenger:Logging:MinimumLevel: '{options.MinimumLevel}' is not one of {string.Join(", ", LoggingOptions.Levels)}");
        }

        OptionsProblems.RequireInRange(problems, LoggingOptions.Section, nameof(options.FileSizeLimitMiB), options.FileSizeLimitMiB, 1, 1_000_000);
        OptionsProblems.RequireInRange(problems, LoggingOptions.Section, nameof(options.RetainedFileCount), options.RetainedFileCount, 1, 100_000);

        // Serilog's file sink gives up without a word (no file, no message) where it cannot write.
        if (!string.IsNullOrWhiteSpace(options.FilePath)
            && Path.GetDirectoryName(Path.GetFullPath(options.FilePath)) is { } directory
            && MessengerOptionsValidator.WritableDirectoryProblem(directory) is { } problem)
        {
            problems.Add($"Messenger:Logging:FilePath: '{options.FilePath}': its directory '{directory}' {problem}");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
