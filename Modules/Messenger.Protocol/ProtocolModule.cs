using Mediator;
using Messenger.Contracts.Help;
using Messenger.Contracts.Wire;
using Messenger.Kernel;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Protocol.Dispatch;
using Messenger.Protocol.Keys;
using Messenger.Protocol.Sessions;
using Messenger.Protocol.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Protocol;

/// <summary>
/// The encrypted transport (DESIGN §4): a SignalR hub carrying Noise IK-encrypted frames, the message layer
/// (msg_ids, acks, containers, sessions, resend) and RPC dispatch through the bus. Also serves the server's public
/// key for clients that trust on first use, and the built-in methods <c>help.ping</c> and <c>help.getConfig</c>.
/// </summary>
public static class ProtocolModule
{
    public static IServiceCollection AddProtocolModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ProtocolOptions, ProtocolOptionsValidator>(configuration, ProtocolOptions.Section);

        services.AddSingleton<ServerKeyStore>();
        services.AddSingleton(provider => new MsgIdClock(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<PushPacer.Shared>();
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<RpcDispatcher>();
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ProtocolOptions>>().Value;
            return new WriteLimiter(options.WritesPerSecond, options.WriteBurst, provider.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<ConnectionAccounts>();
        services.AddSingleton<IConnectionPush, ConnectionPush>();
        services.AddSingleton<ProtocolEngine>();
        services.AddHostedService<AnnounceServerKey>();

        services.AddSignalR()
            .AddHubOptions<RpcHub>(hub =>
            {
                hub.MaximumParallelInvocationsPerClient = 1;
                hub.EnableDetailedErrors = false;
            })
            .AddMessagePackProtocol();
        services.AddOptions<HubOptions<RpcHub>>().Configure<IOptions<ProtocolOptions>>((hub, protocol) =>
        {
            var limits = ReadLeniently(protocol);
            // In long: the frame and SignalR's own framing (validated to at most 16 MiB, but never an int overflow).
            hub.MaximumReceiveMessageSize = limits.MaxFrameBytes + 1024L;
            hub.KeepAliveInterval = TimeSpan.FromSeconds(limits.KeepAliveSeconds);
        });

        services.AddRpcMethod<PingCall, Pong>(RpcCost.Read, allowAnonymous: true);
        services.AddRpcMethod<GetConfigCall, ServerConfig>(RpcCost.Read, allowAnonymous: true);
        return services;
    }

    // Read when the hub is mapped, before start-up validates the configuration: an invalid section is reported there,
    // one line per problem, so this must not throw for it.
    private static ProtocolOptions ReadLeniently(IOptions<ProtocolOptions> protocol)
    {
        try
        {
            return protocol.Value;
        }
        catch (OptionsValidationException)
        {
            return new ProtocolOptions();
        }
    }

    /// <summary>
    /// The start-up step after the database is migrated: loads the server's key, or creates it on a server that has no
    /// account yet. A server with accounts whose <c>server.key</c> is missing does not start
    /// (<see cref="StartupException"/>): a new key would lock out every client that pinned the old one.
    /// </summary>
    public static async Task LoadServerKeyAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<ISender>();
        await services.GetRequiredService<ServerKeyStore>().LoadAsync(token => bus.Send(new AnyAccountQuery(), token), cancellationToken);
    }

    public static IEndpointRouteBuilder MapProtocolModule(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<RpcHub>(ProtocolConstants.HubPath, connection =>
            connection.Transports = HttpTransportType.WebSockets | HttpTransportType.LongPolling);
        endpoints.MapGet(ProtocolConstants.ServerKeyPath, (ServerKeyStore keys) => Results.Text(keys.PublicKeyHex, "text/plain"));
        return endpoints;
    }

    /// <summary>Logs the server key's fingerprint (the key is loaded or created by <see cref="LoadServerKeyAsync"/>).</summary>
    private sealed class AnnounceServerKey(ServerKeyStore keys, ILoggerFactory loggers) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            loggers.CreateLogger(LoggingOptions.StartupCategory).LogInformation("Server key fingerprint {Fingerprint} (public key {PublicKey})", keys.Fingerprint, keys.PublicKeyHex);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
