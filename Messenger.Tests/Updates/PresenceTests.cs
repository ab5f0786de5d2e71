using Messenger.Client;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Updates;

public sealed class PresenceTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Update:OfflineAfterSeconds"] = "1" });

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Status_WhenChatPartnerDisconnectsAndComesBack_IsPushedOfflineThenOnline()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "hi");
        await bob.NextAsync<MessageReceived>();
        var beforeLeaving = DateTimeOffset.UtcNow;

        await bob.DisposeAsync();

        var offline = await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId && !s.Online);
        offline.LastSeen.Should().BeOnOrAfter(beforeLeaving.AddSeconds(-1)).And.BeOnOrBefore(DateTimeOffset.UtcNow);
        var status = (await alice.Client.GetStatusesAsync([bob.UserId])).Should().ContainSingle().Subject;
        status.Online.Should().BeFalse();
        status.LastSeen.Should().Be(offline.LastSeen.ToUnixTimeSeconds());

        await using var bobAgain = await _host.ReconnectAsync(bob);

        (await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId)).Online.Should().BeTrue();
        (await alice.Client.GetStatusesAsync([bob.UserId])).Should().ContainSingle().Which.Online.Should().BeTrue();
    }

    [Fact]
    public async Task UpdateStatus_Offline_IsPushedToChatPartnersAndOnlineAgain()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "hi");

        await bob.Client.UpdateStatusAsync(offline: true);
        (await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId && !s.Online)).LastSeen.ToUnixTimeSeconds().Should().BePositive();

        await bob.Client.UpdateStatusAsync(offline: false);
        (await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId)).Online.Should().BeTrue();
    }

    [Fact]
    public async Task GetStatuses_ReturnsOnlyUsersWhoShareAChat()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await using var carol = await _host.SignUpAsync("carol_1");
        await alice.SendAsync(bob, "hi");

        var statuses = await alice.Client.GetStatusesAsync([bob.UserId, carol.UserId, 987_654, alice.UserId]);

        statuses.Should().ContainSingle().Which.Should().BeEquivalentTo(new { UserId = bob.UserId, Online = true });
        (await carol.Client.GetStatusesAsync([alice.UserId, bob.UserId])).Should().BeEmpty();
    }
}
