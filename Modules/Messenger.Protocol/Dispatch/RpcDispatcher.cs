using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Protocol.Sessions;
using Messenger.Protocol.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Protocol.Dispatch;

/// <summary>
/// Runs one call: looks the method up, opens a DI scope, fills <see cref="RpcContext"/>, resolves the caller's
/// account, takes a <see cref="RpcCost.Write"/> call from the caller's <see cref="WriteLimiter"/> bucket, and sends the
/// call through the bus. Every outcome becomes a result or an error envelope for that call
/// only; an unexpected exception is logged and answered 500 INTERNAL.
/// </summary>
internal sealed class RpcDispatcher(
    RpcMethodRegistry methods,
    IServiceScopeFactory scopes,
    ICallerAuthenticator authenticator,
    ConnectionAccounts accounts,
    IHostApplicationLifetime lifetime,
    StorageSpace space,
    WriteLimiter writes,
    ILogger<RpcDispatcher> logger)
{
    private long _callsExecuted;

    /// <summary>Calls that reached their method (after lookup), since start. A resent duplicate is not counted.</summary>
    public long CallsExecuted => Interlocked.Read(ref _callsExecuted);

    public Task DispatchAsync(ProtocolConnection connection, ClientSession session, long msgId, CallBody call)
    {
        // The args borrow the frame's pooled buffer, which is released once the frame is processed: they are read
        // here, before anything awaits. A failure to read them is answered where it always was (after sign-in checks).
        var started = Stopwatch.GetTimestamp();
        var prepared = Prepare(call);
        return RunAsync(connection, session, msgId, call.Method, prepared, started);
    }

    private PreparedCall Prepare(CallBody call)
    {
        if (call.Method is null || !methods.TryGet(call.Method, out var method))
        {
            return new PreparedCall(null, null, MessengerError.BadRequest(ErrorNames.MethodInvalid));
        }

        Interlocked.Increment(ref _callsExecuted);
        try
        {
            return new PreparedCall(method, method.Parse(call.Args), null);
        }
        catch (Exception e)
        {
            return new PreparedCall(method, null, e);
        }
    }

    private async Task RunAsync(ProtocolConnection connection, ClientSession session, long msgId, string? methodName, PreparedCall prepared, long started)
    {
        EnvelopeBody answer;
        try
        {
            answer = new ResultBody(msgId, await InvokeAsync(connection, prepared));
        }
        catch (MessengerError e)
        {
            answer = new ErrorBody(msgId, e.Name, e.Code, e.RetryAfterSeconds);
        }
        catch (Exception e) when (StorageSpace.IsFull(e))
        {
            // A file write that found the disk full (a media part); the database's own are answered by its writer.
            var refused = space.Refused(e);
            answer = new ErrorBody(msgId, refused.Name, refused.Code, null);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The server is stopping (a restart): nothing went wrong, and the client resends the call to the next one
            // (a send with its random_id runs once).
            answer = new ErrorBody(msgId, ErrorNames.ServerShuttingDown, 500, null);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Call {Method} failed unexpectedly", methodName);
            answer = new ErrorBody(msgId, ErrorNames.Internal, 500, null);
        }
        finally
        {
            connection.ExitCall();
        }

        session.Answer(msgId, new Envelope(connection.NextMsgId(isAnswer: true), 0, answer));
        RpcMetrics.RecordSince(started, prepared.Method?.Name);
    }

    private async Task<byte[]> InvokeAsync(ProtocolConnection connection, PreparedCall prepared)
    {
        if (prepared.Method is not { } method)
        {
            ExceptionDispatchInfo.Throw(prepared.Failure!);
            return [];
        }

        var cancellationToken = lifetime.ApplicationStopping;
        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RpcContext>();
        context.Set(connection.DeviceKey, connection.SessionId, connection.ConnectionId, connection.ClientAddress, method.Name);
        var caller = await authenticator.AuthenticateAsync(context, cancellationToken);
        context.UserId = caller?.UserId;
        await accounts.ObserveAsync(connection, caller);
        if (context.UserId is null && !method.AllowAnonymous)
        {
            throw MessengerError.Unauthorized(ErrorNames.AuthKeyUnregistered);
        }

        // The flag comes with the authorization the lookup above already holds in memory: no read per call.
        if (caller is { PasswordChangeRequired: true } && !method.AllowBeforePasswordChange)
        {
            throw MessengerError.Forbidden(ErrorNames.PasswordChangeRequired);
        }

        if (prepared.Failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        // Every method declares its cost where it is registered: one that writes takes from the caller's bucket here,
        // before its handler runs, so no handler can forget it. An anonymous caller has no bucket (the few anonymous
        // methods that write have limits of their own).
        if (method.Cost == RpcCost.Write && context.UserId is { } user)
        {
            writes.Take(user);
        }

        var result = await method.InvokeAsync(scope.ServiceProvider, prepared.Call!, cancellationToken);
        if (caller is not { PasswordChangeRequired: false })
        {
            // The call may have signed this device in (auth.signIn, a login token) or changed the temporary password it
            // signed in with: its pushes start now.
            await accounts.ObserveAsync(connection, await authenticator.AuthenticateAsync(context, cancellationToken));
        }

        return result;
    }

    /// <summary>A call read off its frame: the method (null if unknown), the parsed arguments, or why it cannot run.</summary>
    private sealed record PreparedCall(RpcMethod? Method, object? Call, Exception? Failure);
}
