using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Groups;

/// <summary><c>groups.editAbout</c>: a group's description, set by admins, seen by members.</summary>
public sealed class GroupAboutTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Description_IsSetByAnAdmin_TrimmedAndSeenByMembers_AndRemovedByEmptyText()
    {
        await using var alice = await _host.MemberAsync("alice_about");
        await using var bob = await _host.MemberAsync("bob_about", listen: true);
        var group = await alice.Client.CreateGroupAsync("Release train", [bob.Id]);
        group.Chat.About.Should().BeEmpty();

        var changed = await alice.Client.EditAboutAsync(group.Chat.Id, "  Ships every Friday. Ask in here first.  ");

        changed.Chat.About.Should().Be("Ships every Friday. Ask in here first.");
        changed.Message!.Action!.Kind.Should().Be(ServiceActions.EditAbout);
        (await bob.NextAsync<MessageReceived>(m => m.Message.Action?.Kind == ServiceActions.EditAbout)).Peer.Should().Be(Peer.Chat(group.Chat.Id));
        (await bob.Client.GetFullChatAsync(group.Chat.Id)).Chat.About.Should().Be("Ships every Friday. Ask in here first.");
        await ChatTestKit.FailsWith(() => bob.Client.EditAboutAsync(group.Chat.Id, "mine now"), GroupErrorNames.ChatAdminRequired, 403);
        await ChatTestKit.FailsWith(() => alice.Client.EditAboutAsync(group.Chat.Id, "Ships every Friday. Ask in here first."), GroupErrorNames.ChatNotModified);

        (await alice.Client.EditAboutAsync(group.Chat.Id, "   ")).Chat.About.Should().BeEmpty();
        (await bob.Client.GetFullChatAsync(group.Chat.Id)).Chat.About.Should().BeEmpty();
    }

    [Fact]
    public async Task BadDescriptions_AndOutsiders_AreRefusedByName()
    {
        await using var alice = await _host.MemberAsync("alice_badabout");
        await using var mallory = await _host.MemberAsync("mallory_badabout");
        var group = await alice.Client.CreateGroupAsync("Kept", []);

        await ChatTestKit.FailsWith(() => alice.Client.EditAboutAsync(group.Chat.Id, new string('x', 256)), GroupErrorNames.ChatAboutTooLong);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new EditAboutCall(group.Chat.Id, null!)), GroupErrorNames.ChatNotModified, 400);
        await ChatTestKit.FailsWith(() => mallory.Client.EditAboutAsync(group.Chat.Id, "hijacked"), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => mallory.Client.EditAboutAsync(0, "nowhere"), GroupErrorNames.ChatNotFound, 404);

        (await alice.Client.EditAboutAsync(group.Chat.Id, new string('y', 255) + "  ")).Chat.About.Should().HaveLength(255);
    }
}
