using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Storage;
using Messenger.Message.Scheduling;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.sendScheduled</c>: messages sent by the server at their date, as their author, once. The host's
/// clock stands still unless a test advances it; each test then runs a pass of the sender itself (one at a time with
/// the sender's own once-a-second pass), so what it reads afterwards does not depend on the timer.</summary>
public sealed class ScheduledMessageTests
{
    private static Task<TestHost> StartHostAsync(FakeTimeProvider clock) =>
        SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:PostBurst"] = "1000",
        }, clock);

    [Fact]
    public async Task AScheduledMessage_WaitsUntilItsDate_ThenReachesTheChatOnce_AsItsAuthors()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_sched");
        await using var alicePhone = await host.SignInAnotherDeviceAsync("alice_sched");
        await using var bob = await host.SignUpAsync("bob_sched");
        var question = await bob.SendAsync(alice, "remind me tomorrow?");
        var sender = host.Services.GetRequiredService<ScheduledSender>();

        var scheduled = await alice.Client.ScheduleMessageAsync(bob.Peer, "  Good morning! Here is your reminder.  ", clock.GetUtcNow().AddHours(9),
            replyToId: question.Message.Id, randomId: 777);

        scheduled.Text.Should().Be("Good morning! Here is your reminder.");
        (await alice.Client.ScheduleMessageAsync(bob.Peer, "Good morning! Here is your reminder.", clock.GetUtcNow().AddHours(9), randomId: 777))
            .Id.Should().Be(scheduled.Id, "the same random_id is the same scheduled message");
        (await alicePhone.Client.GetScheduledAsync(bob.Peer)).Should().ContainSingle().Which.Should().Be(scheduled);
        (await bob.Client.GetScheduledAsync(alice.Peer)).Should().BeEmpty("a schedule is its author's own");
        clock.Advance(TimeSpan.FromHours(8));
        (await sender.SendDueAsync(CancellationToken.None)).Should().Be(0);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle();

        clock.Advance(TimeSpan.FromHours(1));
        await sender.SendDueAsync(CancellationToken.None);

        var received = await bob.NextAsync<MessageReceived>(m => m.Message.FromId == alice.UserId);
        received.Message.Should().Match<Messenger.Contracts.Messages.Message>(m => m.Text == "Good morning! Here is your reminder." && m.ReplyToId == question.Message.Id);
        received.Message.Date.Should().Be(scheduled.Date);
        (await alicePhone.NextAsync<MessageReceived>(m => m.IsOutgoing)).Message.Id.Should().Be(received.Message.Id);
        (await alice.Client.GetScheduledAsync(bob.Peer)).Should().BeEmpty();
        (await sender.SendDueAsync(CancellationToken.None)).Should().Be(0);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Count(m => m.FromId == alice.UserId).Should().Be(1);
    }

    [Fact]
    public async Task Cancelled_OrRefusedWhenDue_IsNotSent_AndBadSchedulesAreRefusedByName()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_schedbad");
        await using var bob = await host.SignUpAsync("bob_schedbad");
        await using var carol = await host.SignUpAsync("carol_schedbad");
        var sender = host.Services.GetRequiredService<ScheduledSender>();
        var later = clock.GetUtcNow().AddMinutes(5);
        var other = await bob.SendAsync(carol, "not in alice's chat");
        var foreign = await bob.Client.CreateGroupAsync("Not alice's", [carol.UserId]);

        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(bob.Peer, "too soon", clock.GetUtcNow().AddSeconds(5)), MessageErrorNames.ScheduleDateInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(bob.Peer, "in the past", clock.GetUtcNow().AddDays(-1)), MessageErrorNames.ScheduleDateInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(bob.Peer, "too late", clock.GetUtcNow().AddDays(367)), MessageErrorNames.ScheduleDateInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(bob.Peer, "   ", later), MessageErrorNames.MessageEmpty);
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(bob.Peer, new string('x', 4097), later), MessageErrorNames.MessageTooLong);
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(bob.Peer, "re", later, replyToId: other.Message.Id), MessageErrorNames.ReplyToInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(Peer.User(987654), "hi", later), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(Peer.Chat(foreign.Chat.Id), "hi", later), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(bob.Peer, "hi", later, randomId: 0), MessageErrorNames.RandomIdInvalid);
        await alice.SendAsync(bob, "already sent", randomId: 4242);
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(bob.Peer, "hi", later, randomId: 4242), MessageErrorNames.RandomIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteScheduledAsync(bob.Peer, []), MessageErrorNames.MessageIdsInvalid);

        var cancelled = await alice.Client.ScheduleMessageAsync(bob.Peer, "never mind", later);
        var refused = await alice.Client.ScheduleMessageAsync(bob.Peer, "you will not want this", later);
        var toCarol = await alice.Client.ScheduleMessageAsync(carol.Peer, "hello carol", later);
        await bob.Client.DeleteScheduledAsync(alice.Peer, [cancelled.Id, refused.Id]);
        await alice.Client.DeleteScheduledAsync(bob.Peer, [cancelled.Id]);
        (await alice.Client.GetScheduledAsync(bob.Peer)).Should().ContainSingle().Which.Id.Should().Be(refused.Id, "only its author cancels one");
        await bob.Client.BlockUserAsync(alice.UserId);

        clock.Advance(TimeSpan.FromMinutes(6));
        await sender.SendDueAsync(CancellationToken.None);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Text).Should().NotContain(["never mind", "you will not want this"]);
        (await carol.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle().Which.Text.Should().Be(toCarol.Text);
        host.CountRows("message_scheduled").Should().Be(0, "a send refused for good drops its message");
    }

    [Fact]
    public async Task AScheduledMessage_OfAnAccountAnAdminBlocked_IsDroppedWhenDue_NotSent()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var admin = await host.SignUpAsync("admin_schedblock");
        await using var alice = await host.SignUpAsync("alice_schedblock");
        await using var bob = await host.SignUpAsync("bob_schedblock");
        var sender = host.Services.GetRequiredService<ScheduledSender>();
        await alice.Client.ScheduleMessageAsync(bob.Peer, "spam, later", clock.GetUtcNow().AddHours(1));
        await alice.Client.ScheduleMessageAsync(bob.Peer, "more spam, later", clock.GetUtcNow().AddHours(2));

        await admin.Client.SetUserBlockedAsync(alice.UserId, blocked: true);
        clock.Advance(TimeSpan.FromHours(1));
        await sender.SendDueAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(1));
        await sender.SendDueAsync(CancellationToken.None);

        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().BeEmpty();
        host.CountRows("message_scheduled").Should().Be(0, "a blocked author's scheduled messages are dropped when due");
    }

    [Fact]
    public async Task TheHundredAndFirst_IsTooMany()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_schedmany");
        await using var bob = await host.SignUpAsync("bob_schedmany");
        for (var i = 0; i < ScheduleLimits.MaxPerUser; i++)
        {
            await alice.Client.ScheduleMessageAsync(bob.Peer, $"later {i}", clock.GetUtcNow().AddHours(1 + i));
        }

        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(bob.Peer, "one more", clock.GetUtcNow().AddHours(1)), MessageErrorNames.ScheduledTooMany);
        (await alice.Client.GetScheduledAsync(bob.Peer)).Select(m => m.Text).Should().HaveCount(ScheduleLimits.MaxPerUser).And.StartWith("later 0");
    }

    [Fact]
    public async Task MessagesRefusedForNow_DoNotHoldUpTheOnesDueAfterThem_AndAreTriedAgainWhenTheirWaitIsOver()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_schedwait");
        await using var bob = await host.SignUpAsync("bob_schedwait");
        await using var dave = await host.SignUpAsync("dave_schedwait");
        await using var carol = await host.SignUpAsync("carol_schedwait");
        var sender = host.Services.GetRequiredService<ScheduledSender>();
        var chat = (await alice.Client.CreateGroupAsync("Slow", [bob.UserId, dave.UserId], large: true)).Chat;
        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(), slowModeSeconds: 3600);
        var group = Peer.Chat(chat.Id);

        // Slow mode lets each of bob and dave post one at their date: the other 99 + 2 are refused for now (420), more
        // than a pass takes. Carol's message, due a minute later, must not wait behind them.
        for (var i = 0; i < ScheduleLimits.MaxPerUser; i++)
        {
            await bob.Client.ScheduleMessageAsync(group, $"bob {i}", clock.GetUtcNow().AddHours(1));
        }

        for (var i = 0; i < 3; i++)
        {
            await dave.Client.ScheduleMessageAsync(group, $"dave {i}", clock.GetUtcNow().AddHours(1));
        }

        await carol.Client.ScheduleMessageAsync(alice.Peer, "on time", clock.GetUtcNow().AddHours(1).AddMinutes(1));
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        for (var pass = 0; pass < 4; pass++)
        {
            await sender.SendDueAsync(CancellationToken.None);
        }

        (await alice.Client.GetHistoryAsync(carol.Peer)).Should().ContainSingle().Which.Text.Should().Be("on time");
        host.CountRows("message_scheduled").Should().Be(99 + 2);

        clock.Advance(TimeSpan.FromHours(1));
        await sender.SendDueAsync(CancellationToken.None);
        (await alice.Client.GetHistoryAsync(group)).Where(m => m.FromId == bob.UserId).Select(m => m.Text)
            .Should().BeEquivalentTo(["bob 0", "bob 1"], "the refused ones are tried again once their wait is over");
    }

    [Fact]
    public async Task AMessageRefusedForNowTryAfterTry_IsDroppedAfterItsLastTry_Logged()
    {
        using var logs = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>(LogFiles.Settings(logs.Path))
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
        }, clock);
        await using var alice = await host.SignUpAsync("alice_schedgiveup");
        await using var bob = await host.SignUpAsync("bob_schedgiveup");
        var sender = host.Services.GetRequiredService<ScheduledSender>();
        var chat = (await alice.Client.CreateGroupAsync("Slow", [bob.UserId], large: true)).Chat;
        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(), slowModeSeconds: 3600);
        var group = Peer.Chat(chat.Id);
        await bob.Client.SendMessageAsync(group, "now");
        var scheduled = await bob.Client.ScheduleMessageAsync(group, "later", clock.GetUtcNow().AddMinutes(10));
        // As after all the tries but one (≈ 8 hours of them).
        await host.Services.GetRequiredService<StorageWriter>().WriteAsync(scope =>
            scope.Execute("UPDATE message_scheduled SET attempts = @attempts", ("@attempts", ScheduledSender.MaxAttempts - 1)));

        clock.Advance(TimeSpan.FromMinutes(10));
        await sender.SendDueAsync(CancellationToken.None);

        host.CountRows("message_scheduled").Should().Be(0);
        (await bob.Client.GetScheduledAsync(group)).Should().BeEmpty();
        (await alice.Client.GetHistoryAsync(group)).Where(m => m.FromId == bob.UserId).Select(m => m.Text).Should().Equal("now");
        LogFiles.Read(logs.Path).Should().Contain(
            $"Scheduled message {scheduled.Id} of user {bob.UserId} dropped after {ScheduledSender.MaxAttempts} tries: SLOWMODE_WAIT");
    }

    [Fact]
    public async Task TheAuthorsDevices_AllFollowTheWaitingList_AsMessagesAreScheduledCancelledAndSent()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_schedlist");
        await using var alicePhone = await host.SignInAnotherDeviceAsync("alice_schedlist");
        await using var bob = await host.SignUpAsync("bob_schedlist");
        var sender = host.Services.GetRequiredService<ScheduledSender>();

        var first = await alice.Client.ScheduleMessageAsync(bob.Peer, "stand-up in 5", clock.GetUtcNow().AddMinutes(5));
        var onPhone = await alicePhone.NextAsync<ScheduledMessagesChanged>();
        onPhone.Peer.Should().Be(bob.Peer);
        onPhone.Messages.Should().Equal(first);
        (await alice.NextAsync<ScheduledMessagesChanged>()).Messages.Should().Equal([first], "the scheduling device hears of it too");
        var second = await alice.Client.ScheduleMessageAsync(bob.Peer, "retro in 10", clock.GetUtcNow().AddMinutes(10));
        (await alicePhone.NextAsync<ScheduledMessagesChanged>()).Messages.Should().Equal(first, second);
        var third = await alice.Client.ScheduleMessageAsync(bob.Peer, "lunch in 20", clock.GetUtcNow().AddMinutes(20));
        await alicePhone.NextAsync<ScheduledMessagesChanged>(e => e.Messages.Length == 3);

        await alice.NextAsync<ScheduledMessagesChanged>(e => e.Messages.Length == 3);
        await alicePhone.Client.DeleteScheduledAsync(bob.Peer, [second.Id]);
        (await alice.NextAsync<ScheduledMessagesChanged>()).Messages.Should().Equal(first, third);
        await alice.Client.DeleteScheduledAsync(bob.Peer, [second.Id]);
        clock.Advance(TimeSpan.FromMinutes(6));
        await sender.SendDueAsync(CancellationToken.None);
        (await alicePhone.NextAsync<ScheduledMessagesChanged>(e => e.Messages.Length == 1)).Messages.Should().Equal([third], "sent, it waits no more");

        var logged = (await alicePhone.Client.GetDifferenceAsync(0)).Updates.Select(u => u.Update).OfType<Messenger.Contracts.Updates.ScheduledMessagesUpdate>();
        logged.Select(u => u.Messages.Length).Should().Equal([1, 2, 3, 2, 1], "cancelling what is gone already changes nothing");
        (await bob.Client.GetDifferenceAsync(0)).Updates.Select(u => u.Update).OfType<Messenger.Contracts.Updates.ScheduledMessagesUpdate>()
            .Should().BeEmpty("a schedule is its author's own");
    }

    [Fact]
    public async Task AFile_IsStoredWhenScheduled_HeldUntilSent_AndLetGoWhenCancelledOrItsAuthorLeaves()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_schedfile");
        await using var bob = await host.SignUpAsync("bob_schedfile");
        var sender = host.Services.GetRequiredService<ScheduledSender>();
        var report = MediaTestKit.RandomBytes(100_000, 7);
        var draft = MediaTestKit.RandomBytes(50_000, 8);

        var scheduled = await alice.Client.ScheduleMessageAsync(bob.Peer, "  the weekly report ", clock.GetUtcNow().AddHours(1),
            media: await alice.Client.UploadAsync(report, "report.pdf", "application/pdf"));
        scheduled.Text.Should().Be("the weekly report");
        scheduled.Media.Should().Match<MessageMedia>(m => m.Name == "report.pdf" && m.Size == report.Length && m.Kind == MediaKinds.Document);
        (await alice.Client.GetScheduledAsync(bob.Peer)).Single().Media.Should().Be(scheduled.Media);
        host.RefCount(MediaTestKit.Sha256(report)).Should().Be(1, "stored now, held by the schedule");
        (await alice.Client.DownloadAsync(scheduled.Media!)).Should().Equal(report, "its uploader reads it before it is sent");
        await ChatTestKit.FailsWith(() => bob.Client.DownloadAsync(scheduled.Media!), MediaErrorNames.MediaInvalid, 404);

        var cancelled = await alice.Client.CallAsync(new SendScheduledCall(bob.Peer, 12345, null!, clock.GetUtcNow().AddHours(2).ToUnixTimeSeconds(),
            Media: await alice.Client.UploadAsync(draft, "draft.bin")));
        cancelled.Text.Should().BeEmpty("a file needs no caption, not even an empty one");
        host.RefCount(MediaTestKit.Sha256(draft)).Should().Be(1, "a file needs no caption");
        await alice.Client.DeleteScheduledAsync(bob.Peer, [cancelled.Id]);
        host.RefCount(MediaTestKit.Sha256(draft)).Should().Be(0, "cancelled, the file is let go");
        var again = await alice.Client.UploadAsync(draft, "draft.bin");
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(bob.Peer, new string('c', 1025), clock.GetUtcNow().AddHours(1), media: again),
            MediaErrorNames.MediaCaptionTooLong);

        clock.Advance(TimeSpan.FromHours(1));
        await sender.SendDueAsync(CancellationToken.None);

        var received = await bob.NextAsync<MessageReceived>(m => m.Message.FromId == alice.UserId);
        received.Message.Text.Should().Be("the weekly report");
        received.Message.Media.Should().Be(scheduled.Media, "the same file, by reference");
        (await bob.Client.DownloadAsync(received.Message.Media!)).Should().Equal(report);
        host.RefCount(MediaTestKit.Sha256(report)).Should().Be(1, "the message holds it now; the schedule let go");

        await using var carol = await host.SignUpAsync("carol_schedfile");
        var leaving = MediaTestKit.RandomBytes(30_000, 9);
        await carol.Client.ScheduleMessageAsync(bob.Peer, "for later", clock.GetUtcNow().AddDays(1), media: await carol.Client.UploadAsync(leaving));
        await carol.Client.CallAsync(new Messenger.Contracts.Account.DeleteAccountCall(SessionTestKit.Password));
        await SessionTestKit.WaitUntil(() => host.RefCount(MediaTestKit.Sha256(leaving)) == 0);
    }

    [Fact]
    public async Task AScheduledMessage_WhoseTopicWasDeletedClosedOrTurnedOff_GoesIntoGeneralAtItsDate()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_schedtopic");
        await using var bob = await host.SignUpAsync("bob_schedtopic");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.UserId])).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        var doomed = (await alice.Client.CreateTopicAsync(peer, "Doomed")).Message.Id;
        var closing = (await alice.Client.CreateTopicAsync(peer, "Closing")).Message.Id;
        var open = (await alice.Client.CreateTopicAsync(peer, "Open")).Message.Id;
        var sender = host.Services.GetRequiredService<ScheduledSender>();
        await bob.Client.ScheduleMessageAsync(peer, "into the deleted one", clock.GetUtcNow().AddHours(1), topicId: doomed);
        await bob.Client.ScheduleMessageAsync(peer, "into the closed one", clock.GetUtcNow().AddHours(1), topicId: closing);
        await alice.Client.ScheduleMessageAsync(peer, "an admin into the closed one", clock.GetUtcNow().AddHours(1), topicId: closing);
        await bob.Client.ScheduleMessageAsync(peer, "into the open one", clock.GetUtcNow().AddHours(1), topicId: open);
        await bob.Client.ScheduleMessageAsync(peer, "after topics went", clock.GetUtcNow().AddHours(2), topicId: open);
        await alice.Client.DeleteTopicAsync(peer, doomed);
        await alice.Client.EditTopicAsync(peer, closing, closed: true);

        clock.Advance(TimeSpan.FromHours(1));
        (await sender.SendDueAsync(CancellationToken.None)).Should().Be(4);
        await alice.Client.ToggleForumAsync(chat.Id, enabled: false);
        clock.Advance(TimeSpan.FromHours(1));
        (await sender.SendDueAsync(CancellationToken.None)).Should().Be(1);

        var sent = (await alice.Client.GetHistoryAsync(peer, limit: 100)).Where(m => m.Action is null).ToDictionary(m => m.Text, m => m.TopicId);
        sent.Should().BeEquivalentTo(new Dictionary<string, long>
        {
            ["into the deleted one"] = 0,
            ["into the closed one"] = 0,
            ["an admin into the closed one"] = closing,
            ["into the open one"] = open,
            ["after topics went"] = 0,
        });
        (await bob.Client.GetScheduledAsync(peer)).Should().BeEmpty();
    }
}
