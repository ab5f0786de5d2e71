using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Groups;

public sealed class GroupInviteTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task JoinByInvite_WithAValidCode_MakesTheCallerAMember(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_invite");
        await using var bob = await host.MemberAsync("bob_invite", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Team", [], large)).Chat;
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "welcome in advance");
        var invite = await alice.Client.ExportInviteAsync(chat.Id);
        invite.ChatId.Should().Be(chat.Id);

        var joined = await bob.Client.JoinByInviteAsync(invite.Code);

        joined.Chat.MemberCount.Should().Be(2);
        joined.Message!.Action.Should().BeEquivalentTo(new ServiceAction(ServiceActions.JoinByInvite, [bob.Id]));
        (await bob.Client.GetFullChatAsync(chat.Id)).Members.Select(m => m.UserId).Should().Contain(bob.Id);
        (await bob.Client.GetHistoryAsync(Peer.Chat(chat.Id))).Select(m => m.Text).Should().Contain("welcome in advance");
        await SessionTestKit.FailsWith(() => bob.Client.JoinByInviteAsync(invite.Code), GroupErrorNames.UserAlreadyParticipant);

        // The joined member's stream follows the chat from now on.
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "hello bob");
        var received = await bob.NextAsync<MessageReceived>(e => e.Message.Text == "hello bob");
        received.ChannelId.Should().Be(large ? chat.Id : null);
    }

    [Fact]
    public async Task JoinByInvite_AfterItExpired_FailsWithInviteHashExpired()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GroupTestKit.StartHostAsync(clock);
        await using var alice = await host.MemberAsync("alice_expire");
        await using var bob = await host.MemberAsync("bob_expire");
        await using var carol = await host.MemberAsync("carol_expire");
        var chat = (await alice.Client.CreateGroupAsync("Team", [])).Chat;
        var invite = await alice.Client.ExportInviteAsync(chat.Id, expiresInSeconds: 60);
        invite.ExpiresAt.Should().Be(clock.GetUtcNow().ToUnixTimeSeconds() + 60);

        clock.Advance(TimeSpan.FromSeconds(59));
        await bob.Client.JoinByInviteAsync(invite.Code);
        clock.Advance(TimeSpan.FromSeconds(1));

        await SessionTestKit.FailsWith(() => carol.Client.JoinByInviteAsync(invite.Code), GroupErrorNames.InviteHashExpired);
        (await alice.Client.GetFullChatAsync(chat.Id)).Members.Select(m => m.UserId).Should().NotContain(carol.Id);
    }

    [Fact]
    public async Task JoinByInvite_WhenItsUsesAreUsedUp_FailsWithInviteHashExpired()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_usedup");
        await using var bob = await host.MemberAsync("bob_usedup");
        await using var carol = await host.MemberAsync("carol_usedup");
        var chat = (await alice.Client.CreateGroupAsync("Team", [], large: true)).Chat;
        var invite = await alice.Client.ExportInviteAsync(chat.Id, usageLimit: 1);

        await bob.Client.JoinByInviteAsync(invite.Code);

        await SessionTestKit.FailsWith(() => carol.Client.JoinByInviteAsync(invite.Code), GroupErrorNames.InviteHashExpired);
        var another = await alice.Client.ExportInviteAsync(chat.Id, usageLimit: 1);
        (await carol.Client.JoinByInviteAsync(another.Code)).Chat.MemberCount.Should().Be(3);
    }

    [Theory]
    [InlineData("demoted")]
    [InlineData("removed")]
    [InlineData("left")]
    [InlineData("deleted")]
    public async Task JoinByInvite_WhenItsMakerIsNoLongerAnAdmin_FailsWithInviteHashExpired_AndTheListShowsItRevoked(string how)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_maker");
        await using var bob = await host.MemberAsync("bob_maker");
        await using var carol = await host.MemberAsync("carol_maker");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id], large: true)).Chat;
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);
        var bobs = await bob.Client.ExportInviteAsync(chat.Id);
        var alices = await alice.Client.ExportInviteAsync(chat.Id);
        (await carol.Client.CheckInviteAsync(bobs.Code)).Title.Should().Be("Team");

        switch (how)
        {
            case "demoted":
                await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: false);
                break;
            case "removed":
                await alice.Client.RemoveMemberAsync(chat.Id, bob.Id);
                break;
            case "left":
                await bob.Client.LeaveGroupAsync(chat.Id);
                break;
            default:
                await bob.Client.DeleteAccountAsync(SessionTestKit.Password);
                break;
        }

        await SessionTestKit.FailsWith(() => carol.Client.CheckInviteAsync(bobs.Code), GroupErrorNames.InviteHashExpired);
        await SessionTestKit.FailsWith(() => carol.Client.JoinByInviteAsync(bobs.Code), GroupErrorNames.InviteHashExpired);
        (await alice.Client.GetInvitesAsync(chat.Id)).ToDictionary(i => i.Code, i => i.Revoked)
            .Should().BeEquivalentTo(new Dictionary<string, bool> { [bobs.Code] = true, [alices.Code] = false });
        (await carol.Client.JoinByInviteAsync(alices.Code)).Chat.Id.Should().Be(chat.Id);
    }

    [Fact]
    public async Task JoinByInvite_WhenItsMakerIsAnAdminAgain_Works()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_again");
        await using var bob = await host.MemberAsync("bob_again");
        await using var carol = await host.MemberAsync("carol_again");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id], large: true)).Chat;
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);
        var invite = await bob.Client.ExportInviteAsync(chat.Id);
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: false);
        await SessionTestKit.FailsWith(() => carol.Client.JoinByInviteAsync(invite.Code), GroupErrorNames.InviteHashExpired);

        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);

        (await carol.Client.JoinByInviteAsync(invite.Code)).Chat.MemberCount.Should().Be(3);
    }

    [Theory]
    [InlineData("no-such-code")]
    [InlineData("")]
    public async Task JoinByInvite_WithAnUnknownCode_FailsWithInviteHashInvalid(string code)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var bob = await host.MemberAsync("bob_badcode");

        await SessionTestKit.FailsWith(() => bob.Client.JoinByInviteAsync(code), GroupErrorNames.InviteHashInvalid);
    }

    [Fact]
    public async Task ExportInvite_WithLimitsOutOfRange_FailsWithTheirErrors()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_limits");
        var chat = (await alice.Client.CreateGroupAsync("Team", [])).Chat;

        await SessionTestKit.FailsWith(() => alice.Client.ExportInviteAsync(chat.Id, expiresInSeconds: 59), GroupErrorNames.ExpiresInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.ExportInviteAsync(chat.Id, usageLimit: 0), GroupErrorNames.UsageLimitInvalid);
    }

    [Fact]
    public async Task JoinByInvite_IntoAFullSmallGroup_ConvertsItToALargeGroup()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_joinconv");
        await using var bob = await host.MemberAsync("bob_joinconv");
        await using var carol = await host.MemberAsync("carol_joinconv");
        await using var dave = await host.MemberAsync("dave_joinconv");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;
        var invite = await alice.Client.ExportInviteAsync(chat.Id);

        var joined = await dave.Client.JoinByInviteAsync(invite.Code);

        joined.Chat.Kind.Should().Be(ChatKind.LargeGroup);
        joined.Chat.MemberCount.Should().Be(GroupTestKit.SmallGroupLimit + 1);
        (await dave.Client.GetHistoryAsync(Peer.Chat(chat.Id))).Select(m => m.Action?.Kind)
            .Should().Contain([ServiceActions.Create, ServiceActions.ConvertToLarge, ServiceActions.JoinByInvite]);
    }
}
