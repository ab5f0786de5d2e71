using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Users;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Users;

internal sealed class SearchUsersValidator : AbstractValidator<SearchUsersCall>
{
    public SearchUsersValidator()
    {
        RuleFor(c => c.Prefix)
            .Must(p => p?.Trim() is { Length: >= 1 and <= SearchUsersHandler.MaxQueryLength } trimmed && !trimmed.Any(char.IsControl) && NameKey.IsSearchable(trimmed))
            .WithErrorCode(SessionErrorNames.SearchQueryInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, 50).WithErrorCode(SessionErrorNames.LimitInvalid);
    }
}

internal sealed class SearchUsersHandler(SessionStore store) : IRequestHandler<SearchUsersCall, UserList>
{
    public const int MaxQueryLength = 64;

    /// <summary>Rows read from each index (the name words', the usernames') per query word probed, whatever the server's size.</summary>
    public const int CandidatesPerIndex = 1000;

    public ValueTask<UserList> Handle(SearchUsersCall call, CancellationToken cancellationToken)
    {
        var found = NameSearch.Find(store, call.Prefix, among: null, CandidatesPerIndex, includeBlocked: false).Take(call.Limit).ToList();
        if (found.Count == 0)
        {
            return ValueTask.FromResult(new UserList([]));
        }

        var users = store.GetUsers(found).ToDictionary(u => u.Id);
        return ValueTask.FromResult(new UserList([.. found.Where(users.ContainsKey).Select(id => users[id].ToUser())]));
    }
}
