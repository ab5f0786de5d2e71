using Messenger.Kernel.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Messenger.Media.Storage;

/// <summary>
/// Blobs (one row per distinct content, counted), media (a blob as attached by one uploader, with its name and type)
/// and references (one per message carrying a media). Counts are kept in the same writer unit as the messages that
/// change them: <c>media_blobs.ref_count</c> = references to all media of that blob, <c>media_files.ref_count</c> =
/// references to that media. A media row goes with its last reference; a blob row (and file) after the grace period.
/// Completed uploads (<c>media_completed_uploads</c>) remember which blob an upload became, for the upload expiry, and
/// keep that blob from the collector meanwhile.
/// </summary>
internal sealed class MediaDbContext(DbContextOptions<MediaDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "media_migrations";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<BlobRow>(blob =>
        {
            blob.ToTable("media_blobs");
            // Lower-case hex SHA-256 of the content; the file is media/sha256/ab/cd/<hash>.
            blob.HasKey(b => b.Hash);
            blob.Property(b => b.Hash).HasColumnName("hash");
            blob.Property(b => b.Size).HasColumnName("size");
            blob.Property(b => b.RefCount).HasColumnName("ref_count");
            // Unix seconds since the count is 0 (or since the blob was stored and not yet attached); null while referenced.
            blob.Property(b => b.ZeroSince).HasColumnName("zero_since");
            blob.HasIndex(b => b.ZeroSince).HasFilter("zero_since IS NOT NULL");
            // Thumbnails (Thumbnails/Thumbnails.cs): null not tried, 1 made (media/thumbs/ab/cd/<hash>.jpg), 2 none.
            blob.Property(b => b.ThumbState).HasColumnName("thumb_state");
            // The image's displayed size (after its EXIF orientation), known once it was decoded.
            blob.Property(b => b.ImageWidth).HasColumnName("image_width");
            blob.Property(b => b.ImageHeight).HasColumnName("image_height");
            blob.Property(b => b.ThumbWidth).HasColumnName("thumb_width");
            blob.Property(b => b.ThumbHeight).HasColumnName("thumb_height");
            blob.Property(b => b.ThumbSize).HasColumnName("thumb_size");
            // The inline preview: a JPEG of at most 40 px and 1 KiB, copied into the descriptors of new references.
            blob.Property(b => b.Preview).HasColumnName("preview");
        });

        modelBuilder.Entity<FileRow>(file =>
        {
            file.ToTable("media_files");
            file.HasKey(f => f.Id);
            file.Property(f => f.Id).HasColumnName("id").ValueGeneratedOnAdd();
            file.Property(f => f.Hash).HasColumnName("hash");
            file.HasIndex(f => f.Hash);
            file.Property(f => f.OwnerId).HasColumnName("owner_id");
            file.HasIndex(f => new { f.OwnerId, f.Hash });
            file.Property(f => f.Kind).HasColumnName("kind");
            file.Property(f => f.Name).HasColumnName("name");
            file.Property(f => f.MimeType).HasColumnName("mime_type");
            file.Property(f => f.Size).HasColumnName("size");
            file.Property(f => f.Width).HasColumnName("width");
            file.Property(f => f.Height).HasColumnName("height");
            file.Property(f => f.RefCount).HasColumnName("ref_count");
            // Seconds, as the uploader's client gave them (videos and audio).
            file.Property(f => f.Duration).HasColumnName("duration");
            // The thumbnail made of the client's image for this upload: media/thumbs/ab/cd/<hash>-<thumb_key>.jpg.
            file.Property(f => f.ThumbKey).HasColumnName("thumb_key");
            file.Property(f => f.CreatedAt).HasColumnName("created_at");
        });

        modelBuilder.Entity<ReferenceRow>(reference =>
        {
            reference.ToTable("media_refs");
            // A message carries at most one media.
            reference.HasKey(r => r.MessageId);
            reference.Property(r => r.MessageId).HasColumnName("message_id");
            reference.Property(r => r.MediaId).HasColumnName("media_id");
            reference.HasIndex(r => new { r.MediaId, r.MessageId });
        });

        modelBuilder.Entity<CompletedUploadRow>(completed =>
        {
            completed.ToTable("media_completed_uploads");
            // An upload is the user's (file_id is the client's choice, so another user's same number is another upload).
            completed.HasKey(c => new { c.UserId, c.FileId });
            completed.Property(c => c.UserId).HasColumnName("user_id");
            completed.Property(c => c.FileId).HasColumnName("file_id");
            completed.Property(c => c.TotalParts).HasColumnName("total_parts");
            // The blob it became: not collected while this row lives (MediaCollector).
            completed.Property(c => c.Hash).HasColumnName("hash");
            completed.HasIndex(c => c.Hash);
            completed.Property(c => c.Size).HasColumnName("size");
            // The size read from the image's header (the blob's thumbnail state, when made, has the displayed one).
            completed.Property(c => c.Width).HasColumnName("width");
            completed.Property(c => c.Height).HasColumnName("height");
            // Unix seconds; the row goes UploadExpiryHours after it.
            completed.Property(c => c.CompletedAt).HasColumnName("completed_at");
            completed.HasIndex(c => c.CompletedAt);
            // The client's thumb upload handled with it (used up): its file_id, and the thumbnail made of it, if one was
            // stored (media/thumbs/ab/cd/<hash>-<client_thumb_key>.jpg) with its size and preview.
            completed.Property(c => c.ClientThumbFileId).HasColumnName("client_thumb_file_id");
            completed.Property(c => c.ClientThumbKey).HasColumnName("client_thumb_key");
            completed.Property(c => c.ClientThumbWidth).HasColumnName("client_thumb_width");
            completed.Property(c => c.ClientThumbHeight).HasColumnName("client_thumb_height");
            completed.Property(c => c.ClientThumbPreview).HasColumnName("client_thumb_preview");
            // Set in the unit that first writes a reference to the blob for it: the blob's last release forgets the
            // attached records only, so another upload of the same bytes that no call used yet keeps its retry.
            completed.Property(c => c.Attached).HasColumnName("attached");
        });
    }
}

