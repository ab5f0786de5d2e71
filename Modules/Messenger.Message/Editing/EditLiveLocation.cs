using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Sending;
using Messenger.Message.Storage;

namespace Messenger.Message.Editing;

internal sealed class EditLiveLocationValidator : AbstractValidator<EditLiveLocationCall>
{
    public EditLiveLocationValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Id).GreaterThan(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
        RuleFor(c => c.Geo).NotNull().When(c => !c.Stop).WithErrorCode(GeoErrorNames.GeoPointInvalid);
        RuleFor(c => c.Geo!).SetValidator(new InputGeoValidator(live: true)).When(c => c.Geo is not null);
    }
}

/// <summary>
/// A live location moves (or stops) in place: the message's <c>geo</c> is rewritten and the chat's audience gets
/// <c>edit_message</c> with it, its <c>edit_date</c> left as it was (moving is what a live location is for, not an edit
/// to mark; <see cref="MessageGeo.MoveDate"/> says when). The posting limit (<see cref="PostLimiter"/>) counts each move as
/// <c>messages.edit</c> counts an edit: a client moves it every few seconds at most.
/// </summary>
internal sealed class EditLiveLocationHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<EditLiveLocationCall, SentMessage>
{
    public async ValueTask<SentMessage> Handle(EditLiveLocationCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var edited = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var message = MessageStore.FindOwn(scope, me, target.ChatId, call.Id);
            MessageStore.RequireNotBlockedBy(scope, me, target);

            if (message.Geo is not { LivePeriod: not null } geo)
            {
                throw MessengerError.BadRequest(GeoErrorNames.GeoNotLive);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            if (!geo.IsLiveAt(now))
            {
                throw MessengerError.BadRequest(GeoErrorNames.MessageEditTimeExpired);
            }

            if (call.Geo is { LivePeriod: { } period } && period != geo.LivePeriod)
            {
                throw MessengerError.BadRequest(GeoErrorNames.GeoLivePeriodInvalid);
            }

            var moved = call.Geo is not { } to ? geo : geo with { Lat = to.Lat, Long = to.Long, AccuracyRadius = to.AccuracyRadius, Heading = to.Heading };
            if (!call.Stop && moved == geo)
            {
                throw MessengerError.BadRequest(MessageErrorNames.MessageNotModified);
            }

            // Moving it is writing, checked as an edit is; stopping it where it is stays the author's, as deleting it does.
            if (moved != geo)
            {
                Groups.ChatRightsRules.RequireEditor(scope, target, me);
            }

            var placed = moved with { MoveDate = moved == geo ? geo.MoveDate : now, LiveUntil = call.Stop ? now : geo.LiveUntil };
            return LiveLocations.Place(scope, log, target, me, message, placed, now, appends);
        }, cancellationToken);
        return edited;
    }
}

/// <summary>
/// Where a live location's place is written and told, and where the server ends one its author can no longer stop: the
/// author left the group, was removed from it, or deleted their account (a stop from them would fail with
/// <c>CHAT_NOT_FOUND</c>, and the others would see it live for good). Ending is what a stop does: <c>live_until</c> is
/// now, the point stays, the audience gets <c>edit_message</c>.
/// </summary>
internal static class LiveLocations
{
    public static SentMessage Place(
        WriteScope scope, IUpdateLog log, ChatTarget target, long me, Contracts.Messages.Message message, MessageGeo placed, long now, List<LogAppend> appends)
    {
        scope.Execute("UPDATE message_messages SET geo = @geo WHERE id = @id", ("@geo", WireSerializer.Serialize(placed)), ("@id", message.Id));
        return Delivery.TellEdit(scope, log, target, me, message with { Geo = placed }, now, appends);
    }

    /// <summary>Ends <paramref name="userId"/>'s live locations still running in the chat, inside the caller's unit
    /// (before the member leaves it, so that in a small group the leaver's own devices learn it too and stop following
    /// them; a large group's or channel's entry goes to the chat's log, which a former member no longer reads — their
    /// client stops when its next move is refused).</summary>
    public static void EndAll(WriteScope scope, IUpdateLog log, long chatId, long userId, long now, List<LogAppend> appends)
    {
        foreach (var message in MessageStore.LocationsFrom(scope, chatId, userId))
        {
            if (message.Geo is { } geo && geo.IsLiveAt(now) && ChatTarget.OfMessage(scope, chatId, message.ToPeer) is { } target)
            {
                Place(scope, log, target, userId, message, geo with { LiveUntil = now }, now, appends);
            }
        }
    }
}
