using Mediator;
using Messenger.Contracts.Help;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Users;

/// <summary>What <c>auth.register</c> would do with a new account now: the first one is taken whatever
/// <c>RegistrationMode</c> says (it becomes the admin), so a server without accounts is open.</summary>
internal sealed class RegistrationHandler(SessionStore store, IOptions<SessionOptions> options) : IRequestHandler<RegistrationQuery, RegistrationState>
{
    public ValueTask<RegistrationState> Handle(RegistrationQuery query, CancellationToken cancellationToken)
    {
        var hasAccounts = store.HasUsers();
        var registration = !hasAccounts
            ? Registrations.Open
            : options.Value.Mode switch
            {
                RegistrationMode.Closed => Registrations.Closed,
                RegistrationMode.InviteOnly => Registrations.InviteOnly,
                _ => Registrations.Open,
            };
        return ValueTask.FromResult(new RegistrationState(hasAccounts, registration));
    }
}
