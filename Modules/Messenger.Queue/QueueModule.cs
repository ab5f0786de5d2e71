using Messenger.Contracts.Groups;
using Messenger.Contracts.Updates;
using Messenger.Kernel;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Queue.Logs;
using Messenger.Queue.Storage;
using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Queue;

/// <summary>
/// Durable update logs (DESIGN §6, Telegram's pts model): every user has one log with a gap-free pts. Other modules
/// append through <see cref="IUpdateLog"/> inside their own writer unit; devices catch up with
/// <c>updates.getState</c> and <c>updates.getDifference</c>. Recent entries are served from memory; old ones are
/// compacted after the retention.
/// </summary>
public static class QueueModule
{
    public static IServiceCollection AddQueueModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<QueueOptions, QueueOptionsValidator>(configuration, QueueOptions.Section);
        services.AddModuleDbContext<QueueDbContext>(QueueDbContext.MigrationsHistoryTable);

        services.AddSingleton<RecentUpdates>();
        services.AddSingleton<UpdateLog>();
        services.AddSingleton<CatchUp.LogReader>();
        services.AddSingleton<IUpdateLog>(provider => provider.GetRequiredService<UpdateLog>());
        services.AddSingleton<LogCompactor>();
        services.AddHostedService(provider => provider.GetRequiredService<LogCompactor>());
        services.AddValidatorsFromAssemblyContaining<QueueOptions>(ServiceLifetime.Singleton, includeInternalTypes: true);

        services.AddRpcMethod<GetStateCall, UpdatesState>(RpcCost.Read);
        services.AddRpcMethod<GetDifferenceCall, Difference>(RpcCost.Read);
        services.AddRpcMethod<GetChannelDifferenceCall, ChannelDifference>(RpcCost.Read);
        return services;
    }
}
