using FluentValidation;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel;
using Messenger.Kernel.Rpc;
using Messenger.Update.Online;
using Messenger.Update.Presence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Update;

/// <summary>
/// Live routing (DESIGN §6): keeps the map of online devices (user → connections) from the protocol's sign-in
/// events, pushes new log entries to every online device of their owners and ephemeral updates (typing, presence)
/// to the users they concern, and tracks presence.
/// </summary>
public static class UpdateModule
{
    public static IServiceCollection AddUpdateModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<UpdateOptions, UpdateOptionsValidator>(configuration, UpdateOptions.Section);
        services.AddSingleton<OnlineDevices>();
        services.AddSingleton<PresenceTracker>();
        services.AddValidatorsFromAssemblyContaining<UpdateOptions>(ServiceLifetime.Singleton, includeInternalTypes: true);

        services.AddRpcMethod<UpdateStatusCall, Done>();
        services.AddRpcMethod<GetStatusesCall, UserStatuses>();
        return services;
    }
}
