using Mediator;
using Messenger.Contracts.Secret;

namespace Messenger.Kernel.Messages;

/// <summary>
/// What a notification of the secret message <paramref name="Message"/> to <paramref name="UserId"/> needs from the
/// Message module (Web Push): the one device of the user the chat is bound to (no other can read it), and whether the
/// user muted their private chat with the sender. Null when nothing is to be announced: the chat is unknown, not
/// accepted or ended, the user or the sender is not its member, or either of the two blocks the other.
/// </summary>
public sealed record GetSecretNoticeContextQuery(long UserId, EncryptedMessage Message) : IRequest<SecretNoticeContext?>;

/// <param name="Device">The static key of the user's device bound to the chat.</param>
/// <param name="Muted">Whether the user's private chat with the sender is muted now.</param>
public sealed record SecretNoticeContext(byte[] Device, bool Muted);
