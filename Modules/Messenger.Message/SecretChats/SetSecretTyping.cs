using Mediator;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Updates;
using Messenger.Message.Storage;
using Messenger.Message.Typing;

namespace Messenger.Message.SecretChats;

/// <summary>Typing in a secret chat is ephemeral like any typing: the other user's online devices get it (only the bound
/// one can show it), at most one per 2 s per chat, nothing to a blocked pair.</summary>
internal sealed class SetSecretTypingHandler(SecretChatStore store, MessageStore messages, TypingThrottle throttle, IPublisher bus, RpcContext caller)
    : IRequestHandler<SetSecretTypingCall, Done>
{
    public async ValueTask<Done> Handle(SetSecretTypingCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var stored = SecretChatStore.RequireUsable(store.Find(call.ChatId), me, caller.DeviceKey);
        var other = stored.OtherThan(me);
        if (throttle.TryForwardSecret(me, call.ChatId) && !messages.EitherBlocked(me, other))
        {
            await bus.Publish(new EphemeralUpdateEvent([other], new EncryptedTypingUpdate(call.ChatId, me)), CancellationToken.None);
        }

        return new Done();
    }
}
