using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>Is there an account with this id? Answered by the Session module (accounts are never deleted).</summary>
public sealed record UserExistsQuery(long UserId) : IRequest<bool>;
