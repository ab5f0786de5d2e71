using System.Net;

namespace Messenger.Kernel.Configuration;

/// <summary>The <c>Messenger</c> section: where the server listens and keeps its data.</summary>
public sealed class MessengerOptions
{
    public const string Section = "Messenger";

    /// <summary>Listen URLs, separated by ';'.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5000";

    /// <summary>Data directory; relative paths are resolved against the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    public string DataDirectoryFullPath => Path.GetFullPath(DataDirectory);

    /// <summary>The database's file name in the data directory (SQLite keeps <c>-wal</c> and <c>-shm</c> files beside it).</summary>
    public const string DatabaseFileName = "messenger.db";

    public string DatabasePath => Path.Combine(DataDirectoryFullPath, DatabaseFileName);

    /// <summary>Reverse proxies whose <c>X-Forwarded-For</c> is believed, ';'-separated addresses or networks
    /// (<c>10.0.0.0/8</c>): a connection from one of them counts as coming from the address the proxy names. Per-address
    /// limits and the devices list need the client's own address, not the proxy's. Empty: the header is ignored.</summary>
    public string TrustedProxies { get; set; } = "127.0.0.0/8;::1";

    /// <summary>The entries of <see cref="TrustedProxies"/>; a bare address is a network of one.</summary>
    public IEnumerable<(string Entry, IPNetwork? Network)> TrustedProxyNetworks() =>
        TrustedProxies.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(entry =>
            (entry, entry.Contains('/')
                ? IPNetwork.TryParse(entry, out var network) ? network : (IPNetwork?)null
                : IPAddress.TryParse(entry, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8) : null));
}

/// <summary>The <c>Messenger:Storage</c> section: SQLite durability and the group-commit writer.</summary>
public sealed class StorageOptions
{
    public const string Section = "Messenger:Storage";

    /// <summary>SQLite <c>PRAGMA synchronous</c>: Off, Normal, Full or Extra.</summary>
    public string Synchronous { get; set; } = "Full";

    public int BusyTimeoutMs { get; set; } = 5000;

    /// <summary>Most units of work committed in one transaction.</summary>
    public int WriterBatchSize { get; set; } = 1024;

    /// <summary>Units waiting for the writer before callers are made to wait (back-pressure).</summary>
    public int WriterQueueCapacity { get; set; } = 16384;

    /// <summary>The most the database may grow to (MiB; 0: as far as the disk allows). Writes beyond it fail with
    /// STORAGE_FULL, as they do when the disk is full, and everything else goes on.</summary>
    public int MaxDatabaseMiB { get; set; }

    /// <summary>How often the WAL is copied back into the database file, away from the writer (milliseconds); 0 leaves
    /// it to SQLite's automatic checkpoint inside the writer's commits.</summary>
    public int CheckpointIntervalMs { get; set; } = 250;

    /// <summary>The writer thread's nice value (Linux, −20 to 19; 0 leaves it as the process's). Lower than the
    /// connection threads' gives the one thread every durable write goes through a core first when all are busy.</summary>
    public int WriterNice { get; set; } = -10;

    internal static readonly string[] SynchronousModes = ["Off", "Normal", "Full", "Extra"];
}

/// <summary>The <c>Messenger:Logging</c> section.</summary>
public sealed class LoggingOptions
{
    public const string Section = "Messenger:Logging";

    /// <summary>The log category of the lines an operator needs from every start (the server key's fingerprint, the
    /// addresses, the data directory): logged at Information whatever <see cref="MinimumLevel"/> says, as ASP.NET Core's
    /// own start-up lines are.</summary>
    public const string StartupCategory = "Messenger.Startup";

    public string MinimumLevel { get; set; } = "Information";

    /// <summary>Rolling log file path (one file a day); empty means console only.</summary>
    public string FilePath { get; set; } = "";

    /// <summary>A log file that reaches this size is closed and the next one started (the same day's gets a _001 suffix).</summary>
    public int FileSizeLimitMiB { get; set; } = 100;

    /// <summary>Log files kept (the oldest are deleted): at the defaults at most 3.1 GB of logs.</summary>
    public int RetainedFileCount { get; set; } = 31;

    internal static readonly string[] Levels = ["Verbose", "Debug", "Information", "Warning", "Error", "Fatal"];
}
