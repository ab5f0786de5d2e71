using Microsoft.AspNetCore.SignalR;

namespace Messenger.Protocol.Transport;

/// <summary>
/// The SignalR hub at <c>/rpc</c>. It carries opaque encrypted frames only; its method names are public protocol:
/// client → server <c>Handshake(byte[]) → byte[]</c> and <c>Send(byte[])</c>, server → client <c>Receive(byte[])</c>.
/// </summary>
internal sealed class RpcHub(ProtocolEngine engine) : Hub
{
    public override Task OnConnectedAsync()
    {
        engine.Connected(Context);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        engine.Disconnected(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public byte[] Handshake(byte[]? message1) => engine.Handshake(Context.ConnectionId, message1);

    // Returns as soon as the frame's calls are queued: SignalR runs one invocation per connection at a time,
    // so awaiting the calls here would serialize every call of the connection.
    public void Send(byte[]? frame) => engine.Receive(Context.ConnectionId, frame);
}
