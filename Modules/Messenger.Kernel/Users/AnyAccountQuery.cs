using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>Was any account ever made on this server (a person's or a bot's, deleted since or not)? Answered by the
/// Session module; the start-up asks before it would make the server a new key.</summary>
public sealed record AnyAccountQuery : IRequest<bool>;
