using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Users;
using Messenger.Kernel.Rpc;
using Messenger.Session.Storage;

namespace Messenger.Session.Account;

internal sealed class UpdateProfileValidator : AbstractValidator<UpdateProfileCall>
{
    public UpdateProfileValidator()
    {
        RuleFor(c => c.DisplayName).DisplayName();
        RuleFor(c => c.Bio).Must(b => b is null || Rules.Characters(b.Trim()) <= Rules.BioMaxCharacters)
            .WithErrorCode(SessionErrorNames.BioTooLong);
        RuleFor(c => c.Bio).Must(Rules.IsBio).WithErrorCode(SessionErrorNames.BioInvalid);
    }
}

internal sealed class UpdateUsernameValidator : AbstractValidator<UpdateUsernameCall>
{
    public UpdateUsernameValidator() => RuleFor(c => c.Username).Username();
}

/// <summary>A new username for the caller's account (<c>account.updateUsername</c>).</summary>
internal sealed class UpdateUsernameHandler(SessionStore store, ProfileAnnouncer announcer, RpcContext caller) : IRequestHandler<UpdateUsernameCall, User>
{
    public async ValueTask<User> Handle(UpdateUsernameCall call, CancellationToken cancellationToken)
    {
        var userId = caller.RequireUserId();
        await store.UpdateUsernameAsync(userId, call.Username);
        var user = store.GetUser(userId)!.ToUser();
        await announcer.AnnounceAsync(user, cancellationToken);
        return user;
    }
}

internal sealed class UpdateProfileHandler(SessionStore store, ProfileAnnouncer announcer, RpcContext caller) : IRequestHandler<UpdateProfileCall, User>
{
    public async ValueTask<User> Handle(UpdateProfileCall call, CancellationToken cancellationToken)
    {
        var userId = caller.RequireUserId();
        var displayName = call.DisplayName.Trim();
        var bio = call.Bio?.Trim() ?? "";
        await store.UpdateProfileAsync(userId, displayName, bio);
        var user = store.GetUser(userId)!.ToUser();
        await announcer.AnnounceAsync(user, cancellationToken);
        return user;
    }
}
