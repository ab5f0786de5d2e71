using Messenger.Kernel.Rpc;

namespace Messenger.Session.Devices;

/// <summary>The device key proved by the handshake is looked up (from the cache) before every call.</summary>
internal sealed class SessionAuthenticator(AuthorizationCache cache, LastActiveTracker lastActive) : ICallerAuthenticator
{
    public ValueTask<SignedInCaller?> AuthenticateAsync(RpcContext context, CancellationToken cancellationToken)
    {
        if (context.DeviceKey.Length == 0 || cache.Get(context.DeviceKey) is not { } authorization)
        {
            return ValueTask.FromResult<SignedInCaller?>(null);
        }

        lastActive.Touch(authorization.AuthorizationId);
        return ValueTask.FromResult<SignedInCaller?>(new SignedInCaller(authorization.UserId, authorization.PasswordChangeRequired));
    }
}
