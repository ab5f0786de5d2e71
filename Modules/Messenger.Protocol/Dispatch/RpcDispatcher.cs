using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Protocol.Sessions;
using Messenger.Protocol.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Protocol.Dispatch;

/// <summary>
/// Runs one call: looks the method up, opens a DI scope, fills <see cref="RpcContext"/>, resolves the caller's
/// account, and sends the call through the bus. Every outcome becomes a result or an error envelope for that call
/// only; an unexpected exception is logged and answered 500 INTERNAL.
/// </summary>
internal sealed class RpcDispatcher(
    RpcMethodRegistry methods,
    IServiceScopeFactory scopes,
    ICallerAuthenticator authenticator,
    ConnectionAccounts accounts,
    IHostApplicationLifetime lifetime,
    ILogger<RpcDispatcher> logger)
{
    private long _callsExecuted;

    /// <summary>Calls that reached their method (after lookup), since start. A resent duplicate is not counted.</summary>
    public long CallsExecuted => Interlocked.Read(ref _callsExecuted);

    public async Task DispatchAsync(ProtocolConnection connection, ClientSession session, long msgId, CallBody call)
    {
        EnvelopeBody answer;
        try
        {
            answer = new ResultBody(msgId, await InvokeAsync(connection, call));
        }
        catch (MessengerError e)
        {
            answer = new ErrorBody(msgId, e.Name, e.Code, e.RetryAfterSeconds);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Call {Method} failed unexpectedly", call.Method);
            answer = new ErrorBody(msgId, ErrorNames.Internal, 500, null);
        }
        finally
        {
            connection.ExitCall();
        }

        session.Answer(msgId, new Envelope(connection.NextMsgId(isAnswer: true), 0, answer));
    }

    private async Task<byte[]> InvokeAsync(ProtocolConnection connection, CallBody call)
    {
        if (call.Method is null || !methods.TryGet(call.Method, out var method))
        {
            throw MessengerError.BadRequest(ErrorNames.MethodInvalid);
        }

        Interlocked.Increment(ref _callsExecuted);
        var cancellationToken = lifetime.ApplicationStopping;
        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RpcContext>();
        context.Set(connection.DeviceKey, connection.SessionId, connection.ConnectionId, connection.ClientAddress, method.Name);
        context.UserId = await authenticator.AuthenticateAsync(context, cancellationToken);
        await accounts.ObserveAsync(connection, context.UserId);
        if (context.UserId is null && !method.AllowAnonymous)
        {
            throw MessengerError.Unauthorized(ErrorNames.AuthKeyUnregistered);
        }

        var result = await method.InvokeAsync(scope.ServiceProvider, call.Args ?? [], cancellationToken);
        if (context.UserId is null)
        {
            // The call may have signed this device in (auth.signIn, a login token): its pushes start now.
            await accounts.ObserveAsync(connection, await authenticator.AuthenticateAsync(context, cancellationToken));
        }

        return result;
    }
}
