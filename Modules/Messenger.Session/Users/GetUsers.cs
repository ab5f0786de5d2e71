using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Users;

internal sealed class GetUsersValidator : AbstractValidator<GetUsersCall>
{
    public const int MaxIds = 200;

    public GetUsersValidator()
    {
        RuleFor(c => c.Ids).Must(ids => ids is { Length: > 0 and <= MaxIds }).WithErrorCode(SessionErrorNames.UserIdsInvalid);
    }
}

internal sealed class GetUsersHandler(SessionStore store) : IRequestHandler<GetUsersCall, UserList>
{
    public ValueTask<UserList> Handle(GetUsersCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new UserList(store.GetUsers(call.Ids).Select(u => u.ToUser()).ToArray()));
}
