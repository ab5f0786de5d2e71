using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Message.AutoDelete;
using Messenger.Message.Scheduling;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

using Message = Messenger.Contracts.Messages.Message;

/// <summary>Quote replies (<c>quote</c> beside <c>reply_to_id</c>): the part of the replied message a reply quotes, checked
/// against it, kept with the reply as it was sent whatever happens to the original, and carried by every copy of the reply.</summary>
public sealed class QuoteReplyTests : IAsyncLifetime
{
    private const string Question = "Shall we meet at the station at noon, or at the museum at two?";

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await Groups.GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Send_WithQuote_IsStoredAndReachesThePeerLive_AndByDifferenceHistoryDialogsAndSearch()
    {
        await using var alice = await _host.SignUpAsync("alice_quote");
        await using var bob = await _host.SignUpAsync("bob_quote");
        var question = await alice.SendAsync(bob, Question);
        await bob.NextAsync<MessageReceived>(m => m.Message.Id == question.Message.Id);
        var bobPts = (await bob.Client.GetStateAsync()).Pts;
        var quote = new ReplyQuote("the museum at two", Question.IndexOf("the museum", StringComparison.Ordinal));

        var reply = await bob.Client.SendMessageAsync(alice.Peer, "Museum, definitely", question.Message.Id, quote: quote);

        reply.Message.ReplyToId.Should().Be(question.Message.Id);
        reply.Message.ReplyQuote.Should().Be(quote);
        (await alice.NextAsync<MessageReceived>(m => m.Message.Id == reply.Message.Id)).Message.ReplyQuote.Should().Be(quote, "the live push carries it");
        (await alice.Client.GetHistoryAsync(bob.Peer)).Single(m => m.Id == reply.Message.Id).ReplyQuote.Should().Be(quote);
        (await bob.Client.GetDifferenceAsync(bobPts)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>()
            .Should().ContainSingle().Which.Message.ReplyQuote.Should().Be(quote);
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == bob.Peer).TopMessage!.ReplyQuote.Should().Be(quote);
        (await alice.Client.SearchMessagesAsync("definitely", bob.Peer)).Should().ContainSingle().Which.ReplyQuote.Should().Be(quote);
        (await alice.Client.GetHistoryAsync(bob.Peer)).Single(m => m.Id == question.Message.Id).ReplyQuote.Should().BeNull("only the reply quotes");
    }

    [Fact]
    public async Task Send_WhenTheQuoteStandsElsewhereOrHasSpacesAtItsEnds_IsKeptTrimmedAtTheNearestPlaceItStands()
    {
        await using var alice = await _host.SignUpAsync("alice_moved");
        await using var bob = await _host.SignUpAsync("bob_moved");
        const string text = "one fish, two fish,\nred fish, blue fish";
        var original = await alice.SendAsync(bob, text);

        var moved = await bob.Client.SendMessageAsync(alice.Peer, "?", original.Message.Id, quote: new ReplyQuote("blue fish", 3));
        var nearest = await bob.Client.SendMessageAsync(alice.Peer, "?", original.Message.Id, quote: new ReplyQuote("fish", 27));
        var spaced = await bob.Client.SendMessageAsync(alice.Peer, "?", original.Message.Id, quote: new ReplyQuote("  two fish,\n", 8));
        var inside = await bob.Client.SendMessageAsync(alice.Peer, "?", original.Message.Id, quote: new ReplyQuote("fish,\nred", 14));

        moved.Message.ReplyQuote.Should().Be(new ReplyQuote("blue fish", text.IndexOf("blue fish", StringComparison.Ordinal)));
        nearest.Message.ReplyQuote.Should().Be(new ReplyQuote("fish", 24), "of the four, the occurrence nearest to the offset given");
        spaced.Message.ReplyQuote.Should().Be(new ReplyQuote("two fish,", 10), "the ends' whitespace is trimmed and the offset moves past it");
        inside.Message.ReplyQuote.Should().Be(new ReplyQuote("fish,\nred", 14), "a line break inside the selection is kept");
    }

