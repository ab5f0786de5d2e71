using Messenger.Kernel.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Messenger.Update.Storage;

/// <summary>The Update module's tables: devices' Web Push subscriptions.</summary>
internal sealed class UpdateDbContext(DbContextOptions<UpdateDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "update_migrations";

    public DbSet<PushSubscriptionRow> PushSubscriptions => Set<PushSubscriptionRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PushSubscriptionRow>(subscription =>
        {
            subscription.ToTable("update_push_subscriptions");
            // One per device (its static key): a new subscription replaces the old, signing out drops it.
            subscription.HasKey(s => s.DeviceKey);
            subscription.Property(s => s.DeviceKey).HasColumnName("device_key");
            subscription.Property(s => s.UserId).HasColumnName("user_id");
            subscription.Property(s => s.Endpoint).HasColumnName("endpoint");
            subscription.Property(s => s.P256dh).HasColumnName("p256dh");
            subscription.Property(s => s.Auth).HasColumnName("auth");
            subscription.Property(s => s.CreatedAt).HasColumnName("created_at");
            subscription.HasIndex(s => s.UserId);
        });
    }
}

internal sealed class PushSubscriptionRow
{
    public byte[] DeviceKey { get; set; } = [];

    public long UserId { get; set; }

    public string Endpoint { get; set; } = "";

    public string P256dh { get; set; } = "";

    public string Auth { get; set; } = "";

    public long CreatedAt { get; set; }
}

internal sealed class UpdateDbContextFactory : IDesignTimeDbContextFactory<UpdateDbContext>
{
    public UpdateDbContext CreateDbContext(string[] args) =>
        new(ModuleStorage.DesignTimeOptions<UpdateDbContext>(UpdateDbContext.MigrationsHistoryTable));
}
