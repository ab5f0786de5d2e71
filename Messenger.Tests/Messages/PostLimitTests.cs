using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Message.Sending;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>How fast one user may post: a bucket of <c>PostBurst</c> posts refilled at <c>PostsPerSecond</c>, per user.
/// The host's clock stands still unless a test advances it, so nothing refills behind a test's back.</summary>
public sealed class PostLimitTests
{
    private static Task<TestHost> StartHostAsync(FakeTimeProvider clock, int postsPerSecond, int burst = 100) =>
        SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Message:PostsPerSecond"] = postsPerSecond.ToString(),
            ["Messenger:Message:PostBurst"] = burst.ToString(),
        }, clock);

    [Fact]
    public async Task Send_PastTheBurst_FloodWaitsEveryDeviceOfThatUserOnly_StoresNothing_AndPassesOnceRefilled()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, postsPerSecond: 2);
        await using var alice = await host.SignUpAsync("alice_1");
        await using var alicePhone = await host.SignInAnotherDeviceAsync("alice_1");
        await using var bob = await host.SignUpAsync("bob_one");
        await using var carol = await host.SignUpAsync("carol_1");
        for (var i = 0; i < 99; i++)
        {
            await alice.SendAsync(bob, $"message {i}");
        }

        var last = await alice.SendAsync(bob, "message 99");

        var refused = await ChatTestKit.FailsWith(() => alice.SendAsync(bob, "one too many", randomId: 4242), "FLOOD_WAIT", 420);
        refused.RetryAfterSeconds.Should().Be(1, "one post refills in half a second at 2 a second");
        await ChatTestKit.FailsWith(() => alicePhone.SendAsync(carol, "from my phone"), "FLOOD_WAIT", 420);
        await ChatTestKit.FailsWith(() => alice.Client.EditMessageAsync(bob.Peer, last.Message.Id, "edited"), "FLOOD_WAIT", 420);

        await carol.SendAsync(bob, "others still post");
        await bob.ReceiveUntilAsync("others still post");
        var history = await bob.Client.GetHistoryAsync(alice.Peer, limit: 100);
        history.Should().HaveCount(100).And.OnlyContain(m => m.Text.StartsWith("message ") && m.EditDate == null);

        clock.Advance(TimeSpan.FromSeconds(1));
        var sent = await alice.SendAsync(bob, "one too many", randomId: 4242);
        await alice.SendAsync(bob, "and one more");
        await ChatTestKit.FailsWith(() => alice.SendAsync(bob, "the bucket is empty again"), "FLOOD_WAIT", 420);

        (await bob.ReceiveUntilAsync("and one more")).Select(r => r.Message.Text).Should().Equal("one too many", "and one more");
        (await bob.Client.GetHistoryAsync(alice.Peer, limit: 3)).Select(m => m.Id).Should().Equal(sent.Message.Id + 1, sent.Message.Id, last.Message.Id);
    }

    [Fact]
    public async Task Forward_CountsEveryMessageItCopies()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, postsPerSecond: 1);
        await using var alice = await host.SignUpAsync("alice_1");
        await using var bob = await host.SignUpAsync("bob_one");
        await using var carol = await host.SignUpAsync("carol_1");
        var ids = new List<long>();
        for (var i = 0; i < 60; i++)
        {
            ids.Add((await alice.SendAsync(bob, $"message {i}")).Message.Id);
        }

        var refused = await ChatTestKit.FailsWith(() => alice.Client.ForwardMessagesAsync(bob.Peer, [.. ids], carol.Peer), "FLOOD_WAIT", 420);
        refused.RetryAfterSeconds.Should().Be(20, "40 posts are left and 60 are asked for, at 1 a second");
        (await carol.Client.GetHistoryAsync(alice.Peer)).Should().BeEmpty("a refused forward copies nothing");

        var forwarded = await alice.Client.ForwardMessagesAsync(bob.Peer, [.. ids.Take(40)], carol.Peer);
        forwarded.Messages.Should().HaveCount(40);
        await ChatTestKit.FailsWith(() => alice.Client.ForwardMessagesAsync(bob.Peer, [ids[40]], carol.Peer), "FLOOD_WAIT", 420);

        clock.Advance(TimeSpan.FromSeconds(20));
        (await alice.Client.ForwardMessagesAsync(bob.Peer, [.. ids.Skip(40)], carol.Peer)).Messages.Should().HaveCount(20);
        (await carol.Client.GetHistoryAsync(alice.Peer, limit: 100)).Should().HaveCount(60);
    }

    [Fact]
    public async Task PinsAutoDeleteChangesGroupEditsAndCalls_PostServiceMessages_AndCountAsPosts()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, postsPerSecond: 1);
        await using var alice = await host.SignUpAsync("alice_1");
        await using var bob = await host.SignUpAsync("bob_one");
        await using var carol = await host.SignUpAsync("carol_1", startEvents: false);
        var group = (await alice.Client.CreateGroupAsync("Team", [bob.UserId])).Chat;
        var sent = await alice.SendAsync(bob, "pin me");
        await alice.Client.PinMessageAsync(bob.Peer, sent.Message.Id);
        await alice.Client.UnpinAllAsync(bob.Peer);
        await alice.Client.CallAsync(new SetHistoryTtlCall(bob.Peer, 86_400));
        for (var i = 4; i < 100; i++)
        {
            await alice.SendAsync(carol, $"filler {i}");
        }

        await ChatTestKit.FailsWith(() => alice.Client.PinMessageAsync(bob.Peer, sent.Message.Id), "FLOOD_WAIT", 420);
        await ChatTestKit.FailsWith(() => alice.Client.UnpinAllAsync(bob.Peer), "FLOOD_WAIT", 420);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SetHistoryTtlCall(bob.Peer, 0)), "FLOOD_WAIT", 420);
        await ChatTestKit.FailsWith(() => alice.Client.EditTitleAsync(group.Id, "Renamed"), "FLOOD_WAIT", 420);
        await ChatTestKit.FailsWith(() => alice.Client.EditAboutAsync(group.Id, "About"), "FLOOD_WAIT", 420);
        await ChatTestKit.FailsWith(() => alice.Client.ToggleForumAsync(group.Id, enabled: true), "FLOOD_WAIT", 420);
        await ChatTestKit.FailsWith(() => alice.Client.RequestCallAsync(bob.UserId, "v=0"), "FLOOD_WAIT", 420);
        (await bob.Client.GetFullChatAsync(group.Id)).Chat.Title.Should().Be("Team");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().HaveCount(3, "the message, the pin's and the auto-delete's service messages");

        clock.Advance(TimeSpan.FromSeconds(1));
        await alice.Client.CallAsync(new SetHistoryTtlCall(bob.Peer, 0));
    }

    [Fact]
    public async Task Send_WhenTheLimitIsOff_NeverFloodWaits()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, postsPerSecond: 0);
        await using var alice = await host.SignUpAsync("alice_1");
        await using var bob = await host.SignUpAsync("bob_one");

        await Task.WhenAll(Enumerable.Range(0, 150).Select(i => alice.SendAsync(bob, $"message {i}")));

        var newest = await bob.Client.GetHistoryAsync(alice.Peer, limit: 100);
        var older = await bob.Client.GetHistoryAsync(alice.Peer, offsetId: newest[^1].Id, limit: 100);
        newest.Concat(older).Select(m => m.Text).Should().BeEquivalentTo(Enumerable.Range(0, 150).Select(i => $"message {i}"));
    }

    [Fact]
    public async Task Sweep_ForgetsUsersWhoseBucketRefilled()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, postsPerSecond: 10);
        await using var alice = await host.SignUpAsync("alice_1");
        await using var bob = await host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "hello");
        await bob.SendAsync(alice, "hi");
        var limiter = host.Services.GetRequiredService<PostLimiter>();

        clock.Advance(TimeSpan.FromSeconds(0.05));
        limiter.Sweep();
        limiter.Count.Should().Be(2, "both buckets are still short of a post");

        clock.Advance(TimeSpan.FromSeconds(0.06));
        limiter.Sweep();
        limiter.Count.Should().Be(0);
    }
}
