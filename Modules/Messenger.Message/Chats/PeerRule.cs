using FluentValidation;
using Messenger.Contracts.Messages;

namespace Messenger.Message.Chats;

/// <summary>The validation every call naming a chat shares.</summary>
internal static class PeerRule
{
    /// <summary>A peer of a known kind with a positive id, else 400 <c>PEER_ID_INVALID</c> (whether the chat exists and
    /// the caller may use it is decided later, by <see cref="ChatResolver.ResolveAsync"/>).</summary>
    public static IRuleBuilderOptions<T, Peer> ValidPeer<T>(this IRuleBuilder<T, Peer> rule) =>
        rule.Must(p => p is { Id: > 0 } && Enum.IsDefined(p.Kind)).WithErrorCode(MessageErrorNames.PeerIdInvalid);
}
