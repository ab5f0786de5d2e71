using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

public sealed class GroupMembershipTests
{
    [Fact]
    public async Task CreateGroup_WithMembers_MakesTheCallerCreatorAndRecordsTheCreation()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_create");
        await using var bob = await host.MemberAsync("bob_create");

        var created = await alice.Client.CreateGroupAsync("  Team  ", [bob.Id]);

        created.Chat.Should().BeEquivalentTo(new { Kind = ChatKind.Group, Title = "Team", CreatorId = alice.Id, MemberCount = 2 });
        created.Message!.Action.Should().BeEquivalentTo(new ServiceAction(ServiceActions.Create, [bob.Id], "Team"));
        var full = await bob.Client.GetFullChatAsync(created.Chat.Id);
        full.Members.Select(m => (m.UserId, m.Role)).Should().BeEquivalentTo([(alice.Id, MemberRole.Creator), (bob.Id, MemberRole.Member)]);
        (await bob.Client.GetHistoryAsync(Peer.Chat(created.Chat.Id))).Should().ContainSingle().Which.Id.Should().Be(created.Message.Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(129)]
    public async Task CreateGroup_WhenTitleIsEmptyOrTooLong_FailsWithChatTitleInvalid(int length)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_title");

        await SessionTestKit.FailsWith(() => alice.Client.CreateGroupAsync(new string('t', length), []), GroupErrorNames.ChatTitleInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.CreateGroupAsync("   ", []), GroupErrorNames.ChatTitleInvalid);
        (await alice.Client.CreateGroupAsync(new string('t', 128), [])).Chat.Title.Should().HaveLength(128);
    }

    [Fact]
    public async Task EditTitle_WhenEmptyOrTooLong_FailsWithChatTitleInvalid()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_retitle");
        var chat = (await alice.Client.CreateGroupAsync("Team", [])).Chat;

        await SessionTestKit.FailsWith(() => alice.Client.EditTitleAsync(chat.Id, ""), GroupErrorNames.ChatTitleInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.EditTitleAsync(chat.Id, new string('t', 129)), GroupErrorNames.ChatTitleInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.EditTitleAsync(chat.Id, "Team"), GroupErrorNames.ChatNotModified);
        (await alice.Client.EditTitleAsync(chat.Id, "Renamed")).Chat.Title.Should().Be("Renamed");
    }

    [Fact]
    public async Task MembershipChanges_EachRecordAServiceMessageInHistory()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_service");
        await using var bob = await host.MemberAsync("bob_service");
        await using var carol = await host.MemberAsync("carol_service");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;

        await alice.Client.AddMembersAsync(chat.Id, [carol.Id]);
        await alice.Client.EditTitleAsync(chat.Id, "Renamed");
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: false);
        await alice.Client.RemoveMemberAsync(chat.Id, carol.Id);
        await bob.Client.LeaveGroupAsync(chat.Id);

        var history = await alice.Client.GetHistoryAsync(Peer.Chat(chat.Id));
        history.Reverse().Select(m => (m.Action!.Kind, m.FromId, m.Action.UserIds.FirstOrDefault())).Should().Equal(
            (ServiceActions.Create, alice.Id, bob.Id),
            (ServiceActions.AddMembers, alice.Id, carol.Id),
            (ServiceActions.EditTitle, alice.Id, 0L),
            (ServiceActions.SetAdmin, alice.Id, bob.Id),
            (ServiceActions.UnsetAdmin, alice.Id, bob.Id),
            (ServiceActions.RemoveMember, alice.Id, carol.Id),
            (ServiceActions.Leave, bob.Id, bob.Id));
        history.Should().OnlyContain(m => m.Text == "");
        history.Single(m => m.Action!.Kind == ServiceActions.EditTitle).Action!.Title.Should().Be("Renamed");
        (await alice.Client.GetFullChatAsync(chat.Id)).Members.Should().ContainSingle().Which.UserId.Should().Be(alice.Id);
    }

    [Fact]
    public async Task AddMembers_WhenAMemberAddsToALargeGroup_FailsWithChatAdminRequired()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_addadm");
        await using var bob = await host.MemberAsync("bob_addadm");
        await using var carol = await host.MemberAsync("carol_addadm");
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat;

        var error = await SessionTestKit.FailsWith(() => bob.Client.AddMembersAsync(chat.Id, [carol.Id]), GroupErrorNames.ChatAdminRequired);
        error.Code.Should().Be(403);

        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);
        (await bob.Client.AddMembersAsync(chat.Id, [carol.Id])).Chat.MemberCount.Should().Be(3);
    }

    [Fact]
    public async Task AddMembers_InASmallGroup_AnyMemberMayAdd()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_addany");
        await using var bob = await host.MemberAsync("bob_addany");
        await using var carol = await host.MemberAsync("carol_addany");
        var chat = (await alice.Client.CreateGroupAsync("Small", [bob.Id])).Chat;

        (await bob.Client.AddMembersAsync(chat.Id, [carol.Id])).Chat.MemberCount.Should().Be(3);
    }

    [Fact]
    public async Task AddMembers_WhenAlreadyAMember_FailsWithUserAlreadyParticipant()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_already");
        await using var bob = await host.MemberAsync("bob_already");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;

        await SessionTestKit.FailsWith(() => alice.Client.AddMembersAsync(chat.Id, [bob.Id]), GroupErrorNames.UserAlreadyParticipant);
    }

    [Fact]
    public async Task RemoveMember_ByAPlainMember_FailsWithChatAdminRequired()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_rmadm");
        await using var bob = await host.MemberAsync("bob_rmadm");
        await using var carol = await host.MemberAsync("carol_rmadm");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;

        var error = await SessionTestKit.FailsWith(() => bob.Client.RemoveMemberAsync(chat.Id, carol.Id), GroupErrorNames.ChatAdminRequired);
        error.Code.Should().Be(403);
    }

    [Fact]
    public async Task RemoveMember_WhenAnAdminRemovesAnotherAdminOrTheCreator_FailsWithChatCreatorRequired()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_rmcre");
        await using var bob = await host.MemberAsync("bob_rmcre");
        await using var carol = await host.MemberAsync("carol_rmcre");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);
        await alice.Client.SetAdminAsync(chat.Id, carol.Id, isAdmin: true);

        (await SessionTestKit.FailsWith(() => bob.Client.RemoveMemberAsync(chat.Id, carol.Id), GroupErrorNames.ChatCreatorRequired)).Code.Should().Be(403);
        await SessionTestKit.FailsWith(() => bob.Client.RemoveMemberAsync(chat.Id, alice.Id), GroupErrorNames.ChatCreatorRequired);

        (await alice.Client.RemoveMemberAsync(chat.Id, carol.Id)).Chat.MemberCount.Should().Be(2);
    }

    [Fact]
    public async Task RemoveMember_WhenNotAMember_FailsWithUserNotParticipant()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_rmnot");
        await using var bob = await host.MemberAsync("bob_rmnot");
        var chat = (await alice.Client.CreateGroupAsync("Team", [])).Chat;

        await SessionTestKit.FailsWith(() => alice.Client.RemoveMemberAsync(chat.Id, bob.Id), GroupErrorNames.UserNotParticipant);
        await SessionTestKit.FailsWith(() => alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true), GroupErrorNames.UserNotParticipant);
    }

    [Fact]
    public async Task TransferOwnership_HandsTheChatToAMember_WhoAloneMayThenSetAdmins_AndTheFormerCreatorMayLeave()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_owner");
        await using var bob = await host.MemberAsync("bob_owner");
        await using var carol = await host.MemberAsync("carol_owner");
        await using var dave = await host.MemberAsync("dave_owner");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;
        await SessionTestKit.FailsWith(() => alice.Client.LeaveGroupAsync(chat.Id), GroupErrorNames.ChatCreatorCannotLeave);

        await SessionTestKit.FailsWith(() => bob.Client.TransferOwnershipAsync(chat.Id, bob.Id), GroupErrorNames.ChatCreatorRequired);
        await SessionTestKit.FailsWith(() => alice.Client.TransferOwnershipAsync(chat.Id, dave.Id), GroupErrorNames.UserNotParticipant);
        await SessionTestKit.FailsWith(() => alice.Client.TransferOwnershipAsync(chat.Id, alice.Id), GroupErrorNames.ChatNotModified);
        await SessionTestKit.FailsWith(() => dave.Client.TransferOwnershipAsync(chat.Id, dave.Id), GroupErrorNames.ChatNotFound);

        var handed = await alice.Client.TransferOwnershipAsync(chat.Id, bob.Id);

        handed.Chat.CreatorId.Should().Be(bob.Id);
        handed.Message!.Action.Should().BeEquivalentTo(new ServiceAction(ServiceActions.TransferOwnership, [bob.Id]));
        (await carol.Client.GetFullChatAsync(chat.Id)).Members.Select(m => (m.UserId, m.Role))
            .Should().BeEquivalentTo([(alice.Id, MemberRole.Admin), (bob.Id, MemberRole.Creator), (carol.Id, MemberRole.Member)]);
        await SessionTestKit.FailsWith(() => alice.Client.SetAdminAsync(chat.Id, carol.Id, isAdmin: true), GroupErrorNames.ChatCreatorRequired);
        await bob.Client.SetAdminAsync(chat.Id, carol.Id, isAdmin: true);
        (await alice.Client.LeaveGroupAsync(chat.Id)).Chat.MemberCount.Should().Be(2);
    }

    [Fact]
    public async Task TransferOwnership_ToABot_FailsWithUserIsBot_AndADeletedCreatorsSuccessorIsNoBot()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        // The first user (the server's admin, who cannot delete their account) owns the bot: it outlives alice.
        await using var carol = await host.MemberAsync("carol_botowner");
        await using var alice = await host.MemberAsync("alice_botowner");
        await using var bob = await host.MemberAsync("bob_botowner");
        var bot = (await carol.Client.CreateBotAsync("helper_botowner_bot", "Helper")).Bot;
        var chat = (await alice.Client.CreateGroupAsync("Team", [bot.Id, bob.Id])).Chat;
        await alice.Client.SetAdminAsync(chat.Id, bot.Id, isAdmin: true);

        await SessionTestKit.FailsWith(() => alice.Client.TransferOwnershipAsync(chat.Id, bot.Id), SessionErrorNames.UserIsBot);

        (await bob.Client.GetFullChatAsync(chat.Id)).Chat.CreatorId.Should().Be(alice.Id);
        // The longest-standing admin is the bot: the chat passes to the member who can answer for it.
        await alice.Client.DeleteAccountAsync(SessionTestKit.Password);
        (await bob.Client.GetFullChatAsync(chat.Id)).Members.Select(m => (m.UserId, m.Role))
            .Should().BeEquivalentTo([(bot.Id, MemberRole.Admin), (bob.Id, MemberRole.Creator)]);
    }

    [Fact]
    public async Task SetAdmin_ByAnAdminWhoIsNotTheCreator_FailsWithChatCreatorRequired()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_setadm");
        await using var bob = await host.MemberAsync("bob_setadm");
        await using var carol = await host.MemberAsync("carol_setadm");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);

        var error = await SessionTestKit.FailsWith(() => bob.Client.SetAdminAsync(chat.Id, carol.Id, isAdmin: true), GroupErrorNames.ChatCreatorRequired);
        error.Code.Should().Be(403);
        (await bob.Client.GetFullChatAsync(chat.Id)).Members.Single(m => m.UserId == bob.Id).Role.Should().Be(MemberRole.Admin);
    }

    [Fact]
    public async Task EditTitle_ByAPlainMember_FailsWithChatAdminRequired()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_titleadm");
        await using var bob = await host.MemberAsync("bob_titleadm");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;

        (await SessionTestKit.FailsWith(() => bob.Client.EditTitleAsync(chat.Id, "Mine"), GroupErrorNames.ChatAdminRequired)).Code.Should().Be(403);
        await SessionTestKit.FailsWith(() => bob.Client.ExportInviteAsync(chat.Id), GroupErrorNames.ChatAdminRequired);
    }

    [Fact]
    public async Task Leave_ByTheCreator_FailsWithChatCreatorCannotLeave()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_leavecre");
        await using var bob = await host.MemberAsync("bob_leavecre");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;

        (await SessionTestKit.FailsWith(() => alice.Client.LeaveGroupAsync(chat.Id), GroupErrorNames.ChatCreatorCannotLeave)).Code.Should().Be(403);
        (await bob.Client.LeaveGroupAsync(chat.Id)).Chat.MemberCount.Should().Be(1);
        await SessionTestKit.FailsWith(() => bob.Client.LeaveGroupAsync(chat.Id), GroupErrorNames.ChatNotFound);
    }

    [Fact]
    public async Task GetFull_PagesMembersByJoinTime()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_getfull");
        var others = await host.RegisterUsersAsync("getfull_user", 4);
        var chat = (await alice.Client.CreateGroupAsync("Large", others, large: true)).Chat;

        var first = await alice.Client.GetFullChatAsync(chat.Id, offset: 0, limit: 2);
        var rest = await alice.Client.GetFullChatAsync(chat.Id, offset: 2, limit: 10);

        first.Chat.MemberCount.Should().Be(5);
        first.Members.Concat(rest.Members).Select(m => m.UserId).Should().BeEquivalentTo([alice.Id, .. others]);
        first.Members.Should().HaveCount(2);
    }

    [Fact]
    public async Task GetFull_WhenTheCallerIsNotOnThePage_StillTellsItsOwnRole()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_myrole");
        await using var bob = await host.MemberAsync("bob_myrole");
        var chat = (await alice.Client.CreateGroupAsync("News", [bob.Id], large: true, broadcast: true)).Chat;

        (await bob.Client.GetFullChatAsync(chat.Id, offset: 0, limit: 1)).Should().BeEquivalentTo(
            new { MyRole = MemberRole.Member, Members = new[] { new { UserId = alice.Id } } });
        (await alice.Client.GetFullChatAsync(chat.Id)).MyRole.Should().Be(MemberRole.Creator);
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);
        (await bob.Client.GetFullChatAsync(chat.Id, offset: 0, limit: 1)).MyRole.Should().Be(MemberRole.Admin);
    }
}