    [Fact]
    public async Task Send_WhenTheQuoteIsInvalid_FailsWithItsNamedError_AndStoresNothing()
    {
        await using var alice = await _host.SignUpAsync("alice_badquote");
        await using var bob = await _host.SignUpAsync("bob_badquote");
        var original = await alice.SendAsync(bob, Question);
        var poll = await alice.Client.SendPollAsync(bob.Peer, "Where?", ["station", "museum"]);
        var id = original.Message.Id;
        var before = await bob.Client.GetHistoryAsync(alice.Peer);

        Task Send(ReplyQuote quote, long? replyTo) => bob.Client.SendMessageAsync(alice.Peer, "reply", replyTo, quote: quote);

        await ChatTestKit.FailsWith(() => Send(new ReplyQuote("the cinema", 0), id), MessageErrorNames.QuoteTextInvalid);
        await ChatTestKit.FailsWith(() => Send(new ReplyQuote("Shall we", 0), null), MessageErrorNames.QuoteTextInvalid);
        await ChatTestKit.FailsWith(() => Send(new ReplyQuote("", 0), id), MessageErrorNames.QuoteTextInvalid);
        await ChatTestKit.FailsWith(() => Send(new ReplyQuote(" \n ", 0), id), MessageErrorNames.QuoteTextInvalid);
        await ChatTestKit.FailsWith(() => Send(new ReplyQuote(new string('x', ReplyQuote.MaxLength + 1), 0), id), MessageErrorNames.QuoteTextInvalid);
        await ChatTestKit.FailsWith(() => Send(new ReplyQuote("SHALL WE", 0), id), MessageErrorNames.QuoteTextInvalid);
        await ChatTestKit.FailsWith(() => Send(new ReplyQuote("Where?", 0), poll.Message.Id), MessageErrorNames.QuoteTextInvalid);
        await ChatTestKit.FailsWith(() => Send(new ReplyQuote("Shall we", -1), id), MessageErrorNames.QuoteOffsetInvalid);
        await ChatTestKit.FailsWith(() => Send(new ReplyQuote("Shall we", int.MinValue), id), MessageErrorNames.QuoteOffsetInvalid);
        await ChatTestKit.FailsWith(() => Send(new ReplyQuote("the cinema", int.MaxValue), id), MessageErrorNames.QuoteTextInvalid);
        await ChatTestKit.FailsWith(
            () => bob.Client.SendPollAsync(alice.Peer, "Q?", ["a", "b"], replyToId: id, quote: new ReplyQuote("nowhere", 0)), MessageErrorNames.QuoteTextInvalid);

        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().BeEquivalentTo(before, "a refused quote stores nothing");
        var fine = await bob.Client.SendMessageAsync(alice.Peer, "still here", id, quote: new ReplyQuote("Shall we", 0));
        fine.Message.ReplyQuote.Should().Be(new ReplyQuote("Shall we", 0));
    }

    [Fact]
    public async Task Send_WhenTheOffsetIsAtOrPastTheEndOfTheText_FindsTheQuoteFromTheEnd()
    {
        await using var alice = await _host.SignUpAsync("alice_shorter");
        await using var bob = await _host.SignUpAsync("bob_shorter");
        const string first = "Are you coming? Will you, too?";
        var original = await alice.SendAsync(bob, first);
        var selected = new ReplyQuote("you", first.LastIndexOf("you", StringComparison.Ordinal));
        selected.Offset.Should().Be(21);
        await alice.Client.EditMessageAsync(bob.Peer, original.Message.Id, "you?");

        var reply = await bob.Client.SendMessageAsync(alice.Peer, "Yes", original.Message.Id, quote: selected);
        var atEnd = await bob.Client.SendMessageAsync(alice.Peer, "Yes", original.Message.Id, quote: new ReplyQuote("you", 4));
        var far = await bob.Client.SendMessageAsync(alice.Peer, "Yes", original.Message.Id, quote: new ReplyQuote("  you?", int.MaxValue));
        await bob.Client.SaveDraftAsync(alice.Peer, "Yes", original.Message.Id, quote: selected); // a draft's check is the same

        reply.Message.ReplyQuote.Should().Be(new ReplyQuote("you", 0), "the original was edited shorter after bob selected the quote");
        atEnd.Message.ReplyQuote.Should().Be(new ReplyQuote("you", 0));
        far.Message.ReplyQuote.Should().Be(new ReplyQuote("you?", 0), "the offset moving past the trimmed spaces does not overflow");
    }

    [Fact]
    public async Task Send_WithMediaAndQuote_KeepsTheQuoteOfTheRepliedMessage()
    {
        await using var alice = await _host.SignUpAsync("alice_mediaq");
        await using var bob = await _host.SignUpAsync("bob_mediaq");
        var original = await alice.SendAsync(bob, "send me the photo of the cake");
        var photo = await bob.Client.UploadAsync([1, 2, 3, 4], "cake.bin");
        var quote = new ReplyQuote("the photo of the cake", 8);

        var sent = await bob.Client.CallAsync(new SendMessageCall(alice.Peer, 4242, "", original.Message.Id, photo, Quote: quote));
        var captioned = await bob.Client.CallAsync(
            new SendMessageCall(alice.Peer, 4243, "here", original.Message.Id, await bob.Client.UploadAsync([5, 6], "b.bin"), Quote: new ReplyQuote("cake", 0)));

        sent.Message.Should().Match<Message>(m => m.Media != null && m.ReplyQuote == quote);
        captioned.Message.ReplyQuote.Should().Be(new ReplyQuote("cake", 25), "the quote is of the replied message, not the caption");
        (await alice.Client.GetHistoryAsync(bob.Peer)).Single(m => m.Id == sent.Message.Id).ReplyQuote.Should().Be(quote);
    }

