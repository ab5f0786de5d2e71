using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Calls;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Chats;
using Messenger.Message.Groups;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Calls;

internal static class CallLimits
{
    public const int MaxSdpLength = 16_384;
    public const int MaxSignalLength = 4_096;
}

internal sealed class RequestCallValidator : AbstractValidator<RequestCallCall>
{
    public RequestCallValidator()
    {
        RuleFor(c => c.UserId).GreaterThan(0).WithErrorCode(CallErrorNames.CallPeerInvalid);
        RuleFor(c => c.Offer).Must(o => o is { Length: > 0 and <= CallLimits.MaxSdpLength }).WithErrorCode(CallErrorNames.CallSdpInvalid);
    }
}

internal sealed class AcceptCallValidator : AbstractValidator<AcceptCallCall>
{
    public AcceptCallValidator() =>
        RuleFor(c => c.Answer).Must(a => a is { Length: > 0 and <= CallLimits.MaxSdpLength }).WithErrorCode(CallErrorNames.CallSdpInvalid);
}

internal sealed class SendCallSignalValidator : AbstractValidator<SendCallSignalCall>
{
    public SendCallSignalValidator() =>
        RuleFor(c => c.Data).Must(d => d is { Length: > 0 and <= CallLimits.MaxSignalLength }).WithErrorCode(CallErrorNames.CallSignalInvalid);
}

/// <summary>
/// What a call's changes cause: the <c>phone_call</c> update to the devices of both sides, and, when it ends, the
/// <c>phone_call</c> service message in their private chat (posted as the caller, as a message would be: a block since
/// the call began leaves it out). Calls that end on their own are announced from a scope of their own.
/// </summary>
internal sealed class CallEvents(IServiceScopeFactory scopes, ILogger<CallEvents> logger)
{
    /// <summary>A call rang out (missed) or its side did not come back: announced and recorded from a scope of its own.</summary>
    public void EndedOnItsOwn(PhoneCall ended) => CallScope.Run(scopes, logger, bus => EndedAsync(ended, bus));

    public static ValueTask AnnounceAsync(IPublisher bus, PhoneCall call, params long[] userIds) =>
        bus.Publish(new EphemeralUpdateEvent(userIds, new PhoneCallUpdate(call)), CancellationToken.None);

    /// <summary>Both sides hear that the call ended; the chat records it.</summary>
    public async Task EndedAsync(PhoneCall ended, IMediator bus)
    {
        await AnnounceAsync(bus, ended, ended.CallerId, ended.CalleeId);
        try
        {
            await bus.Send(new RecordCall(ended), CancellationToken.None);
        }
        catch (MessengerError e)
        {
            logger.LogInformation("Call {CallId} left no message in the chat: {Error}", ended.Id, e.Name);
        }
    }
}

/// <summary>
/// The TURN REST API's time-limited credentials (draft-uberti-behave-turn-rest-00, coturn's <c>use-auth-secret</c>):
/// <c>username</c> "expiry unix seconds:user id", <c>credential</c> base64(HMAC-SHA1(secret, username)). The TURN server
/// checks them with the same secret and refuses them once expired: no credential handed out outlives its hours.
/// </summary>
internal static class TurnCredentials
{
    /// <summary>The server as <paramref name="userId"/> gets it: a TURN server with no <c>Username</c> of its own gets
    /// minted credentials when <see cref="CallOptions.TurnSecret"/> is set; the rest (STUN, static credentials of old
    /// set-ups) as configured.</summary>
    public static IceServer For(IceServerOptions server, CallOptions options, long userId, DateTimeOffset now)
    {
        var isTurn = server.Urls.Any(url => url.StartsWith("turn:", StringComparison.Ordinal) || url.StartsWith("turns:", StringComparison.Ordinal));
        if (string.IsNullOrEmpty(options.TurnSecret) || !isTurn || !string.IsNullOrEmpty(server.Username))
        {
            return new IceServer([.. server.Urls], server.Username, server.Credential);
        }

        var username = $"{now.AddHours(options.TurnCredentialHours).ToUnixTimeSeconds()}:{userId}";
        var credential = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(options.TurnSecret), Encoding.UTF8.GetBytes(username)));
        return new IceServer([.. server.Urls], username, credential);
    }
}

