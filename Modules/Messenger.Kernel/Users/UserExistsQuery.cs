using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>Is there an account with this id that has not been deleted and is a person's (one can chat with it, add
/// it to a group)? Bots are not. Answered by the Session module.</summary>
public sealed record UserExistsQuery(long UserId) : IRequest<bool>;

/// <summary>Has a server admin blocked this account (<c>admin.setUserBlocked</c>)? Answered by the Session module.</summary>
public sealed record IsUserBlockedQuery(long UserId) : IRequest<bool>;
