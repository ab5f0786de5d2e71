using Messenger.Kernel.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Messenger.Queue.Storage;

/// <summary>The update logs: one row per logged update, keyed by the log's owner and its pts.</summary>
internal sealed class QueueDbContext(DbContextOptions<QueueDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "queue_migrations";

    public DbSet<UpdateRow> Updates => Set<UpdateRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<UpdateRow>(update =>
        {
            update.ToTable("queue_updates");
            // (owner, pts) is the log order: getDifference is one range scan, the current pts one seek to the end.
            update.HasKey(u => new { u.OwnerId, u.Pts });
            update.Property(u => u.OwnerId).HasColumnName("owner_id");
            update.Property(u => u.Pts).HasColumnName("pts");
            update.Property(u => u.PtsCount).HasColumnName("pts_count");
            update.Property(u => u.Date).HasColumnName("date");
            // The update as MessagePack (Contracts.Updates.Update): served as stored.
            update.Property(u => u.Payload).HasColumnName("payload");
            // The message whose content the entry carries: deleting it for everyone redacts these entries too.
            update.Property(u => u.MessageId).HasColumnName("message_id");
            update.HasIndex(u => u.MessageId).HasFilter("message_id IS NOT NULL");
        });
    }
}

internal sealed class UpdateRow
{
    public long OwnerId { get; set; }

    public long Pts { get; set; }

    public int PtsCount { get; set; }

    public long Date { get; set; }

    public byte[] Payload { get; set; } = [];

    public long? MessageId { get; set; }
}

internal sealed class QueueDbContextFactory : IDesignTimeDbContextFactory<QueueDbContext>
{
    public QueueDbContext CreateDbContext(string[] args) =>
        new(ModuleStorage.DesignTimeOptions<QueueDbContext>(QueueDbContext.MigrationsHistoryTable));
}
