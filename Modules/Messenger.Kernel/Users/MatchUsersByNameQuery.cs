using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>
/// The accounts (people and Bot API bots, not deleted) that <paramref name="Prefix"/> finds by name — every folded
/// word of it (<see cref="NameKey"/>) starting a word of the display name or the username, in any order, or the query
/// starting the username (<see cref="NameKey.UsernamePrefix"/>) — best matches first (the username, the whole name,
/// names that start with it, the rest): among <paramref name="Among"/> when given, else among the first
/// <paramref name="Limit"/> candidates of each name index for the query's rarest word. Answered by the Session module,
/// which owns the names.
/// </summary>
public sealed record MatchUsersByNameQuery(string Prefix, IReadOnlyCollection<long>? Among, int Limit) : IRequest<List<long>>;
