using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>
/// The accounts (people and Bot API bots, not deleted) whose display name or username starts with
/// <paramref name="Prefix"/>, any case, by display name: among <paramref name="Among"/> when given, else the first
/// <paramref name="Limit"/> of each name's index. Answered by the Session module, which owns the names.
/// </summary>
public sealed record MatchUsersByNameQuery(string Prefix, IReadOnlyCollection<long>? Among, int Limit) : IRequest<List<long>>;
