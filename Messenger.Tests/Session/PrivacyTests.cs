using Messenger.Client;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Session;

/// <summary><c>account.getPrivacy</c> / <c>account.setPrivacy</c>: who sees one's presence, who may add one to groups.</summary>
public sealed class PrivacyTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Update:OfflineAfterSeconds"] = "1" });

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task GroupInvites_Nobody_KeepsEveryoneFromAddingTheUser_ButAnInviteLinkWorks()
    {
        await using var alice = await _host.SignUpAsync("alice_private");
        await using var bob = await _host.SignUpAsync("bob_private");
        await using var carol = await _host.SignUpAsync("carol_private");
        await alice.SendAsync(bob, "hi");
        (await bob.Client.GetPrivacyAsync()).Should().Be(new PrivacySettings(PrivacyRule.Chats, PrivacyRule.Everybody));

        (await bob.Client.SetPrivacyAsync(new PrivacySettings(GroupInvites: PrivacyRule.Nobody))).GroupInvites.Should().Be(PrivacyRule.Nobody);

        await SessionTestKit.FailsWith(() => alice.Client.CreateGroupAsync("Team", [bob.UserId, carol.UserId]), GroupErrorNames.UserPrivacyRestricted);
        var chat = (await alice.Client.CreateGroupAsync("Team", [carol.UserId], large: true)).Chat;
        await SessionTestKit.FailsWith(() => alice.Client.AddMembersAsync(chat.Id, [bob.UserId]), GroupErrorNames.UserPrivacyRestricted);
        (await alice.Client.GetFullChatAsync(chat.Id)).Members.Select(m => m.UserId).Should().NotContain(bob.UserId);

        var invite = await alice.Client.ExportInviteAsync(chat.Id);
        await bob.Client.JoinByInviteAsync(invite.Code);
        // Already in: adding again is the usual answer, not a privacy refusal.
        await SessionTestKit.FailsWith(() => alice.Client.AddMembersAsync(chat.Id, [bob.UserId]), GroupErrorNames.UserAlreadyParticipant);
    }

    [Fact]
    public async Task GroupInvites_Chats_LetsOnlyThoseWhoHaveAPrivateChatAdd()
    {
        await using var alice = await _host.SignUpAsync("alice_chatsonly");
        await using var bob = await _host.SignUpAsync("bob_chatsonly");
        await using var carol = await _host.SignUpAsync("carol_chatsonly");
        await bob.Client.SetPrivacyAsync(new PrivacySettings(GroupInvites: PrivacyRule.Chats));

        await SessionTestKit.FailsWith(() => carol.Client.CreateGroupAsync("Strangers", [bob.UserId]), GroupErrorNames.UserPrivacyRestricted);
        await alice.SendAsync(bob, "hello, it's alice");

        var chat = (await alice.Client.CreateGroupAsync("Friends", [bob.UserId])).Chat;
        (await alice.Client.GetFullChatAsync(chat.Id)).Members.Select(m => m.UserId).Should().Contain(bob.UserId);
    }

    [Fact]
    public async Task LastSeen_Nobody_HidesThePresence_FromChatPartners_AndTellsThemAtOnce()
    {
        await using var alice = await _host.SignUpAsync("alice_hidden");
        var bob = await _host.SignUpAsync("bob_hidden");
        await alice.SendAsync(bob, "hi");
        await bob.NextAsync<MessageReceived>();
        (await alice.Client.GetStatusesAsync([bob.UserId])).Single().Online.Should().BeTrue();

        await bob.Client.SetPrivacyAsync(new PrivacySettings(LastSeen: PrivacyRule.Nobody));

        var hidden = await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId);
        hidden.Should().Match<UserStatusChanged>(s => s.Hidden && !s.Online && s.LastSeen == DateTimeOffset.UnixEpoch);
        (await alice.Client.GetStatusesAsync([bob.UserId])).Single().Should().Match<Messenger.Contracts.Updates.UserStatusUpdate>(s => s.Hidden && !s.Online && s.LastSeen == 0);

        // Going offline (past the 1 s grace) and coming back are not announced: their timing alone would tell. The next
        // status alice hears of is the one bob's new settings show.
        await bob.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await using var bobAgain = await _host.ReconnectAsync(bob);
        await bobAgain.Client.SetPrivacyAsync(new PrivacySettings(LastSeen: PrivacyRule.Chats));
        (await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId)).Should().Match<UserStatusChanged>(s => s.Online && !s.Hidden);
    }

    [Fact]
    public async Task LastSeen_Everybody_ShowsThePresence_ToUsersWithoutAPrivateChat()
    {
        await using var alice = await _host.SignUpAsync("alice_public");
        await using var carol = await _host.SignUpAsync("carol_public");
        (await carol.Client.GetStatusesAsync([alice.UserId])).Should().BeEmpty();

        await alice.Client.SetPrivacyAsync(new PrivacySettings(LastSeen: PrivacyRule.Everybody));

        (await carol.Client.GetStatusesAsync([alice.UserId])).Should().ContainSingle().Which.Online.Should().BeTrue();
    }

    [Fact]
    public async Task BadSettings_AreRefusedByName_AndChangeNothing()
    {
        await using var alice = await _host.SignUpAsync("alice_badprivacy");

        await SessionTestKit.FailsWith(() => alice.Client.CallAsync(new SetPrivacyCall(null)), SessionErrorNames.PrivacyValueInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.SetPrivacyAsync(new PrivacySettings((PrivacyRule)7)), SessionErrorNames.PrivacyValueInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.SetPrivacyAsync(new PrivacySettings(GroupInvites: (PrivacyRule)(-1))), SessionErrorNames.PrivacyValueInvalid);

        (await alice.Client.GetPrivacyAsync()).Should().Be(new PrivacySettings());
    }

    [Fact]
    public async Task Settings_SurviveARestart()
    {
        using var data = new TempDirectory();
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.SignUpAsync("alice_keeps");
            await alice.Client.SetPrivacyAsync(new PrivacySettings(PrivacyRule.Nobody, PrivacyRule.Chats));
        }

        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_keeps", register: false);
            (await alice.GetPrivacyAsync()).Should().Be(new PrivacySettings(PrivacyRule.Nobody, PrivacyRule.Chats));
        }
    }
}
