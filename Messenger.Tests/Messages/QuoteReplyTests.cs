using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Message.Scheduling;
using Messenger.Tests.Infrastructure;
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
    public async Task Quote_WhenTheOriginalIsEditedAndThenDeleted_StaysAsItWasSent()
    {
        await using var alice = await _host.SignUpAsync("alice_keep");
        await using var bob = await _host.SignUpAsync("bob_keep");
        var original = await alice.SendAsync(bob, "I will bring the cake");
        var quote = new ReplyQuote("bring the cake", 7);
        var reply = await bob.Client.SendMessageAsync(alice.Peer, "Promise?", original.Message.Id, quote: quote);

        await alice.Client.EditMessageAsync(bob.Peer, original.Message.Id, "I might bring something");
        var afterEdit = (await bob.Client.GetHistoryAsync(alice.Peer)).Single(m => m.Id == reply.Message.Id);
        await alice.Client.DeleteMessagesAsync(bob.Peer, [original.Message.Id], revoke: true);
        var afterDelete = await bob.Client.GetHistoryAsync(alice.Peer);

        afterEdit.ReplyQuote.Should().Be(quote, "the quote is what the original said when bob answered");
        afterDelete.Should().NotContain(m => m.Id == original.Message.Id);
        afterDelete.Single(m => m.Id == reply.Message.Id).Should().Match<Message>(m => m.ReplyQuote == quote && m.ReplyToId == original.Message.Id);
        (await alice.Client.GetHistoryAsync(bob.Peer)).Single(m => m.Id == reply.Message.Id).ReplyQuote.Should().Be(quote);
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