/// <summary>Work a timer starts (a call rang out, a participant's grace ran out), off the timer's thread, in a DI scope of
/// its own; a failure is logged.</summary>
internal static class CallScope
{
    public static void Run(IServiceScopeFactory scopes, ILogger logger, Func<IMediator, Task> work) => _ = Task.Run(async () =>
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await work(scope.ServiceProvider.GetRequiredService<IMediator>());
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not announce a change of a call");
        }
    });
}

/// <summary>Posts an ended call's <c>phone_call</c> service message as its caller.</summary>
internal sealed record RecordCall(PhoneCall Call) : IRequest<Done>;

internal sealed class CallHandlers(
    CallRegistry registry, GroupCallRegistry groupCalls, CallEvents events, Chats.ChatResolver chats, MessageStore store, IBotAccounts bots, LoggedWriter writer, IUpdateLog log, IMediator bus,
    RpcContext caller, IOptions<CallOptions> options, TimeProvider clock, IConnectionPush connections, PostLimiter limiter)
    : IRequestHandler<GetCallConfigCall, CallConfig>, IRequestHandler<RequestCallCall, PhoneCall>, IRequestHandler<AcceptCallCall, PhoneCall>,
        IRequestHandler<SendCallSignalCall, Done>, IRequestHandler<DiscardCallCall, PhoneCall>, IRequestHandler<RecordCall, Done>,
        IRequestHandler<GetCallsCall, PhoneCalls>
{
    public ValueTask<PhoneCalls> Handle(GetCallsCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new PhoneCalls(registry.Of(caller.RequireUserId()) is { } current ? [current] : []));

    public ValueTask<CallConfig> Handle(GetCallConfigCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var servers = options.Value.IceServers.Select(s => TurnCredentials.For(s, options.Value, me, clock.GetUtcNow())).ToArray();
        return ValueTask.FromResult(new CallConfig(servers, options.Value.RingTimeoutSeconds));
    }

    /// <summary>The callee must be a person the caller may write to (blocks hold) and whose privacy lets them call. A call
    /// counts as a post (<see cref="PostLimiter"/>): each leaves a service message in the chat.</summary>
    public async ValueTask<PhoneCall> Handle(RequestCallCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        if (call.UserId == me || bots.IsBot(call.UserId) || bots.IsBot(me) || !await chats.UserExistsAsync(call.UserId, bus, cancellationToken))
        {
            throw MessengerError.BadRequest(CallErrorNames.CallPeerInvalid);
        }

        switch (store.ReadBlockBetween(me, call.UserId))
        {
            case Block.ByPeer:
                throw MessengerError.Forbidden(MessageErrorNames.UserIsBlocked);
            case Block.ByMe:
                throw MessengerError.Forbidden(MessageErrorNames.YouBlockedUser);
        }

        var rule = (await bus.Send(new GetPrivacyQuery(call.UserId), cancellationToken)).Calls;
        if (rule == PrivacyRule.Nobody || (rule == PrivacyRule.Chats && !chats.InChatList(call.UserId, me))
            || (rule == PrivacyRule.Contacts && !await bus.Send(new IsContactQuery(call.UserId, me), cancellationToken)))
        {
            throw MessengerError.Forbidden(GroupErrorNames.UserPrivacyRestricted);
        }

        // Group voice chats are kept apart (GroupCallRegistry): one call of any kind at a time for each side.
        if (groupCalls.IsIn(me))
        {
            throw MessengerError.BadRequest(CallErrorNames.CallAlreadyActive);
        }

        if (groupCalls.IsIn(call.UserId))
        {
            throw new MessengerError(CallErrorNames.UserBusy, 420, retryAfterSeconds: 0);
        }

        var ringing = registry.Start(me, new CallRegistry.Side(caller.DeviceKey, caller.ConnectionId), call.UserId, call.Offer, call.Video);
        if (groupCalls.IsIn(me) || groupCalls.IsIn(call.UserId))
        {
            // A voice chat joined meanwhile won the race: this call never rang.
            var busy = groupCalls.IsIn(me);
            registry.Discard(ringing.Id, me);
            throw busy ? MessengerError.BadRequest(CallErrorNames.CallAlreadyActive) : new MessengerError(CallErrorNames.UserBusy, 420, retryAfterSeconds: 0);
        }

        await CallEvents.AnnounceAsync(bus, ringing, call.UserId);
        FollowIfClosed();
        return ringing;
    }

    /// <summary>The caller gets the answer; every device of the callee hears the call is taken (the others stop ringing).</summary>
    public async ValueTask<PhoneCall> Handle(AcceptCallCall call, CancellationToken cancellationToken)
    {
        var active = registry.Accept(call.CallId, caller.RequireUserId(), new CallRegistry.Side(caller.DeviceKey, caller.ConnectionId));
        await CallEvents.AnnounceAsync(bus, active with { Sdp = call.Answer }, active.CallerId);
        await CallEvents.AnnounceAsync(bus, active, active.CalleeId);
        FollowIfClosed();
        return active with { Sdp = call.Answer };
    }

    /// <summary>The caller's connection may have closed while the call was started or accepted, its close followed
    /// before the call was tied to it: nothing would then ever start the grace (the call would wait for good). Followed
    /// now, as if it closed now.</summary>
    private void FollowIfClosed()
    {
        if (!connections.IsOpen(caller.ConnectionId))
        {
            FollowCallConnections.Closed(registry, events, caller.ConnectionId);
        }
    }

    /// <summary>A signal (an ICE candidate) goes to the other side's device in the call: the caller's, and the callee's
    /// once one answered; while it rings, to every device of the callee, since any of them may answer.</summary>
    public async ValueTask<Done> Handle(SendCallSignalCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var (other, connection) = registry.OtherSide(call.CallId, me);
        await bus.Publish(
            new EphemeralUpdateEvent([other], new PhoneCallSignalUpdate(call.CallId, me, call.Data)) { OnlyConnection = connection }, CancellationToken.None);
        return new Done();
    }

    /// <summary>Answers once the chat has recorded the call.</summary>
    public async ValueTask<PhoneCall> Handle(DiscardCallCall call, CancellationToken cancellationToken)
    {
        var ended = registry.Discard(call.CallId, caller.RequireUserId());
        await events.EndedAsync(ended, bus);
        return ended;
    }

    public async ValueTask<Done> Handle(RecordCall record, CancellationToken cancellationToken)
    {
        var ended = record.Call;
        var target = await chats.ResolveForPostingAsync(ended.CallerId, Peer.User(ended.CalleeId), bus, cancellationToken);
        await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var chat = Delivery.OpenForPosting(scope, ended.CallerId, target, now, ChatRights.None);
            var action = new ServiceAction(ServiceActions.PhoneCall, [], ended.Reason, ended.Duration, ended.Video);
            appends.AddRange(Delivery.Post(scope, log, chat, ended.CallerId, Delivery.ServiceRandomId(), "", null, action, now).Appends);
        }, cancellationToken);
        return new Done();
    }
}

/// <summary>A connection in a call closed: the call waits for its device to come back (or, without a grace, ends now);
/// the device signing in again on a new connection keeps it going.</summary>
internal sealed class FollowCallConnections(CallRegistry registry, CallEvents events)
    : INotificationHandler<ConnectionSignedOutEvent>, INotificationHandler<ConnectionSignedInEvent>
{
    public ValueTask Handle(ConnectionSignedOutEvent notification, CancellationToken cancellationToken)
    {
        Closed(registry, events, notification.ConnectionId);
        return ValueTask.CompletedTask;
    }

    /// <summary>Follows the close of <paramref name="connectionId"/>: its calls wait for their devices, or end now.</summary>
    public static void Closed(CallRegistry registry, CallEvents events, string connectionId)
    {
        foreach (var ended in registry.Disconnected(connectionId))
        {
            events.EndedOnItsOwn(ended);
        }
    }

    public ValueTask Handle(ConnectionSignedInEvent notification, CancellationToken cancellationToken)
    {
        registry.Reconnected(notification.DeviceKey, notification.ConnectionId);
        return ValueTask.CompletedTask;
    }
}
