using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>
/// The accounts (people and Bot API bots, not deleted) that <paramref name="Prefix"/> finds by name — every folded
/// word of it (<see cref="NameKey"/>) starting a word of the display name or the username, in any order — best
/// matches first (the whole name, then names that start with it, then the rest): among <paramref name="Among"/> when
/// given, else among the first <paramref name="Limit"/> candidates of each name index. Answered by the Session
/// module, which owns the names.
/// </summary>
public sealed record MatchUsersByNameQuery(string Prefix, IReadOnlyCollection<long>? Among, int Limit) : IRequest<List<long>>;
