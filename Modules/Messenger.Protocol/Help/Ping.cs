using Mediator;
using Messenger.Contracts.Help;

namespace Messenger.Protocol.Help;

internal sealed class PingHandler : IRequestHandler<PingCall, Pong>
{
    public ValueTask<Pong> Handle(PingCall request, CancellationToken cancellationToken) => ValueTask.FromResult(new Pong(request.Id));
}
