using Mediator;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Rpc;
using SecretChatList = Messenger.Contracts.Secret.SecretChats;

namespace Messenger.Message.SecretChats;

/// <summary>The caller's secret chats as the server knows them (any device may ask: a device that does not hold one can
/// still end it); the recently discarded too (the 100 latest), so a device that resynced learns how its chats ended.</summary>
internal sealed class GetSecretChatsHandler(SecretChatStore store, RpcContext caller, TimeProvider clock) : IRequestHandler<GetSecretChatsCall, SecretChatList>
{
    public ValueTask<SecretChatList> Handle(GetSecretChatsCall call, CancellationToken cancellationToken)
    {
        var since = (clock.GetUtcNow() - SecretChatStore.DiscardedKept).ToUnixTimeSeconds();
        return ValueTask.FromResult(new SecretChatList(store.ListFor(caller.RequireUserId(), since)));
    }
}
