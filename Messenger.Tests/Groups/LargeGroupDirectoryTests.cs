using System.Collections.Concurrent;
using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Message.Chats;
using Messenger.Message.Storage;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Groups;

/// <summary>A large group's members are kept in memory across membership changes: the next membership check and the
/// next push see each change, and the group is not read again from the database for it.</summary>
public sealed class LargeGroupDirectoryTests
{
    [Fact]
    public async Task MembershipChanges_AreSeenByTheNextCheckAndPush_WithoutReloadingTheGroup()
    {
        var loads = new ConcurrentDictionary<long, int>();
        await using var host = await StartCountingLoadsAsync(loads);
        await using var alice = await host.MemberAsync("alice_inplace");
        await using var bob = await host.MemberAsync("bob_inplace", listen: true);
        await using var carol = await host.MemberAsync("carol_inplace", listen: true);
        await using var dave = await host.MemberAsync("dave_inplace", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SendMessageAsync(peer, "warm");
        await bob.NextAsync<MessageReceived>(e => e.Message.Text == "warm");
        var loaded = loads[chat.Id];

        // Added by an admin, and joined by an invite: the next push reaches them, and they may post.
        await alice.Client.AddMembersAsync(chat.Id, [carol.Id]);
        var invite = await alice.Client.ExportInviteAsync(chat.Id);
        await dave.Client.JoinByInviteAsync(invite.Code);
        await alice.Client.SendMessageAsync(peer, "welcome");
        await carol.NextAsync<MessageReceived>(e => e.Message.Text == "welcome");
        await dave.NextAsync<MessageReceived>(e => e.Message.Text == "welcome");
        await carol.Client.SendMessageAsync(peer, "hello from carol");
        await bob.NextAsync<MessageReceived>(e => e.Message.Text == "hello from carol");

        // A role given and taken back: what only admins may do follows it.
        await SessionTestKit.FailsWith(() => carol.Client.GetInvitesAsync(chat.Id), GroupErrorNames.ChatAdminRequired);
        await alice.Client.SetAdminAsync(chat.Id, carol.Id, isAdmin: true);
        (await carol.Client.GetInvitesAsync(chat.Id)).Should().NotBeEmpty();
        await alice.Client.SetAdminAsync(chat.Id, carol.Id, isAdmin: false);
        await SessionTestKit.FailsWith(() => carol.Client.GetInvitesAsync(chat.Id), GroupErrorNames.ChatAdminRequired);

        // Left, and removed (banned): refused at once, and no further pushes.
        await bob.Client.LeaveGroupAsync(chat.Id);
        await alice.Client.RemoveMemberAsync(chat.Id, carol.Id);
        await SessionTestKit.FailsWith(() => carol.Client.SendMessageAsync(peer, "still here?"), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "still here?"), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => carol.Client.JoinByInviteAsync(invite.Code), GroupErrorNames.UserBannedInChat);
        await alice.Client.SendMessageAsync(peer, "secret");
        await dave.NextAsync<MessageReceived>(e => e.Message.Text == "secret");
        foreach (var gone in (Member[])[bob, carol])
        {
            await alice.Client.SendMessageAsync(Peer.User(gone.Id), "marker");
            var events = await gone.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "marker");
            events.OfType<MessageReceived>().Should().NotContain(e => e.Message.Text == "secret", "the group's message after they went is not pushed");
        }

        loads[chat.Id].Should().Be(loaded, "every change was applied to the members held in memory");
    }

    [Fact]
    public async Task ChannelSubscribers_WhoJoinAndLeave_AreSeenByTheNextPost_WithoutReloadingTheChannel()
    {
        var loads = new ConcurrentDictionary<long, int>();
        await using var host = await StartCountingLoadsAsync(loads);
        await using var alice = await host.MemberAsync("alice_chinplace");
        await using var bob = await host.MemberAsync("bob_chinplace", listen: true);
        await using var carol = await host.MemberAsync("carol_chinplace", listen: true);
        var channel = (await alice.Client.CreateGroupAsync("News", [bob.Id], broadcast: true)).Chat;
        var peer = Peer.Chat(channel.Id);
        await alice.Client.SendMessageAsync(peer, "first post");
        await bob.NextAsync<MessageReceived>(e => e.Message.Text == "first post");
        var loaded = loads[channel.Id];

        var invite = await alice.Client.ExportInviteAsync(channel.Id);
        await carol.Client.JoinByInviteAsync(invite.Code);
        await bob.Client.LeaveGroupAsync(channel.Id);
        await alice.Client.SendMessageAsync(peer, "second post");
        await carol.NextAsync<MessageReceived>(e => e.Message.Text == "second post");
        await alice.Client.SendMessageAsync(Peer.User(bob.Id), "marker");
        var events = await bob.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "marker");
        events.OfType<MessageReceived>().Should().NotContain(e => e.Message.Text == "second post", "the post after the leave is not pushed");

        loads[channel.Id].Should().Be(loaded);
    }

    private static Task<Infrastructure.TestHost> StartCountingLoadsAsync(ConcurrentDictionary<long, int> loads) =>
        GroupTestKit.StartHostAsync(configureServices: services => services.AddSingleton(provider =>
        {
            var store = provider.GetRequiredService<GroupStore>();
            return new ChatDirectory(chatId =>
            {
                loads.AddOrUpdate(chatId, 1, (_, count) => count + 1);
                return store.LoadChat(chatId);
            });
        }));
}
