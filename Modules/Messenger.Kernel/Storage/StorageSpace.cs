using Messenger.Kernel.Errors;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Messenger.Kernel.Storage;

/// <summary>
/// Writes refused for lack of room, wherever they happen (the database, media files): each becomes <c>STORAGE_FULL</c>
/// for its caller, the log says so at most every <see cref="LogInterval"/> (a full disk fails every write until someone
/// acts), and the readiness check reports it until a minute has passed without another.
/// </summary>
public sealed class StorageSpace(ILogger<StorageSpace> logger)
{
    private const int SqliteFull = 13;
    private const int UnixNoSpace = 28; // ENOSPC: .NET gives the errno as the IOException's HResult on Unix
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReportedFor = TimeSpan.FromMinutes(1);

    // Environment.TickCount64 of the last refusal (0: none yet) and of the last log line about one.
    private long _lastRefusedAt;
    private long _lastLoggedAt = long.MinValue / 2;

    /// <summary>Whether <paramref name="e"/> says there was no room: SQLite's SQLITE_FULL (a full disk, or
    /// <c>Messenger:Storage:MaxDatabaseMiB</c>) or a file write that found the disk full.</summary>
    public static bool IsFull(Exception e) =>
        e is SqliteException { SqliteErrorCode: SqliteFull }
        || e is IOException { HResult: UnixNoSpace or WindowsDiskFull or WindowsHandleDiskFull };

    /// <summary>Why writes are refused now, or null: a refusal within the last minute.</summary>
    public string? Problem =>
        Volatile.Read(ref _lastRefusedAt) is var at and not 0 && Environment.TickCount64 - at < (long)ReportedFor.TotalMilliseconds
            ? "no room to write: writes fail with STORAGE_FULL"
            : null;

    /// <summary>Records a write refused for lack of room (<paramref name="e"/>, see <see cref="IsFull"/>) and returns the
    /// error its caller gets.</summary>
    public MessengerError Refused(Exception e)
    {
        var now = Environment.TickCount64;
        Volatile.Write(ref _lastRefusedAt, now);
        var logged = Volatile.Read(ref _lastLoggedAt);
        if (now - logged >= (long)LogInterval.TotalMilliseconds && Interlocked.CompareExchange(ref _lastLoggedAt, now, logged) == logged)
        {
            logger.LogError(
                "No room to write ({Reason}): writes fail with STORAGE_FULL until the disk has room or Messenger:Storage:MaxDatabaseMiB is raised",
                e.Message);
        }

        return MessengerError.StorageFull();
    }
}
