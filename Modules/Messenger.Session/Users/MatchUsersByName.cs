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
/// the query as typed (lower-cased, without its leading '@'s) starts their username, underscores and all. The username
/// itself comes first (a mention's click looks for it among the first few), then the whole name, then names or
/// usernames that start with the query, then the rest, then look-alikes of a username (the query's fold starts the
/// username's fold, <see cref="Rules.UsernameFold"/>, a trailing <c>r</c> read as <c>r</c> or the start of <c>m</c>); within
/// each, by folded name, then id.
/// </summary>
internal static class NameSearch
{
    public static List<long> Find(SessionStore store, string text, IReadOnlyCollection<long>? among, int candidatesPerIndex, bool includeBlocked)
    {
        var query = new NameQuery(text);
        if (query.Words.Count == 0 && query.Username is null)
        {
            return [];
        }

        var ids = among ?? store.NameCandidates(query.ProbeOrder, query.Username, candidatesPerIndex, includeBlocked).Distinct().ToList();
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
    private readonly string[] _usernameFoldStarts;

    public NameQuery(string text)
    {
        Words = NameKey.Words(text);
        _joined = string.Join(' ', Words);
        Username = NameKey.UsernamePrefix(text);
        _usernameFoldStarts = Username is null ? [] : [.. Rules.UsernameFoldStarts(Rules.UsernameFold(Username))];
    }

    public List<string> Words { get; }

    /// <summary>The query as a username's start (<see cref="NameKey.UsernamePrefix"/>), or null.</summary>
    public string? Username { get; }

    /// <summary>The words worth reading candidates for, likeliest rarest first: the longest first, and none that
    /// starts another word of the query (whoever matches "anna" matches "an", so "an" is never the rarer).</summary>
    public IEnumerable<string> ProbeOrder =>
        Words.Distinct(StringComparer.Ordinal)
            .Where(word => !Words.Any(other => other.Length > word.Length && other.StartsWith(word, StringComparison.Ordinal)))
            .OrderByDescending(word => word.Length);

    /// <summary>0: the username; 1: the whole name; 2: the name or username starts with the query; 3: every word
    /// starts a word of the name or the username; 4: the query's fold starts the username's fold (a look-alike of it,
    /// <see cref="Rules.UsernameFold"/>: <c>AIice</c> finds alice), or a query ending in <c>r</c> finds it by its
    /// <c>m</c> (<see cref="Rules.UsernameFoldStarts"/>: <c>0r</c> finds ornella as <c>0rn</c> does); null: no match. A
    /// query without a word (<c>__</c>) matches usernames only.</summary>
    public int? Rank(List<string> nameWords, string usernameKey)
    {
        if (usernameKey == Username)
        {
            return 0;
        }

        var name = string.Join(' ', nameWords);
        if (Words.Count > 0 && name == _joined)
        {
            return 1;
        }

        if ((Words.Count > 0 && name.StartsWith(_joined, StringComparison.Ordinal))
            || (Username is not null && usernameKey.StartsWith(Username, StringComparison.Ordinal)))
        {
            return 2;
        }

        if (Words.Count > 0
            && Words.All(word => usernameKey.StartsWith(word, StringComparison.Ordinal) || nameWords.Any(w => w.StartsWith(word, StringComparison.Ordinal))))
        {
            return 3;
        }

        if (_usernameFoldStarts.Length == 0)
        {
            return null;
        }

        var usernameFold = Rules.UsernameFold(usernameKey);
        return _usernameFoldStarts.Any(start => usernameFold.StartsWith(start, StringComparison.Ordinal)) ? 4 : null;
    }
}
