using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;

namespace Messenger.Client;

/// <summary>
/// Typed methods for groups, large groups and channels, their logs and message search. Each is one RPC call: it
/// returns the result or throws <see cref="RpcException"/> with the server's error name (e.g. <c>CHAT_ADMIN_REQUIRED</c>).
/// Results that moved a log (<see cref="ChatChanged"/>) are also given to <see cref="MessengerClient.Events"/>, which
/// starts or stops following the chat's own log when it is a large group.
/// </summary>
public static partial class GroupMethods
{
    /// <summary>Creates a group with the caller as creator and <paramref name="userIds"/> as members; <paramref name="large"/>
    /// makes a large group (own log), <paramref name="broadcast"/> a channel (only admins post).</summary>
    public static Task<ChatChanged> CreateGroupAsync(
        this MessengerClient client, string title, long[] userIds, bool large = false, bool broadcast = false, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new CreateGroupCall(title, userIds, large, broadcast), isMember: true, cancellationToken);

    /// <summary>Adds users to the chat (a small group past the small-group limit becomes a large group).</summary>
    public static Task<ChatChanged> AddMembersAsync(this MessengerClient client, long chatId, long[] userIds, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new AddMembersCall(chatId, userIds), isMember: true, cancellationToken);

    /// <summary>Removes a member (admins; only the creator removes admins).</summary>
    public static Task<ChatChanged> RemoveMemberAsync(this MessengerClient client, long chatId, long userId, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new RemoveMemberCall(chatId, userId), isMember: true, cancellationToken);

    /// <summary>Leaves the chat (not the creator).</summary>
    public static Task<ChatChanged> LeaveGroupAsync(this MessengerClient client, long chatId, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new LeaveGroupCall(chatId), isMember: false, cancellationToken);

    /// <summary>Changes the chat's title (admins).</summary>
    public static Task<ChatChanged> EditTitleAsync(this MessengerClient client, long chatId, string title, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new EditTitleCall(chatId, title), isMember: true, cancellationToken);

    /// <summary>Sets the chat's description (0–255 characters; empty removes it); admins.</summary>
    public static Task<ChatChanged> EditAboutAsync(this MessengerClient client, long chatId, string about, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new EditAboutCall(chatId, about), isMember: true, cancellationToken);

    /// <summary>Sets the chat's photo to a finished upload of an image (see <c>UploadAsync</c>), or removes it (null); admins.</summary>
    public static Task<ChatChanged> EditChatPhotoAsync(
        this MessengerClient client, long chatId, Contracts.Media.InputMedia? photo, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new EditPhotoCall(chatId, photo), isMember: true, cancellationToken);

    /// <summary>Sets what the group's plain members may do and its slow mode in seconds (0, 10, 30, 60, 300, 900 or
    /// 3600; 0: off); admins, not in channels.</summary>
    public static Task<ChatChanged> EditPermissionsAsync(
        this MessengerClient client, long chatId, ChatPermissions permissions, int slowModeSeconds = 0, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new EditPermissionsCall(chatId, permissions, slowModeSeconds), isMember: true, cancellationToken);

    /// <summary>The users an admin removed from the chat, most recently first (admins).</summary>
    public static Task<ChatBans> GetBannedAsync(
        this MessengerClient client, long chatId, int offset = 0, int limit = 100, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetBannedCall(chatId, offset, limit), cancellationToken);

    /// <summary>Lets a removed user join the chat again by an invite link (admins).</summary>
    public static Task<Done> UnbanAsync(this MessengerClient client, long chatId, long userId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new UnbanCall(chatId, userId), cancellationToken);

    /// <summary>Makes a member an admin or a member again (creator only).</summary>
    public static Task<ChatChanged> SetAdminAsync(
        this MessengerClient client, long chatId, long userId, bool isAdmin, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new SetAdminCall(chatId, userId, isAdmin), isMember: true, cancellationToken);

    /// <summary>Hands the chat over to a member (creator only); the caller stays an admin.</summary>
    public static Task<ChatChanged> TransferOwnershipAsync(this MessengerClient client, long chatId, long userId, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new TransferOwnershipCall(chatId, userId), isMember: true, cancellationToken);

    /// <summary>Deletes the group or channel for everyone (creator only): its members' apps get <see cref="ChatUpdated"/> with
    /// <see cref="Contracts.Groups.Chat.Deleted"/> set and <c>IsMember</c> false, this one too; its history, files and invite
    /// links go. Errors: 403 <c>CHAT_CREATOR_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
    public static Task<ChatChanged> DeleteGroupAsync(this MessengerClient client, long chatId, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new DeleteGroupCall(chatId), isMember: false, cancellationToken);

    /// <summary>The chat and up to <paramref name="limit"/> members from <paramref name="offset"/>, by join time (members only).</summary>
    public static Task<ChatFull> GetFullChatAsync(
        this MessengerClient client, long chatId, int offset = 0, int limit = 200, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetFullChatCall(chatId, offset, limit), cancellationToken);

    /// <summary>The chat and the members <paramref name="query"/> finds — every word of it starting a word of their display
    /// name or their username, accents and case ignored — best matches first, up to <paramref name="limit"/> from
    /// <paramref name="offset"/> among them (members only).</summary>
    public static Task<ChatFull> SearchMembersAsync(
        this MessengerClient client, long chatId, string query, int offset = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetFullChatCall(chatId, offset, limit, query), cancellationToken);

