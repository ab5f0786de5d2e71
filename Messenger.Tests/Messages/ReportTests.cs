using Messenger.Client;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>Reports to the server's admins: <c>messages.report</c>, <c>admin.getReports</c>, <c>admin.resolveReport</c>.</summary>
public sealed class ReportTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private Member _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await GroupTestKit.StartHostAsync();
        _admin = await _host.MemberAsync("admin_reports"); // the first account is the server's admin
    }

    public async Task DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task ReportedMessages_ReachTheAdminsAsWritten_WhoDismissThemOrDeleteTheMessageForEveryone()
    {
        await using var alice = await _host.MemberAsync("alice_reports");
        await using var bob = await _host.MemberAsync("bob_reports");
        await using var carol = await _host.MemberAsync("carol_reports");
        var group = Peer.Chat((await alice.Client.CreateGroupAsync("Neighbours", [bob.Id, carol.Id])).Chat.Id);
        var spam = (await bob.Client.SendMessageAsync(group, "Cheap pills at spam.example")).Message;
        var direct = (await bob.Client.SendMessageAsync(Peer.User(carol.Id), "Buy now or regret it")).Message;

        (await alice.Client.ReportMessagesAsync(group, [spam.Id], ReportReasons.Spam, "  selling stuff  ")).Filed.Should().Be(1);
        (await alice.Client.ReportMessagesAsync(group, [spam.Id], ReportReasons.Other)).Filed.Should().Be(0, "a message is reported once per user");
        (await carol.Client.ReportMessagesAsync(group, [spam.Id], ReportReasons.Spam)).Filed.Should().Be(1);
        (await carol.Client.ReportMessagesAsync(Peer.User(bob.Id), [direct.Id], ReportReasons.Violence)).Filed.Should().Be(1);
        await bob.Client.EditMessageAsync(group, spam.Id, "Nothing to see here");

        var open = await _admin.Client.GetReportsAsync();
        open.Open.Should().Be(3);
        open.Reports.Select(r => r.ReporterId).Should().Equal(carol.Id, carol.Id, alice.Id);
        var fromAlice = open.Reports[2];
        fromAlice.Should().BeEquivalentTo(new
        {
            Reason = ReportReasons.Spam, Comment = "selling stuff", ChatTitle = "Neighbours", MessageId = spam.Id, FromId = bob.Id,
            Text = "Cheap pills at spam.example", MessageDate = spam.Date, State = ReportActions.Open, ResolvedBy = (long?)null,
        }, "the admins see the message as it was reported, not as edited since");
        open.Reports[0].Should().BeEquivalentTo(new { ChatTitle = (string?)null, FromId = bob.Id, Text = "Buy now or regret it", Reason = ReportReasons.Violence });
        await ChatTestKit.FailsWith(() => alice.Client.GetReportsAsync(), SessionErrorNames.AdminRequired, 403);
        await ChatTestKit.FailsWith(() => alice.Client.ResolveReportAsync(fromAlice.Id, ReportActions.DeleteMessage), SessionErrorNames.AdminRequired, 403);

        var dismissed = await _admin.Client.ResolveReportAsync(open.Reports[0].Id, ReportActions.Dismiss);
        dismissed.Should().BeEquivalentTo(new { State = ReportActions.Dismissed, ResolvedBy = (long?)_admin.Id });
        (await carol.Client.GetHistoryAsync(Peer.User(bob.Id))).Select(m => m.Id).Should().Contain(direct.Id, "dismissing deletes nothing");

        var deleted = await _admin.Client.ResolveReportAsync(fromAlice.Id, ReportActions.DeleteMessage);

        deleted.State.Should().Be(ReportActions.Deleted);
        (await alice.Client.GetHistoryAsync(group)).Select(m => m.Id).Should().NotContain(spam.Id);
        (await bob.Client.GetHistoryAsync(group)).Select(m => m.Id).Should().NotContain(spam.Id, "deleted for everyone, its author too");
        var afterwards = await _admin.Client.GetReportsAsync();
        afterwards.Open.Should().Be(0, "carol's report of the same message was resolved with it");
        afterwards.Reports.Should().BeEmpty();
        (await _admin.Client.GetReportsAsync(resolved: true)).Reports.Select(r => r.State)
            .Should().Equal(ReportActions.Dismissed, ReportActions.Deleted, ReportActions.Deleted);
        await ChatTestKit.FailsWith(() => _admin.Client.ResolveReportAsync(fromAlice.Id, ReportActions.Dismiss), ReportErrorNames.ReportAlreadyResolved);
        await ChatTestKit.FailsWith(() => _admin.Client.ResolveReportAsync(987_654, ReportActions.Dismiss), ReportErrorNames.ReportIdInvalid, 404);
        await ChatTestKit.FailsWith(() => _admin.Client.ResolveReportAsync(fromAlice.Id, "ban"), ReportErrorNames.ReportActionInvalid);
        await ChatTestKit.FailsWith(() => _admin.Client.GetReportsAsync(limit: 0), MessageErrorNames.LimitInvalid);
        var audit = await _admin.Client.GetAuditLogAsync();
        audit.Select(a => a.Action).Should().Contain([AuditActions.DismissReport, AuditActions.DeleteReportedMessage]);
        audit.Single(a => a.Action == AuditActions.DeleteReportedMessage).Should().BeEquivalentTo(new { ActorId = _admin.Id, UserId = (long?)bob.Id });
    }

    [Fact]
    public async Task DeleteUserMessages_RemovesWhatTheUserPosted_InEveryChat_ForEveryone()
    {
        await using var alice = await _host.MemberAsync("alice_purge");
        await using var spammer = await _host.MemberAsync("spammer_purge");
        await using var carol = await _host.MemberAsync("carol_purge");
        var small = Peer.Chat((await alice.Client.CreateGroupAsync("Small", [spammer.Id, carol.Id])).Chat.Id);
        var large = Peer.Chat((await alice.Client.CreateGroupAsync("Big", [spammer.Id, carol.Id], large: true)).Chat.Id);
        var hub = Peer.Chat((await spammer.Client.CreateGroupAsync("Spam hub", [carol.Id])).Chat.Id);
        foreach (var (peer, text) in new[] { (small, "buy 1"), (small, "buy 2"), (large, "buy 3"), (large, "buy 4"), (hub, "buy 5") })
        {
            await spammer.Client.SendMessageAsync(peer, text);
        }

        await spammer.Client.SendMessageAsync(Peer.User(carol.Id), "buy 6");
        await spammer.Client.ScheduleMessageAsync(small, "buy tonight", DateTimeOffset.UtcNow.AddHours(6));
        await alice.Client.SendMessageAsync(small, "a real message");

        await ChatTestKit.FailsWith(() => carol.Client.DeleteUserMessagesAsync(spammer.Id), SessionErrorNames.AdminRequired, 403);
        await ChatTestKit.FailsWith(() => _admin.Client.DeleteUserMessagesAsync(0), MessageErrorNames.UserIdInvalid);
        (await _admin.Client.DeleteUserMessagesAsync(spammer.Id)).Should().Be(6);
        (await spammer.Client.GetScheduledAsync(small)).Should().BeEmpty("what they scheduled goes too");

        foreach (var peer in new[] { small, large, hub, Peer.User(spammer.Id) })
        {
            (await carol.Client.GetHistoryAsync(peer)).Should().NotContain(m => m.FromId == spammer.Id && m.Action == null, "deleted for everyone");
        }

        (await carol.Client.GetHistoryAsync(small)).Select(m => m.Text).Should().Contain("a real message");
        (await carol.Client.GetHistoryAsync(hub)).Should().Contain(m => m.FromId == spammer.Id && m.Action != null, "service messages stay");
        (await _admin.Client.DeleteUserMessagesAsync(spammer.Id)).Should().Be(0, "nothing is left to delete");
        (await _admin.Client.GetAuditLogAsync()).Should().Contain(a => a.Action == AuditActions.DeleteUserMessages && a.UserId == spammer.Id);
    }

    [Fact]
    public async Task Reports_OfADeletedGroupsMessages_StayWithTheirCopy_AndSayTheGroupIsDeleted()
    {
        await using var alice = await _host.MemberAsync("alice_delrep");
        await using var bob = await _host.MemberAsync("bob_delrep");
        var chat = (await alice.Client.CreateGroupAsync("Gone soon", [bob.Id])).Chat;
        var group = Peer.Chat(chat.Id);
        var spam = (await bob.Client.SendMessageAsync(group, "buy gold now")).Message;
        var whisper = (await bob.Client.SendMessageAsync(Peer.User(alice.Id), "psst, gold")).Message;
        await alice.Client.ReportMessagesAsync(group, [spam.Id], ReportReasons.Spam);
        await alice.Client.ReportMessagesAsync(Peer.User(bob.Id), [whisper.Id], ReportReasons.Spam);
        Report Of(ReportList list, long messageId) => list.Reports.Single(r => r.FromId == bob.Id && r.MessageId == messageId);
        Of(await _admin.Client.GetReportsAsync(), spam.Id).Should().Match<Report>(r => r.ChatTitle == "Gone soon" && !r.ChatDeleted);

        await alice.Client.DeleteGroupAsync(chat.Id);

        var open = await _admin.Client.GetReportsAsync();
        Of(open, spam.Id).Should().BeEquivalentTo(new
        {
            ChatId = chat.Id, ChatTitle = (string?)null, ChatDeleted = true, Text = "buy gold now", State = ReportActions.Open,
        }, "the report is the admins' evidence of what the author posted, whatever became of the group");
        Of(open, whisper.Id).Should().BeEquivalentTo(new { ChatTitle = (string?)null, ChatDeleted = false }, "a private chat is no deleted group");

        var resolved = await _admin.Client.ResolveReportAsync(Of(open, spam.Id).Id, ReportActions.DeleteMessage);
        resolved.Should().BeEquivalentTo(new { State = ReportActions.Deleted, ChatDeleted = true, Text = "buy gold now" }, "nothing is left to delete");
    }

    [Fact]
    public async Task BadReports_AreRefusedByName_AndFileNothing()
    {
        await using var alice = await _host.MemberAsync("alice_badreport");
        await using var bob = await _host.MemberAsync("bob_badreport");
        await using var dave = await _host.MemberAsync("dave_badreport");
        var group = Peer.Chat((await alice.Client.CreateGroupAsync("Club", [bob.Id])).Chat.Id);
        var created = (await alice.Client.GetHistoryAsync(group)).Single(m => m.Action is not null);
        var mine = (await alice.Client.SendMessageAsync(group, "my own words")).Message;
        var bobs = (await bob.Client.SendMessageAsync(group, "hello club")).Message;
        var hidden = (await bob.Client.SendMessageAsync(group, "hidden for alice")).Message;
        await alice.Client.DeleteMessagesAsync(group, [hidden.Id], revoke: false);

        await ChatTestKit.FailsWith(() => alice.Client.ReportMessagesAsync(group, [mine.Id], ReportReasons.Spam), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReportMessagesAsync(group, [created.Id], ReportReasons.Spam), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReportMessagesAsync(group, [hidden.Id], ReportReasons.Spam), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReportMessagesAsync(group, [bobs.Id, 987_654], ReportReasons.Spam), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => dave.Client.ReportMessagesAsync(group, [bobs.Id], ReportReasons.Spam), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => dave.Client.ReportMessagesAsync(Peer.User(bob.Id), [bobs.Id], ReportReasons.Spam), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReportMessagesAsync(group, [bobs.Id], "boring"), ReportErrorNames.ReportReasonInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReportMessagesAsync(group, [bobs.Id], null!), ReportErrorNames.ReportReasonInvalid);
        await ChatTestKit.FailsWith(
            () => alice.Client.ReportMessagesAsync(group, [bobs.Id], ReportReasons.Other, new string('x', ReportLimits.MaxCommentLength + 1)),
            ReportErrorNames.ReportCommentTooLong);
        await ChatTestKit.FailsWith(() => alice.Client.ReportMessagesAsync(group, [], ReportReasons.Spam), MessageErrorNames.MessageIdsInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReportMessagesAsync(group, [0], ReportReasons.Spam), MessageErrorNames.MessageIdsInvalid);
        await ChatTestKit.FailsWith(
            () => alice.Client.ReportMessagesAsync(group, [.. Enumerable.Range(1, ReportLimits.MaxIds + 1).Select(i => (long)i)], ReportReasons.Spam),
            MessageErrorNames.MessageIdsInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ReportMessagesAsync(new Peer((PeerKind)9, 1), [bobs.Id], ReportReasons.Spam), MessageErrorNames.PeerIdInvalid);

        _host.CountRows("message_reports").Should().Be(0);
        (await alice.Client.ReportMessagesAsync(group, [bobs.Id], ReportReasons.Other, "   ")).Filed.Should().Be(1, "a blank comment is no comment");
        (await _admin.Client.GetReportsAsync()).Reports.Single().Comment.Should().BeNull();
    }

    [Fact]
    public async Task OpenReports_AreToldToEveryAdminLive_ANewAdminIsCurrent_AndAFormerOneHearsNone()
    {
        await _admin.Client.Events.StartAsync(_admin.Id);
        await using var alice = await _host.MemberAsync("alice_openrep");
        await using var bob = await _host.MemberAsync("bob_openrep");
        await using var carol = await _host.MemberAsync("carol_openrep", listen: true);
        var group = Peer.Chat((await alice.Client.CreateGroupAsync("Street", [bob.Id, carol.Id])).Chat.Id);
        var first = (await bob.Client.SendMessageAsync(group, "cheap watches")).Message;
        var second = (await bob.Client.SendMessageAsync(group, "you will regret it")).Message;

        await alice.Client.ReportMessagesAsync(group, [first.Id], ReportReasons.Spam);
        var one = await _admin.NextAsync<OpenReportsChanged>();
        var firstReport = (await _admin.Client.GetReportsAsync()).Reports.Single();
        one.Open.Should().Be(1);
        one.Latest.Should().Be(new ReportNotice(firstReport.Id, ReportReasons.Spam, firstReport.Date));

        var adminPts = (await _admin.Client.CallAsync(new GetStateCall())).Pts;
        (await alice.Client.ReportMessagesAsync(group, [first.Id], ReportReasons.Other)).Filed.Should().Be(0);
        await ChatTestKit.FailsWith(() => alice.Client.ReportMessagesAsync(group, [987_654], ReportReasons.Spam), MessageErrorNames.MessageIdInvalid);
        (await _admin.Client.CallAsync(new GetStateCall())).Pts.Should().Be(adminPts, "a report filed before, or refused, changes no count");

        await carol.Client.ReportMessagesAsync(group, [second.Id], ReportReasons.Violence, "a threat");
        var two = await _admin.NextAsync<OpenReportsChanged>();
        two.Open.Should().Be(2);
        two.Latest!.Reason.Should().Be(ReportReasons.Violence);

        await _admin.Client.SetUserAdminAsync(carol.Id, true);
        var asNewAdmin = await carol.NextAsync<OpenReportsChanged>();
        asNewAdmin.Should().BeEquivalentTo(two, options => options.Excluding(e => e.Pts), "a new admin starts with the count as it is");

        await _admin.Client.ResolveReportAsync(two.Latest.Id, ReportActions.Dismiss);
        (await _admin.NextAsync<OpenReportsChanged>()).Should().BeEquivalentTo(new { Open = 1, Latest = one.Latest });
        (await carol.NextAsync<OpenReportsChanged>()).Open.Should().Be(1, "every admin is told");

        await _admin.Client.SetUserAdminAsync(carol.Id, false);
        (await carol.NextAsync<OpenReportsChanged>()).Should().BeEquivalentTo(new { Open = 0, Latest = (ReportNotice?)null });
        var carolPts = (await carol.Client.CallAsync(new GetStateCall())).Pts;
        await _admin.Client.ResolveReportAsync(one.Latest!.Id, ReportActions.DeleteMessage);
        (await _admin.NextAsync<OpenReportsChanged>()).Should().BeEquivalentTo(new { Open = 0, Latest = (ReportNotice?)null });
        (await carol.Client.CallAsync(new GetDifferenceCall(carolPts))).Updates.Should().NotContain(
            u => u.Update is OpenReportsUpdate, "a former admin hears of no report after");

        var bobsLog = await bob.Client.CallAsync(new GetDifferenceCall(0));
        bobsLog.Updates.Should().NotBeEmpty().And.NotContain(u => u.Update is OpenReportsUpdate, "only admins hear of reports");
    }
}
