using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Messages;

/// <summary>
/// A chat folder (Telegram's dialog filter): a named view of the caller's chat list, kept on the server so each of the
/// caller's devices shows the same tabs. A chat is in the folder when it is one of <see cref="IncludePeers"/>, or of a
/// kind the folder takes (<see cref="PrivateChats"/> — people, <see cref="Bots"/>, <see cref="Groups"/> — small and
/// large, <see cref="Channels"/>) and not left out by <see cref="ExcludePeers"/> or by being muted, read or archived
/// (<see cref="ExcludeMuted"/>, <see cref="ExcludeRead"/>, <see cref="ExcludeArchived"/>); the chats named in
/// <see cref="IncludePeers"/> are in it whatever they are. Clients decide membership from the dialogs they hold (the SDK's
/// <c>DialogFolders.Contains</c>, the web client's <c>folders.ts</c>). <see cref="Id"/> is 2–255, chosen by the client
/// (0 is "all chats" and 1 the archive, as Telegram numbers them).
/// </summary>
[MessagePackObject]
public sealed record DialogFilter(
    [property: Key("id")] int Id,
    [property: Key("title")] string Title,
    [property: Key("private_chats")] bool PrivateChats = false,
    [property: Key("bots")] bool Bots = false,
    [property: Key("groups")] bool Groups = false,
    [property: Key("channels")] bool Channels = false,
    [property: Key("exclude_muted")] bool ExcludeMuted = false,
    [property: Key("exclude_read")] bool ExcludeRead = false,
    [property: Key("exclude_archived")] bool ExcludeArchived = false,
    [property: Key("include_peers")] Peer[]? IncludePeers = null,
    [property: Key("exclude_peers")] Peer[]? ExcludePeers = null);

/// <summary>The caller's folders, in the order their tabs show.</summary>
[MessagePackObject]
public sealed record DialogFilters([property: Key("filters")] DialogFilter[] Filters);

/// <summary><c>messages.getDialogFilters</c>: the caller's chat folders in their order.</summary>
[RpcMethod("messages.getDialogFilters")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetDialogFiltersCall : IRpcCall<DialogFilters>;

/// <summary><c>messages.updateDialogFilter</c>: creates folder <see cref="Id"/> (placed last) or replaces it with
/// <see cref="Filter"/> (its <c>id</c> must be <see cref="Id"/>), or deletes it (<see cref="Filter"/> null; deleting a
/// folder there is not changes nothing). The caller's devices are told (<c>dialog_filter</c> in the caller's log).
/// Errors: <c>FILTER_ID_INVALID</c>, <c>FILTER_TITLE_INVALID</c> (empty or more than
/// <see cref="DialogFolderLimits.MaxTitleLength"/> characters after trimming), <c>FILTER_INCLUDE_EMPTY</c> (no kind of
/// chat and no chat named), <c>FILTER_PEERS_INVALID</c> (a chat named twice, in both lists, or more than
/// <see cref="DialogFolderLimits.MaxPeers"/> in a list, not counting deleted groups the folder named already, which are
/// dropped; more than twice that sent), <c>DIALOG_FILTERS_TOO_MUCH</c> (a folder more than
/// <see cref="DialogFolderLimits.MaxFolders"/>), <c>PEER_ID_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c> (a group the caller is
/// not in).</summary>
[RpcMethod("messages.updateDialogFilter")]
[MessagePackObject]
public sealed record UpdateDialogFilterCall([property: Key("id")] int Id, [property: Key("filter")] DialogFilter? Filter) : IRpcCall<AffectedMessages>;

/// <summary><c>messages.updateDialogFiltersOrder</c>: puts the caller's folders in <see cref="Order"/> (every folder's id
/// once). The caller's devices are told (<c>dialog_filter_order</c>). Errors: <c>FILTER_ORDER_INVALID</c>.</summary>
[RpcMethod("messages.updateDialogFiltersOrder")]
[MessagePackObject]
public sealed record UpdateDialogFiltersOrderCall([property: Key("order")] int[] Order) : IRpcCall<AffectedMessages>;

/// <summary>Limits of chat folders.</summary>
public static class DialogFolderLimits
{
    /// <summary>Folders a user may have.</summary>
    public const int MaxFolders = 10;

    /// <summary>Chats each of a folder's lists may name.</summary>
    public const int MaxPeers = 100;

    /// <summary>Characters (text elements: an emoji is one) of a folder's title.</summary>
    public const int MaxTitleLength = 12;

    /// <summary>UTF-16 units of a folder's title, whatever its text elements.</summary>
    public const int MaxTitleUnits = 64;

    /// <summary>The ids a folder may have: 0 is "all chats" and 1 the archive.</summary>
    public const int MinId = 2, MaxId = 255;
}

public static class DialogFolderErrorNames
{
    public const string FilterIdInvalid = "FILTER_ID_INVALID";
    public const string FilterTitleInvalid = "FILTER_TITLE_INVALID";
    public const string FilterIncludeEmpty = "FILTER_INCLUDE_EMPTY";
    public const string FilterPeersInvalid = "FILTER_PEERS_INVALID";
    public const string FiltersTooMuch = "DIALOG_FILTERS_TOO_MUCH";
    public const string FilterOrderInvalid = "FILTER_ORDER_INVALID";
}
