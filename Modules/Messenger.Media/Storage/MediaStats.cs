using Mediator;
using Messenger.Kernel.ServerInfo;
using Messenger.Kernel.Storage;

namespace Messenger.Media.Storage;

/// <summary>For <c>admin.getServerStats</c>: the distinct files in the content-addressed store and their bytes (blobs
/// no message holds any more count until the collector deletes them).</summary>
internal sealed class MediaStatsHandler(SqliteDatabase database) : IRequestHandler<MediaStatsQuery, MediaStats>
{
    public ValueTask<MediaStats> Handle(MediaStatsQuery query, CancellationToken cancellationToken)
    {
        var (files, bytes) = database.ReadTwoNumbers("SELECT count(*), sum(size) FROM media_blobs");
        return ValueTask.FromResult(new MediaStats(files, bytes));
    }
}