    /// <summary>A new invite code (admins), valid <paramref name="expiresInSeconds"/> for <paramref name="usageLimit"/> joins (null: no
    /// limit); with <paramref name="requestNeeded"/> a join by it is a request an admin approves.</summary>
    public static Task<ChatInvite> ExportInviteAsync(
        this MessengerClient client, long chatId, int? expiresInSeconds = null, int? usageLimit = null, bool requestNeeded = false,
        CancellationToken cancellationToken = default) =>
        client.CallAsync(new ExportInviteCall(chatId, expiresInSeconds, usageLimit, requestNeeded), cancellationToken);

    /// <summary>The chat's invite links (admins), newest first, revoked ones included.</summary>
    public static async Task<ChatInvite[]> GetInvitesAsync(this MessengerClient client, long chatId, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetInvitesCall(chatId), cancellationToken)).Invites;

    /// <summary>Stops an invite link from working (admins).</summary>
    public static Task<ChatInvite> RevokeInviteAsync(this MessengerClient client, long chatId, string code, CancellationToken cancellationToken = default) =>
        client.CallAsync(new RevokeInviteCall(chatId, code), cancellationToken);

    /// <summary>What an invite code leads to, before joining.</summary>
    public static Task<InvitePreview> CheckInviteAsync(this MessengerClient client, string code, CancellationToken cancellationToken = default) =>
        client.CallAsync(new CheckInviteCall(code), cancellationToken);

    /// <summary>Who asked to join by a link that needs approval (admins), the oldest first.</summary>
    public static Task<JoinRequests> GetJoinRequestsAsync(
        this MessengerClient client, long chatId, int offset = 0, int limit = 100, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetJoinRequestsCall(chatId, offset, limit), cancellationToken);

    /// <summary>Lets the user in (<paramref name="approved"/>) or declines their request (admins).</summary>
    public static Task<Done> HideJoinRequestAsync(
        this MessengerClient client, long chatId, long userId, bool approved, CancellationToken cancellationToken = default) =>
        client.CallAsync(new HideJoinRequestCall(chatId, userId, approved), cancellationToken);

    /// <summary>Creates an incoming webhook (admins): the answer's <c>path</c>, on this server, is told only now.</summary>
    public static Task<WebhookCreated> CreateWebhookAsync(this MessengerClient client, long chatId, string name, CancellationToken cancellationToken = default) =>
        client.CallAsync(new CreateWebhookCall(chatId, name), cancellationToken);

    /// <summary>The group's webhooks (admins).</summary>
    public static async Task<Webhook[]> GetWebhooksAsync(this MessengerClient client, long chatId, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetWebhooksCall(chatId), cancellationToken)).Items;

    /// <summary>Deletes a webhook (admins): its path stops working at once.</summary>
    public static Task<Done> DeleteWebhookAsync(this MessengerClient client, long chatId, long id, CancellationToken cancellationToken = default) =>
        client.CallAsync(new DeleteWebhookCall(chatId, id), cancellationToken);

    /// <summary>Joins the chat of an invite code; a link that needs approval throws <see cref="RpcException"/>
    /// <c>INVITE_REQUEST_SENT</c>: the request waits for an admin (<see cref="ChatUpdated"/> comes when approved).</summary>
    public static Task<ChatChanged> JoinByInviteAsync(this MessengerClient client, string code, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new JoinByInviteCall(code), isMember: true, cancellationToken);

    /// <summary>Updates of a large group's own log after <paramref name="pts"/> (<see cref="UpdateStream"/> calls it for you).</summary>
    public static Task<ChannelDifference> GetChannelDifferenceAsync(
        this MessengerClient client, long chatId, long pts, int limit = 1000, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetChannelDifferenceCall(chatId, pts, limit), cancellationToken);

    /// <summary>Messages containing every word of <paramref name="query"/> (prefix, case- and accent-insensitive; a
    /// one-character word, and words before the last four, whole words; the first 16 words), in
    /// <paramref name="peer"/> or (null) every chat the caller can read, newest first, older than <paramref name="offsetId"/>;
    /// only those sent by <paramref name="fromId"/> (0: anyone), dated from <paramref name="minDate"/> to
    /// <paramref name="maxDate"/> (whole seconds, both included; null: unbounded) and of the kind <paramref name="filter"/>
    /// (one of <see cref="SearchFilters"/>; null: any). With a filter the query may be empty. With <paramref name="topicId"/>
    /// (0: General) only that topic of the forum <paramref name="peer"/>.</summary>
    public static async Task<Message[]> SearchMessagesAsync(
        this MessengerClient client, string query, Peer? peer = null, long offsetId = 0, int limit = 20, long fromId = 0,
        DateTimeOffset? minDate = null, DateTimeOffset? maxDate = null, string? filter = null, long? topicId = null,
        CancellationToken cancellationToken = default) =>
        (await client.CallAsync(
            new SearchMessagesCall(peer, query, offsetId, limit, fromId, minDate?.ToUnixTimeSeconds() ?? 0, maxDate?.ToUnixTimeSeconds() ?? 0, filter, topicId),
            cancellationToken)).Messages;

    private static async Task<ChatChanged> ObservedAsync(
        MessengerClient client, Contracts.Rpc.IRpcCall<ChatChanged> call, bool isMember, CancellationToken cancellationToken)
    {
        var changed = await client.CallAsync(call, cancellationToken);
        client.Events.Observe(changed, isMember);
        return changed;
    }
}
