using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Contacts;
using Messenger.Contracts.Updates;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Microsoft.Data.Sqlite;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary>contacts.getContacts / addContact / deleteContacts: a contact list kept on the server, the same on each of
/// the user's devices, told to nobody else but through the mutual flag.</summary>
public sealed class ContactTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:MaxContacts"] = "3" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AddContact_AddsRenamesAndDeletes_AndTheListIsSortedByTheNamesGiven()
    {
        await using var alice = await _host.SignUpAsync("alice_contacts");
        await using var bob = await _host.SignUpAsync("bob_contacts");
        await using var carol = await _host.SignUpAsync("carol_contacts");
        await using var dave = await _host.SignUpAsync("dave_contacts");

        (await alice.Client.GetContactsAsync()).Should().BeEmpty();
        (await alice.Client.AddContactAsync(bob.UserId, "  zed from work ")).Should().Be(new Contact(bob.UserId, "zed from work", false));
        await alice.Client.AddContactAsync(carol.UserId, "Carol");
        await alice.Client.AddContactAsync(dave.UserId, "anna");

        (await alice.Client.GetContactsAsync()).Should().Equal(
            new Contact(dave.UserId, "anna", false), new Contact(carol.UserId, "Carol", false), new Contact(bob.UserId, "zed from work", false));

        await alice.Client.AddContactAsync(bob.UserId, "Bob");
        var renamedAgain = await alice.Client.CallAsync(new AddContactCall(bob.UserId, "Bob"));
        renamedAgain.PtsCount.Should().Be(0, "the same name again changes nothing");
        (await alice.Client.GetContactsAsync()).Select(c => c.Name).Should().Equal("anna", "Bob", "Carol");

        var deleted = await alice.Client.DeleteContactsAsync([carol.UserId, dave.UserId, carol.UserId, 999_999]);
        deleted.PtsCount.Should().Be(2, "two were in the list; an unknown id and a repeat change nothing");
        (await alice.Client.GetContactsAsync()).Should().Equal(new Contact(bob.UserId, "Bob", false));
        (await alice.Client.DeleteContactsAsync([carol.UserId])).PtsCount.Should().Be(0);
        (await bob.Client.GetContactsAsync()).Should().BeEmpty("each user has a list of their own");
    }

    [Fact]
    public async Task AddContact_BackByTheOtherPerson_MakesItMutualForBoth_WhoAreToldOnlyOfThat()
    {
        await using var alice = await _host.SignUpAsync("alice_mutual");
        await using var bob = await _host.SignUpAsync("bob_mutual");
        var bobsPts = (await bob.Client.CallAsync(new GetStateCall())).Pts;

        (await alice.Client.AddContactAsync(bob.UserId, "Bobby")).Mutual.Should().BeFalse();
        (await bob.Client.CallAsync(new GetStateCall())).Pts.Should().Be(bobsPts, "being added is not told");

        (await bob.Client.AddContactAsync(alice.UserId, "Alice M.")).Should().Be(new Contact(alice.UserId, "Alice M.", true));
        var flipped = await alice.NextAsync<ContactChanged>();
        flipped.UserId.Should().Be(bob.UserId);
        flipped.Contact.Should().Be(new Contact(bob.UserId, "Bobby", true), "alice's own entry, under her name for him");
        (await alice.Client.GetContactsAsync()).Should().Equal(new Contact(bob.UserId, "Bobby", true));

        // A rename is the renamer's business only.
        var alicesPts = (await alice.Client.CallAsync(new GetStateCall())).Pts;
        await bob.Client.AddContactAsync(alice.UserId, "Alice");
        (await alice.Client.CallAsync(new GetStateCall())).Pts.Should().Be(alicesPts);

        await bob.Client.DeleteContactsAsync([alice.UserId]);
        (await alice.NextAsync<ContactChanged>()).Contact.Should().Be(new Contact(bob.UserId, "Bobby", false));
        (await alice.Client.GetContactsAsync()).Single().Mutual.Should().BeFalse();
    }

    [Fact]
    public async Task AddContact_WithABadNameOrPerson_IsRefusedByName_AndStoresNothing()
    {
        await using var admin = await _host.SignUpAsync("the_admin");
        await using var alice = await _host.SignUpAsync("alice_badcontact");
        await using var bob = await _host.SignUpAsync("bob_badcontact");
        var bot = await alice.Client.CreateBotAsync("contacts_bot", "Helper");
        var gone = await _host.SignUpAsync("gone_contact");
        await gone.Client.DeleteAccountAsync(Password);
        await gone.DisposeAsync();

        foreach (var name in new[] { "", "   ", new string('x', 65), "tab\there", "line\nbreak" })
        {
            await FailsWith(() => alice.Client.AddContactAsync(bob.UserId, name), ContactErrorNames.ContactNameInvalid);
        }

        await FailsWith(() => alice.Client.CallAsync(new AddContactCall(bob.UserId, null!)), ContactErrorNames.ContactNameInvalid);
        (await alice.Client.AddContactAsync(bob.UserId, new string('é', 64))).Name.Should().HaveLength(64, "64 characters fit");
        await alice.Client.DeleteContactsAsync([bob.UserId]);

        foreach (var userId in new[] { alice.UserId, 999_999, 0, bot.Bot.Id, gone.UserId })
        {
            await FailsWith(() => alice.Client.AddContactAsync(userId, "Someone"), SessionErrorNames.UserIdInvalid);
        }

        await FailsWith(() => alice.Client.DeleteContactsAsync([]), SessionErrorNames.UserIdsInvalid);
        await FailsWith(() => alice.Client.DeleteContactsAsync([.. Enumerable.Range(1, 201).Select(i => (long)i)]), SessionErrorNames.UserIdsInvalid);
        await FailsWith(() => alice.Client.CallAsync(new DeleteContactsCall(null!)), SessionErrorNames.UserIdsInvalid);
        (await alice.Client.GetContactsAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task AddContact_BeyondTheServersLimit_FailsContactsTooMany_ButARenameStillWorks()
    {
        await using var alice = await _host.SignUpAsync("alice_limit");
        var others = new List<Device>();
        foreach (var name in new[] { "one_limit", "two_limit", "three_limit", "four_limit" })
        {
            others.Add(await _host.SignUpAsync(name));
        }

        foreach (var other in others.Take(3))
        {
            await alice.Client.AddContactAsync(other.UserId, $"Friend {other.UserId}");
        }

        await FailsWith(() => alice.Client.AddContactAsync(others[3].UserId, "One too many"), ContactErrorNames.ContactsTooMany);
        (await alice.Client.AddContactAsync(others[0].UserId, "Renamed")).Name.Should().Be("Renamed", "a contact already there is not a new one");
        await alice.Client.DeleteContactsAsync([others[1].UserId]);
        await alice.Client.AddContactAsync(others[3].UserId, "Now there is room");
        (await alice.Client.GetContactsAsync()).Should().HaveCount(3);
        foreach (var other in others)
        {
            await other.DisposeAsync();
        }
    }

    [Fact]
    public async Task Changes_AreToldToTheUsersOtherDevices_AtOnce_AndToAnOfflineOneWhenItCatchesUp()
    {
        await using var laptop = await _host.SignUpAsync("alice_devices");
        await using var phone = await _host.SignInAnotherDeviceAsync("alice_devices");
        var tablet = await _host.SignInAnotherDeviceAsync("alice_devices");
        var tabletPts = (await tablet.Client.CallAsync(new GetStateCall())).Pts;
        await tablet.DisposeAsync();
        await using var bob = await _host.SignUpAsync("bob_devices");
        await using var carol = await _host.SignUpAsync("carol_devices");

        await laptop.Client.AddContactAsync(bob.UserId, "Bob B.");
        await laptop.Client.AddContactAsync(carol.UserId, "Carol");
        await laptop.Client.AddContactAsync(bob.UserId, "Bob");
        await laptop.Client.DeleteContactsAsync([carol.UserId]);

        var expected = new[]
        {
            (bob.UserId, (Contact?)new Contact(bob.UserId, "Bob B.", false)),
            (carol.UserId, new Contact(carol.UserId, "Carol", false)),
            (bob.UserId, new Contact(bob.UserId, "Bob", false)),
            (carol.UserId, null),
        };
        (await ContactEventsAsync(phone, 4)).Should().Equal(expected);
        await using var tabletAgain = await _host.ReconnectAsync(tablet, tabletPts);
        (await ContactEventsAsync(tabletAgain, 4)).Should().Equal(expected);

        // The device that made the changes moved its position past them without hearing them back.
        await laptop.Client.SendMessageAsync(bob.Peer, "after the contacts");
        (await laptop.ReadUntilAsync(e => e is MessageReceived)).OfType<ContactChanged>().Should().BeEmpty();
    }

    [Fact]
    public async Task DeleteAccount_EmptiesItsList_AndTakesItOutOfEveryOtherList_TellingTheirDevices()
    {
        await using var admin = await _host.SignUpAsync("the_admin");
        await using var alice = await _host.SignUpAsync("alice_leaving");
        await using var bob = await _host.SignUpAsync("bob_staying");
        await using var carol = await _host.SignUpAsync("carol_staying");
        await alice.Client.AddContactAsync(bob.UserId, "Bob");
        await bob.Client.AddContactAsync(alice.UserId, "Alice");
        await bob.Client.AddContactAsync(carol.UserId, "Carol");
        await carol.Client.AddContactAsync(alice.UserId, "Alice C.");

        await alice.Client.DeleteAccountAsync(Password);

        foreach (var stayer in new[] { bob, carol })
        {
            var gone = await stayer.NextAsync<ContactChanged>();
            (gone.UserId, gone.Contact).Should().Be((alice.UserId, (Contact?)null));
        }

        (await bob.Client.GetContactsAsync()).Should().Equal(new Contact(carol.UserId, "Carol", false));
        (await carol.Client.GetContactsAsync()).Should().BeEmpty();
        ContactRowsOf(alice.UserId).Should().Be(0, "neither its own list nor an entry in another's is left");
        await FailsWith(() => bob.Client.AddContactAsync(alice.UserId, "Alice"), SessionErrorNames.UserIdInvalid);
    }

    private static async Task<List<(long UserId, Contact? Contact)>> ContactEventsAsync(Device device, int count)
    {
        var seen = new List<(long, Contact?)>();
        while (seen.Count < count)
        {
            var changed = await device.NextAsync<ContactChanged>();
            seen.Add((changed.UserId, changed.Contact));
        }

        return seen;
    }

    private long ContactRowsOf(long userId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_host.DataDirectory, "messenger.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM session_contacts WHERE owner_id = @user OR user_id = @user";
        command.Parameters.AddWithValue("@user", userId);
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task AddContact_WithinABlockedPair_IsNotMutual_AndTheBlockerIsToldNothing_UntilTheUnblock()
    {
        await using var alice = await _host.SignUpAsync("alice_blockedcontact");
        await using var bob = await _host.SignUpAsync("bob_blockedcontact");
        await bob.Client.AddContactAsync(alice.UserId, "Alice");
        await bob.Client.BlockUserAsync(alice.UserId);
        var bobsPts = (await bob.Client.CallAsync(new GetStateCall())).Pts;

        (await alice.Client.AddContactAsync(bob.UserId, "Bob")).Mutual.Should().BeFalse("within a blocked pair neither learns of the other");
        (await alice.Client.GetContactsAsync()).Should().Equal(new Contact(bob.UserId, "Bob", false));
        (await bob.Client.GetContactsAsync()).Should().Equal(new Contact(alice.UserId, "Alice", false));
        await alice.Client.DeleteContactsAsync([bob.UserId]);
        await alice.Client.AddContactAsync(bob.UserId, "Bob");
        (await bob.Client.CallAsync(new GetStateCall())).Pts.Should().Be(bobsPts, "the blocked user's adds and deletes reach no device of the blocker");

        await bob.Client.UnblockUserAsync(alice.UserId);
        (await alice.Client.GetContactsAsync()).Should().Equal(new Contact(bob.UserId, "Bob", true));
        (await bob.Client.GetContactsAsync()).Should().Equal(new Contact(alice.UserId, "Alice", true));
    }
}
