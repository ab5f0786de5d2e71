using Mediator;
using Messenger.Contracts.Account;

namespace Messenger.Kernel.Users;

/// <summary>A user's privacy settings (the defaults when they never changed them). Answered by the Session module,
/// from memory.</summary>
public sealed record GetPrivacyQuery(long UserId) : IRequest<PrivacySettings>;

/// <summary>A user changed their privacy settings (published after COMMIT): presence is announced again as they now allow.</summary>
public sealed record PrivacyChangedEvent(long UserId, PrivacySettings Settings) : INotification;
