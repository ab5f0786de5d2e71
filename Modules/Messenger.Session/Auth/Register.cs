using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Users;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Limits;
using Messenger.Session.Passwords;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Auth;

internal sealed class RegisterValidator : AbstractValidator<RegisterCall>
{
    public RegisterValidator()
    {
        RuleFor(c => c.Username).Username();
        RuleFor(c => c.Password).NewPassword();
        RuleFor(c => c.DisplayName).DisplayName();
        RuleFor(c => c.InviteCode).MaximumLength(64).WithErrorCode(SessionErrorNames.InviteCodeInvalid);
    }
}

internal sealed class RegisterHandler(
    SessionStore store,
    PasswordHasher hasher,
    AuthLimits limits,
    RpcContext caller,
    IOptions<SessionOptions> options,
    TimeProvider clock,
    ILogger<RegisterHandler> logger) : IRequestHandler<RegisterCall, RegisteredUser>
{
    public async ValueTask<RegisteredUser> Handle(RegisterCall call, CancellationToken cancellationToken)
    {
        // Every attempt counts, before anything about the invite or the name is told: a taken name is no free probe. Its
        // place is held while it runs, so attempts sent at once get no more tries than attempts one after another.
        using var attempt = limits.RegistrationsPerAddress.TryStart(AuthLimits.AddressKey(caller.ClientAddress), out var wait)
            ?? throw MessengerError.FloodWait(wait);
        try
        {
            var registered = await RegisterAsync(call, cancellationToken);
            attempt.Count();
            return registered;
        }
        catch (MessengerError e) when (e.Name == ErrorNames.FloodWait)
        {
            // Only the hasher answers FLOOD_WAIT here, when its line is full: nothing was tried, so the place goes back
            // uncounted and a busy server does not use up an address's registrations.
            throw;
        }
        catch
        {
            attempt.Count();
            throw;
        }
    }

    private async Task<RegisteredUser> RegisterAsync(RegisterCall call, CancellationToken cancellationToken)
    {
        var mode = options.Value.Mode;
        var usernameKey = Rules.UsernameKey(call.Username);
        // The closed, invite and name checks come before the expensive hash; the writer checks all three again.
        var hasUsers = mode != RegistrationMode.Open && store.HasUsers();
        if (mode == RegistrationMode.Closed && hasUsers)
        {
            throw MessengerError.Forbidden(SessionErrorNames.RegistrationClosed);
        }

        // Without a valid invite, an invite-only server tells nothing about the name either.
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (mode == RegistrationMode.InviteOnly && hasUsers && store.InviteProblem(call.InviteCode, now) is { } inviteProblem)
        {
            throw MessengerError.BadRequest(inviteProblem);
        }

        if (store.FindUserByUsername(usernameKey) is not null)
        {
            throw MessengerError.BadRequest(SessionErrorNames.UsernameOccupied);
        }

        var hash = await hasher.HashAsync(call.Password, cancellationToken);
        var displayName = call.DisplayName.Trim();
        var (id, isAdmin) = await store.InsertUserAsync(
            new NewUser(call.Username, usernameKey, hash, displayName, call.InviteCode),
            mode,
            now);
        logger.LogInformation("Registered user {UserId} (admin: {IsAdmin})", id, isAdmin);
        return new RegisteredUser(new User(id, call.Username, displayName, ""), isAdmin);
    }
}
