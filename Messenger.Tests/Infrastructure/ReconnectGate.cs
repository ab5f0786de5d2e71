using Messenger.Tests.Session;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace Messenger.Tests.Infrastructure;

/// <summary>Once armed, holds a client's connection attempts (their negotiate request) until a condition holds: a test
/// lets the server finish with a lost connection before the client comes back on a new one.</summary>
internal sealed class ReconnectGate
{
    private Func<bool>? _until;

    public void HoldUntil(Func<bool> condition) => Volatile.Write(ref _until, condition);

    public void Apply(HttpConnectionOptions transport) => transport.HttpMessageHandlerFactory = inner => new Holding(inner, this);

    private sealed class Holding(HttpMessageHandler inner, ReconnectGate gate) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref gate._until) is { } until)
            {
                await SessionTestKit.WaitUntil(until);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
