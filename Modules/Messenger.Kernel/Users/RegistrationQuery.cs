using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>Whether any account was ever made on this server and what <c>auth.register</c> asks of a new one now (one of
/// <c>Messenger.Contracts.Help.Registrations</c>); answered by the Session module, for <c>help.getConfig</c>.</summary>
public sealed record RegistrationQuery : IRequest<RegistrationState>;

public sealed record RegistrationState(bool HasAccounts, string Registration);
