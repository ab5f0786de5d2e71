using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messenger.Kernel.Storage;

/// <summary>Registration helpers every module uses for its own tables.</summary>
public static class ModuleStorage
{
    /// <summary>
    /// Registers a module's DbContext over the shared SQLite file with its own migrations history table,
    /// and (unless the module migrates it itself) schedules its migrations for start-up.
    /// </summary>
    public static IServiceCollection AddModuleDbContext<TContext>(
        this IServiceCollection services, string migrationsHistoryTable, bool migrateOnStart = true)
        where TContext : DbContext
    {
        services.AddDbContext<TContext>((provider, options) =>
            Configure(options, provider.GetRequiredService<SqliteDatabase>().ConnectionString, migrationsHistoryTable));
        if (migrateOnStart)
        {
            services.AddSingleton<IModuleSchema, ModuleSchema<TContext>>();
        }

        return services;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString, string migrationsHistoryTable) =>
        options.UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable(migrationsHistoryTable));

    /// <summary>Options for <c>dotnet ef</c> at design time (migrations are generated, never hand-written).</summary>
    public static DbContextOptions<TContext> DesignTimeOptions<TContext>(string migrationsHistoryTable)
        where TContext : DbContext =>
        (DbContextOptions<TContext>)Configure(new DbContextOptionsBuilder<TContext>(), "Data Source=design-time.db", migrationsHistoryTable).Options;
}

/// <summary>A module's schema, migrated at start-up.</summary>
public interface IModuleSchema
{
    string Name { get; }

    Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken);
}

internal sealed class ModuleSchema<TContext> : IModuleSchema
    where TContext : DbContext
{
    public string Name => typeof(TContext).Name;

    public async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await SchemaMigration.MigrateAsync(scope.ServiceProvider.GetRequiredService<TContext>(), Name, services, cancellationToken);
    }
}

/// <summary>How every module's schema is migrated at start-up.</summary>
public static class SchemaMigration
{
    /// <summary>
    /// Applies the migrations this server has and the database lacks, naming them in the log (an upgrade is a moment an
    /// operator wants on record). A database that has a migration this server does not know was migrated by a newer
    /// server: an older one would read and write tables it does not understand, so the start stops and says so.
    /// </summary>
    public static async Task MigrateAsync(DbContext context, string schema, IServiceProvider services, CancellationToken cancellationToken)
    {
        var known = context.Database.GetMigrations().ToList();
        var applied = (await context.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        if (applied.Except(known, StringComparer.Ordinal).Order(StringComparer.Ordinal).LastOrDefault() is { } newer)
        {
            throw new StartupException(
                $"Messenger:DataDirectory: the database was migrated by a newer Messenger ({schema} has migration {newer}, which this " +
                "version does not know); run that version or a later one, or restore a backup taken before the upgrade");
        }

        var pending = known.Except(applied, StringComparer.Ordinal).ToList();
        if (pending.Count > 0)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SchemaMigration)).LogInformation(
                "Migrating {Schema}: {Count} migration(s), {First} … {Last}", schema, pending.Count, pending[0], pending[^1]);
        }

        await context.Database.MigrateAsync(cancellationToken);
    }
}