    [Fact]
    public async Task Send_WhenTheRepliedMessageIsOneTheSenderCannotSee_FailsAsAnyBadReply_WithoutCheckingTheQuote()
    {
        await using var alice = await _host.SignUpAsync("alice_unseen");
        await using var bob = await _host.SignUpAsync("bob_unseen");
        await using var carol = await _host.SignUpAsync("carol_unseen");
        var secret = await carol.SendAsync(bob, "the code is 1234");
        var hidden = await alice.SendAsync(bob, "a message bob deletes for himself");
        await bob.Client.DeleteMessagesAsync(alice.Peer, [hidden.Message.Id], revoke: false);

        // The same error whether or not the quote would match: the answer tells nothing about a message the sender cannot see.
        await ChatTestKit.FailsWith(
            () => alice.Client.SendMessageAsync(bob.Peer, "?", secret.Message.Id, quote: new ReplyQuote("the code is", 0)), MessageErrorNames.ReplyToInvalid);
        await ChatTestKit.FailsWith(
            () => alice.Client.SendMessageAsync(bob.Peer, "?", secret.Message.Id, quote: new ReplyQuote("not in it", 0)), MessageErrorNames.ReplyToInvalid);
        await ChatTestKit.FailsWith(
            () => bob.Client.SendMessageAsync(alice.Peer, "?", hidden.Message.Id, quote: new ReplyQuote("a message", 0)), MessageErrorNames.ReplyToInvalid);
        await ChatTestKit.FailsWith(
            () => alice.Client.SendMessageAsync(bob.Peer, "?", 999_999_999, quote: new ReplyQuote("x", 0)), MessageErrorNames.ReplyToInvalid);
    }

    [Fact]
    public async Task Quote_WhenTheOriginalIsEditedOrDeletedForOneUser_StaysAsItWasSent()
    {
        await using var alice = await _host.SignUpAsync("alice_keep");
        await using var bob = await _host.SignUpAsync("bob_keep");
        var original = await alice.SendAsync(bob, "I will bring the cake");
        var quote = new ReplyQuote("bring the cake", 7);
        var reply = await bob.Client.SendMessageAsync(alice.Peer, "Promise?", original.Message.Id, quote: quote);

        await alice.Client.EditMessageAsync(bob.Peer, original.Message.Id, "I might bring something");
        var afterEdit = (await bob.Client.GetHistoryAsync(alice.Peer)).Single(m => m.Id == reply.Message.Id);
        await bob.Client.DeleteMessagesAsync(alice.Peer, [original.Message.Id], revoke: false);
        var afterDeleteForMe = await bob.Client.GetHistoryAsync(alice.Peer);

        afterEdit.ReplyQuote.Should().Be(quote, "the quote is what the original said when bob answered");
        afterDeleteForMe.Should().NotContain(m => m.Id == original.Message.Id);
        afterDeleteForMe.Single(m => m.Id == reply.Message.Id).Should().Match<Message>(m => m.ReplyQuote == quote && m.ReplyToId == original.Message.Id);
        (await alice.Client.GetHistoryAsync(bob.Peer)).Single(m => m.Id == reply.Message.Id).ReplyQuote.Should().Be(quote, "alice still sees the original");
    }

