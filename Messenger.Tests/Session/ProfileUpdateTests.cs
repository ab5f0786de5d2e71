using Messenger.Client;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Session;

/// <summary>A profile change reaches, live, the user's other devices and the people they chat with in private chats and
/// small groups, and nobody else.</summary>
public sealed class ProfileUpdateTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
    {
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task NameAndUsernameChanges_ArePushedToChatPartnersAndOwnDevices_NotToStrangers()
    {
        await using var alice = await _host.SignUpAsync("alice_live");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_live");
        await using var bob = await _host.SignUpAsync("bob_live");
        await using var carol = await _host.SignUpAsync("carol_live");
        await bob.SendAsync(alice, "hi");

        await alice.Client.UpdateProfileAsync("Alice Cooper", "rock");

        (await bob.NextAsync<UserUpdated>()).User.Should().Match<Messenger.Contracts.Users.User>(u => u.Id == alice.UserId && u.DisplayName == "Alice Cooper" && u.Bio == "rock");
        (await alicePhone.NextAsync<UserUpdated>()).User.DisplayName.Should().Be("Alice Cooper");
        await alice.Client.UpdateUsernameAsync("alice_cooper");
        (await bob.NextAsync<UserUpdated>()).User.Username.Should().Be("alice_cooper");

        await alice.SendAsync(carol, "carol hears of alice only from now on");
        var carolsEvents = await carol.ReadUntilAsync(e => e is MessageReceived);
        carolsEvents.OfType<UserUpdated>().Should().BeEmpty("carol shared no chat with alice when alice changed");
    }

    [Fact]
    public async Task Changes_ReachSmallGroupCoMembers_ButNotALargeGroupsMembers()
    {
        await using var alice = await _host.SignUpAsync("alice_grplive");
        await using var bob = await _host.SignUpAsync("bob_grplive");
        await using var carol = await _host.SignUpAsync("carol_grplive");
        await alice.Client.CreateGroupAsync("Small", [bob.UserId]);
        await alice.Client.CreateGroupAsync("Large", [carol.UserId], large: true);

        await alice.Client.UpdateProfileAsync("Alice in Groups");

        (await bob.NextAsync<UserUpdated>()).User.DisplayName.Should().Be("Alice in Groups", "bob shares a small group with alice");
        await alice.SendAsync(carol, "carol hears of alice only from now on");
        var carolsEvents = await carol.ReadUntilAsync(e => e is MessageReceived { Message.Text: "carol hears of alice only from now on" });
        carolsEvents.OfType<UserUpdated>().Should().BeEmpty("a large group's members look users up instead");
    }
}
