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
    Chats.Chats chats, StorageWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
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

        var appends = new List<LogAppend>();
        var edited = await writer.WriteAsync(scope =>
        {
            var message = MessageStore.FindVisible(scope, me, target.ChatId, call.Id) ?? throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
            if (message.FromId != me || message.Action is not null)
            {
                throw MessengerError.Forbidden(MessageErrorNames.MessageAuthorRequired);
            }

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

            var placed = moved with { MoveDate = moved == geo ? geo.MoveDate : now, LiveUntil = call.Stop ? now : geo.LiveUntil };
            scope.Execute("UPDATE message_messages SET geo = @geo WHERE id = @id", ("@geo", WireSerializer.Serialize(placed)), ("@id", call.Id));
            return Delivery.TellEdit(scope, log, target, me, message with { Geo = placed }, now, appends);
        }, cancellationToken);

        await bus.Publish(new UpdatesAppendedEvent(appends), CancellationToken.None);
        return edited;
    }
}
