using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>Is <paramref name="UserId"/> in <paramref name="OwnerId"/>'s contact list? The privacy rule "my contacts"
/// asks it. Answered by the Session module.</summary>
public sealed record IsContactQuery(long OwnerId, long UserId) : IRequest<bool>;

/// <summary>The users in <paramref name="OwnerId"/>'s contact list. Answered by the Session module.</summary>
public sealed record GetContactIdsQuery(long OwnerId) : IRequest<long[]>;

/// <summary><paramref name="OwnerId"/> added <paramref name="UserId"/> to their contacts (<paramref name="IsContact"/>)
/// or took them out (published after COMMIT; a rename is not one): what "my contacts" lets the user see changed.</summary>
public sealed record ContactChangedEvent(long OwnerId, long UserId, bool IsContact) : INotification;
