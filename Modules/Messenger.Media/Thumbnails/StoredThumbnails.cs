using Mediator;
using Messenger.Contracts.Media;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Media.Storage;

namespace Messenger.Media.Thumbnails;

/// <summary>Answers the modules that keep copies of descriptors (<see cref="DescriptorThumbnailPass"/>): each media's
/// blob thumbnail as recorded. A blob not tried whose file is gone is none: the background pass never tries it (it
/// holds the file first), and a copy waiting for it would wait forever.</summary>
internal sealed class StoredThumbnailsHandler(SqliteDatabase database, BlobStore blobs)
    : IRequestHandler<StoredThumbnailsQuery, IReadOnlyDictionary<long, StoredThumbnail>>
{
    public ValueTask<IReadOnlyDictionary<long, StoredThumbnail>> Handle(StoredThumbnailsQuery query, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, StoredThumbnail>();
        if (query.MediaIds.Length == 0)
        {
            return ValueTask.FromResult<IReadOnlyDictionary<long, StoredThumbnail>>(found);
        }

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT f.id, b.hash, b.thumb_state, b.image_width, b.image_height, b.thumb_width, b.thumb_height, b.thumb_size, b.preview " +
            $"FROM media_files f JOIN media_blobs b ON b.hash = f.hash WHERE f.id IN ({command.BindList("id", query.MediaIds)})";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            found[reader.GetInt64(0)] = reader.IsDBNull(2) ? (File.Exists(blobs.PathOf(reader.GetString(1))) ? StoredThumbnail.NotTried : StoredThumbnail.None)
                : reader.GetInt64(2) != ThumbnailStore.Made ? StoredThumbnail.None
                : new StoredThumbnail(
                    StoredThumbnailState.Made, reader.GetInt32(3), reader.GetInt32(4),
                    new MediaThumb(reader.GetInt32(5), reader.GetInt32(6), reader.GetInt64(7)), reader.IsDBNull(8) ? null : (byte[])reader.GetValue(8));
        }

        return ValueTask.FromResult<IReadOnlyDictionary<long, StoredThumbnail>>(found);
    }
}
