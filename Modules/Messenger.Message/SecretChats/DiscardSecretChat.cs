using Mediator;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;

namespace Messenger.Message.SecretChats;

/// <summary>
/// Ends a secret chat for both, from any device of either user (the one holding it may be lost). Before acceptance the
/// admin cancels and the participant declines; after it either side ends it. Ending an ended chat changes nothing and
/// costs nothing. No ending is rate-limited, not even a real one (two log entries): a user at the posting limit must
/// still be able to end a chat (a lost phone, a key that did not match); a loop of requests and endings is bounded by
/// the requests, which take the token and a per-person daily cap.
/// </summary>
internal sealed class DiscardSecretChatHandler(LoggedWriter writer, IMediaAttachments media, IUpdateLog log, IPublisher bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<DiscardSecretChatCall, Done>
{
    public async ValueTask<Done> Handle(DiscardSecretChatCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        await writer.WriteAsync(bus, (scope, appends) =>
        {
            var stored = SecretChatStore.Find(scope, call.ChatId);
            if (stored is null || !stored.IsMember(me))
            {
                throw MessengerError.BadRequest(SecretErrorNames.EncryptionIdInvalid);
            }

            var chat = stored.Chat;
            if (chat.State == SecretChatState.Discarded)
            {
                return;
            }

            var reason = chat.State == SecretChatState.Ready ? SecretChatEndReasons.Ended
                : me == chat.AdminId ? SecretChatEndReasons.Cancelled
                : SecretChatEndReasons.Declined;
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var discarded = SecretChatStore.Discard(scope, media, chat, reason, call.DeleteHistory, now);
            SecretChatStore.Tell(scope, log, discarded, now, appends, chat.AdminId, chat.ParticipantId);
        }, cancellationToken);

        return new Done();
    }
}
