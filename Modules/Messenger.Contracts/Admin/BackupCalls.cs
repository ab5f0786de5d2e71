using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Admin;

/// <summary><c>admin.getBackups</c> (admins only): the server's scheduled backups (<c>Messenger:Backup</c>).
/// Errors: 403 <c>ADMIN_REQUIRED</c>.</summary>
[RpcMethod("admin.getBackups")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetBackupsCall : IRpcCall<BackupList>;

/// <summary><c>admin.backupNow</c> (admins only): takes a backup at once (before an upgrade, say) and answers when it is
/// complete, or failed (<see cref="BackupList.LastFailure"/>). The schedule counts from it. Errors: <c>BACKUPS_OFF</c>
/// (no <c>Messenger:Backup:Directory</c>), 403 <c>ADMIN_REQUIRED</c>.</summary>
[RpcMethod("admin.backupNow")]
[MessagePackObject(keyAsPropertyName: true)]
public sealed record BackupNowCall : IRpcCall<BackupList>;

/// <summary>The backups kept, newest first; <see cref="Directory"/> is empty when the server takes none. A
/// <see cref="LastFailure"/> is the latest attempt's when it failed (a later success clears it).</summary>
[MessagePackObject]
public sealed record BackupList(
    [property: Key("directory")] string Directory,
    [property: Key("interval_minutes")] int IntervalMinutes,
    [property: Key("keep")] int Keep,
    [property: Key("backups")] StoredBackup[] Backups,
    [property: Key("last_failure")] BackupFailure? LastFailure);

/// <summary>A complete backup: its directory's name and when it was taken (unix seconds).</summary>
[MessagePackObject]
public sealed record StoredBackup([property: Key("name")] string Name, [property: Key("taken_at")] long TakenAtUnixSeconds);

/// <summary>A backup that failed: when (unix seconds) and why.</summary>
[MessagePackObject]
public sealed record BackupFailure([property: Key("at")] long AtUnixSeconds, [property: Key("reason")] string Reason);

public static class AdminErrorNames
{
    /// <summary><c>admin.backupNow</c> on a server without <c>Messenger:Backup:Directory</c>.</summary>
    public const string BackupsOff = "BACKUPS_OFF";
}
