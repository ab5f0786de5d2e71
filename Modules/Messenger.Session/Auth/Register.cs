using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
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

/// <summary>
/// Every attempt counts against its address, before anything about the invite or the name is told, so a taken name is no
/// free probe; its place is held while it runs, so attempts sent at once get no more tries than attempts one after
/// another. The hashing slot is taken first, before any check: a hasher too busy to take one answers 420
/// <c>FLOOD_WAIT</c> whatever the name, and only then is the place given back uncounted (nothing was tried), so a busy
/// server neither uses up an address's registrations nor tells a prober that a name is free. The closed, invite and name
/// checks run in the slot before the hash; the writer checks all three again.
/// </summary>
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
        // A closed server's refusal tells nothing about names: it need not wait in the hashing line.
        var mode = options.Value.Mode;
        var hasUsers = mode != RegistrationMode.Open && store.HasUsers();
        if (mode == RegistrationMode.Closed && hasUsers)
        {
            throw MessengerError.Forbidden(SessionErrorNames.RegistrationClosed);
        }

        var address = AuthLimits.AddressKey(caller.ClientAddress);
        using var attempt = limits.RegistrationsPerAddress.TryStart(address, out var wait) ?? throw MessengerError.FloodWait(wait);
        using var slot = await hasher.TakeSlotAsync([address], cancellationToken);
        try
        {
            return await RegisterAsync(call, mode, hasUsers, slot, cancellationToken);
        }
        finally
        {
            attempt.Count();
        }
    }

    private async Task<RegisteredUser> RegisterAsync(
        RegisterCall call, RegistrationMode mode, bool hasUsers, PasswordHasher.HashingSlot slot, CancellationToken cancellationToken)
    {
        var usernameKey = Rules.UsernameKey(call.Username);
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

        var hash = await slot.HashAsync(call.Password, cancellationToken);
        slot.Dispose();
        var displayName = call.DisplayName.Trim();
        var (id, isAdmin) = await store.InsertUserAsync(
            new NewUser(call.Username, usernameKey, hash, displayName, call.InviteCode),
            mode,
            now);
        logger.LogInformation("Registered user {UserId} (admin: {IsAdmin})", id, isAdmin);
        return new RegisteredUser(new User(id, call.Username, displayName, ""), isAdmin);
    }
}
