using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Users;

/// <summary>A user as every signed-in user sees them. A deleted account keeps its id (its messages stay in others'
/// history) with <see cref="Deleted"/> set, an empty username and the display name "Deleted Account".
/// <see cref="Photo"/> is the profile photo (a <c>photo</c> media anyone signed in may download), if any. <see cref="Bot"/>
/// marks a group's webhook poster (its username ends in <c>_bot</c>): it posts, never reads, and cannot be written to.</summary>
[MessagePackObject]
public sealed record User(
    [property: Key("id")] long Id,
    [property: Key("username")] string Username,
    [property: Key("display_name")] string DisplayName,
    [property: Key("bio")] string Bio,
    [property: Key("deleted")] bool Deleted = false,
    [property: Key("photo")] Media.MessageMedia? Photo = null,
    [property: Key("bot")] bool Bot = false);

/// <summary>A list of users.</summary>
[MessagePackObject]
public sealed record UserList([property: Key("users")] User[] Users);

/// <summary><c>users.getUsers</c>: the users with these ids (at most 200); unknown ids are left out.
/// Errors: <c>USER_IDS_INVALID</c> (empty or more than 200).</summary>
[RpcMethod("users.getUsers")]
[MessagePackObject]
public sealed record GetUsersCall([property: Key("ids")] long[] Ids) : IRpcCall<UserList>;

/// <summary><c>users.getSelf</c>: the signed-in user of the calling device (a device signed in earlier, e.g. an app
/// restarted with its saved device key, learns its user id here: <c>auth.signIn</c> answers <c>ALREADY_SIGNED_IN</c>).</summary>
[RpcMethod("users.getSelf")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetSelfCall : IRpcCall<User>;

/// <summary><c>users.search</c>: up to <see cref="Limit"/> (1–50, default 20) people and Bot API bots found by
/// <see cref="Prefix"/>, a name query (1–64 characters after trimming, with a letter or digit, or the start of a
/// username: leading '@'s, then only <c>A–Z a–z 0–9 _</c>): every word of it starts a word of the display name or the
/// username, in any order, ignoring case and accents ("ander" finds "Jan Andersson", "jose" finds "José"), or it starts
/// the username as typed (leading '@'s ignored). The account with that very username first, then the whole name, then
/// names or usernames that start with the query, then the rest; each by name, then id. Blocked and deleted accounts
/// and webhooks' posters are never found.
/// Errors: <c>SEARCH_QUERY_INVALID</c>, <c>LIMIT_INVALID</c>.</summary>
[RpcMethod("users.search")]
[MessagePackObject]
public sealed record SearchUsersCall([property: Key("prefix")] string Prefix, [property: Key("limit")] int Limit = 20) : IRpcCall<UserList>;
