using System.Reflection;
using Mediator;
using Messenger.Contracts.Help;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Users;
using Messenger.Protocol.Keys;
using Microsoft.Extensions.Options;

namespace Messenger.Protocol.Help;

internal sealed class GetConfigHandler(ServerKeyStore keys, IOptions<ProtocolOptions> options, ISender bus, TimeProvider clock)
    : IRequestHandler<GetConfigCall, ServerConfig>
{
    private static readonly string Version =
        typeof(GetConfigHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public async ValueTask<ServerConfig> Handle(GetConfigCall request, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var registration = await bus.Send(new RegistrationQuery(), cancellationToken);
        return new ServerConfig(
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            Version,
            keys.Fingerprint,
            limits.MaxFrameBytes,
            limits.MaxCallsInFlight,
            ContainerBody.MaxEnvelopes,
            limits.HandshakeTimeoutSeconds,
            registration.HasAccounts,
            registration.Registration);
    }
}
