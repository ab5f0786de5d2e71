using System.Security.Claims;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Messenger.Protocol;
using Messenger.Protocol.Transport;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messenger.Tests.Protocol;

/// <summary>The connections of a device as the sign-out and device-update pushes find them, when a reconnect's new
/// connection binds while the old one of the same device is being removed (the test seam stops the binding right where
/// the removal can run).</summary>
public sealed class ConnectionRegistryTests
{
    private static readonly byte[] Prologue = "messenger/1"u8.ToArray();
    private readonly NoiseKeyPair _server = NoiseKeyPair.Generate();
    private readonly NoiseKeyPair _device = NoiseKeyPair.Generate();

    [Fact]
    public void BindDevice_WhileTheDevicesOldConnectionIsRemoved_LeavesTheNewOneFoundByDevice()
    {
        var registry = new ConnectionRegistry();
        var old = Connection("old");
        var reconnected = Connection("new");
        registry.TryAdd(old, maxPerAddress: 0).Should().BeTrue();
        registry.BindDevice(old);
        registry.TryAdd(reconnected, maxPerAddress: 0).Should().BeTrue();

        registry.AfterDeviceLookup = () =>
        {
            registry.AfterDeviceLookup = null;
            registry.Remove("old").Should().Be(old);
        };
        registry.BindDevice(reconnected);

        registry.ForDevice(reconnected.DeviceKeyHex).Should().Equal([reconnected], "a sign-out of the device must find it to close it");
        registry.Remove("new");
        registry.ForDevice(reconnected.DeviceKeyHex).Should().BeEmpty();
    }

    /// <summary>A connection that went through the handshake as <see cref="_device"/> (so it has its device key).</summary>
    private ProtocolConnection Connection(string connectionId)
    {
        var initiator = new HandshakeState(HandshakePattern.IK, true, Prologue, _device, _server.PublicKey);
        var responder = new HandshakeState(HandshakePattern.IK, false, Prologue, _server);
        responder.ReadMessage(initiator.WriteMessage([]));
        initiator.ReadMessage(responder.WriteMessage([]));
        var (send, receive) = responder.Split();
        var connection = new ProtocolConnection(
            new CallerContext(connectionId), new SilentClient(), new MsgIdClock(TimeProvider.System), new ProtocolOptions(), null, NullLogger.Instance);
        connection.Establish(_device.PublicKey, send, receive).Should().BeTrue();
        return connection;
    }

    private sealed class CallerContext(string connectionId) : HubCallerContext
    {
        public override string ConnectionId => connectionId;

        public override string? UserIdentifier => null;

        public override ClaimsPrincipal? User => null;

        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort()
        {
        }
    }

    private sealed class SilentClient : IClientProxy
    {
        public Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
