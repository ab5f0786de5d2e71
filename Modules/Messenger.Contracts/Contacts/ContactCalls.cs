using MessagePack;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Contacts;

/// <summary>
/// A person in the caller's contact list, under the name the caller gave them (<see cref="Name"/>, 1–64 characters; one
/// field, as profiles have one display name). <see cref="Mutual"/>: they have the caller in their contacts too. The
/// person is never told they were added; the mutual flag is the only trace, seen by both once both added each other.
/// </summary>
[MessagePackObject]
public sealed record Contact(
    [property: Key("user_id")] long UserId,
    [property: Key("name")] string Name,
    [property: Key("mutual")] bool Mutual);

/// <summary>The caller's contacts, by name (case-insensitive; the same name by user id).</summary>
[MessagePackObject]
public sealed record ContactList([property: Key("contacts")] Contact[] Contacts);

/// <summary>The contact as stored, and the caller's log position after the change (<see cref="PtsCount"/> 0: it was so
/// already, nothing was logged).</summary>
[MessagePackObject]
public sealed record SavedContact(
    [property: Key("contact")] Contact Contact,
    [property: Key("pts")] long Pts,
    [property: Key("pts_count")] int PtsCount);

/// <summary><c>contacts.getContacts</c>: the caller's contacts, sorted by their names. Profiles are
/// <c>users.getUsers</c>' (up to 5,000 people with their photos would make one answer of a megabyte or more).</summary>
[RpcMethod("contacts.getContacts")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetContactsCall : IRpcCall<ContactList>;

/// <summary><c>contacts.addContact</c>: adds <see cref="UserId"/> to the caller's contacts under <see cref="Name"/>
/// (trimmed), or renames them when they are there. The caller's devices are told (<c>contact</c> in the caller's log);
/// when the other person has the caller too, their devices are told that the entry is now mutual. Errors:
/// <c>USER_ID_INVALID</c> (unknown, deleted, the caller, or a bot), <c>CONTACT_NAME_INVALID</c> (empty or more than
/// <see cref="ContactLimits.MaxNameLength"/> characters after trimming, or a control character),
/// <c>CONTACTS_TOO_MANY</c> (the server's limit, 5,000 by default).</summary>
[RpcMethod("contacts.addContact")]
[MessagePackObject]
public sealed record AddContactCall([property: Key("user_id")] long UserId, [property: Key("name")] string Name) : IRpcCall<SavedContact>;

/// <summary><c>contacts.deleteContacts</c>: takes <see cref="UserIds"/> (1–<see cref="ContactLimits.MaxIdsPerCall"/>)
/// out of the caller's contacts; ids that are not there are left alone. The caller's devices are told (a <c>contact</c>
/// with no contact for each one removed), and so are the devices of those who had the caller too (no longer mutual).
/// Answers the caller's log position (<c>pts_count</c>: how many were removed). Errors: <c>USER_IDS_INVALID</c>.</summary>
[RpcMethod("contacts.deleteContacts")]
[MessagePackObject]
public sealed record DeleteContactsCall([property: Key("user_ids")] long[] UserIds) : IRpcCall<AffectedMessages>;

public static class ContactLimits
{
    /// <summary>Characters of a contact's name, as of a display name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Contacts one <c>contacts.deleteContacts</c> takes.</summary>
    public const int MaxIdsPerCall = 200;

    /// <summary>Contacts a user may have unless the server says otherwise (<c>Messenger:Session:MaxContacts</c>).</summary>
    public const int DefaultMaxContacts = 5000;
}

public static class ContactErrorNames
{
    public const string ContactNameInvalid = "CONTACT_NAME_INVALID";
    public const string ContactsTooMany = "CONTACTS_TOO_MANY";
}
