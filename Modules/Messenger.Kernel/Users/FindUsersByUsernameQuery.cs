using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>The ids of the accounts (not deleted) with these usernames, any case; names nobody has are left out.
/// Answered by the Session module.</summary>
public sealed record FindUsersByUsernameQuery(IReadOnlyCollection<string> Usernames) : IRequest<long[]>;
