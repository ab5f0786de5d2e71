using System.Collections.Concurrent;
using System.Threading.Channels;
using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Client;

using Message = Messenger.Contracts.Messages.Message;
using Update = Messenger.Contracts.Updates.Update;

// The pts rules of the client's update stream against a scripted server: pushes are fed in directly, getState and
// getDifference answer from the script. A gap wait of zero makes a gap go to getDifference at once; a gap wait that
// the fake clock never reaches leaves the gap to be filled by pushes.
public sealed partial class UpdateStreamTests : IAsyncLifetime
{
    private const long Me = 1;
    private const long Friend = 2;
    private static readonly TimeSpan Forever = TimeSpan.FromDays(1);
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z"));
    private readonly ScriptedServer _server = new();
    private UpdateStream? _stream;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.StopAsync();
        }
    }

    [Fact]
    public async Task Push_InOrder_ReportsEachUpdateOnceAndAdvancesPts()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);

        Push(NewMessage(pts: 11, id: 100, from: Friend), Logged(12, new ReadOutboxUpdate(Peer.User(Friend), 99)));

        var received = (await NextAsync()).Should().BeOfType<MessageReceived>().Subject;
        received.Pts.Should().Be(11);
        received.Message.Id.Should().Be(100);
        received.Peer.Should().Be(Peer.User(Friend));
        received.IsOutgoing.Should().BeFalse();
        (await NextAsync()).Should().Be(new HistoryRead(12, Peer.User(Friend), ReadSide.Outbox, 99, 0));
        stream.Pts.Should().Be(12);
        _server.DifferenceRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task Push_AtOrBelowLocalPts_IsSkipped()
    {
        await StartAsync(statePts: 10, gapWait: Forever);

        Push(NewMessage(pts: 10, id: 90, from: Friend));
        Push(NewMessage(pts: 11, id: 100, from: Friend));
        Push(NewMessage(pts: 11, id: 100, from: Friend));
        Push(NewMessage(pts: 12, id: 101, from: Friend));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(11);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(12);
    }

    [Fact]
    public async Task Push_BeforeStart_IsLeftToTheStartPosition()
    {
        var stream = CreateStream(Forever);
        Push(NewMessage(pts: 11, id: 100, from: Friend));
        _server.StatePts = 11;
        await StartFreshAsync(stream, statePts: 11, channels: []);

        Push(NewMessage(pts: 12, id: 101, from: Friend));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(12);
    }

    [Fact]
    public async Task Push_AfterAGap_WaitsForTheMissingPushAndAppliesBothInOrder()
    {
        await StartAsync(statePts: 10, gapWait: Forever);

        Push(NewMessage(pts: 12, id: 101, from: Friend));
        Push(NewMessage(pts: 11, id: 100, from: Friend));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(11);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(12);
        _server.DifferenceRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task Push_AfterAGapThatStaysOpen_GetDifferenceFillsItOnce()
    {
        var stream = await StartAsync(statePts: 10, gapWait: TimeSpan.Zero);
        _server.Differences.Enqueue(new Difference(
            [NewMessage(11, 100, Friend), NewMessage(12, 101, Friend), NewMessage(13, 102, Friend)], new UpdatesState(13, 0), false, false));

        Push(NewMessage(pts: 13, id: 102, from: Friend));
        Push(NewMessage(pts: 14, id: 103, from: Friend));

        var pts = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            pts.Add((await NextAsync()).Should().BeOfType<MessageReceived>().Subject.Pts);
        }

        pts.Should().Equal(11, 12, 13, 14);
        _server.DifferenceRequests.Should().Equal(10);
        stream.Pts.Should().Be(14);
    }

    [Fact]
    public async Task Push_AfterAGap_WaitsTheGapWaitOnTheClockAndRetriesAFailedFetchAfterASecond()
    {
        await StartAsync(statePts: 10, gapWait: TimeSpan.FromSeconds(5));

        Push(NewMessage(pts: 12, id: 101, from: Friend));

        // Nothing is scripted yet, so the first fetch fails; it is tried again a second later on the client's clock.
        (await AdvanceUntilAsync(() => !_server.DifferenceRequests.IsEmpty)).Should().BeCloseTo(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2));
        _server.Differences.Enqueue(new Difference([NewMessage(11, 100, Friend), NewMessage(12, 101, Friend)], new UpdatesState(12, 0), false, false));
        (await AdvanceUntilAsync(() => _server.DifferenceRequests.Count == 2)).Should().BeCloseTo(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(11);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(12);
        _server.DifferenceRequests.Should().Equal(10, 10);
    }

    [Fact]
    public async Task GetDifference_InSlices_IsCalledAgainFromEachSliceUntilTheLast()
    {
        await StartAsync(statePts: 10, gapWait: TimeSpan.Zero);
        _server.Differences.Enqueue(new Difference([NewMessage(11, 100, Friend), NewMessage(12, 101, Friend)], new UpdatesState(12, 0), true, false));
        _server.Differences.Enqueue(new Difference([NewMessage(13, 102, Friend)], new UpdatesState(13, 0), false, false));

        Push(NewMessage(pts: 14, id: 103, from: Friend));

        var pts = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            pts.Add((await NextAsync()).Should().BeOfType<MessageReceived>().Subject.Pts);
        }

        pts.Should().Equal(11, 12, 13, 14);
        _server.DifferenceRequests.Should().Equal(10, 12);
    }

    [Fact]
    public async Task GetDifference_WhenTooLong_JumpsToTheServerStateAndReportsResynced()
    {
        var stream = await StartAsync(statePts: 10, gapWait: TimeSpan.Zero);
        _server.Differences.Enqueue(new Difference([], new UpdatesState(60, 0), false, true));

        Push(NewMessage(pts: 50, id: 500, from: Friend));
        (await NextAsync()).Should().Be(new Resynced(60));
        stream.Pts.Should().Be(60);

        Push(NewMessage(pts: 61, id: 600, from: Friend));
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(61);
    }

    [Fact]
    public async Task SentResult_ThenItsPush_ReportsTheMessageOnce()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);
        var sent = new SentMessage(Mine(100), 11, 1);

        stream.Observe(sent, edited: false);
        Push(new LoggedUpdate(11, 1, 0, new NewMessageUpdate(sent.Message)));
        Push(NewMessage(pts: 12, id: 101, from: Friend));

        var received = (await NextAsync()).Should().BeOfType<MessageReceived>().Subject;
        received.Message.Should().Be(sent.Message);
        received.IsOutgoing.Should().BeTrue();
        received.Peer.Should().Be(Peer.User(Friend));
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(12);
    }

    [Fact]
    public async Task Push_ThenItsSentResult_ReportsTheMessageOnce()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);
        var sent = new SentMessage(Mine(100), 11, 1);

        Push(new LoggedUpdate(11, 1, 0, new NewMessageUpdate(sent.Message)));
        stream.Observe(sent, edited: false);
        Push(NewMessage(pts: 12, id: 101, from: Friend));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id.Should().Be(100);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(12);
    }

    [Fact]
    public async Task SentResult_BeyondAGap_WaitsForTheMissingPushAndIsReportedOnce()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);
        var sent = new SentMessage(Mine(101), 12, 1);

        stream.Observe(sent, edited: false);
        Push(NewMessage(pts: 11, id: 100, from: Friend));
        Push(new LoggedUpdate(12, 1, 0, new NewMessageUpdate(sent.Message)));
        Push(NewMessage(pts: 13, id: 102, from: Friend));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id.Should().Be(100);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id.Should().Be(101);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id.Should().Be(102);
        _server.DifferenceRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task AffectedResult_MovesPtsSoItsPushIsNotRepeated()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);

        stream.Observe(new AffectedMessages(11, 1));
        Push(Logged(11, new DeleteMessagesUpdate(Peer.User(Friend), [100])));
        Push(Logged(12, new DeleteMessagesUpdate(Peer.User(Friend), [101])));

        (await NextAsync()).Should().BeOfType<MessagesDeleted>().Which.Ids.Should().Equal(101);
    }

    [Fact]
    public async Task Start_WithAPersistedPts_ReportsWhatWasMissedSince()
    {
        var stream = CreateStream(Forever);
        _server.Differences.Enqueue(new Difference([NewMessage(6, 60, Friend)], new UpdatesState(6, 0), false, false));

        await stream.StartAsync(Me, pts: 5);

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(6);
        _server.DifferenceRequests.Should().Equal(5);
    }

    [Fact]
    public async Task RequestDifference_AfterReconnect_ReportsWhatPushesMissed()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);
        _server.Differences.Enqueue(new Difference([NewMessage(11, 100, Friend)], new UpdatesState(11, 0), false, false));

        stream.RequestDifference();

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(11);
        _server.DifferenceRequests.Should().Equal(10);
    }

    [Fact]
    public async Task IncomingMessages_AreReportedDeliveredUpToTheHighestId()
    {
        await StartAsync(statePts: 10, gapWait: Forever);

        Push(NewMessage(pts: 11, id: 100, from: Friend), NewMessage(pts: 12, id: 101, from: Me), NewMessage(pts: 13, id: 102, from: Friend));

        var receipts = new List<long>();
        while (receipts.LastOrDefault() < 102)
        {
            receipts.Add(await _server.Receipts.Reader.ReadAsync().AsTask().WaitAsync(EventTimeout));
        }

        receipts.Should().BeInAscendingOrder().And.NotContain(101);
    }

    [Fact]
    public async Task Typing_ExpiresAfterTheSecondsGivenFromTheClientClock()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);

        stream.TryAccept(new UpdatesBody(UpdateKinds.Ephemeral, WireSerializer.Serialize<Update>(
            new TypingUpdate(Peer.User(Friend), Friend, TypingActions.Typing, 6)))).Should().BeTrue();

        (await NextAsync()).Should().Be(new UserTyping(Peer.User(Friend), Friend, TypingActions.Typing, _clock.GetUtcNow().AddSeconds(6)));
    }

    [Fact]
    public async Task Push_OfAKindThisSdkDoesNotKnow_MovesThePositionAndReportsNothing()
    {
        // What an app built before a tag existed gets from a newer server (secret chats' 31–34 were such tags): the union
        // reads as null and the entry only moves the position, with no gap and no getDifference.
        var stream = await StartAsync(statePts: 10, gapWait: Forever);
        var unknown = new Dictionary<string, object>
        {
            ["pts"] = 11, ["pts_count"] = 1, ["date"] = 1_790_000_000, ["update"] = new object[] { 99, new Dictionary<string, object> { ["x"] = 1 } },
        };
        stream.TryAccept(new UpdatesBody(UpdateKinds.Logged, MessagePack.MessagePackSerializer.Serialize(
            new Dictionary<string, object> { ["updates"] = new object[] { unknown } }))).Should().BeTrue();

        Push(NewMessage(pts: 12, id: 100, from: Friend));

        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Pts.Should().Be(12);
        stream.Pts.Should().Be(12);
        _server.DifferenceRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task TryAccept_OtherKinds_AreLeftToTheRawChannel()
    {
        var stream = await StartAsync(statePts: 10, gapWait: Forever);

        stream.TryAccept(new UpdatesBody(Messenger.Contracts.Auth.UpdateKinds.LoginTokenAccepted, [])).Should().BeFalse();
    }

    [Fact]
    public async Task Stop_WhileGetDifferenceFailsBecauseTheClientIsDisposed_CompletesWithoutThrowing()
    {
        var stream = CreateStream(Forever);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.NextDifference = async () =>
        {
            entered.TrySetResult();
            await release.Task;
            throw new ObjectDisposedException(nameof(MessengerClient));
        };
        await stream.StartAsync(Me, pts: 5);
        await entered.Task.WaitAsync(EventTimeout);

        var stop = stream.StopAsync();
        release.SetResult();

        await stop.Invoking(s => s.WaitAsync(EventTimeout)).Should().NotThrowAsync();
    }

    [Fact]
    public async Task Start_Fresh_AGroupPostPushedWhileADifferenceIsInFlight_IsReported()
    {
        var stream = CreateStream(Forever);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.NextDifference = async () =>
        {
            entered.TrySetResult();
            await release.Task;
            // The server answers after the post: the group's position already counts it.
            return new Difference([], new UpdatesState(10, 0), false, false, [new ChannelState(Group, 6)]);
        };
        _server.ChannelDifferences.Enqueue(new ChannelDifference(Group, [ChannelMessage(6, 100)], 6, false, false));

        // A fresh start: getState's pts 10 with the group at 5, read together. A difference is read right after (a
        // fresh start once read one at once; here a reconnect asks for it).
        await StartFreshAsync(stream, statePts: 10, [new ChannelState(Group, 5)]);
        stream.RequestDifference();
        await entered.Task.WaitAsync(EventTimeout);
        PushChannel(Group, ChannelMessage(pts: 6, id: 100)); // posted after getState, pushed on a healthy connection
        release.SetResult();
        Push(NewMessage(pts: 11, id: 101, from: Friend));

        var received = (await NextAsync()).Should().BeOfType<MessageReceived>().Subject;
        received.Message.Id.Should().Be(100, "a post made after the start was pushed and must be reported");
        received.ChannelId.Should().Be(Group);
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id.Should().Be(101);
        stream.ChannelPts[Group].Should().Be(6);
    }

    [Fact]
    public async Task Start_ResumedWithoutChannelPts_FirstCatchUpFailsAndAPushTracksTheGroup_TheRetriedCatchUpStillSaysChatResynced()
    {
        var stream = CreateStream(Forever);
        _server.StatePts = 10;
        var calls = 0;
        _server.NextDifference = () => Interlocked.Increment(ref calls) == 1
            ? Task.FromException<Difference>(new RpcException("NETWORK_DOWN", 500, null))
            : Task.FromResult(new Difference([], new UpdatesState(10, 0), false, false, [new ChannelState(Group, 41)]));

        await stream.StartAsync(Me, pts: 10); // resumed from the app's pts, no channelPts
        await SessionWait(() => _server.DifferenceRequests.Count == 1);
        await stream.InOrderAsync(() => { });

        // After the reconnect the group's next post is pushed: the stream follows the group from it.
        PushChannel(Group, ChannelMessage(pts: 41, id: 500));
        (await NextAsync()).Should().BeOfType<MessageReceived>().Which.Message.Id.Should().Be(500);

        stream.RequestDifference();
        await SessionWait(() => _server.DifferenceRequests.Count == 2);
        await stream.InOrderAsync(() => { });
        Push(NewMessage(pts: 11, id: 600, from: Friend));

        var events = new List<MessengerEvent>();
        while (events.LastOrDefault() is not MessageReceived { Message.Id: 600 })
        {
            events.Add(await NextAsync());
        }

        events.Should().Equal([new ChatResynced(Group, 41), events[^1]], "posts 1-40 of the group while the app was closed were never reported");
        stream.ChannelPts[Group].Should().Be(41);
    }

    private UpdateStream CreateStream(TimeSpan gapWait) => _stream = new UpdateStream(_server, new MessengerClientOptions
    {
        ServerUrl = new Uri("http://127.0.0.1:1"),
        ServerPublicKey = new byte[32],
        Clock = _clock,
        UpdateGapWait = gapWait,
        ReceiptDelay = TimeSpan.Zero,
    });

    private async Task<UpdateStream> StartAsync(long statePts, TimeSpan gapWait)
    {
        var stream = CreateStream(gapWait);
        _server.StatePts = statePts;
        await StartFreshAsync(stream, statePts, channels: []);
        return stream;
    }

    // A fresh start (no pts): getState's answer has the pts and lists the user's large groups (channels) at their
    // positions; nothing is fetched.
    private async Task StartFreshAsync(UpdateStream stream, long statePts, ChannelState[] channels,
        IReadOnlyDictionary<long, long>? channelPts = null)
    {
        _server.StatePts = statePts;
        _server.StateChannels = channels;
        await stream.StartAsync(Me, pts: null, channelPts);
    }

    private void Push(params LoggedUpdate[] updates) =>
        _stream!.TryAccept(new UpdatesBody(UpdateKinds.Logged, WireSerializer.Serialize(new LoggedUpdates(updates)))).Should().BeTrue();

    // Moves the client's clock on in steps of 100 ms until the condition holds; the time it took on that clock.
    private async Task<TimeSpan> AdvanceUntilAsync(Func<bool> condition)
    {
        var start = _clock.GetUtcNow();
        while (!condition())
        {
            (_clock.GetUtcNow() - start).Should().BeLessThan(TimeSpan.FromSeconds(30), "the stream should have fetched by then");
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(20);
        }

        return _clock.GetUtcNow() - start;
    }

    private Task<MessengerEvent> NextAsync() => _stream!.Reader.ReadAsync().AsTask().WaitAsync(EventTimeout);

    private static LoggedUpdate Logged(long pts, Update update) => new(pts, 1, 1_790_000_000, update);

    private static LoggedUpdate NewMessage(long pts, long id, long from) =>
        Logged(pts, new NewMessageUpdate(from == Me ? Mine(id) : new Message(id, from, Peer.User(Me), 1_790_000_000, "hi", null, null)));

    private static Message Mine(long id) => new(id, Me, Peer.User(Friend), 1_790_000_000, "hello", null, null);

    private sealed class ScriptedServer : IUpdateServer
    {
        public long StatePts { get; set; }

        public ConcurrentQueue<Difference> Differences { get; } = new();

        public ConcurrentQueue<long> DifferenceRequests { get; } = new();

        public ConcurrentQueue<ChannelDifference> ChannelDifferences { get; } = new();

        public ConcurrentQueue<(long ChatId, long Pts)> ChannelDifferenceRequests { get; } = new();

        public ConcurrentQueue<string> ChannelDifferenceErrors { get; } = new();

        public ConcurrentQueue<RpcException> ChannelDifferenceFailures { get; } = new();

        public Channel<long> Receipts { get; } = Channel.CreateUnbounded<long>();

        // Null: a server from before getState listed the large groups.
        public ChannelState[]? StateChannels { get; set; }

        public Task<UpdatesState> GetStateAsync(CancellationToken cancellationToken) => Task.FromResult(new UpdatesState(StatePts, 0, StateChannels));

        public Func<Task<Difference>>? NextDifference { get; set; }

        public Task<Difference> GetDifferenceAsync(long pts, CancellationToken cancellationToken)
        {
            DifferenceRequests.Enqueue(pts);
            if (NextDifference is { } next)
            {
                return next();
            }

            return Differences.TryDequeue(out var difference)
                ? Task.FromResult(difference)
                : Task.FromException<Difference>(new RpcException("NO_SCRIPTED_DIFFERENCE", 500, null));
        }

        public Task<ChannelDifference> GetChannelDifferenceAsync(long chatId, long pts, CancellationToken cancellationToken)
        {
            ChannelDifferenceRequests.Enqueue((chatId, pts));
            if (ChannelDifferenceFailures.TryDequeue(out var failure))
            {
                return Task.FromException<ChannelDifference>(failure);
            }

            if (ChannelDifferenceErrors.TryDequeue(out var error))
            {
                return Task.FromException<ChannelDifference>(new RpcException(error, 404, null));
            }

            return ChannelDifferences.TryDequeue(out var difference)
                ? Task.FromResult(difference)
                : Task.FromException<ChannelDifference>(new RpcException("NO_SCRIPTED_DIFFERENCE", 500, null));
        }

        public Task ReceivedAsync(long maxId, CancellationToken cancellationToken)
        {
            Receipts.Writer.TryWrite(maxId);
            return Task.CompletedTask;
        }
    }
}
