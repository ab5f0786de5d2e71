using Messenger.Contracts.Contacts;
using Messenger.Contracts.Messages;

namespace Messenger.Client;

/// <summary>
/// The user's contact list: people under the names the user gave them, the same on each of the user's devices (the
/// others get <see cref="ContactChanged"/>). A person added is not told; <see cref="Contact.Mutual"/> says whether they
/// added the user too.
/// </summary>
public static class ContactMethods
{
    /// <summary>The user's contacts, sorted by name (profiles: <see cref="SessionMethods.GetUsersAsync"/>).</summary>
    public static async Task<Contact[]> GetContactsAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetContactsCall(), cancellationToken)).Contacts;

    /// <summary>Adds the person under <paramref name="name"/> (1–64 characters), or renames them when they are a contact
    /// already; answers the contact as stored.</summary>
    public static async Task<Contact> AddContactAsync(this MessengerClient client, long userId, string name, CancellationToken cancellationToken = default)
    {
        var saved = await client.CallAsync(new AddContactCall(userId, name), cancellationToken);
        client.Events.Observe(new AffectedMessages(saved.Pts, saved.PtsCount));
        return saved.Contact;
    }

    /// <summary>Takes these people out of the contact list (1–200 ids; ones not in it are left alone).</summary>
    public static async Task<AffectedMessages> DeleteContactsAsync(this MessengerClient client, long[] userIds, CancellationToken cancellationToken = default)
    {
        var affected = await client.CallAsync(new DeleteContactsCall(userIds), cancellationToken);
        client.Events.Observe(affected);
        return affected;
    }
}
