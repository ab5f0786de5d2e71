using FluentValidation;
using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Rpc;
using Messenger.Session.Storage;

namespace Messenger.Session.Admin;

internal sealed class ListUsersValidator : AbstractValidator<ListUsersCall>
{
    public ListUsersValidator()
    {
        RuleFor(c => c.Offset).GreaterThanOrEqualTo(0).WithErrorCode(SessionErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, 100).WithErrorCode(SessionErrorNames.LimitInvalid);
    }
}

internal sealed class ListUsersHandler(SessionStore store, RpcContext caller) : IRequestHandler<ListUsersCall, UserPage>
{
    public ValueTask<UserPage> Handle(ListUsersCall call, CancellationToken cancellationToken)
    {
        caller.RequireAdmin(store);
        var (users, total) = store.ListUsers(call.Offset, call.Limit);
        return ValueTask.FromResult(new UserPage(
            users.Select(u => new AdminUser(
                u.User.Id, u.User.Username, u.User.DisplayName, u.User.IsAdmin, u.User.IsBlocked,
                Mapping.UnixSeconds(u.User.CreatedAt), u.Devices, u.User.Deleted, u.TwoFactor, u.User.IsBot)).ToArray(),
            total));
    }
}
