using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Groups;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

/// <summary>Polls: <c>messages.sendPoll</c>, <c>sendVote</c>, <c>closePoll</c> and <c>getPollVoters</c>.</summary>
public sealed class PollTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task PrivateChat_VotesAreCountedChangedAndTakenBack_TheVotersOtherDeviceLearnsItsChoice_AndTheAuthorCloses()
    {
        await using var alice = await _host.SignUpAsync("alice_poll");
        await using var bob = await _host.SignUpAsync("bob_poll");
        await using var bobPhone = await _host.SignInAnotherDeviceAsync("bob_poll");
        var sent = await alice.Client.SendPollAsync(bob.Peer, "  Lunch where?  ", [" Pizza ", "Sushi", "Tacos"]);
        var id = sent.Message.Id;
        sent.Message.Text.Should().BeEmpty();
        sent.Message.Poll.Should().BeEquivalentTo(new Poll("Lunch where?", ["Pizza", "Sushi", "Tacos"]), "kept trimmed");
        (await bob.NextAsync<MessageReceived>()).Message.Poll!.Options.Should().Equal("Pizza", "Sushi", "Tacos");

        var voted = await bob.Client.VoteAsync(alice.Peer, id, [1]);
        voted.Results.Should().BeEquivalentTo(new PollResults(id, [0, 1, 0], 1, [1], false));
        voted.PtsCount.Should().Be(1);
        var told = await alice.NextAsync<PollUpdated>();
        told.Should().Match<PollUpdated>(e => e.MessageId == id && e.Peer == bob.Peer && e.Voters == 1 && !e.Closed && e.MyChoices == null);
        told.Counts.Should().Equal(0, 1, 0);
        (await bobPhone.NextAsync<PollUpdated>()).MyChoices.Should().Equal([1], "the voter's other device shows the choice");

        (await bob.Client.VoteAsync(alice.Peer, id, [1])).PtsCount.Should().Be(0, "the same vote again changes nothing");
        (await bob.Client.VoteAsync(alice.Peer, id, [2])).Results.Counts.Should().Equal(0, 0, 1);
        (await alice.Client.VoteAsync(bob.Peer, id, [2])).Results.Should().BeEquivalentTo(new PollResults(id, [0, 0, 2], 2, [2], false));
        await ChatTestKit.FailsWith(() => bob.Client.VoteAsync(alice.Peer, id, [0, 1]), PollErrorNames.PollOptionInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.VoteAsync(alice.Peer, id, [3]), PollErrorNames.PollOptionInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.VoteAsync(alice.Peer, id, [-1]), PollErrorNames.PollOptionInvalid);

        var forBob = PollOf(await bob.Client.GetHistoryPageAsync(alice.Peer), id);
        forBob.Should().BeEquivalentTo(new PollResults(id, [0, 0, 2], 2, [2], false));
        PollOf(await alice.Client.CallAsync(new SearchMessagesCall(bob.Peer, "sushi")), id).Voters.Should().Be(2, "search finds a poll by its options");

        var taken = await bob.Client.VoteAsync(alice.Peer, id, []);
        taken.Results.Should().BeEquivalentTo(new PollResults(id, [0, 0, 1], 1, [], false));
        (await bobPhone.NextAsync<PollUpdated>(e => e.Pts == taken.Pts)).MyChoices.Should().BeEmpty("taken back on the other device too");

        await ChatTestKit.FailsWith(() => bob.Client.ClosePollAsync(alice.Peer, id), MessageErrorNames.MessageAuthorRequired, 403);
        await ChatTestKit.FailsWith(() => alice.Client.EditMessageAsync(bob.Peer, id, "Dinner where?"), PollErrorNames.PollNotEditable);
        var closed = await alice.Client.ClosePollAsync(bob.Peer, id);
        closed.Results.Should().BeEquivalentTo(new PollResults(id, [0, 0, 1], 1, [2], true));
        (await bob.NextAsync<PollUpdated>(e => e.Closed)).Counts.Should().Equal(0, 0, 1);
        (await alice.Client.ClosePollAsync(bob.Peer, id)).PtsCount.Should().Be(0, "closing a closed poll changes nothing");
        await ChatTestKit.FailsWith(() => bob.Client.VoteAsync(alice.Peer, id, [0]), PollErrorNames.PollClosed);
        PollOf(await bob.Client.GetHistoryPageAsync(alice.Peer), id).Should().BeEquivalentTo(new PollResults(id, [0, 0, 1], 1, [], true));
        (await bob.Client.GetHistoryPageAsync(alice.Peer)).Messages.Single().Should().BeEquivalentTo(sent.Message, "votes never change the message");
    }

    [Fact]
    public async Task Group_MultipleChoiceWithPublicVoters_ListsWhoChoseWhat_AnAnonymousPollDoesNot()
    {
        await using var alice = await _host.MemberAsync("alice_gpoll", listen: true);
        await using var bob = await _host.MemberAsync("bob_gpoll");
        await using var carol = await _host.MemberAsync("carol_gpoll");
        await using var dave = await _host.MemberAsync("dave_gpoll");
        var group = await alice.Client.CreateGroupAsync("Offsite", [bob.Id, carol.Id]);
        var peer = Peer.Chat(group.Chat.Id);
        var poll = (await alice.Client.SendPollAsync(peer, "Which days?", ["Mon", "Tue", "Wed"], multipleChoice: true, publicVoters: true)).Message.Id;

        await bob.Client.VoteAsync(peer, poll, [0, 2]);
        var last = await carol.Client.VoteAsync(peer, poll, [2]);
        last.Results.Should().BeEquivalentTo(new PollResults(poll, [1, 0, 2], 2, [2], false), "two voters, three choices");
        (await alice.NextAsync<PollUpdated>(e => e.Voters == 2)).Counts.Should().Equal(1, 0, 2);
        await ChatTestKit.FailsWith(() => bob.Client.VoteAsync(peer, poll, [1, 1]), PollErrorNames.PollOptionInvalid);

        (await alice.Client.GetPollVotersAsync(peer, poll, 2)).Should().BeEquivalentTo(new PollVoters([carol.Id, bob.Id], 2));
        (await bob.Client.GetPollVotersAsync(peer, poll, 2, offset: 1, limit: 1)).Should().BeEquivalentTo(new PollVoters([bob.Id], 2));
        (await carol.Client.GetPollVotersAsync(peer, poll, 1)).Should().BeEquivalentTo(new PollVoters([], 0));
        await ChatTestKit.FailsWith(() => alice.Client.GetPollVotersAsync(peer, poll, 3), PollErrorNames.PollOptionInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetPollVotersAsync(peer, poll, 0, limit: 0), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => dave.Client.GetPollVotersAsync(peer, poll, 0), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => dave.Client.VoteAsync(peer, poll, [0]), GroupErrorNames.ChatNotFound, 404);

        var secret = (await alice.Client.SendPollAsync(peer, "Rate the offsite", ["Good", "Bad"])).Message.Id;
        await bob.Client.VoteAsync(peer, secret, [1]);
        await ChatTestKit.FailsWith(() => alice.Client.GetPollVotersAsync(peer, secret, 1), PollErrorNames.PollVotersPrivate, 403);
        var logged = (await alice.Client.GetDifferenceAsync(0)).Updates.Select(u => u.Update).OfType<MessagePollUpdate>().ToList();
        logged.Should().HaveCount(3, "bob's and carol's votes, and bob's secret one, reach the author's log");
        logged.Should().OnlyContain(u => u.MyChoices == null, "the author's log never says what others chose");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChannelSubscribersVote_AndARevokedPollKeepsNoVotes(bool channel)
    {
        await using var alice = await _host.MemberAsync($"alice_cpoll{(channel ? 1 : 0)}", listen: true);
        await using var bob = await _host.MemberAsync($"bob_cpoll{(channel ? 1 : 0)}");
        var created = await alice.Client.CreateGroupAsync("News", [bob.Id], large: channel, broadcast: channel);
        var peer = Peer.Chat(created.Chat.Id);
        var poll = await alice.Client.SendPollAsync(peer, "Next topic?", ["Storage", "Protocol"], publicVoters: !channel);

        var answer = await bob.Client.VoteAsync(peer, poll.Message.Id, [0]);

        answer.Channel.Should().Be(channel);
        answer.Results.MyChoices.Should().Equal(0);
        var seen = await alice.NextAsync<PollUpdated>();
        seen.Counts.Should().Equal(1, 0);
        seen.ChannelId.Should().Be(channel ? created.Chat.Id : null);
        _host.CountRows("message_poll_votes").Should().Be(1);

        await alice.Client.DeleteMessagesAsync(peer, [poll.Message.Id], revoke: true);
        _host.CountRows("message_polls").Should().Be(0, "a poll deleted for everyone keeps nothing");
        _host.CountRows("message_poll_options").Should().Be(0);
        _host.CountRows("message_poll_votes").Should().Be(0, "nor who voted");
        await ChatTestKit.FailsWith(() => bob.Client.VoteAsync(peer, poll.Message.Id, [1]), MessageErrorNames.MessageIdInvalid);
        var logged = channel
            ? (await bob.Client.GetChannelDifferenceAsync(created.Chat.Id, 0)).Updates
            : (await bob.Client.GetDifferenceAsync(0)).Updates;
        logged.Select(u => u.Update).OfType<MessagePollUpdate>().Should().BeEmpty("redacted with the message");
    }

    [Fact]
    public async Task Channel_PublicVoters_AreRefused_ToSendAndToForward_ButAnAnonymousPollGoes()
    {
        await using var admin = await _host.MemberAsync("admin_bpoll", listen: true);
        await using var bob = await _host.MemberAsync("bob_bpoll");
        var channel = Peer.Chat((await admin.Client.CreateGroupAsync("News", [bob.Id], large: true, broadcast: true)).Chat.Id);
        var group = Peer.Chat((await admin.Client.CreateGroupAsync("Team", [bob.Id])).Chat.Id);

        await ChatTestKit.FailsWith(() => admin.Client.SendPollAsync(channel, "Lunch?", ["yes", "no"], publicVoters: true),
            PollErrorNames.BroadcastPublicVotersForbidden);
        var inGroup = await admin.Client.SendPollAsync(group, "Lunch?", ["yes", "no"], publicVoters: true);
        await ChatTestKit.FailsWith(() => admin.Client.ForwardMessagesAsync(group, [inGroup.Message.Id], channel),
            PollErrorNames.BroadcastPublicVotersForbidden);

        var anonymous = await admin.Client.SendPollAsync(group, "Dinner?", ["yes", "no"]);
        (await admin.Client.ForwardMessagesAsync(group, [anonymous.Message.Id], channel)).Messages.Single().Poll!.PublicVoters.Should().BeFalse();
        (await admin.Client.SendPollAsync(channel, "Tea?", ["yes", "no"])).Message.Poll!.PublicVoters.Should().BeFalse();
    }

    [Fact]
    public async Task Channel_APublicPollFromBeforeTheRule_ListsItsVotersToAdminsOnly()
    {
        await using var admin = await _host.MemberAsync("admin_oldpoll", listen: true);
        await using var bob = await _host.MemberAsync("bob_oldpoll");
        await using var carol = await _host.MemberAsync("carol_oldpoll");
        var channel = Peer.Chat((await admin.Client.CreateGroupAsync("News", [bob.Id, carol.Id], large: true, broadcast: true)).Chat.Id);
        var poll = await admin.Client.SendPollAsync(channel, "Lunch?", ["yes", "no"]);
        // As a server before the rule stored it: the same poll with public voters.
        using (var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open())
        using (var update = connection.CreateCommand())
        {
            update.CommandText = "UPDATE message_messages SET poll = @poll WHERE id = @id";
            update.Parameters.AddWithValue("@poll", MessagePackSerializer.Serialize(poll.Message.Poll! with { PublicVoters = true }, WireSerializer.Options));
            update.Parameters.AddWithValue("@id", poll.Message.Id);
            update.ExecuteNonQuery().Should().Be(1);
        }

        await bob.Client.VoteAsync(channel, poll.Message.Id, [0]);

        await ChatTestKit.FailsWith(() => carol.Client.GetPollVotersAsync(channel, poll.Message.Id, 0), PollErrorNames.PollVotersPrivate, 403);
        (await admin.Client.GetPollVotersAsync(channel, poll.Message.Id, 0)).UserIds.Should().Equal(bob.Id);
    }

    public static TheoryData<string?, string[]?, string> BadPolls => new()
    {
        { null, ["a", "b"], PollErrorNames.PollQuestionInvalid },
        { "   ", ["a", "b"], PollErrorNames.PollQuestionInvalid },
        { new string('q', PollLimits.MaxQuestionLength + 1), ["a", "b"], PollErrorNames.PollQuestionInvalid },
        { "Q?", null, PollErrorNames.PollOptionsInvalid },
        { "Q?", ["only one"], PollErrorNames.PollOptionsInvalid },
        { "Q?", [.. Enumerable.Range(0, PollLimits.MaxOptions + 1).Select(i => $"option {i}")], PollErrorNames.PollOptionsInvalid },
        { "Q?", ["Yes", " yes "], PollErrorNames.PollOptionsInvalid },
        { "Q?", ["a", " "], PollErrorNames.PollOptionInvalid },
        { "Q?", ["a", null!], PollErrorNames.PollOptionInvalid },
        { "Q?", ["a", new string('o', PollLimits.MaxOptionLength + 1)], PollErrorNames.PollOptionInvalid },
    };

    [Theory]
    [MemberData(nameof(BadPolls))]
    public async Task BadPolls_AreRefusedByName_AndStoreNothing(string? question, string[]? options, string error)
    {
        await using var alice = await _host.SignUpAsync("alice_badpoll");
        await using var bob = await _host.SignUpAsync("bob_badpoll");

        await ChatTestKit.FailsWith(() => alice.Client.SendPollAsync(bob.Peer, question!, options!), error);

        (await alice.Client.GetHistoryAsync(bob.Peer)).Should().BeEmpty();
        _host.CountRows("message_polls").Should().Be(0);
    }

    [Fact]
    public async Task BadVotes_AndResends_AndForwards()
    {
        await using var alice = await _host.SignUpAsync("alice_votes");
        await using var bob = await _host.SignUpAsync("bob_votes");
        await using var carol = await _host.SignUpAsync("carol_votes");
        var text = await alice.SendAsync(bob, "not a poll");
        var first = await alice.Client.SendPollAsync(bob.Peer, "Ship it?", ["Yes", "No"], randomId: 77);
        var again = await alice.Client.SendPollAsync(bob.Peer, "Ship it?", ["Yes", "No"], randomId: 77);

        again.Message.Should().BeEquivalentTo(first.Message, "the same random_id answers with the first poll");
        _host.CountRows("message_polls").Should().Be(1);
        await ChatTestKit.FailsWith(() => bob.Client.VoteAsync(alice.Peer, text.Message.Id, [0]), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => carol.Client.VoteAsync(alice.Peer, first.Message.Id, [0]), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.VoteAsync(alice.Peer, 0, [0]), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.CallAsync(new SendVoteCall(alice.Peer, first.Message.Id, null!)), PollErrorNames.PollOptionInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.CallAsync(new SendVoteCall(null!, first.Message.Id, [0])), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendPollCall(bob.Peer, 78, null!)), PollErrorNames.PollQuestionInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.CallAsync(new GetPollVotersCall(alice.Peer, first.Message.Id, -1)), PollErrorNames.PollOptionInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.ClosePollAsync(alice.Peer, text.Message.Id), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.GetPollVotersAsync(alice.Peer, first.Message.Id, 0), PollErrorNames.PollVotersPrivate, 403);

        await bob.Client.VoteAsync(alice.Peer, first.Message.Id, [0]);
        var forwarded = await bob.Client.CallAsync(new Messenger.Contracts.Media.ForwardMessagesCall(alice.Peer, [first.Message.Id], carol.Peer, [5]));
        var copy = forwarded.Messages.Single();
        copy.Poll.Should().BeEquivalentTo(first.Message.Poll, "the same question and options");
        PollOf(await carol.Client.GetHistoryPageAsync(bob.Peer), copy.Id).Should().BeEquivalentTo(
            new PollResults(copy.Id, [0, 0], 0, [], false), "a forwarded poll counts its own votes");
        await carol.Client.VoteAsync(bob.Peer, copy.Id, [1]);
        PollOf(await alice.Client.GetHistoryPageAsync(bob.Peer), first.Message.Id).Counts.Should().Equal(1, 0);
    }

    [Fact]
    public async Task Quiz_KeepsItsAnswerFromReaders_UntilTheyAnswer_AndAnAnswerIsFinal()
    {
        await using var alice = await _host.MemberAsync("alice_quiz", listen: true);
        await using var bob = await _host.MemberAsync("bob_quiz");
        await using var bobsPhone = await GroupTestKit.DeviceAsync(_host, "bob_quiz", bob.Id);
        await using var carol = await _host.MemberAsync("carol_quiz");
        var peer = Peer.Chat((await alice.Client.CreateGroupAsync("Maths club", [bob.Id, carol.Id])).Chat.Id);

        var sent = await alice.Client.SendQuizAsync(peer, "2 + 2?", ["3", "4", "5"], correctOption: 1, solution: "  Count on your fingers.  ");
        var id = sent.Message.Id;

        sent.Message.Poll.Should().BeEquivalentTo(new Poll("2 + 2?", ["3", "4", "5"], Quiz: true), "a message never carries the answer");
        PollOf(await carol.Client.GetHistoryPageAsync(peer), id).Should().BeEquivalentTo(new PollResults(id, [0, 0, 0], 0, [], false));
        PollOf(await alice.Client.GetHistoryPageAsync(peer), id).Should().BeEquivalentTo(
            new PollResults(id, [0, 0, 0], 0, [], false, 1, "Count on your fingers."), "its author knows the answer");
        (await carol.Client.GetDifferenceAsync(0)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>()
            .Single(u => u.Message.Id == id).Message.Poll!.CorrectOption.Should().BeNull("nor does the log entry of the message");

        var answered = await bob.Client.VoteAsync(peer, id, [0]);

        answered.Results.Should().BeEquivalentTo(new PollResults(id, [1, 0, 0], 1, [0], false, 1, "Count on your fingers."));
        var onPhone = await bobsPhone.NextAsync<PollUpdated>(e => e.MessageId == id);
        onPhone.MyChoices.Should().Equal(0);
        (onPhone.CorrectOption, onPhone.Solution).Should().Be((1, "Count on your fingers."));
        (await alice.NextAsync<PollUpdated>(e => e.MessageId == id)).CorrectOption.Should().Be(1);
        var carolsLog = (await carol.Client.GetDifferenceAsync(0)).Updates.Select(u => u.Update).OfType<MessagePollUpdate>().Single();
        carolsLog.Counts.Should().Equal(1, 0, 0);
        (carolsLog.CorrectOption, carolsLog.Solution).Should().Be(((int?)null, (string?)null), "carol has not answered");
        PollOf(await carol.Client.GetHistoryPageAsync(peer), id).CorrectOption.Should().BeNull();

        await ChatTestKit.FailsWith(() => bob.Client.VoteAsync(peer, id, [1]), PollErrorNames.RevoteNotAllowed);
        await ChatTestKit.FailsWith(() => bob.Client.VoteAsync(peer, id, []), PollErrorNames.RevoteNotAllowed);
        (await bob.Client.VoteAsync(peer, id, [0])).PtsCount.Should().Be(0, "the same answer again changes nothing");

        await ChatTestKit.FailsWith(
            () => carol.Client.CallAsync(new Messenger.Contracts.Media.ForwardMessagesCall(peer, [id], Peer.User(carol.Id), [8])),
            PollErrorNames.QuizAnswerRequired);
        (await carol.Client.GetHistoryAsync(Peer.User(carol.Id))).Should().BeEmpty("a copy to herself would tell her the answer");
        var forwarded = await bob.Client.CallAsync(new Messenger.Contracts.Media.ForwardMessagesCall(peer, [id], Peer.User(carol.Id), [9]));
        var copy = forwarded.Messages.Single();
        copy.Poll.Should().BeEquivalentTo(new Poll("2 + 2?", ["3", "4", "5"], Quiz: true));
        PollOf(await bob.Client.GetHistoryPageAsync(Peer.User(carol.Id)), copy.Id).CorrectOption.Should().BeNull("forwarding is not writing it");
        PollOf(await carol.Client.GetHistoryPageAsync(Peer.User(bob.Id)), copy.Id).CorrectOption.Should().BeNull();
        (await carol.Client.VoteAsync(Peer.User(bob.Id), copy.Id, [1])).Results.CorrectOption.Should().Be(1, "a forwarded quiz keeps its answer");

        await alice.Client.ClosePollAsync(peer, id);
        var closed = (await carol.Client.GetDifferenceAsync(0)).Updates.Select(u => u.Update).OfType<MessagePollUpdate>().Single(u => u.Closed);
        (closed.CorrectOption, closed.Solution).Should().Be((1, "Count on your fingers."), "a closed quiz tells everyone");
        PollOf(await carol.Client.GetHistoryPageAsync(peer), id).CorrectOption.Should().Be(1);
    }

    public static TheoryData<Poll, string> BadQuizzes => new()
    {
        { new Poll("Q?", ["a", "b"], Quiz: true), PollErrorNames.QuizCorrectAnswerInvalid },
        { new Poll("Q?", ["a", "b"], Quiz: true, CorrectOption: 2), PollErrorNames.QuizCorrectAnswerInvalid },
        { new Poll("Q?", ["a", "b"], Quiz: true, CorrectOption: -1), PollErrorNames.QuizCorrectAnswerInvalid },
        { new Poll("Q?", ["a", "b"], CorrectOption: 0), PollErrorNames.QuizCorrectAnswerInvalid },
        { new Poll("Q?", ["a", "b"], MultipleChoice: true, Quiz: true, CorrectOption: 0), PollErrorNames.QuizMultipleInvalid },
        { new Poll("Q?", ["a", "b"], Quiz: true, CorrectOption: 0, Solution: new string('s', PollLimits.MaxSolutionLength + 1)), PollErrorNames.PollSolutionInvalid },
        { new Poll("Q?", ["a", "b"], Solution: "why"), PollErrorNames.PollSolutionInvalid },
    };

    [Theory]
    [MemberData(nameof(BadQuizzes))]
    public async Task BadQuizzes_AreRefusedByName_AndStoreNothing(Poll quiz, string error)
    {
        await using var alice = await _host.SignUpAsync("alice_badquiz");
        await using var bob = await _host.SignUpAsync("bob_badquiz");

        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendPollCall(bob.Peer, 42, quiz)), error);

        (await alice.Client.GetHistoryAsync(bob.Peer)).Should().BeEmpty();
        _host.CountRows("message_polls").Should().Be(0);
    }

    private static PollResults PollOf(MessageList list, long messageId) =>
        list.Polls.Should().NotBeNull().And.Subject!.Single(p => p.MessageId == messageId);
}
