using Messenger.Client;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Session;

/// <summary><c>account.getPrivacy</c> / <c>account.setPrivacy</c>: who sees one's presence, who may add one to groups,
/// who may call one.</summary>
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
    public async Task Chats_IsNotMetByAMuteADraftOrAPinSetOnAStranger_NorTypingForwardedToThem()
    {
        await using var bob = await _host.SignUpAsync("bob_nochat");
        await using var carol = await _host.SignUpAsync("carol_nochat");
        await bob.Client.SetPrivacyAsync(new PrivacySettings(GroupInvites: PrivacyRule.Chats, Calls: PrivacyRule.Chats));

        // Each creates the private chat's row (so the setting holds from its first message), without a word to bob.
        await carol.Client.MuteChatAsync(bob.Peer, DateTimeOffset.UtcNow.AddDays(1));
        await carol.Client.SaveDraftAsync(bob.Peer, "not sent");
        await carol.Client.PinDialogAsync(bob.Peer);

        await SessionTestKit.FailsWith(() => carol.Client.CreateGroupAsync("Strangers", [bob.UserId]), GroupErrorNames.UserPrivacyRestricted);
        await SessionTestKit.FailsWith(() => carol.Client.RequestCallAsync(bob.UserId, "v=0"), GroupErrorNames.UserPrivacyRestricted);
        await carol.Client.SetTypingAsync(bob.Peer);
        await carol.SendAsync(bob, "marker");
        (await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "marker" })).OfType<UserTyping>().Should().BeEmpty();

        // Now they chat: the message is in bob's list. The notice that went to nobody left no cancel to forward.
        await carol.Client.CreateGroupAsync("Friends", [bob.UserId]);
        await carol.Client.SetTypingAsync(bob.Peer, TypingActions.Cancel);
        await carol.Client.SetTypingAsync(bob.Peer);
        (await bob.NextAsync<UserTyping>()).Should().Match<UserTyping>(t => t.UserId == carol.UserId && t.Action == TypingActions.Typing);

        // Bob clears the chat: it leaves his list, and with it what the rule lets carol do.
        await bob.Client.CallAsync(new DeleteHistoryCall(carol.Peer));
        await SessionTestKit.FailsWith(() => carol.Client.CreateGroupAsync("Again", [bob.UserId]), GroupErrorNames.UserPrivacyRestricted);
        await SessionTestKit.FailsWith(() => carol.Client.RequestCallAsync(bob.UserId, "v=0"), GroupErrorNames.UserPrivacyRestricted);
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
    public async Task LastSeen_MyContacts_ShowsThePresenceToTheUsersContacts_HidesItFromOtherChatPartners_AndFollowsTheList()
    {
        await using var alice = await _host.SignUpAsync("alice_seencontacts");
        await using var bob = await _host.SignUpAsync("bob_seencontacts");
        await using var carol = await _host.SignUpAsync("carol_seencontacts");
        await using var dave = await _host.SignUpAsync("dave_seencontacts");
        await alice.SendAsync(bob, "hi");
        await bob.NextAsync<MessageReceived>();
        await bob.Client.AddContactAsync(carol.UserId, "Carol");

        await bob.Client.SetPrivacyAsync(new PrivacySettings(LastSeen: PrivacyRule.Contacts));

        (await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId)).Hidden.Should().BeTrue("alice chats with bob but is not in his contacts");
        (await alice.Client.GetStatusesAsync([bob.UserId])).Single().Hidden.Should().BeTrue();
        (await carol.Client.GetStatusesAsync([bob.UserId])).Single().Should().Match<Messenger.Contracts.Updates.UserStatusUpdate>(
            s => s.Online && !s.Hidden, "carol is in bob's contacts, with or without a chat");
        (await dave.Client.GetStatusesAsync([bob.UserId])).Should().BeEmpty("dave neither chats with bob nor is his contact");
        await dave.Client.AddContactAsync(bob.UserId, "Bob");
        (await dave.Client.GetStatusesAsync([bob.UserId])).Should().BeEmpty("what counts is bob's list, not dave's");

        await bob.Client.AddContactAsync(alice.UserId, "Alice");
        (await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId)).Should().Match<UserStatusChanged>(s => s.Online && !s.Hidden);
        (await alice.Client.GetStatusesAsync([bob.UserId])).Single().Online.Should().BeTrue();

        await bob.Client.DeleteContactsAsync([alice.UserId]);
        (await alice.NextAsync<UserStatusChanged>(s => s.UserId == bob.UserId)).Hidden.Should().BeTrue();
        (await alice.Client.GetStatusesAsync([bob.UserId])).Single().Hidden.Should().BeTrue();
    }

    [Fact]
    public async Task GroupInvites_MyContacts_LetsOnlyThePeopleTheUserAddedPutThemInGroups()
    {
        await using var alice = await _host.SignUpAsync("alice_invcontacts");
        await using var bob = await _host.SignUpAsync("bob_invcontacts");
        await using var carol = await _host.SignUpAsync("carol_invcontacts");
        await alice.SendAsync(bob, "a chat is not enough");
        await alice.Client.AddContactAsync(bob.UserId, "Bob");
        await bob.Client.AddContactAsync(carol.UserId, "Carol");

        await bob.Client.SetPrivacyAsync(new PrivacySettings(GroupInvites: PrivacyRule.Contacts));

        await SessionTestKit.FailsWith(() => alice.Client.CreateGroupAsync("Alice's", [bob.UserId]), GroupErrorNames.UserPrivacyRestricted);
        var chat = (await carol.Client.CreateGroupAsync("Carol's", [bob.UserId])).Chat;
        (await carol.Client.GetFullChatAsync(chat.Id)).Members.Select(m => m.UserId).Should().Contain(bob.UserId);

        var large = (await alice.Client.CreateGroupAsync("Later", [carol.UserId], large: true)).Chat;
        await SessionTestKit.FailsWith(() => alice.Client.AddMembersAsync(large.Id, [bob.UserId]), GroupErrorNames.UserPrivacyRestricted);
        await bob.Client.AddContactAsync(alice.UserId, "Alice");
        await alice.Client.AddMembersAsync(large.Id, [bob.UserId]);
        (await alice.Client.GetFullChatAsync(large.Id)).Members.Select(m => m.UserId).Should().Contain(bob.UserId);
    }

    [Fact]
    public async Task Calls_MyContacts_LetsOnlyThePeopleTheUserAddedRing()
    {
        await using var alice = await _host.SignUpAsync("alice_callcontacts");
        await using var bob = await _host.SignUpAsync("bob_callcontacts");
        await using var carol = await _host.SignUpAsync("carol_callcontacts");
        await alice.SendAsync(bob, "call me?");
        await alice.Client.AddContactAsync(bob.UserId, "Bob");
        await bob.Client.AddContactAsync(carol.UserId, "Carol");

        await bob.Client.SetPrivacyAsync(new PrivacySettings(Calls: PrivacyRule.Contacts));

        await SessionTestKit.FailsWith(() => alice.Client.RequestCallAsync(bob.UserId, "v=0"), GroupErrorNames.UserPrivacyRestricted);
        var call = await carol.Client.RequestCallAsync(bob.UserId, "v=0 carol");
        call.State.Should().Be(Messenger.Contracts.Calls.CallState.Ringing);
        await carol.Client.DiscardCallAsync(call.Id);

        await bob.Client.AddContactAsync(alice.UserId, "Alice");
        (await alice.Client.RequestCallAsync(bob.UserId, "v=0 alice")).CalleeId.Should().Be(bob.UserId);
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
    [Fact]
    public async Task LastSeen_Chats_IsDecidedByTheTargetsChatList_SoClearingTheChatHidesThePresence()
    {
        await using var bob = await _host.SignUpAsync("bob_cleared");
        await using var carol = await _host.SignUpAsync("carol_cleared");
        await carol.SendAsync(bob, "hi stranger");
        await bob.NextAsync<MessageReceived>();
        (await carol.Client.GetStatusesAsync([bob.UserId])).Should().ContainSingle().Which.Online.Should().BeTrue();

        // Carol clearing her side changes nothing: the rule reads bob's list, where her message still is.
        await carol.Client.DeleteHistoryAsync(bob.Peer);
        (await carol.Client.GetStatusesAsync([bob.UserId])).Should().ContainSingle().Which.Online.Should().BeTrue();

        await bob.Client.DeleteHistoryAsync(carol.Peer);

        (await carol.Client.GetStatusesAsync([bob.UserId])).Should().BeEmpty();
        await bob.Client.SetPrivacyAsync(new PrivacySettings(LastSeen: PrivacyRule.Nobody));
        (await carol.Client.GetStatusesAsync([bob.UserId])).Should().BeEmpty("not even the hidden status: carol is not in bob's list");
    }

    [Fact]
    public async Task LastSeen_Chats_AfterTheUserClearedTheChat_IsNotPushedToTheOtherUser()
    {
        await using var bob = await _host.SignUpAsync("bob_unpushed");
        await using var carol = await _host.SignUpAsync("carol_unpushed");
        await carol.SendAsync(bob, "hi stranger");
        await bob.NextAsync<MessageReceived>();
        await bob.Client.DeleteHistoryAsync(carol.Peer);

        await bob.Client.UpdateStatusAsync(offline: true);
        // Bob writes to her (his list holds the chat again), then comes back: only that status reaches carol.
        await bob.SendAsync(carol, "back in touch");
        await bob.Client.UpdateStatusAsync(offline: false);

        var heard = await carol.ReadUntilAsync(e => e is UserStatusChanged s && s.UserId == bob.UserId && s.Online);
        heard.OfType<UserStatusChanged>().Where(s => s.UserId == bob.UserId && !s.Online).Should().BeEmpty();
    }
}
