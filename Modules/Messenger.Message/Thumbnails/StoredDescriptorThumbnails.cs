using Mediator;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Thumbnails;

/// <summary>Messages' media descriptors (<c>message_messages.media</c>: history, shared media, search, dialogs' last
/// messages, forwards copied from them).</summary>
internal sealed class MessageMediaThumbnails(SqliteDatabase database, StorageWriter writer, IServiceScopeFactory scopes, IOptions<ThumbnailPassOptions> options, ILogger<MessageMediaThumbnails> logger)
    : DescriptorThumbnailPass(database, writer, scopes, options, logger)
{
    protected override string CursorTable => "message_passes";

    protected override string Name => "message_media_thumbnails";

    protected override string RowsSql => "SELECT id, media FROM message_messages WHERE id > @after AND media IS NOT NULL ORDER BY id LIMIT @limit";

    protected override string UpdateSql => "UPDATE message_messages SET media = @new WHERE id = @id AND media = @old";
}

/// <summary>Groups' photos (<c>message_chats.photo</c>).</summary>
internal sealed class ChatPhotoThumbnails(SqliteDatabase database, StorageWriter writer, IServiceScopeFactory scopes, IOptions<ThumbnailPassOptions> options, ILogger<ChatPhotoThumbnails> logger)
    : DescriptorThumbnailPass(database, writer, scopes, options, logger)
{
    private const string PassName = "chat_photo_thumbnails";

    protected override string CursorTable => "message_passes";

    protected override string Name => PassName;

    protected override bool UpdatedInPlace => true;

    /// <summary>In the unit that set group <paramref name="chatId"/>'s photo to one without a thumbnail: the pass comes
    /// back to it (see <see cref="DescriptorThumbnailPass.Rewind"/>).</summary>
    public static void Rewind(WriteScope scope, long chatId) => Rewind(scope, "message_passes", PassName, chatId);

    protected override string RowsSql => "SELECT id, photo FROM message_chats WHERE id > @after AND photo IS NOT NULL ORDER BY id LIMIT @limit";

    protected override string UpdateSql => "UPDATE message_chats SET photo = @new WHERE id = @id AND photo = @old";
}

/// <summary>Scheduled messages' media, which their sends copy into the messages.</summary>
internal sealed class ScheduledMediaThumbnails(SqliteDatabase database, StorageWriter writer, IServiceScopeFactory scopes, IOptions<ThumbnailPassOptions> options, ILogger<ScheduledMediaThumbnails> logger)
    : DescriptorThumbnailPass(database, writer, scopes, options, logger)
{
    protected override string CursorTable => "message_passes";

    protected override string Name => "scheduled_media_thumbnails";

    protected override string RowsSql => "SELECT id, media FROM message_scheduled WHERE id > @after AND media IS NOT NULL ORDER BY id LIMIT @limit";

    protected override string UpdateSql => "UPDATE message_scheduled SET media = @new WHERE id = @id AND media = @old";
}

/// <summary>Asks the module's passes to go on once the Media module's has made thumbnails.</summary>
internal sealed class RewriteStoredDescriptors(MessageMediaThumbnails messages, ChatPhotoThumbnails chats, ScheduledMediaThumbnails scheduled)
    : INotificationHandler<ThumbnailBackfillRanEvent>
{
    public ValueTask Handle(ThumbnailBackfillRanEvent notification, CancellationToken cancellationToken)
    {
        messages.Request();
        chats.Request();
        scheduled.Request();
        return ValueTask.CompletedTask;
    }
}
