using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Microsoft.Extensions.Options;

namespace Messenger.Message.SecretChats;

internal sealed class RequestSecretChatValidator : AbstractValidator<RequestSecretChatCall>
{
    public RequestSecretChatValidator()
    {
        RuleFor(c => c.UserId).GreaterThan(0).WithErrorCode(MessageErrorNames.PeerIdInvalid);
        RuleFor(c => c.RandomId).Must(SecretChatStore.IsSafeRandomId).WithErrorCode(MessageErrorNames.RandomIdInvalid);
        RuleFor(c => c.GA).Must(PublicKeys.IsValid).WithErrorCode(SecretErrorNames.DhGaInvalid);
    }
}

/// <summary>
/// Opens a secret chat bound to the calling device on the admin's side and tells both users (the participant's
/// devices decide who accepts). Idempotent by the admin's random_id, checked in the unit that inserts, so a request
/// resent after a lost answer finds its chat however the first one ended. Each request costs the posting limit's token
/// (two log entries, and the other side's device answers with a write of its own), and one person may start at most
/// <see cref="MessageOptions.SecretChatsPerPeerPerDay"/> chats with another in 24 hours: a script that requests,
/// lets the other side accept and discards again would otherwise fill that person's log and chat list without end.
/// </summary>
internal sealed class RequestSecretChatHandler(
    Chats.ChatResolver chats, IBotAccounts bots, LoggedWriter writer, IUpdateLog log, IMediator bus, PostLimiter limiter, IOptions<MessageOptions> options,
    RpcContext caller, TimeProvider clock)
    : IRequestHandler<RequestSecretChatCall, SecretChat>
{
    public async ValueTask<SecretChat> Handle(RequestSecretChatCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var deviceKey = caller.DeviceKey;
        if (bots.IsBot(me) || deviceKey.Length == 0)
        {
            // A bot has no device to hold keys (it calls over plain HTTP): it cannot be a side of a secret chat.
            throw MessengerError.BadRequest(MessageErrorNames.PeerIdInvalid);
        }

        var perPeer = options.Value.SecretChatsPerPeerPerDay;
        var peerExists = call.UserId != me && !bots.IsBot(call.UserId) && await chats.UserExistsAsync(call.UserId, bus, cancellationToken);
        // Pushed to every device of both, the caller's too: the answer carries no pts.
        return await writer.WriteAsync(bus, (scope, appends) =>
        {
            if (SecretChatStore.FindRequest(scope, me, call.RandomId) is { } earlier)
            {
                return earlier.Chat;
            }

            // After the resend check: a request sent again after a lost answer gets its chat, never FLOOD_WAIT.
            limiter.Take(me, 1);

            if (!peerExists)
            {
                throw MessengerError.BadRequest(MessageErrorNames.PeerIdInvalid);
            }

            switch (MessageStore.BlockBetween(scope, me, call.UserId))
            {
                case Block.ByPeer:
                    throw MessengerError.Forbidden(MessageErrorNames.UserIsBlocked);
                case Block.ByMe:
                    throw MessengerError.Forbidden(MessageErrorNames.YouBlockedUser);
            }

            if (SecretChatStore.WaitingRequests(scope, me) >= SecretChatStore.MaxWaitingRequests)
            {
                throw new MessengerError(SecretErrorNames.SecretChatsTooMuch, 420);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            if (perPeer > 0 && SecretChatStore.NthLatestStartedWith(scope, me, call.UserId, perPeer) is { } nth && nth > now - SecretChatStore.PerPeerWindow)
            {
                // Free again once the oldest of the day's chats with that person is a day old.
                throw MessengerError.FloodWait((int)Math.Max(1, nth + SecretChatStore.PerPeerWindow - now));
            }

            var requested = new SecretChat(SecretChatStore.NewId(scope), me, call.UserId, SecretChatState.Requested, now, call.GA);
            SecretChatStore.Insert(scope, requested, call.RandomId, deviceKey);
            SecretChatStore.Tell(scope, log, requested, now, appends, me, call.UserId);
            return requested;
        }, cancellationToken);
    }
}
