using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Groups;

/// <summary>A user an admin removed stays out until an admin lets them back; one who left may come back.</summary>
public sealed class BanTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARemovedMember_CannotRejoinByTheLink_NorBeAddedByAPlainMember_UntilAnAdminLetsThemBack(bool large)
    {
        var suffix = large ? "l" : "s";
        await using var alice = await _host.MemberAsync($"alice_ban{suffix}");
        await using var bob = await _host.MemberAsync($"bob_ban{suffix}");
        await using var spammer = await _host.MemberAsync($"spammer_ban{suffix}");
        var group = await alice.Client.CreateGroupAsync("Moderated", [bob.Id, spammer.Id], large);
        var chatId = group.Chat.Id;
        var link = await alice.Client.ExportInviteAsync(chatId);

        await alice.Client.RemoveMemberAsync(chatId, spammer.Id);

        await ChatTestKit.FailsWith(() => spammer.Client.JoinByInviteAsync(link.Code), GroupErrorNames.UserBannedInChat, 403);
        await ChatTestKit.FailsWith(() => bob.Client.AddMembersAsync(chatId, [spammer.Id]),
            large ? GroupErrorNames.ChatAdminRequired : GroupErrorNames.UserBannedInChat, 403);
        (await alice.Client.GetBannedAsync(chatId)).Should().BeEquivalentTo(new ChatBans([spammer.Id], 1));
        (await alice.Client.GetFullChatAsync(chatId)).Members.Should().NotContain(m => m.UserId == spammer.Id);
        _host.CountRows("message_invites").Should().Be(1);

        await alice.Client.UnbanAsync(chatId, spammer.Id);
        (await alice.Client.GetBannedAsync(chatId)).Total.Should().Be(0);
        (await spammer.Client.JoinByInviteAsync(link.Code)).Chat.MemberCount.Should().Be(3);
        await ChatTestKit.FailsWith(() => alice.Client.UnbanAsync(chatId, spammer.Id), GroupErrorNames.ChatNotModified);
    }

    [Fact]
    public async Task AnAdminAddingARemovedUser_LiftsTheBan_AndLeavingBansNobody()
    {
        await using var alice = await _host.MemberAsync("alice_unban");
        await using var bob = await _host.MemberAsync("bob_unban");
        await using var carol = await _host.MemberAsync("carol_unban");
        var group = await alice.Client.CreateGroupAsync("Second chances", [bob.Id, carol.Id]);
        var chatId = group.Chat.Id;
        var link = await alice.Client.ExportInviteAsync(chatId);

        await alice.Client.RemoveMemberAsync(chatId, bob.Id);
        await alice.Client.AddMembersAsync(chatId, [bob.Id]);
        (await alice.Client.GetBannedAsync(chatId)).Total.Should().Be(0, "adding them back is letting them back");
        await bob.Client.LeaveGroupAsync(chatId);
        (await bob.Client.JoinByInviteAsync(link.Code)).Chat.MemberCount.Should().Be(3, "who left may come back");
        await carol.Client.LeaveGroupAsync(chatId);
        await bob.Client.AddMembersAsync(chatId, [carol.Id]);
        (await alice.Client.GetBannedAsync(chatId)).Total.Should().Be(0);
    }

    [Fact]
    public async Task BanLists_AreForAdmins_AndBadCallsAreRefusedByName()
    {
        await using var alice = await _host.MemberAsync("alice_banlist");
        await using var bob = await _host.MemberAsync("bob_banlist");
        await using var carol = await _host.MemberAsync("carol_banlist");
        await using var outsider = await _host.MemberAsync("outsider_banlist");
        var group = await alice.Client.CreateGroupAsync("Lists", [bob.Id, carol.Id]);
        var chatId = group.Chat.Id;
        await alice.Client.RemoveMemberAsync(chatId, carol.Id);

        await ChatTestKit.FailsWith(() => bob.Client.GetBannedAsync(chatId), GroupErrorNames.ChatAdminRequired, 403);
        await ChatTestKit.FailsWith(() => bob.Client.UnbanAsync(chatId, carol.Id), GroupErrorNames.ChatAdminRequired, 403);
        await ChatTestKit.FailsWith(() => outsider.Client.GetBannedAsync(chatId), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => outsider.Client.UnbanAsync(chatId, carol.Id), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => carol.Client.UnbanAsync(chatId, carol.Id), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.GetBannedAsync(chatId, offset: -1), MessageErrorNames.OffsetInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetBannedAsync(chatId, limit: 0), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetBannedAsync(chatId, limit: 1001), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.UnbanAsync(chatId, bob.Id), GroupErrorNames.ChatNotModified);
        await ChatTestKit.FailsWith(() => alice.Client.UnbanAsync(chatId, 987654), GroupErrorNames.ChatNotModified);

        (await alice.Client.GetBannedAsync(chatId)).UserIds.Should().Equal(carol.Id);
    }
}
