using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Events;
using Messenger.Session.Bots;
using Messenger.Kernel.Rpc;
using Messenger.Session.Devices;
using Messenger.Session.Passwords;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Account;

internal sealed class DeleteAccountValidator : AbstractValidator<DeleteAccountCall>
{
    public DeleteAccountValidator() => RuleFor(c => c.Password).CurrentPassword();
}

/// <summary>
/// Deletes the caller's account once the password confirms it: the row becomes "Deleted Account" and every device is
/// signed out in one unit; the other devices' connections close, the other modules drop what was the user's alone
/// (<see cref="AccountDeletedEvent"/>), and the caller's connection closes once its answer has left.
/// </summary>
internal sealed class DeleteAccountHandler(
    SessionStore store,
    AccountPassword password,
    DeviceSignOut signOut,
    IPublisher bus,
    BotStore bots,
    BotRemoval botRemoval,
    PrivacyBook privacy,
    RpcContext caller,
    ILogger<DeleteAccountHandler> logger) : IRequestHandler<DeleteAccountCall, Done>
{
    public async ValueTask<Done> Handle(DeleteAccountCall call, CancellationToken cancellationToken)
    {
        var userId = (await password.ConfirmAsync(caller, call.Password, cancellationToken)).Id;

        var revoked = await store.DeleteAccountAsync(userId);
        // The other devices go first, so none of them acts while the modules clean up; the caller's own device is
        // refused from now on too (a part it uploads meanwhile would start an upload again behind the clean-up), and
        // signed out last, since its connection closes a moment after that and its answer must leave before.
        var own = revoked.Where(d => d.DeviceKey.AsSpan().SequenceEqual(caller.DeviceKey)).ToList();
        await signOut.SignedOutAsync(revoked.Except(own).ToList(), DeviceSignedOutEvent.AccountDeletedReason);
        signOut.Refuse(own);
        try
        {
            await bus.Publish(new AccountDeletedEvent(userId), CancellationToken.None);
        }
        catch (Exception e)
        {
            // The account is deleted all the same (it committed above); the clean-up runs again at the next start.
            logger.LogError(e, "Cleaning up after deleting account {UserId} failed; it runs again at the next start", userId);
        }

        privacy.Forget(userId);

        // Their bots go with them: nobody would be left to give one a new token or delete it.
        foreach (var bot in bots.OwnedBy(userId))
        {
            await botRemoval.DeleteAsync(bot.Id);
        }

        await signOut.SignedOutAsync(own, DeviceSignedOutEvent.AccountDeletedReason, caller.DeviceKey);
        logger.LogInformation("User {UserId} deleted their account; {Count} devices signed out", userId, revoked.Count);
        return new Done();
    }
}
