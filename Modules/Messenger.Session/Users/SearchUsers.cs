using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Users;

internal sealed class SearchUsersValidator : AbstractValidator<SearchUsersCall>
{
    public SearchUsersValidator()
    {
        RuleFor(c => c.Prefix)
            .Must(p => p is { Length: >= 1 and <= 32 } && p.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            .WithErrorCode(SessionErrorNames.SearchQueryInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, 50).WithErrorCode(SessionErrorNames.LimitInvalid);
    }
}

internal sealed class SearchUsersHandler(SessionStore store) : IRequestHandler<SearchUsersCall, UserList>
{
    public ValueTask<UserList> Handle(SearchUsersCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new UserList(store.SearchUsers(Rules.UsernameKey(call.Prefix), call.Limit).Select(u => u.ToUser()).ToArray()));
}
