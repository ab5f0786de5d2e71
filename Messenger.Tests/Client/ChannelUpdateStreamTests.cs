using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;

namespace Messenger.Tests.Client;

using Message = Messenger.Contracts.Messages.Message;
using Update = Messenger.Contracts.Updates.Update;

// The per-chat pts rules of large groups' own logs: updates.channel pushes, getChannelDifference, the Channels list of
// getDifference, and chat updates that start and stop tracking a chat.
public sealed partial class UpdateStreamTests
{
    private const long Group = 77;
    private const long OtherGroup = 78;

    [Fact]
    public async Task ChatUpdate_JoinedLargeGroup_TracksTheChatFromItsPtsAndAppliesItsPushes()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);

        Push(Logged(11, new ChatUpdate(LargeChat(Group, pts: 5), IsMember: true)));
        PushChannel(Group, ChannelMessage(pts: 6, id: 100));

        var joined = (await NextAsync()).Should().BeOfType<ChatUpdated>().Subject;
        joined.Should().Be(new ChatUpdated(11, LargeChat(Group, pts: 5), true));
        joined.ChannelId.Should().BeNull();
        var received = (await NextAsync()).Should().BeOfType<MessageReceived>().Subject;
        received.Pts.Should().Be(6);
        received.ChannelId.Should().Be(Group);
        received.Peer.Should().Be(Peer.Chat(Group));
        received.IsOutgoing.Should().BeFalse();
        stream.Pts.Should().Be(11);
        stream.ChannelPts.Should().Equal(new Dictionary<long, long> { [Group] = 6 });
        _server.ChannelDifferenceRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task ChannelPush_AtOrBelowTheChatPts_IsSkipped()
    {
        await StartWithChannelAsync(channelPts: 5, gapWait: Forever);

        PushChannel(Group, ChannelMessage(pts: 5, id: 90));
        PushChannel(Group, ChannelMessage(pts: 6, id: 100));
        PushChannel(Group, ChannelMessage(pts: 6, id: 100));
        PushChannel(Group, ChannelMessage(pts: 7, id: 101));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(6);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(7);
    }

    [Fact]
    public async Task ChannelPush_AfterAGap_WaitsForTheMissingPushAndAppliesBothInOrder()
    {
        await StartWithChannelAsync(channelPts: 5, gapWait: Forever);

        PushChannel(Group, ChannelMessage(pts: 7, id: 101));
        PushChannel(Group, ChannelMessage(pts: 6, id: 100));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(6);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(7);
        _server.ChannelDifferenceRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task ChannelPush_AfterAGapThatStaysOpen_GetChannelDifferenceFillsItFromTheChatPts()
    {
        var stream = await StartWithChannelAsync(channelPts: 5, gapWait: TimeSpan.Zero);
        _server.ChannelDifferences.Enqueue(new ChannelDifference(Group, [ChannelMessage(6, 100), ChannelMessage(7, 101)], 7, false, false));

        PushChannel(Group, ChannelMessage(pts: 7, id: 101), ChannelMessage(pts: 8, id: 102));

        var pts = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            pts.Add((await NextAsync()).Should().BeOfType<MessageReceived>().Subject.Pts);
        }

        pts.Should().Equal(6, 7, 8);
        _server.ChannelDifferenceRequests.Should().Equal((Group, 5L));
        _server.DifferenceRequests.Should().BeEmpty();
        stream.ChannelPts[Group].Should().Be(8);
        stream.Pts.Should().Be(10);
    }

    [Fact]
    public async Task GetChannelDifference_InSlices_IsCalledAgainUntilTheLast()
    {
        await StartWithChannelAsync(channelPts: 5, gapWait: TimeSpan.Zero);
        _server.ChannelDifferences.Enqueue(new ChannelDifference(Group, [ChannelMessage(6, 100)], 6, true, false));
        _server.ChannelDifferences.Enqueue(new ChannelDifference(Group, [ChannelMessage(7, 101)], 7, false, false));

        PushChannel(Group, ChannelMessage(pts: 8, id: 102));

        var pts = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            pts.Add((await NextAsync()).Should().BeOfType<MessageReceived>().Subject.Pts);
        }

        pts.Should().Equal(6, 7, 8);
        _server.ChannelDifferenceRequests.Should().Equal((Group, 5L), (Group, 6L));
    }

    [Fact]
    public async Task GetChannelDifference_WhenTooLong_JumpsToTheChatPtsAndReportsChatResynced()
    {
        var stream = await StartWithChannelAsync(channelPts: 5, gapWait: TimeSpan.Zero);
        _server.ChannelDifferences.Enqueue(new ChannelDifference(Group, [], 60, false, true));

        PushChannel(Group, ChannelMessage(pts: 50, id: 500));

        (await NextAsync()).Should().Be(new ChatResynced(Group, 60));
        stream.ChannelPts[Group].Should().Be(60);
        stream.Pts.Should().Be(10);

        PushChannel(Group, ChannelMessage(pts: 61, id: 600));
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(61);
    }

    [Fact]
    public async Task GetChannelDifference_WhenTheDeviceWasSignedOut_EndsTheStream_AsTheUsersLogDoes()
    {
        var stream = await StartWithChannelAsync(channelPts: 5, gapWait: TimeSpan.Zero);
        _server.ChannelDifferenceFailures.Enqueue(new RpcException("AUTH_KEY_UNREGISTERED", 401, null));

        PushChannel(Group, ChannelMessage(pts: 7, id: 101));

        var ended = await FluentActions.Awaiting(() => stream.Reader.Completion.WaitAsync(EventTimeout)).Should().ThrowAsync<RpcException>();
        ended.Which.Code.Should().Be(401);
    }

    [Fact]
    public async Task ChannelGap_DoesNotHoldBackTheUsersLogOrOtherChats()
    {
        await StartWithChannelAsync(channelPts: 5, gapWait: Forever);
        Push(Logged(11, new ChatUpdate(LargeChat(OtherGroup, pts: 1), IsMember: true)));
        (await NextAsync()).Should().BeOfType<ChatUpdated>();

        PushChannel(Group, ChannelMessage(pts: 7, id: 101));
        PushChannel(OtherGroup, ChannelMessage(pts: 2, id: 102, chat: OtherGroup));
        Push(NewMessage(pts: 12, id: 103, from: Friend));

        var other = (await NextAsync()).Should().BeOfType<MessageReceived>().Subject;
        other.ChannelId.Should().Be(OtherGroup);
        other.Pts.Should().Be(2);
        var mine = (await NextAsync()).Should().BeOfType<MessageReceived>().Subject;
        mine.ChannelId.Should().BeNull();
        mine.Pts.Should().Be(12);
    }

    [Fact]
    public async Task Difference_ListsChannelsAhead_FetchesTheirDifferenceAndRecordsUnknownOnesWithoutHistory()
    {
        var stream = await StartWithChannelAsync(channelPts: 5, gapWait: Forever);
        _server.Differences.Enqueue(new Difference([], new UpdatesState(11, 0), false, false, [new ChannelState(Group, 7), new ChannelState(OtherGroup, 40)]));
        _server.ChannelDifferences.Enqueue(new ChannelDifference(Group, [ChannelMessage(6, 100), ChannelMessage(7, 101)], 7, false, false));

        stream.RequestDifference();

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(6);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(7);
        _server.ChannelDifferenceRequests.Should().Equal((Group, 5L));
        stream.ChannelPts.Should().Equal(new Dictionary<long, long> { [Group] = 7, [OtherGroup] = 40 });
    }

    [Fact]
    public async Task Start_Fresh_FollowsTheLargeGroupsGetStateLists_SoAPostNoPushBroughtIsReported()
    {
        var stream = CreateStream(Forever);
        _server.StatePts = 10;
        await StartFreshAsync(stream, statePts: 10, [new ChannelState(Group, 5)]);
        stream.ChannelPts.Should().Equal(new Dictionary<long, long> { [Group] = 5 });

        // The connection dropped before any push of the group; after the reconnect the difference lists it ahead.
        _server.Differences.Enqueue(new Difference([], new UpdatesState(10, 0), false, false, [new ChannelState(Group, 6)]));
        _server.ChannelDifferences.Enqueue(new ChannelDifference(Group, [ChannelMessage(6, 100)], 6, false, false));
        stream.RequestDifference();

        // The post itself, with no ChatResynced before it: a fresh start has no history to say was skipped.
        var received = (await NextAsync()).Should().BeOfType<MessageReceived>().Subject;
        received.ChannelId.Should().Be(Group);
        received.Message.Id.Should().Be(100);
        _server.ChannelDifferenceRequests.Should().Equal((Group, 5L));
        stream.ChannelPts[Group].Should().Be(6);
    }

    [Fact]
    public async Task Start_ResumedFromAPtsAheadOfTheLog_StartsOverAtGetState_FollowingTheLargeGroupsItLists()
    {
        var stream = CreateStream(Forever);
        _server.StatePts = 10;
        _server.StateChannels = [new ChannelState(Group, 5)];
        _server.NextDifference = () => Task.FromException<Difference>(new RpcException(UpdateErrorNames.PtsInvalid, 400, null));

        await stream.StartAsync(Me, pts: 50);

        (await NextAsync()).Should().Be(new Resynced(10), "the app refetches everything, the group's history with it");
        stream.Pts.Should().Be(10);
        stream.ChannelPts.Should().Equal(new Dictionary<long, long> { [Group] = 5 });
        PushChannel(Group, ChannelMessage(pts: 6, id: 100));
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id.Should().Be(100);
        _server.ChannelDifferenceRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task Difference_NoLongerListsAChannel_StopsTrackingIt()
    {
        var stream = await StartWithChannelAsync(channelPts: 5, gapWait: Forever);
        _server.Differences.Enqueue(new Difference([], new UpdatesState(11, 0), false, false, []));

        stream.RequestDifference();
        Push(NewMessage(pts: 12, id: 100, from: Friend));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(12);
        stream.ChannelPts.Should().BeEmpty();
    }

    [Fact]
    public async Task ChatUpdate_Left_StopsTrackingAndLaterPushesOfTheChatAreIgnored()
    {
        var stream = await StartWithChannelAsync(channelPts: 5, gapWait: Forever);

        Push(Logged(11, new ChatUpdate(LargeChat(Group, pts: 6), IsMember: false)));
        PushChannel(Group, ChannelMessage(pts: 6, id: 100));
        Push(NewMessage(pts: 12, id: 101, from: Friend));

        (await NextAsync()).Should().Be(new ChatUpdated(11, LargeChat(Group, pts: 6), false));
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(12);
        stream.ChannelPts.Should().BeEmpty();
    }

    [Fact]
    public async Task SentResult_InALargeGroup_FeedsTheChatPtsNotTheUsers()
    {
        var stream = await StartWithChannelAsync(channelPts: 5, gapWait: Forever);
        var sent = new SentMessage(new Message(100, Me, Peer.Chat(Group), 1_790_000_000, "hello all", null, null), 6, 1, Channel: true);

        stream.Observe(sent, edited: false);
        PushChannel(Group, ChannelMessage(pts: 7, id: 101));
        Push(NewMessage(pts: 11, id: 102, from: Friend));

        var own = (await NextAsync()).Should().BeOfType<MessageReceived>().Subject;
        own.Message.Id.Should().Be(100);
        own.IsOutgoing.Should().BeTrue();
        own.ChannelId.Should().Be(Group);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id.Should().Be(101);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id.Should().Be(102);
        stream.Pts.Should().Be(11);
        stream.ChannelPts[Group].Should().Be(7);
    }

    [Fact]
    public async Task ResentResult_InALargeGroup_AheadOfTheChatPts_FetchesItsDifference_AndAPushAtItsPtsWinsOverIt()
    {
        // A gap waits 1 s (on the test's clock) for its push before the fetch.
        var stream = await StartWithChannelAsync(channelPts: 5, gapWait: TimeSpan.FromSeconds(1));
        var first = new Message(100, Me, Peer.Chat(Group), 1_790_000_000, "answer lost", null, null);
        _server.ChannelDifferences.Enqueue(new ChannelDifference(Group, [new LoggedUpdate(6, 1, 0, new NewMessageUpdate(first) { RandomId = 55 })], 6, false, false));

        // A resend's answer takes no position: it only tells where the group's log stands (the first run's push skipped
        // this connection), so the device fetches the post, reported once with its random_id.
        stream.Observe(new SentMessage(first, 6, 0, Channel: true), edited: false, randomId: 55);
        await AdvanceUntilAsync(() => !_server.ChannelDifferenceRequests.IsEmpty);

        var fetched = (await NextAsync()).Should().BeOfType<MessageReceived>().Subject;
        fetched.Should().Match<MessageReceived>(m => m.Message.Id == 100 && m.Pts == 6 && m.RandomId == 55 && m.IsOutgoing && m.ChannelId == Group);
        _server.ChannelDifferenceRequests.Should().ContainSingle();

        // Answered again while the next push is on its way: the push is applied as it comes, not held behind the answer.
        stream.Observe(new SentMessage(first, 7, 0, Channel: true), edited: false, randomId: 55);
        PushChannel(Group, ChannelMessage(pts: 7, id: 101));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id.Should().Be(101);
        stream.ChannelPts[Group].Should().Be(7);
        _server.ChannelDifferenceRequests.Should().ContainSingle("the push filled pts 7");
    }

    [Fact]
    public async Task ResentResult_InALargeGroupNotFollowedYet_AsksTheUsersLog_AndFollowsTheGroupFromItsJoin()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);
        var own = new Message(102, Me, Peer.Chat(Group), 1_790_000_000, "answer lost", null, null);
        _server.Differences.Enqueue(new Difference(
            [Logged(11, new ChatUpdate(LargeChat(Group, pts: 5), IsMember: true))], new UpdatesState(11, 0), false, false, [new ChannelState(Group, 8)]));
        _server.ChannelDifferences.Enqueue(new ChannelDifference(
            Group, [ChannelMessage(6, 100), ChannelMessage(7, 101), new LoggedUpdate(8, 1, 0, new NewMessageUpdate(own) { RandomId = 55 })], 8, false, false));

        // The answer overtook the join's push: it must not start the group at its own position (posts 6 and 7 skipped).
        stream.Observe(new SentMessage(own, 8, 0, Channel: true), edited: false, randomId: 55);

        (await NextAsync()).Should().BeOfType<ChatUpdated>().Which.Pts.Should().Be(11);
        var posts = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            posts.Add((await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id);
        }

        posts.Should().Equal(100, 101, 102);
        _server.ChannelDifferenceRequests.Should().Equal((Group, 5L));
        stream.ChannelPts[Group].Should().Be(8);
    }

    [Fact]
    public async Task AffectedResult_InALargeGroup_MovesTheChatPtsSoItsPushIsNotRepeated()
    {
        var stream = await StartWithChannelAsync(channelPts: 5, gapWait: Forever);

        stream.Observe(new AffectedMessages(6, 1, Channel: true), Peer.Chat(Group));
        PushChannel(Group, new LoggedUpdate(6, 1, 0, new DeleteMessagesUpdate(Peer.Chat(Group), [90])));
        PushChannel(Group, new LoggedUpdate(7, 1, 0, new DeleteMessagesUpdate(Peer.Chat(Group), [91])));

        (await NextAsync()).Should().BeOfType<MessagesDeleted>().Which.Ids.Should().Equal(91);
        stream.Pts.Should().Be(10);
    }

    [Fact]
    public async Task ChatChangedResult_CreatingALargeGroup_TracksItAndReportsTheServiceMessage()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);
        var service = new Message(100, Me, Peer.Chat(Group), 1_790_000_000, "", null, null, new ServiceAction(ServiceActions.Create, [Friend], "Team"));

        stream.Observe(new ChatChanged(LargeChat(Group, pts: 1), service, 1, 1, Channel: true), isMember: true);
        PushChannel(Group, ChannelMessage(pts: 2, id: 101));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Action!.Kind.Should().Be(ServiceActions.Create);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(2);
        stream.ChannelPts[Group].Should().Be(2);
    }

    [Fact]
    public async Task ChannelPush_OfAnUnknownChat_StartsTrackingAtIt()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);

        PushChannel(Group, ChannelMessage(pts: 30, id: 100));
        PushChannel(Group, ChannelMessage(pts: 31, id: 101));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(30);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(31);
        _server.ChannelDifferenceRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task GetChannelDifference_WhenNoLongerAMember_StopsTrackingTheChat()
    {
        var stream = await StartWithChannelAsync(channelPts: 5, gapWait: TimeSpan.Zero);
        _server.ChannelDifferenceErrors.Enqueue(GroupErrorNames.ChatNotFound);

        PushChannel(Group, ChannelMessage(pts: 9, id: 100));
        await SessionWait(() => stream.ChannelPts.Count == 0);
        Push(NewMessage(pts: 11, id: 101, from: Friend));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(11);
        _server.ChannelDifferenceRequests.Should().Equal((Group, 5L));
    }

    private static Task SessionWait(Func<bool> condition) => Messenger.Tests.Session.SessionTestKit.WaitUntil(condition);

    private async Task<UpdateStream> StartWithChannelAsync(long channelPts, TimeSpan gapWait)
    {
        var stream = CreateStream(gapWait);
        _server.StatePts = 10;
        await StartFreshAsync(stream, statePts: 10, [new ChannelState(Group, channelPts)], new Dictionary<long, long> { [Group] = channelPts });
        return stream;
    }

    private void PushChannel(long chatId, params LoggedUpdate[] updates) =>
        _stream!.TryAccept(new UpdatesBody(UpdateKinds.Channel, WireSerializer.Serialize(new ChannelUpdates(chatId, updates)))).Should().BeTrue();

    private static Chat LargeChat(long id, long pts) => new(id, ChatKind.LargeGroup, "Team", Friend, 3, 1_790_000_000, pts);

    private static LoggedUpdate ChannelMessage(long pts, long id, long chat = Group) =>
        Logged(pts, new NewMessageUpdate(new Message(id, Friend, Peer.Chat(chat), 1_790_000_000, "hi all", null, null)));

    // Pushes of a chat the user left are kept until a chat update says they were added back: a post whose push came
    // before that update (and before the add's own service message) is reported, not taken for seen.
    [Fact]
    public async Task ChatUpdate_AddingBackToALeftLargeGroup_ReportsAPostWhosePushCameBeforeIt()
    {
        await StartWithChannelAsync(channelPts: 5, gapWait: Forever);
        Push(Logged(11, new ChatUpdate(LargeChat(Group, pts: 6), IsMember: false)));
        (await NextAsync()).Should().BeOfType<ChatUpdated>().Which.IsMember.Should().BeFalse();

        // Added back: the add's service message is the group's entry 7, its chat update (user log 12) carries the chat at
        // 7; another member's post, entry 8, is pushed first.
        PushChannel(Group, ChannelMessage(pts: 8, id: 101));
        PushChannel(Group, ChannelMessage(pts: 7, id: 100));
        Push(Logged(12, new ChatUpdate(LargeChat(Group, pts: 7), IsMember: true)));
        Push(NewMessage(pts: 13, id: 102, from: Friend));

        var events = new List<MessengerEvent>();
        do
        {
            events.Add(await NextAsync());
        }
        while (events[^1] is not MessageReceived { Pts: 13 });

        events.OfType<MessageReceived>().Select(e => e.Message.Id).Should().Contain(101, "the post came after the add");
    }
}
