using FluentValidation;
using Messenger.Contracts.Account;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Rpc;
using Messenger.Update.Online;
using Messenger.Update.Presence;
using Messenger.Update.Storage;
using Messenger.Update.WebPush;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Update;

/// <summary>
/// Live routing (DESIGN §6): keeps the map of online devices (user → connections) from the protocol's sign-in
/// events, pushes new log entries to every online device of their owners and ephemeral updates (typing, presence)
/// to the users they concern, and tracks presence; devices with no live connection get their new messages as Web Push
/// notifications, for those that subscribed.
/// </summary>
public static class UpdateModule
{
    public static IServiceCollection AddUpdateModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<UpdateOptions, UpdateOptionsValidator>(configuration, UpdateOptions.Section);
        services.AddSingleton<OnlineDevices>();
        services.AddSingleton<PresenceTracker>();
        services.AddValidatorsFromAssemblyContaining<UpdateOptions>(ServiceLifetime.Singleton, includeInternalTypes: true);

        services.AddValidatedOptions<PushOptions, PushOptionsValidator>(configuration, PushOptions.Section);
        services.AddModuleDbContext<UpdateDbContext>(UpdateDbContext.MigrationsHistoryTable);
        services.AddSingleton<VapidKeys>();
        services.AddSingleton<PushSubscriptions>();
        services.AddSingleton<PushOutbox>();
        services.AddHostedService(provider => provider.GetRequiredService<PushOutbox>());

        services.AddRpcMethod<UpdateStatusCall, Done>(RpcCost.Write);
        services.AddRpcMethod<GetStatusesCall, UserStatuses>(RpcCost.Read);
        services.AddRpcMethod<GetPushKeyCall, PushKey>(RpcCost.Read);
        services.AddRpcMethod<RegisterPushCall, Done>(RpcCost.Write);
        services.AddRpcMethod<UnregisterPushCall, Done>(RpcCost.Write);
        return services;
    }
}
