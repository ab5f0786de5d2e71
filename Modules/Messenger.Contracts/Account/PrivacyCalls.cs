using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Account;

/// <summary>Who a privacy setting lets in: anyone signed in to the server, the users one has a private chat with (a
/// message exchanged), nobody, or the people in one's own contact list (<c>contacts.addContact</c>; Telegram's "My
/// contacts": whether they have one in theirs does not matter).</summary>
public enum PrivacyRule
{
    Everybody = 0,
    Chats = 1,
    Nobody = 2,
    Contacts = 3,
}

/// <summary>
/// The account's privacy: who sees when it is online and was last seen (<see cref="LastSeen"/>; default
/// <see cref="PrivacyRule.Chats"/>: the users it has a private chat with; others hidden see "last seen recently";
/// <see cref="PrivacyRule.Contacts"/>: the people in its contact list), and
/// who may add it to groups and channels (<see cref="GroupInvites"/>; default <see cref="PrivacyRule.Everybody"/>;
/// anyone may still send it an invite link), and who may call it (<see cref="Calls"/>; default everybody).
/// </summary>
[MessagePackObject]
public sealed record PrivacySettings(
    [property: Key("last_seen")] PrivacyRule LastSeen = PrivacyRule.Chats,
    [property: Key("group_invites")] PrivacyRule GroupInvites = PrivacyRule.Everybody,
    [property: Key("calls")] PrivacyRule Calls = PrivacyRule.Everybody);

/// <summary><c>account.getPrivacy</c>: the caller's privacy settings.</summary>
[RpcMethod("account.getPrivacy")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetPrivacyCall : IRpcCall<PrivacySettings>;

/// <summary><c>account.setPrivacy</c>: replaces the caller's privacy settings; answers them as stored. The users who
/// share a private chat with the caller are told at once of a change to what they see of the caller's presence.
/// Errors: <c>PRIVACY_VALUE_INVALID</c>.</summary>
[RpcMethod("account.setPrivacy")]
[MessagePackObject]
public sealed record SetPrivacyCall([property: Key("settings")] PrivacySettings? Settings) : IRpcCall<PrivacySettings>;
