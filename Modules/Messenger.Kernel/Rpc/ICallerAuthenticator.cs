namespace Messenger.Kernel.Rpc;

/// <summary>
/// Answers "which account does this device key belong to" before a call that needs one is dispatched.
/// The Session module provides the real one; without it no device is signed in.
/// </summary>
public interface ICallerAuthenticator
{
    /// <summary>The caller's account, or null when the device has no (or a revoked) authorization.</summary>
    ValueTask<SignedInCaller?> AuthenticateAsync(RpcContext context, CancellationToken cancellationToken);
}

/// <summary>A device's account. <see cref="PasswordChangeRequired"/>: it signed in with a temporary password an admin
/// set, and may call only the methods registered as allowed before the password change until it has changed it.</summary>
public readonly record struct SignedInCaller(long UserId, bool PasswordChangeRequired);

internal sealed class NoAccountsAuthenticator : ICallerAuthenticator
{
    public ValueTask<SignedInCaller?> AuthenticateAsync(RpcContext context, CancellationToken cancellationToken) => ValueTask.FromResult<SignedInCaller?>(null);
}
