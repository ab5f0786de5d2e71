using Messenger.Kernel.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Messenger.Kernel.ServerInfo;

/// <summary>The Kernel's own small schema: facts about this server installation.</summary>
internal sealed class KernelDbContext(DbContextOptions<KernelDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "kernel_migrations";

    public DbSet<ServerInfoEntry> ServerInfo => Set<ServerInfoEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ServerInfoEntry>(entry =>
        {
            entry.ToTable("kernel_server_info");
            entry.HasKey(e => e.Key);
            entry.Property(e => e.Key).HasColumnName("key").HasMaxLength(64);
            entry.Property(e => e.Value).HasColumnName("value").HasMaxLength(1024);
        });
    }
}

internal sealed class ServerInfoEntry
{
    public required string Key { get; set; }

    public required string Value { get; set; }
}

internal sealed class KernelDbContextFactory : IDesignTimeDbContextFactory<KernelDbContext>
{
    public KernelDbContext CreateDbContext(string[] args) =>
        new(ModuleStorage.DesignTimeOptions<KernelDbContext>(KernelDbContext.MigrationsHistoryTable));
}
