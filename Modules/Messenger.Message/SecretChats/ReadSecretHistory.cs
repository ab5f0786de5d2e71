using FluentValidation;
using Mediator;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;

namespace Messenger.Message.SecretChats;

internal sealed class ReadSecretHistoryValidator : AbstractValidator<ReadSecretHistoryCall>
{
    public ReadSecretHistoryValidator() =>
        RuleFor(c => c.MaxDate).GreaterThan(0).WithErrorCode(SecretErrorNames.MaxDateInvalid);
}

/// <summary>
/// The bound device read the other side's messages up to a server date: the other user's log gets <c>encrypted_read</c>
/// (their device starts its self-destruct timers from it). The position only moves forward and never past now, so a
/// repeated read logs nothing and no message not yet sent can be marked read.
/// </summary>
internal sealed class ReadSecretHistoryHandler(LoggedWriter writer, IPublisher bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<ReadSecretHistoryCall, Done>
{
    public async ValueTask<Done> Handle(ReadSecretHistoryCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var deviceKey = caller.DeviceKey;
        await writer.WriteAsync(bus, (scope, appends) =>
        {
            var stored = SecretChatStore.RequireUsable(SecretChatStore.Find(scope, call.ChatId), me, deviceKey);
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var maxDate = Math.Min(call.MaxDate, now);
            var current = me == stored.Chat.AdminId ? stored.AdminReadDate : stored.ParticipantReadDate;
            if (maxDate <= current)
            {
                return;
            }

            SecretChatStore.SetReadDate(scope, stored, me, maxDate);
            var other = stored.OtherThan(me);
            appends.Append(other, new EncryptedReadUpdate(call.ChatId, maxDate, now), now);
        }, cancellationToken);

        return new Done();
    }
}
