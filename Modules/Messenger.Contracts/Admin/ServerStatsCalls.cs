using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Admin;

/// <summary><c>admin.getServerStats</c> (admins only): what the server holds and the room it has left.
/// Errors: 403 <c>ADMIN_REQUIRED</c>.</summary>
[RpcMethod("admin.getServerStats")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetServerStatsCall : IRpcCall<ServerStats>;

/// <summary>Accounts (people; bots apart; deleted ones left out), messages and chats, the database's size (with its
/// write-ahead log), the media store (distinct stored files and their bytes), the free space on the data directory's
/// disk, why writes are refused now, if they are (<c>STORAGE_FULL</c>), and who may register:
/// <see cref="RegistrationMode"/> is <c>Messenger:Session:RegistrationMode</c> as the server reads it (<c>Open</c>,
/// <c>InviteOnly</c> or <c>Closed</c>).</summary>
[MessagePackObject]
public sealed record ServerStats(
    [property: Key("accounts")] long Accounts,
    [property: Key("bots")] long Bots,
    [property: Key("messages")] long Messages,
    [property: Key("chats")] long Chats,
    [property: Key("database_bytes")] long DatabaseBytes,
    [property: Key("media_files")] long MediaFiles,
    [property: Key("media_bytes")] long MediaBytes,
    [property: Key("disk_free_bytes")] long DiskFreeBytes,
    [property: Key("storage_problem")] string? StorageProblem,
    [property: Key("registration_mode")] string RegistrationMode);