internal sealed class BlobRow
{
    public string Hash { get; set; } = "";

    public long Size { get; set; }

    public long RefCount { get; set; }

    public long? ZeroSince { get; set; }

    public int? ThumbState { get; set; }

    public int? ImageWidth { get; set; }

    public int? ImageHeight { get; set; }

    public int? ThumbWidth { get; set; }

    public int? ThumbHeight { get; set; }

    public long? ThumbSize { get; set; }

    public byte[]? Preview { get; set; }
}

internal sealed class FileRow
{
    public long Id { get; set; }

    public string Hash { get; set; } = "";

    public long OwnerId { get; set; }

    public string Kind { get; set; } = "";

    public string Name { get; set; } = "";

    public string MimeType { get; set; } = "";

    public long Size { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public long RefCount { get; set; }

    public int? Duration { get; set; }

    public string? ThumbKey { get; set; }

    public long CreatedAt { get; set; }
}

internal sealed class ReferenceRow
{
    public long MessageId { get; set; }

    public long MediaId { get; set; }
}

internal sealed class CompletedUploadRow
{
    public long UserId { get; set; }

    public long FileId { get; set; }

    public int TotalParts { get; set; }

    public string Hash { get; set; } = "";

    public long Size { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public long CompletedAt { get; set; }

    public long? ClientThumbFileId { get; set; }

    public string? ClientThumbKey { get; set; }

    public int? ClientThumbWidth { get; set; }

    public int? ClientThumbHeight { get; set; }

    public byte[]? ClientThumbPreview { get; set; }

    public bool Attached { get; set; }
}

internal sealed class MediaDbContextFactory : IDesignTimeDbContextFactory<MediaDbContext>
{
    public MediaDbContext CreateDbContext(string[] args) =>
        new(ModuleStorage.DesignTimeOptions<MediaDbContext>(MediaDbContext.MigrationsHistoryTable));
}
