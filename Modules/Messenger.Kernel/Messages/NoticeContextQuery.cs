using Mediator;

namespace Messenger.Kernel.Messages;

/// <summary>
/// What a notification of <paramref name="Message"/> to <paramref name="UserId"/> needs from the Message module (Web
/// Push): whether the user muted its chat, and the group's title (null for a private chat). Null when the chat is gone.
/// </summary>
public sealed record GetNoticeContextQuery(long UserId, Contracts.Messages.Message Message) : IRequest<NoticeContext?>;

public sealed record NoticeContext(bool Muted, string? ChatTitle);
