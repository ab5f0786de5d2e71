using Mediator;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Users;

/// <summary>Users' profile photos (<c>session_users.photo</c>).</summary>
internal sealed class ProfilePhotoThumbnails(SqliteDatabase database, StorageWriter writer, IServiceScopeFactory scopes, IOptions<ThumbnailPassOptions> options, ILogger<ProfilePhotoThumbnails> logger)
    : DescriptorThumbnailPass(database, writer, scopes, options, logger)
{
    private const string Table = "session_passes";

    private const string PassName = "profile_photo_thumbnails";

    protected override string CursorTable => Table;

    protected override string Name => PassName;

    protected override bool UpdatedInPlace => true;

    /// <summary>In the unit that set user <paramref name="userId"/>'s photo to one without a thumbnail: the pass comes
    /// back to it (see <see cref="DescriptorThumbnailPass.Rewind"/>).</summary>
    public static void Rewind(WriteScope scope, long userId) => Rewind(scope, Table, PassName, userId);

    protected override string RowsSql => "SELECT id, photo FROM session_users WHERE id > @after AND photo IS NOT NULL ORDER BY id LIMIT @limit";

    protected override string UpdateSql => "UPDATE session_users SET photo = @new WHERE id = @id AND photo = @old";
}

/// <summary>Asks the profile photos' pass to go on once the Media module's has made thumbnails.</summary>
internal sealed class RewriteStoredProfilePhotos(ProfilePhotoThumbnails photos) : INotificationHandler<ThumbnailBackfillRanEvent>
{
    public ValueTask Handle(ThumbnailBackfillRanEvent notification, CancellationToken cancellationToken)
    {
        photos.Request();
        return ValueTask.CompletedTask;
    }
}
