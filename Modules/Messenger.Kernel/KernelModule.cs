using Messenger.Kernel.Configuration;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.ServerInfo;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Messenger.Kernel;

/// <summary>
/// The Kernel: configuration, the clock, the shared SQLite database, the group-commit writer and health.
/// Every module builds on it; it depends on no module.
/// </summary>
public static class KernelModule
{
    public static IServiceCollection AddKernelModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MessengerOptions, MessengerOptionsValidator>(configuration, MessengerOptions.Section);
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(configuration, StorageOptions.Section);
        services.AddValidatedOptions<LoggingOptions, LoggingOptionsValidator>(configuration, LoggingOptions.Section);
        services.AddValidatedOptions<ThumbnailPassOptions, ThumbnailPassOptionsValidator>(configuration, ThumbnailPassOptions.Section);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DataDirectoryLock>();
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<StorageSpace>();
        services.AddSingleton<StorageWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<StorageWriter>());
        services.AddSingleton<LoggedWriter>();
        services.AddHostedService<DataDirectoryAccess>();

        services.AddModuleDbContext<KernelDbContext>(KernelDbContext.MigrationsHistoryTable, migrateOnStart: false);
        services.AddSingleton<IModuleSchema, KernelSchema>();

        services.AddSingleton<RpcMethodRegistry>();
        services.AddScoped<RpcContext>();
        services.TryAddSingleton<ICallerAuthenticator, NoAccountsAuthenticator>();

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    public static IEndpointRouteBuilder MapKernelModule(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteReadinessAsync,
        });
        return endpoints;
    }

    // The status on the first line (as the default writer has it), then why, one line per check that is not healthy.
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var reasons = report.Entries
            .Where(entry => entry.Value.Status != HealthStatus.Healthy)
            .Select(entry => $"\n{entry.Key}: {entry.Value.Description ?? entry.Value.Status.ToString()}");
        return context.Response.WriteAsync(report.Status + string.Concat(reasons));
    }

    /// <summary>Binds a section and validates it when the host starts, with one message per problem. A value that does not
    /// convert to its property's type is left out of the binding and reported at start (<see cref="ConfigurationKeys"/>).</summary>
    public static IServiceCollection AddValidatedOptions<TOptions, TValidator>(
        this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>()
            .Configure(options => ConfigurationKeys.BindConvertible(configuration.GetSection(section), options))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        services.AddSingleton(new BoundSection(section, typeof(TOptions)));
        return services;
    }
}
