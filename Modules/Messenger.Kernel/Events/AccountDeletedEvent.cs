using Mediator;

namespace Messenger.Kernel.Events;

/// <summary>
/// A user deleted their account (the Session module has already signed out every device and kept only the row, as
/// "Deleted Account", so ids in others' history stay valid). Each module drops what belonged to the user alone:
/// group memberships, their own view of chats, their update log.
/// </summary>
public sealed record AccountDeletedEvent(long UserId) : INotification;
