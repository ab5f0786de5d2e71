using Mediator;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Users;

internal sealed class MatchUsersByNameHandler(SessionStore store) : IRequestHandler<MatchUsersByNameQuery, List<long>>
{
    public ValueTask<List<long>> Handle(MatchUsersByNameQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NameSearch.Find(store, query.Prefix, query.Among, query.Limit, includeBlocked: true));
}

/// <summary>
/// What a name query matches, and in which order. A person matches when every word of the folded query
/// (<see cref="NameKey.Words"/>) starts a word of their display name or starts their username, in any order, or when
/// the query as typed (lower-cased, without a leading '@') starts their username, underscores and all. Exact matches
/// (the whole name, or the username) come first, then names or usernames that start with the query, then the rest;
/// within each, by folded name, then id.
/// </summary>
internal static class NameSearch
{
    public static List<long> Find(SessionStore store, string text, IReadOnlyCollection<long>? among, int candidatesPerIndex, bool includeBlocked)
    {
        var query = new NameQuery(text);
        if (query.Words.Count == 0)
        {
            return [];
        }

        var ids = among ?? store.NameCandidates(query.Longest, query.UsernamePrefixes, candidatesPerIndex).Distinct().ToList();
        return [.. store.NameRows(ids)
            .Where(row => includeBlocked || !row.Blocked)
            .Select(row =>
            {
                var words = NameKey.Words(row.DisplayName);
                return (row.Id, Name: string.Join(' ', words), Rank: query.Rank(words, row.UsernameKey));
            })
            .Where(row => row.Rank is not null)
            .OrderBy(row => row.Rank)
            .ThenBy(row => row.Name, StringComparer.Ordinal)
            .ThenBy(row => row.Id)
            .Select(row => row.Id)];
    }
}

/// <summary>A name query, folded once: its words, and the username prefix it may be.</summary>
internal sealed class NameQuery
{
    private readonly string _joined;
    private readonly string? _username;

    public NameQuery(string text)
    {
        var typed = text.Trim();
        Words = NameKey.Words(typed);
        _joined = string.Join(' ', Words);
        var username = typed.TrimStart('@').ToLowerInvariant();
        _username = username.Length > 0 && username.All(IsUsernameCharacter) ? username : null;
    }

    public List<string> Words { get; }

    /// <summary>The query's longest word: the fewest names start with it, so its range holds the most matches.</summary>
    public string Longest => Words.MaxBy(word => word.Length)!;

    /// <summary>The usernames' ranges worth reading: the longest word's, and the query's as typed.</summary>
    public IEnumerable<string> UsernamePrefixes =>
        new[] { Longest.All(IsUsernameCharacter) ? Longest : null, _username }.OfType<string>().Distinct();

    /// <summary>0: the whole name or the username; 1: the name or username starts with the query; 2: every word
    /// starts a word of the name or the username; null: no match.</summary>
    public int? Rank(List<string> nameWords, string usernameKey)
    {
        var name = string.Join(' ', nameWords);
        if (name == _joined || usernameKey == _username)
        {
            return 0;
        }

        if (name.StartsWith(_joined, StringComparison.Ordinal) || (_username is not null && usernameKey.StartsWith(_username, StringComparison.Ordinal)))
        {
            return 1;
        }

        return Words.All(word => usernameKey.StartsWith(word, StringComparison.Ordinal) || nameWords.Any(w => w.StartsWith(word, StringComparison.Ordinal)))
            ? 2
            : null;
    }

    private static bool IsUsernameCharacter(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_';
}
