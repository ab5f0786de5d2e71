using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Sending;
using Messenger.Message.Storage;

namespace Messenger.Message.SecretChats;

internal sealed class SendEncryptedValidator : AbstractValidator<SendEncryptedCall>
{
    /// <summary>A 24-byte nonce, a 16-byte tag and at least one byte of ciphertext.</summary>
    public const int MinDataLength = 41;

    /// <summary>64 KiB: a 4096-character text in a MessagePack map takes at most ≈ 16 KiB; the rest is room for what
    /// clients may add to the plaintext later.</summary>
    public const int MaxDataLength = 65_536;

    public SendEncryptedValidator()
    {
        RuleFor(c => c.RandomId).Must(SecretChatStore.IsSafeRandomId).WithErrorCode(MessageErrorNames.RandomIdInvalid);
        RuleFor(c => c.Data).Must(d => d is { Length: >= MinDataLength and <= MaxDataLength }).WithErrorCode(SecretErrorNames.EncryptedMessageInvalid);
    }
}

/// <summary>
/// Relays ciphertext from a chat's bound device to the other user's log, the only place it is kept (compacted with the
/// log like any entry). The row that makes a resend idempotent holds ids and the date, nothing of the message. Counts
/// against the posting limit as messages.send does: every send is a write through the one storage writer.
/// </summary>
internal sealed class SendEncryptedHandler(StorageWriter writer, IUpdateLog log, IPublisher bus, PostLimiter limiter, RpcContext caller, TimeProvider clock)
    : IRequestHandler<SendEncryptedCall, SentEncryptedMessage>
{
    public async ValueTask<SentEncryptedMessage> Handle(SendEncryptedCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var deviceKey = caller.DeviceKey;
        limiter.Take(me, 1);
        var appends = new List<LogAppend>();
        var date = await writer.WriteAsync(scope =>
        {
            var stored = SecretChatStore.RequireUsable(SecretChatStore.Find(scope, call.ChatId), me, deviceKey);
            if (SecretChatStore.SentDate(scope, call.ChatId, me, call.RandomId) is { } first)
            {
                return first;
            }

            var other = stored.OtherThan(me);
            switch (MessageStore.BlockBetween(scope, me, other))
            {
                case Block.ByPeer:
                    throw MessengerError.Forbidden(MessageErrorNames.UserIsBlocked);
                case Block.ByMe:
                    throw MessengerError.Forbidden(MessageErrorNames.YouBlockedUser);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            SecretChatStore.RecordSent(scope, call.ChatId, me, call.RandomId, now);
            var message = new EncryptedMessage(call.ChatId, call.RandomId, me, now, call.Data, call.Silent);
            appends.Add(new LogAppend(other, log.Append(scope, other, new NewEncryptedMessageUpdate(message), now)));
            return now;
        }, cancellationToken);

        if (appends.Count > 0)
        {
            await bus.Publish(new UpdatesAppendedEvent(appends), CancellationToken.None);
        }

        return new SentEncryptedMessage(date);
    }
}
