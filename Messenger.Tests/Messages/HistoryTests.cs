using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

using Message = Messenger.Contracts.Messages.Message;

public sealed class HistoryTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task GetHistory_PagedByOffsetId_ReturnsEveryMessageOnceNewestFirst()
    {
        await using var alice = await _host.SignUpAsync("alice_1", startEvents: false);
        await using var bob = await _host.SignUpAsync("bob_one", startEvents: false);
        var sent = new List<long>();
        for (var i = 1; i <= 25; i++)
        {
            var from = i % 3 == 0 ? bob : alice;
            sent.Add((await from.SendAsync(from == bob ? alice : bob, $"message {i}")).Message.Id);
        }

        var pages = new List<Message[]>();
        var offsetId = 0L;
        while (true)
        {
            var page = await alice.Client.GetHistoryAsync(bob.Peer, offsetId, limit: 10);
            if (page.Length == 0)
            {
                break;
            }

            pages.Add(page);
            offsetId = page[^1].Id;
        }

        pages.Select(p => p.Length).Should().Equal(10, 10, 5);
        pages.SelectMany(p => p).Select(m => m.Id).Should().Equal(Enumerable.Reverse(sent));
        (await bob.Client.GetHistoryAsync(alice.Peer, limit: 100)).Select(m => m.Id).Should().Equal(Enumerable.Reverse(sent));
        (await alice.Client.GetHistoryAsync(bob.Peer, offsetId: sent[0])).Should().BeEmpty();
    }

    [Fact]
    public async Task GetDialogs_OrdersChatsByLastActivityAndPages()
    {
        await using var alice = await _host.SignUpAsync("alice_1", startEvents: false);
        await using var bob = await _host.SignUpAsync("bob_one", startEvents: false);
        await using var carol = await _host.SignUpAsync("carol_1", startEvents: false);
        await using var dave = await _host.SignUpAsync("dave_one", startEvents: false);

        await alice.SendAsync(bob, "to bob");
        await alice.SendAsync(carol, "to carol");
        await dave.SendAsync(alice, "from dave");
        var last = await bob.SendAsync(alice, "bob again");

        var all = await alice.Client.GetDialogsAsync();
        all.Total.Should().Be(3);
        all.Items.Select(d => d.Peer).Should().Equal(bob.Peer, dave.Peer, carol.Peer);
        all.Items[0].TopMessage.Should().Be(last.Message);
        all.Items.Select(d => d.UnreadCount).Should().Equal(1, 1, 0);

        var second = await alice.Client.GetDialogsAsync(offset: 1, limit: 1);
        second.Total.Should().Be(3);
        second.Items.Select(d => d.Peer).Should().Equal(dave.Peer);
        (await alice.Client.GetDialogsAsync(offset: 3)).Items.Should().BeEmpty();
        (await carol.Client.GetDialogsAsync()).Items.Select(d => d.Peer).Should().Equal(alice.Peer);
    }
}
