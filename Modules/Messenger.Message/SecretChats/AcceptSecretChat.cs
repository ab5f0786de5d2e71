using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;

namespace Messenger.Message.SecretChats;

internal sealed class AcceptSecretChatValidator : AbstractValidator<AcceptSecretChatCall>
{
    /// <summary>The fingerprint is 48 bits (six bytes of a hash): a JavaScript number holds it exactly.</summary>
    public const long FingerprintLimit = 1L << 48;

    public AcceptSecretChatValidator()
    {
        RuleFor(c => c.GB).Must(PublicKeys.IsValid).WithErrorCode(SecretErrorNames.DhGbInvalid);
        RuleFor(c => c.KeyFingerprint).Must(f => f is > 0 and < FingerprintLimit).WithErrorCode(SecretErrorNames.KeyFingerprintInvalid);
    }
}

/// <summary>
/// The participant's acceptance, from whichever of their devices is first: the chat is bound to that device, and every
/// other one (or another key from the same device) is refused. A repeat of the same acceptance from the same device —
/// an answer lost on the way — answers the chat again, logging nothing.
/// </summary>
internal sealed class AcceptSecretChatHandler(LoggedWriter writer, IUpdateLog log, IPublisher bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<AcceptSecretChatCall, SecretChat>
{
    public async ValueTask<SecretChat> Handle(AcceptSecretChatCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var deviceKey = caller.DeviceKey;
        var chat = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var stored = SecretChatStore.Find(scope, call.ChatId);
            if (stored is null || stored.Chat.ParticipantId != me || stored.Chat.AdminId == me)
            {
                throw MessengerError.BadRequest(SecretErrorNames.EncryptionIdInvalid);
            }

            switch (stored.Chat.State)
            {
                case SecretChatState.Discarded:
                    throw MessengerError.BadRequest(SecretErrorNames.EncryptionDeclined);
                case SecretChatState.Ready:
                    var again = stored.ParticipantDevice is { } bound && CryptographicOperations.FixedTimeEquals(bound, deviceKey)
                        && stored.Chat.GB is { } gB && gB.AsSpan().SequenceEqual(call.GB);
                    return again ? stored.Chat : throw MessengerError.BadRequest(SecretErrorNames.EncryptionAlreadyAccepted);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            SecretChatStore.Accept(scope, call.ChatId, deviceKey, call.GB, call.KeyFingerprint);
            var accepted = stored.Chat with { State = SecretChatState.Ready, GB = call.GB, KeyFingerprint = call.KeyFingerprint };
            SecretChatStore.Tell(scope, log, accepted, now, appends, accepted.AdminId, me);
            return accepted;
        }, cancellationToken);

        return chat;
    }
}
