using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Storage;
using Messenger.Message.SecretChats;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>What stops one user from flooding another with secret chats: the posting limit on requests (not endings), at
/// most 10 chats started with the same person a day, and <c>secret.getChats</c> bounded to the open chats and the 100
/// latest endings. The bare calls (automatic acceptance off); the host's clock stands still unless a test advances it.</summary>
public sealed class SecretChatLimitTests
{
    private static Task<TestHost> StartHostAsync(FakeTimeProvider clock, int postsPerSecond) =>
        SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:PostsPerSecond"] = postsPerSecond.ToString(),
            ["Messenger:Message:PostBurst"] = "100",
        }, clock);

    [Fact]
    public async Task RequestChat_PastThePostingLimit_FloodWaits_ButAResendAndEndingsGoThrough()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, postsPerSecond: 1);
        await using var alice = await host.SignUpAsync("slim_alice", autoAcceptSecretChats: false);
        await using var bob = await host.SignUpAsync("slim_bob", autoAcceptSecretChats: false);
        await using var carol = await host.SignUpAsync("slim_carol", autoAcceptSecretChats: false);
        // 98 of the burst's 100 tokens, and the two requests below; endings take none.
        for (var i = 0; i < 98; i++)
        {
            await alice.SendAsync(carol, $"message {i}");
        }

        var withBob = await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 1, SecretChatBadInputTests.PublicKey()));
        await alice.Client.CallAsync(new DiscardSecretChatCall(withBob.Id));
        await alice.Client.CallAsync(new DiscardSecretChatCall(withBob.Id));
        var withCarol = await alice.Client.CallAsync(new RequestSecretChatCall(carol.UserId, 2, SecretChatBadInputTests.PublicKey()));

        var refused = await ChatTestKit.FailsWith(
            () => alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 3, SecretChatBadInputTests.PublicKey())), "FLOOD_WAIT", 420);
        refused.RetryAfterSeconds.Should().Be(1);
        (await alice.Client.CallAsync(new RequestSecretChatCall(carol.UserId, 2, SecretChatBadInputTests.PublicKey()))).Id
            .Should().Be(withCarol.Id, "a request sent again after a lost answer finds its chat, whatever the limit");
        (await bob.Client.CallAsync(new GetSecretChatsCall())).Chats.Should().ContainSingle("a refused request opens nothing");

        // A user at the limit can still end a chat (one on a lost phone, one whose key did not match).
        await alice.Client.CallAsync(new DiscardSecretChatCall(withCarol.Id));
        await alice.Client.CallAsync(new DiscardSecretChatCall(withBob.Id));
        (await carol.Client.CallAsync(new GetSecretChatsCall())).Chats.Should().ContainSingle().Which.Reason.Should().Be(SecretChatEndReasons.Cancelled);
    }

    [Fact]
    public async Task RequestChat_AnEleventhWithTheSamePersonInADay_FloodWaitsUntilTheFirstIsADayOld()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, postsPerSecond: 0);
        await using var alice = await host.SignUpAsync("sday_alice", autoAcceptSecretChats: false);
        await using var bob = await host.SignUpAsync("sday_bob", autoAcceptSecretChats: false);
        await using var carol = await host.SignUpAsync("sday_carol", autoAcceptSecretChats: false);
        var started = new List<SecretChat>();
        for (var i = 1; i <= 10; i++)
        {
            started.Add(await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, i, SecretChatBadInputTests.PublicKey())));
            await bob.Client.CallAsync(new AcceptSecretChatCall(started[^1].Id, SecretChatBadInputTests.PublicKey(), 5));
            await alice.Client.CallAsync(new DiscardSecretChatCall(started[^1].Id));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var refused = await ChatTestKit.FailsWith(
            () => alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 11, SecretChatBadInputTests.PublicKey())), "FLOOD_WAIT", 420);
        refused.RetryAfterSeconds.Should().Be(24 * 60 * 60 - 10 * 60, "the first of the ten was started ten minutes ago");
        (await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 3, SecretChatBadInputTests.PublicKey()))).Id
            .Should().Be(started[2].Id, "a resend of one of the ten is no new chat");
        (await alice.Client.CallAsync(new RequestSecretChatCall(carol.UserId, 11, SecretChatBadInputTests.PublicKey()))).State
            .Should().Be(SecretChatState.Requested, "another person is another count");
        (await bob.Client.CallAsync(new RequestSecretChatCall(alice.UserId, 1, SecretChatBadInputTests.PublicKey()))).State
            .Should().Be(SecretChatState.Requested, "the other way round is bob's own count");

        clock.Advance(TimeSpan.FromSeconds(refused.RetryAfterSeconds!.Value - 1));
        await ChatTestKit.FailsWith(
            () => alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 12, SecretChatBadInputTests.PublicKey())), "FLOOD_WAIT", 420);
        clock.Advance(TimeSpan.FromSeconds(1));
        (await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 12, SecretChatBadInputTests.PublicKey()))).State
            .Should().Be(SecretChatState.Requested);
    }

    [Fact]
    public async Task GetChats_ListsEveryOpenChat_AndOnlyTheHundredLatestEndings()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, postsPerSecond: 0);
        await using var alice = await host.SignUpAsync("slst_alice", autoAcceptSecretChats: false);
        await using var bob = await host.SignUpAsync("slst_bob", autoAcceptSecretChats: false);
        await using var carol = await host.SignUpAsync("slst_carol", autoAcceptSecretChats: false);
        var open = await carol.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 1, SecretChatBadInputTests.PublicKey()));
        var ended = new List<long>();
        for (var i = 1; i <= 110; i++)
        {
            var chat = await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, i, SecretChatBadInputTests.PublicKey()));
            await bob.Client.CallAsync(new DiscardSecretChatCall(chat.Id));
            ended.Add(chat.Id);
            clock.Advance(i % 10 == 0 ? TimeSpan.FromDays(1) : TimeSpan.FromSeconds(1));
        }

        var listed = (await bob.Client.CallAsync(new GetSecretChatsCall())).Chats;

        listed.Should().HaveCount(101);
        listed[^1].Id.Should().Be(open.Id, "the open chat is the oldest, and always listed");
        listed.SkipLast(1).Select(c => c.Id).Should().Equal(Enumerable.Reverse(ended).Take(100), "the 100 latest endings, newest first");
        listed.SkipLast(1).Should().OnlyContain(c => c.State == SecretChatState.Discarded && c.Reason == SecretChatEndReasons.Declined);
        (await alice.Client.CallAsync(new GetSecretChatsCall())).Chats.Should().HaveCount(100);
    }

    [Fact]
    public async Task Sweep_ForgetsASendsRandomIdAfterAWeek_NotBefore()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, postsPerSecond: 0);
        await using var alice = await host.SignUpAsync("sweek_alice", autoAcceptSecretChats: false);
        await using var bob = await host.SignUpAsync("sweek_bob", autoAcceptSecretChats: false);
        var chat = await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 1, SecretChatBadInputTests.PublicKey()));
        await bob.Client.CallAsync(new AcceptSecretChatCall(chat.Id, SecretChatBadInputTests.PublicKey(), 5));
        var old = await alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, new byte[64]));
        clock.Advance(TimeSpan.FromDays(2));
        var recent = await alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 2, new byte[64]));
        clock.Advance(TimeSpan.FromDays(5) + TimeSpan.FromSeconds(1));
        var sweep = host.Services.GetRequiredService<DiscardedChatSweep>();

        await sweep.SweepAsync(CancellationToken.None);

        SendRows(host).Should().Be(1, "the week-old send's row went, the five-day-old one stays");
        (await alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 2, new byte[64]))).Should().Be(recent, "still a resend");
        (await alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, new byte[64]))).Date.Should().BeGreaterThan(old.Date);
    }

    [Fact]
    public async Task SendSecretMessage_RefusedAfterAnAttemptWhoseAnswerWasLost_StaysFailed_ButARefusedFirstAttemptLeavesNothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, postsPerSecond: 1);
        await using var alice = await SecretDevice.SignUpAsync(host, "sfail_alice");
        await using var bob = await SecretDevice.SignUpAsync(host, "sfail_bob");
        var chat = await alice.Client.RequestSecretChatAsync(bob.UserId);
        await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == chat.Id && e.Chat.State == SecretChatState.Ready);
        const long randomId = 8_000_001;
        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            await FluentActions.Awaiting(() => alice.Client.SendSecretMessageAsync(chat.Id, "did it arrive?", randomId: randomId, cancellationToken: cancelled.Token))
                .Should().ThrowAsync<OperationCanceledException>();
        }

        alice.Client.GetSecretHistory(chat.Id).Should().ContainSingle().Which.Failed.Should().BeTrue("no answer came");
        // It did arrive (sent as the same device): bob has it.
        await using (var twin = await alice.TwinAsync())
        {
            await twin.Client.SendSecretMessageAsync(chat.Id, "did it arrive?", randomId: randomId);
        }

        (await bob.NextAsync<SecretMessageReceived>()).Message.RandomId.Should().Be(randomId);
        // alice's posts run out (the host's clock stands still, so nothing refills meanwhile).
        while (true)
        {
            try
            {
                await alice.Client.SendMessageAsync(Peer.User(bob.UserId), "filler");
            }
            catch (RpcException e) when (e.Name == "FLOOD_WAIT")
            {
                break;
            }
        }

        await ChatTestKit.FailsWith(() => alice.Client.SendSecretMessageAsync(chat.Id, "did it arrive?", randomId: randomId), "FLOOD_WAIT", 420);
        alice.Client.GetSecretHistory(chat.Id).Should().ContainSingle(m => m.RandomId == randomId, "bob has it")
            .Which.Should().Match<SecretMessage>(m => m.Failed && m.Date == 0);
        await ChatTestKit.FailsWith(() => alice.Client.SendSecretMessageAsync(chat.Id, "never sent"), "FLOOD_WAIT", 420);
        alice.Client.GetSecretHistory(chat.Id).Should().NotContain(m => m.Text == "never sent", "the server refused its only attempt");

        clock.Advance(TimeSpan.FromSeconds(1));
        var sent = await alice.Client.SendSecretMessageAsync(chat.Id, "did it arrive?", randomId: randomId);

        sent.Should().Match<SecretMessage>(m => !m.Failed && m.Date > 0);
        alice.Client.GetSecretHistory(chat.Id).Should().ContainSingle().Which.Should().Be(sent);
    }

    private static long SendRows(TestHost host)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM message_secret_sends";
        return (long)command.ExecuteScalar()!;
    }
}