    [Fact]
    public async Task Quote_WhenTheOriginalIsDeletedForEveryone_IsErasedFromTheRepliesHistoryAndLogs_AndTheReplyStaysAReply()
    {
        await using var alice = await _host.SignUpAsync("alice_revokeq");
        await using var bob = await _host.SignUpAsync("bob_revokeq");
        await using var carol = await _host.SignUpAsync("carol_revokeq");
        var group = Peer.Chat((await alice.Client.CreateGroupAsync("Plans", [bob.UserId, carol.UserId])).Chat.Id);
        var original = await alice.Client.SendMessageAsync(group, "my address is 12 Elm Street, come at eight");
        var unrelated = await alice.Client.SendMessageAsync(group, "bring snacks");
        var carolPts = (await carol.Client.GetStateAsync()).Pts;
        var reply = await bob.Client.SendMessageAsync(group, "on my way", original.Message.Id, quote: new ReplyQuote("12 Elm Street", 14));
        var other = await bob.Client.SendMessageAsync(group, "chips?", unrelated.Message.Id, quote: new ReplyQuote("snacks", 6));
        await bob.Client.EditMessageAsync(group, reply.Message.Id, "on my way!");
        await bob.Client.PinMessageAsync(group, reply.Message.Id, silent: true);

        await alice.Client.DeleteMessagesAsync(group, [original.Message.Id], revoke: true);

        foreach (var reader in new[] { alice, bob, carol })
        {
            var history = await reader.Client.GetHistoryAsync(group);
            history.Single(m => m.Id == reply.Message.Id).Should().Match<Message>(
                m => m.ReplyQuote == null && m.ReplyToId == original.Message.Id && m.Text == "on my way!", "the quote goes, the reply stays");
            history.Single(m => m.Id == other.Message.Id).ReplyQuote.Should().Be(new ReplyQuote("snacks", 6), "only quotes of the revoked message go");
        }

        var missed = (await carol.Client.GetDifferenceAsync(carolPts)).Updates.Select(u => u.Update).ToList();
        missed.OfType<NewMessageUpdate>().Single(u => u.Message.Id == reply.Message.Id).Message.ReplyQuote.Should().BeNull("a device catching up never reads it");
        missed.OfType<EditMessageUpdate>().Single(u => u.Message.Id == reply.Message.Id).Message.ReplyQuote.Should().BeNull();
        missed.OfType<PinnedMessageUpdate>().Should().ContainSingle().Which.Message!.ReplyQuote.Should().BeNull();
        missed.OfType<NewMessageUpdate>().Single(u => u.Message.Id == other.Message.Id).Message.ReplyQuote.Should().NotBeNull();
    }

    [Fact]
    public async Task Quote_WhenAnAdminDeletesTheAuthorsMessages_IsErasedFromTheReplies()
    {
        await using var admin = await _host.SignUpAsync("admin_purgeq");
        await using var spammer = await _host.SignUpAsync("spammer_purgeq");
        await using var bob = await _host.SignUpAsync("bob_purgeq");
        var original = await spammer.SendAsync(bob, "visit cheap-pills.example today");
        var reply = await bob.Client.SendMessageAsync(spammer.Peer, "stop", original.Message.Id, quote: new ReplyQuote("cheap-pills.example", 6));

        (await admin.Client.DeleteUserMessagesAsync(spammer.UserId)).Should().Be(1);

        (await bob.Client.GetHistoryAsync(spammer.Peer)).Single(m => m.Id == reply.Message.Id).ReplyQuote.Should().BeNull();
    }

