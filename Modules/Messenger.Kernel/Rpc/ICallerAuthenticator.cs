namespace Messenger.Kernel.Rpc;

/// <summary>
/// Answers "which account does this device key belong to" before a call that needs one is dispatched.
/// The Session module provides the real one; without it no device is signed in.
/// </summary>
public interface ICallerAuthenticator
{
    /// <summary>The caller's user id, or null when the device has no (or a revoked) authorization.</summary>
    ValueTask<long?> AuthenticateAsync(RpcContext context, CancellationToken cancellationToken);
}

internal sealed class NoAccountsAuthenticator : ICallerAuthenticator
{
    public ValueTask<long?> AuthenticateAsync(RpcContext context, CancellationToken cancellationToken) => ValueTask.FromResult<long?>(null);
}
