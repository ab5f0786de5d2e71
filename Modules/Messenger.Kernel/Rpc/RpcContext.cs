namespace Messenger.Kernel.Rpc;

/// <summary>
/// Who is calling, for the duration of one call (scoped). The protocol fills it before dispatch; modules read it.
/// The device's static public key is its identity: the handshake proved the caller holds the private key.
/// </summary>
public sealed class RpcContext
{
    public byte[] DeviceKey { get; private set; } = [];

    public long SessionId { get; private set; }

    public string ConnectionId { get; private set; } = "";

    public string? ClientAddress { get; private set; }

    public string Method { get; private set; } = "";

    /// <summary>The signed-in account, once <see cref="ICallerAuthenticator"/> has resolved it for this call.</summary>
    public long? UserId { get; set; }

    /// <summary>The signed-in account, or 401 <c>AUTH_KEY_UNREGISTERED</c> when there is none.</summary>
    public long RequireUserId() =>
        UserId ?? throw Errors.MessengerError.Unauthorized(Contracts.Rpc.ErrorNames.AuthKeyUnregistered);

    public void Set(byte[] deviceKey, long sessionId, string connectionId, string? clientAddress, string method)
    {
        DeviceKey = deviceKey;
        SessionId = sessionId;
        ConnectionId = connectionId;
        ClientAddress = clientAddress;
        Method = method;
    }
}