    [Fact]
    public async Task Quote_WhenTheOriginalExpiresByAutoDelete_IsErasedFromTheReplies()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
        }, clock);
        await using var alice = await host.SignUpAsync("alice_expireq");
        await using var bob = await host.SignUpAsync("bob_expireq");
        await alice.Client.SetHistoryTtlAsync(bob.Peer, TimeSpan.FromDays(1));
        var original = await alice.SendAsync(bob, "the door code is 4711");
        await alice.Client.SetHistoryTtlAsync(bob.Peer, TimeSpan.Zero);
        var reply = await bob.Client.SendMessageAsync(alice.Peer, "noted", original.Message.Id, quote: new ReplyQuote("4711", 17));

        clock.Advance(TimeSpan.FromDays(1));
        await host.Services.GetRequiredService<MessageExpiry>().DeleteExpiredAsync(CancellationToken.None);

        var history = await bob.Client.GetHistoryAsync(alice.Peer);
        history.Should().NotContain(m => m.Id == original.Message.Id);
        history.Single(m => m.Id == reply.Message.Id).Should().Match<Message>(m => m.ReplyQuote == null && m.Text == "noted", "the reply itself had no timer");
    }

    [Fact]
    public async Task Send_WhenResentWithTheSameRandomId_AnswersTheFirstMessageWithItsQuote()
    {
        await using var alice = await _host.SignUpAsync("alice_resend");
        await using var bob = await _host.SignUpAsync("bob_resend");
        var original = await alice.SendAsync(bob, "red or blue?");

        var first = await bob.Client.SendMessageAsync(alice.Peer, "this one", original.Message.Id, randomId: 777, quote: new ReplyQuote("blue", 7));
        var again = await bob.Client.SendMessageAsync(alice.Peer, "this one", original.Message.Id, randomId: 777, quote: new ReplyQuote("blue", 7));
        var other = await bob.Client.SendMessageAsync(alice.Peer, "this one", original.Message.Id, randomId: 777, quote: new ReplyQuote("red", 0));

        again.Message.Should().Be(first.Message);
        other.Message.Should().Be(first.Message, "a resend answers the message stored first, as it was stored");
        (await alice.Client.GetHistoryAsync(bob.Peer)).Count(m => m.Text == "this one").Should().Be(1);
    }

    [Fact]
    public async Task Forward_WhenTheMessageQuotes_DropsTheQuoteWithTheReply()
    {
        await using var alice = await _host.SignUpAsync("alice_fwdquote");
        await using var bob = await _host.SignUpAsync("bob_fwdquote");
        await using var carol = await _host.SignUpAsync("carol_fwdquote");
        var original = await alice.SendAsync(bob, "the plan is simple");
        var reply = await bob.Client.SendMessageAsync(alice.Peer, "simple?", original.Message.Id, quote: new ReplyQuote("simple", 12));

        var forwarded = await bob.Client.ForwardMessagesAsync(alice.Peer, [reply.Message.Id], carol.Peer);

        forwarded.Messages.Should().ContainSingle().Which.Should().Match<Message>(m => m.ReplyToId == null && m.ReplyQuote == null);
    }

    [Fact]
    public async Task SaveDraft_WithQuote_ReachesTheOtherDevices_AndIsCheckedAsASend()
    {
        await using var alice = await _host.SignUpAsync("alice_draftquote");
        await using var bob = await _host.SignUpAsync("bob_draftquote");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_draftquote");
        var question = await bob.SendAsync(alice, "Which day suits you, Monday or Friday?");

        await alice.Client.SaveDraftAsync(bob.Peer, "Friday is", question.Message.Id, new ReplyQuote(" Monday or Friday", 0));
        var onPhone = await alicePhone.NextAsync<DraftChanged>();

        onPhone.Draft!.Quote.Should().Be(new ReplyQuote("Monday or Friday", 21));
        (await alicePhone.Client.GetDialogsAsync()).Items.Single(d => d.Peer == bob.Peer).Draft!.Quote.Should().Be(onPhone.Draft.Quote);
        (await alice.Client.SaveDraftAsync(bob.Peer, "Friday is", question.Message.Id, new ReplyQuote("Monday or Friday", 21))).PtsCount.Should().Be(0);
        (await alice.Client.SaveDraftAsync(bob.Peer, "Friday is", question.Message.Id)).PtsCount.Should().Be(1, "taking the quote away is a change");
        await ChatTestKit.FailsWith(
            () => alice.Client.SaveDraftAsync(bob.Peer, "Friday is", question.Message.Id, new ReplyQuote("Sunday", 0)), MessageErrorNames.QuoteTextInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDraftAsync(bob.Peer, "Friday is", null, new ReplyQuote("Monday", 20)), MessageErrorNames.QuoteTextInvalid);
    }

    [Fact]
    public async Task SendScheduled_WithQuote_IsCheckedNow_AndGoesOutWithTheQuoteAsChecked()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
        }, clock);
        await using var alice = await host.SignUpAsync("alice_schedquote");
        await using var bob = await host.SignUpAsync("bob_schedquote");
        var sender = host.Services.GetRequiredService<ScheduledSender>();
        var question = await bob.SendAsync(alice, "Remind me of the code word: swordfish");

        await ChatTestKit.FailsWith(
            () => alice.Client.ScheduleMessageAsync(bob.Peer, "it is", clock.GetUtcNow().AddHours(1), question.Message.Id, quote: new ReplyQuote("marlin", 0)),
            MessageErrorNames.QuoteTextInvalid);
        var scheduled = await alice.Client.ScheduleMessageAsync(
            bob.Peer, "here you are", clock.GetUtcNow().AddHours(1), question.Message.Id, quote: new ReplyQuote("the code word", 0));
        scheduled.Quote.Should().Be(new ReplyQuote("the code word", 13));
        (await alice.Client.GetScheduledAsync(bob.Peer)).Should().ContainSingle().Which.Quote.Should().Be(scheduled.Quote);
        await bob.Client.EditMessageAsync(alice.Peer, question.Message.Id, "Never mind");
        clock.Advance(TimeSpan.FromHours(2));
        await sender.SendDueAsync(CancellationToken.None);

        var sent = await bob.NextAsync<MessageReceived>(m => m.Message.Text == "here you are");
        sent.Message.Should().Match<Message>(m => m.ReplyToId == question.Message.Id && m.ReplyQuote == scheduled.Quote);
    }
}
