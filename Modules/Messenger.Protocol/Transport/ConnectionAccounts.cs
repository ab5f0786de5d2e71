using Mediator;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Updates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messenger.Protocol.Transport;

/// <summary>
/// Tracks which account each live connection is signed in as and tells the bus when that changes, so the Update
/// module knows a user's online devices: after the client's first frame that decrypts (a device that signed in earlier
/// is online at once; not at the handshake, whose message 1 anyone who saw it can replay), after a call that found a
/// different account (sign-in on this connection), and when the connection closes.
/// </summary>
internal sealed class ConnectionAccounts(IServiceScopeFactory scopes, ICallerAuthenticator authenticator, ILogger<ConnectionAccounts> logger)
{
    public async Task ResolveAfterProofAsync(ProtocolConnection connection)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<RpcContext>();
            context.Set(connection.DeviceKey, connection.SessionId, connection.ConnectionId, connection.ClientAddress, "");
            // The first frame's calls run meanwhile; one that signs in or out observes the account itself, and then
            // this lookup, which may have read before that call committed, is not applied.
            if (await authenticator.AuthenticateAsync(context, CancellationToken.None) is { PasswordChangeRequired: false, UserId: var userId }
                && connection.TryResolveUserId(userId))
            {
                await AnnounceAsync(connection, previous: null, userId);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not resolve the account of connection {ConnectionId}", connection.ConnectionId);
        }
    }

    /// <summary>Takes the account a call found. A device that must change its temporary password first counts as none: it
    /// gets no updates (they would show the account's messages to whoever else knows that password) and is not online.</summary>
    public async ValueTask ObserveAsync(ProtocolConnection connection, SignedInCaller? caller)
    {
        var userId = caller is { PasswordChangeRequired: false } ? caller.Value.UserId : (long?)null;
        var previous = connection.SwapUserId(userId);
        if (previous != userId)
        {
            await AnnounceAsync(connection, previous, userId);
        }
    }

    /// <summary>Tells the bus the connection's account changed from <paramref name="previous"/> to
    /// <paramref name="current"/> (either may be none), unless it has closed meanwhile.</summary>
    private async ValueTask AnnounceAsync(ProtocolConnection connection, long? previous, long? current)
    {
        if (connection.State == ConnectionState.Closed)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublisher>();
        if (previous is { } old)
        {
            await publisher.Publish(new ConnectionSignedOutEvent(connection.ConnectionId, old));
        }

        if (current is { } now)
        {
            await publisher.Publish(new ConnectionSignedInEvent(connection.ConnectionId, connection.DeviceKey, now));
        }
    }

    public async Task ClosedAsync(ProtocolConnection connection)
    {
        if (connection.SwapUserId(null) is not { } userId)
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IPublisher>().Publish(new ConnectionSignedOutEvent(connection.ConnectionId, userId));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not report the close of connection {ConnectionId}", connection.ConnectionId);
        }
    }
}
