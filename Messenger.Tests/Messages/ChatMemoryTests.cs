using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Message.Chats;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

/// <summary>What the Message module remembers of users and private chats is bounded, and forgetting changes nothing a
/// user sees.</summary>
public sealed class ChatMemoryTests
{
    [Fact]
    public async Task KnownUsersAndPrivateChats_AreHeldUpToTheLimit_AndAChatForgottenIsFoundAgainTheSame()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        var chats = host.Services.GetRequiredService<ChatResolver>();
        chats.CacheLimit = 3;
        await using var alice = await host.SignUpAsync("alice_memory", startEvents: false);
        var others = new List<Device>();
        for (var i = 0; i < 5; i++)
        {
            others.Add(await host.SignUpAsync($"peer_memory{i}", startEvents: false));
        }

        foreach (var other in others)
        {
            await alice.Client.SendMessageAsync(Peer.User(other.UserId), "first");
            await alice.Client.SendMessageAsync(Peer.User(other.UserId), "second");
        }

        chats.CachedCounts.Users.Should().BeInRange(1, 3);
        chats.CachedCounts.PrivateChats.Should().BeInRange(1, 3);
        foreach (var other in others)
        {
            // The pair's one chat, whether remembered or read again: both see the whole of it.
            await other.Client.SendMessageAsync(Peer.User(alice.UserId), "reply");
            (await alice.Client.GetHistoryAsync(Peer.User(other.UserId), limit: 10)).Select(m => m.Text).Should().Equal("reply", "second", "first");
            (await other.Client.GetHistoryAsync(Peer.User(alice.UserId), limit: 10)).Select(m => m.Text).Should().Equal("reply", "second", "first");
        }

        (await alice.Client.GetDialogsAsync(limit: 10)).Items.Should().HaveCount(others.Count);

        foreach (var other in others)
        {
            await other.DisposeAsync();
        }
    }
}
