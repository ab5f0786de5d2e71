using Messenger.Contracts.Admin;

namespace Messenger.Kernel.Backups;

/// <summary>The server's scheduled backups, provided by the host (which owns the data directory's copy) and shown
/// to admins by the Session module.</summary>
public interface IServerBackups
{
    /// <summary>The settings, the complete backups (newest first) and the latest attempt's failure.</summary>
    BackupList List();

    /// <summary>Takes a backup now (waiting for one that is running) and answers <see cref="List"/> after it.
    /// Throws <c>BACKUPS_OFF</c> when the server takes none.</summary>
    Task<BackupList> BackUpNowAsync(CancellationToken cancellationToken);
}
