using Mediator;
using Messenger.Kernel.Messages;

namespace Messenger.Message.SecretChats;

/// <summary>Answers the Media module before it serves a secret chat's encrypted file: is the user one of the two members of
/// a chat, not discarded, that holds it? (Once discarded, the file's reference is gone anyway.)</summary>
internal sealed class CanReadAnySecretFileHandler(SecretChatStore store) : IRequestHandler<CanReadAnySecretFileQuery, bool>
{
    public ValueTask<bool> Handle(CanReadAnySecretFileQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(query.SecretFileIds.Length > 0 && store.CanReadAnyFile(query.UserId, query.SecretFileIds));
}
