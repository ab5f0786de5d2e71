using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.ServerInfo;
using Messenger.Kernel.Storage;
using Messenger.Session.Storage;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Admin;

/// <summary><c>admin.getServerStats</c>: the accounts (here), messages and chats (Message module), stored files (Media
/// module), the data directory's database and disk, and the registration mode.</summary>
internal sealed class GetServerStatsHandler(
    SessionStore store, SqliteDatabase database, StorageSpace space, IOptions<MessengerOptions> messenger, IOptions<SessionOptions> session, ISender bus, RpcContext caller)
    : IRequestHandler<GetServerStatsCall, ServerStats>
{
    public async ValueTask<ServerStats> Handle(GetServerStatsCall call, CancellationToken cancellationToken)
    {
        caller.RequireAdmin(store);
        var (people, bots) = store.CountAccounts();
        var messages = await bus.Send(new MessageStatsQuery(), cancellationToken);
        var media = await bus.Send(new MediaStatsQuery(), cancellationToken);
        return new ServerStats(
            people, bots, messages.Messages, messages.Chats, DatabaseBytes(), media.Files, media.Bytes,
            new DriveInfo(messenger.Value.DataDirectoryFullPath).AvailableFreeSpace, space.Problem, session.Value.Mode.ToString());
    }

    private long DatabaseBytes()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
        var wal = new FileInfo(database.Path + "-wal");
        return Convert.ToInt64(command.ExecuteScalar()) + (wal.Exists ? wal.Length : 0);
    }
}
