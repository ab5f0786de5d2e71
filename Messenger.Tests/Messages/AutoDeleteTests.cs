using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Message.AutoDelete;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.setHistoryTTL</c>: messages posted while a chat's auto-delete is on are deleted for everyone
/// when their time comes, in every kind of chat. The host's clock stands still unless a test advances it; each test
/// then runs a pass of the expiry itself (one at a time with its own once-a-second pass), so what it reads afterwards
/// does not depend on the timer.</summary>
public sealed class AutoDeleteTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private static Task<TestHost> StartHostAsync(FakeTimeProvider clock, string? dataDirectory = null, int retentionDays = 0) =>
        SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:SmallGroupLimit"] = GroupTestKit.SmallGroupLimit.ToString(),
            ["Messenger:Message:RetentionDays"] = retentionDays.ToString(),
        }, clock, dataDirectory);

    private static Task ExpireAsync(TestHost host) => host.Services.GetRequiredService<MessageExpiry>().DeleteExpiredAsync(CancellationToken.None);

    [Fact]
    public async Task PrivateChat_MessagesPostedWhileOn_AreDeletedForBoth_AtTheirTime_AndNothingElse()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_ttl");
        await using var alicePhone = await host.SignInAnotherDeviceAsync("alice_ttl");
        await using var bob = await host.SignUpAsync("bob_ttl");
        var before = await alice.SendAsync(bob, "written before the timer");

        var set = await alice.Client.SetHistoryTtlAsync(bob.Peer, Day);

        set.Message.Action.Should().Be(new ServiceAction(ServiceActions.SetTtl, [], Period: 86_400));
        set.Message.TtlPeriod.Should().BeNull("the service message that records the timer never expires");
        (await bob.NextAsync<MessageReceived>(e => e.Message.Action is not null)).Message.Action!.Period.Should().Be(86_400);
        (await alicePhone.NextAsync<MessageReceived>(e => e.Message.Action is not null)).IsOutgoing.Should().BeTrue();
        (await DialogWith(bob, alice)).TtlPeriod.Should().Be(86_400);
        (await DialogWith(alice, bob)).TtlPeriod.Should().Be(86_400);

        var secret = await alice.SendAsync(bob, "the door code is 4711");
        secret.Message.TtlPeriod.Should().Be(86_400);
        (await bob.NextAsync<MessageReceived>(e => e.Message.Id == secret.Message.Id)).Message.TtlPeriod.Should().Be(86_400);
        var reply = await bob.SendAsync(alice, "got it, 4711");
        reply.Message.TtlPeriod.Should().Be(86_400, "either side's messages follow the chat's timer");
        await alice.Client.PinMessageAsync(bob.Peer, secret.Message.Id, silent: true);

        clock.Advance(Day - TimeSpan.FromSeconds(2));
        await ExpireAsync(host);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Id).Should().Contain([secret.Message.Id, reply.Message.Id], "not due yet");

        clock.Advance(TimeSpan.FromSeconds(2));
        await ExpireAsync(host);

        var deleted = await bob.NextAsync<MessagesDeleted>();
        deleted.Ids.Should().BeEquivalentTo([secret.Message.Id, reply.Message.Id]);
        deleted.Peer.Should().Be(alice.Peer);
        (await alice.NextAsync<MessagesDeleted>()).Ids.Should().BeEquivalentTo([secret.Message.Id, reply.Message.Id]);
        (await alicePhone.NextAsync<MessagesDeleted>()).Peer.Should().Be(bob.Peer);
        foreach (var (reader, peer) in new[] { (alice, bob), (bob, alice) })
        {
            var history = await reader.Client.GetHistoryAsync(peer.Peer);
            history.Select(m => m.Id).Should().BeEquivalentTo([before.Message.Id, set.Message.Id]);
            (await reader.Client.SearchMessagesAsync("4711")).Should().BeEmpty("the search index forgets them too");
            (await DialogWith(reader, peer)).PinnedMessage.Should().BeNull("an expired pinned message is unpinned");
        }

        var off = await bob.Client.SetHistoryTtlAsync(alice.Peer, TimeSpan.Zero);
        off.Message.Action!.Period.Should().Be(0);
        (await DialogWith(alice, bob)).TtlPeriod.Should().Be(0);
        var after = await alice.SendAsync(bob, "this one stays");
        after.Message.TtlPeriod.Should().BeNull();
        clock.Advance(Day * 400);
        await ExpireAsync(host);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Text).Should().Contain(["written before the timer", "this one stays"]);
    }

    [Fact]
    public async Task BadTimers_AreRefusedByName_AndChangeNothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_ttlbad");
        await using var bob = await host.SignUpAsync("bob_ttlbad");
        await using var carol = await host.SignUpAsync("carol_ttlbad");
        var group = await alice.Client.CreateGroupAsync("Timers", [bob.UserId]);
        var foreign = await bob.Client.CreateGroupAsync("Not alice's", [carol.UserId]);

        foreach (var seconds in new[] { -1, 1, HistoryTtl.Min - 1, HistoryTtl.Max + 1, int.MaxValue, int.MinValue })
        {
            await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SetHistoryTtlCall(bob.Peer, seconds)), MessageErrorNames.TtlPeriodInvalid);
        }

        await ChatTestKit.FailsWith(() => alice.Client.SetHistoryTtlAsync(bob.Peer, TimeSpan.Zero), GroupErrorNames.ChatNotModified);
        await ChatTestKit.FailsWith(() => alice.Client.SetHistoryTtlAsync(Peer.User(987_654), Day), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SetHistoryTtlAsync(Peer.Chat(foreign.Chat.Id), Day), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => bob.Client.SetHistoryTtlAsync(Peer.Chat(group.Chat.Id), Day), GroupErrorNames.ChatAdminRequired, 403);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SetHistoryTtlCall(null!, 86_400)), MessageErrorNames.PeerIdInvalid);
        await carol.Client.BlockUserAsync(alice.UserId);
        await ChatTestKit.FailsWith(() => alice.Client.SetHistoryTtlAsync(carol.Peer, Day), MessageErrorNames.UserIsBlocked, 403);

        await alice.Client.SetHistoryTtlAsync(bob.Peer, TimeSpan.FromMinutes(1));
        await ChatTestKit.FailsWith(() => bob.Client.SetHistoryTtlAsync(alice.Peer, TimeSpan.FromMinutes(1)), GroupErrorNames.ChatNotModified);
        (await alice.Client.GetHistoryAsync(bob.Peer)).Should().ContainSingle("only the one timer that was set posted anything");
        (await alice.Client.GetHistoryAsync(carol.Peer)).Should().BeEmpty();
        (await alice.Client.GetHistoryAsync(Peer.Chat(group.Chat.Id))).Should().OnlyContain(m => m.Action!.Kind == ServiceActions.Create);
        (await alice.SendAsync(bob, "a minute")).Message.TtlPeriod.Should().Be(60);
    }

    [Fact]
    public async Task Groups_AdminsSetIt_AndMembersMessagesGo_FromMemberLogsAndFromALargeGroupsOwnLog()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_ttlgroup");
        await using var bob = await host.SignUpAsync("bob_ttlgroup");
        await using var carol = await host.SignUpAsync("carol_ttlgroup");
        var small = Peer.Chat((await alice.Client.CreateGroupAsync("Small", [bob.UserId, carol.UserId])).Chat.Id);
        var large = Peer.Chat((await alice.Client.CreateGroupAsync("Large", [bob.UserId, carol.UserId], large: true)).Chat.Id);
        await alice.Client.SetHistoryTtlAsync(small, TimeSpan.FromHours(1));
        await alice.Client.SetHistoryTtlAsync(large, TimeSpan.FromHours(2));
        (await carol.Client.GetDialogsAsync()).Items.Where(d => d.Peer.Kind == PeerKind.Chat).Select(d => d.TtlPeriod)
            .Should().BeEquivalentTo([3_600, 7_200]);

        var inSmall = await bob.Client.SendMessageAsync(small, "small talk");
        var inLarge = await bob.Client.SendMessageAsync(large, "large talk");
        var stays = await bob.Client.SendMessageAsync(large, "large talk, second");
        clock.Advance(TimeSpan.FromHours(1));
        await ExpireAsync(host);

        (await carol.NextAsync<MessagesDeleted>(e => e.Peer == small)).Ids.Should().Equal(inSmall.Message.Id);
        (await carol.Client.GetHistoryAsync(small)).Should().NotContain(m => m.Id == inSmall.Message.Id);
        (await carol.Client.GetHistoryAsync(large)).Select(m => m.Id).Should().Contain(inLarge.Message.Id);

        clock.Advance(TimeSpan.FromHours(1));
        await ExpireAsync(host);

        var fromLarge = await carol.NextAsync<MessagesDeleted>(e => e.Peer == large);
        fromLarge.ChannelId.Should().Be(large.Id, "a large group's deletion is in its own log");
        fromLarge.Ids.Should().BeEquivalentTo([inLarge.Message.Id, stays.Message.Id]);
        (await carol.Client.GetDialogsAsync()).Items.Single(d => d.Peer == large).TopMessage!.Action.Should().NotBeNull(
            "the large group's newest visible message is the timer's service message again");
    }

    [Fact]
    public async Task AFile_IsLetGo_WhenItsMessageExpires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_ttlfile");
        await using var bob = await host.SignUpAsync("bob_ttlfile");
        await alice.Client.SetHistoryTtlAsync(bob.Peer, TimeSpan.FromMinutes(5));
        var bytes = MediaTestKit.RandomBytes(50_000, seed: 77);
        var sent = await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(bytes, "photo.bin"), "look");
        (await bob.Client.DownloadAsync(sent.Message.Media!)).Should().Equal(bytes);
        host.RefCount(MediaTestKit.Sha256(bytes)).Should().Be(1);

        clock.Advance(TimeSpan.FromMinutes(5));
        await ExpireAsync(host);

        host.RefCount(MediaTestKit.Sha256(bytes)).Should().NotBe(1, "the expired message held the only reference");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().NotContain(m => m.Media != null);
    }

    [Fact]
    public async Task AMessageThatExpiredWhileTheServerWasDown_IsDeletedAtTheNextStart()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        long secretId;
        await using (var host = await StartHostAsync(clock, data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_ttldown");
            await using var bob = await host.SignedInClientAsync("bob_ttldown");
            var bobId = await bob.IdOfAsync("bob_ttldown");
            await alice.SetHistoryTtlAsync(Peer.User(bobId), TimeSpan.FromHours(1));
            secretId = (await alice.SendMessageAsync(Peer.User(bobId), "gone by morning")).Message.Id;
        }

        clock.Advance(TimeSpan.FromHours(8));
        await using (var host = await StartHostAsync(clock, data.Path))
        {
            await using var bob = await host.SignedInClientAsync("bob_ttldown", register: false);
            var aliceId = await bob.IdOfAsync("alice_ttldown");
            await ExpireAsync(host);
            (await bob.GetHistoryAsync(Peer.User(aliceId))).Should().NotContain(m => m.Id == secretId).And.ContainSingle("the timer's service message");
        }
    }

    [Fact]
    public async Task ARetentionPolicy_DeletesEveryMessageOlderThanItsDays_InEveryKindOfChat_AndKeepsTheRest()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock, retentionDays: 30);
        await using var alice = await host.SignUpAsync("alice_retain");
        await using var bob = await host.SignUpAsync("bob_retain");
        await using var carol = await host.SignUpAsync("carol_retain");
        var small = Peer.Chat((await alice.Client.CreateGroupAsync("Small", [bob.UserId, carol.UserId])).Chat.Id);
        var large = Peer.Chat((await alice.Client.CreateGroupAsync("Large", [bob.UserId, carol.UserId], large: true)).Chat.Id);
        var oldPrivate = await alice.SendAsync(bob, "old and private");
        await bob.Client.SendMessageAsync(small, "old in the small group");
        await bob.Client.SendMessageAsync(large, "old in the large group");
        clock.Advance(TimeSpan.FromDays(20));
        var recent = await alice.SendAsync(bob, "twenty days younger");
        await ExpireAsync(host);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().HaveCount(2, "nothing is 30 days old yet");

        clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        await ExpireAsync(host);

        (await bob.NextAsync<MessagesDeleted>(e => e.Peer == alice.Peer)).Ids.Should().Contain(oldPrivate.Message.Id);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Text).Should().Equal("twenty days younger");
        (await alice.Client.GetHistoryAsync(bob.Peer)).Select(m => m.Id).Should().Equal(recent.Message.Id);
        (await carol.Client.GetHistoryAsync(small)).Should().BeEmpty("the group's service messages are as old");
        (await carol.Client.GetHistoryAsync(large)).Should().BeEmpty();
        (await carol.Client.SearchMessagesAsync("old")).Should().BeEmpty();

        clock.Advance(TimeSpan.FromDays(20));
        await ExpireAsync(host);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().BeEmpty();
    }

    private static async Task<Dialog> DialogWith(Device owner, Device peer) =>
        (await owner.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer.Peer);
}
