using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        await context.Database.MigrateAsync(cancellationToken);
    }
}
