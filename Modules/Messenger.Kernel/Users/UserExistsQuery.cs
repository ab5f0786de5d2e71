using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>Is there an account with this id that has not been deleted? Answered by the Session module.</summary>
public sealed record UserExistsQuery(long UserId) : IRequest<bool>;
