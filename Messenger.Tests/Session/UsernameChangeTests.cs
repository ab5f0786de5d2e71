using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Session;

/// <summary><c>account.updateUsername</c>: a new name that others find and sign in by; the old one is free at once.</summary>
public sealed class UsernameChangeTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
    {
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task NewUsername_IsFoundAndSignedInBy_TheOldOneIsFree_AndDevicesStaySignedIn()
    {
        await using var alice = await _host.SignUpAsync("alice_old");
        await using var bob = await _host.SignUpAsync("bob_rename");
        await alice.Client.UpdateProfileAsync("Alice", ""); // the display name the kit gives is the old username's words

        var renamed = await alice.Client.UpdateUsernameAsync("Alice_New");

        renamed.Username.Should().Be("Alice_New");
        (await bob.Client.GetUsersAsync([alice.UserId])).Single().Username.Should().Be("Alice_New");
        (await bob.Client.SearchUsersAsync("alice_n")).Select(u => u.Id).Should().Equal(alice.UserId);
        (await bob.Client.SearchUsersAsync("alice_o")).Should().BeEmpty();
        (await alice.Client.GetDialogsAsync()).Items.Should().BeEmpty("the device that renamed stays signed in");
        await using (var laptop = await _host.ConnectAsync())
        {
            (await laptop.SignInAsync("alice_new", SessionTestKit.Password, "Laptop", "linux")).User.Id.Should().Be(alice.UserId);
        }

        await using var newcomer = await _host.SignUpAsync("alice_old");
        newcomer.UserId.Should().NotBe(alice.UserId, "the old name was free for someone else");
        (await alice.Client.UpdateUsernameAsync("alice_new")).Username.Should().Be("alice_new", "changing only the case of one's own name is allowed");
    }

    [Theory]
    [InlineData("abc", SessionErrorNames.UsernameInvalid)]
    [InlineData("has space", SessionErrorNames.UsernameInvalid)]
    [InlineData("ünïcode_name", SessionErrorNames.UsernameInvalid)]
    [InlineData("a_name_that_is_much_too_long_for_us", SessionErrorNames.UsernameInvalid)]
    [InlineData("BOB_TAKEN", SessionErrorNames.UsernameOccupied)]
    [InlineData("carol_same", SessionErrorNames.UsernameNotModified)]
    public async Task BadUsernames_AreRefusedByName_AndNothingChanges(string username, string error)
    {
        await using var bob = await _host.SignUpAsync("bob_taken");
        await using var carol = await _host.SignUpAsync("carol_same");

        await ChatTestKit.FailsWith(() => carol.Client.UpdateUsernameAsync(username), error);
        await ChatTestKit.FailsWith(() => carol.Client.CallAsync(new Messenger.Contracts.Account.UpdateUsernameCall(null!)), SessionErrorNames.UsernameInvalid);

        (await bob.Client.GetUsersAsync([carol.UserId, bob.UserId])).Select(u => u.Username).Should().Equal("bob_taken", "carol_same");
    }
}
