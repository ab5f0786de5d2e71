using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Protocol;
using Messenger.Tests.Session;
using Microsoft.Extensions.Logging;

namespace Messenger.Tests.Client;

/// <summary>The SDK's connection as an app meets it: sessions, frame limits, cancellation and a connection that is gone.
/// Waits are bounded; they measure nothing.</summary>
public sealed class MessengerClientTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task TwoClients_OfOneOptionsObject_EachGetTheirOwnAnswers()
    {
        await using var host = await TestHost.StartAsync();
        var options = new MessengerClientOptions
        {
            ServerUrl = host.BaseAddress,
            ServerPublicKey = host.ServerPublicKey,
            DeviceKeys = new InMemoryDeviceKeyStore(),
            CallTimeout = TimeSpan.FromSeconds(20),
        };
        await using var first = await MessengerClient.ConnectAsync(options);
        await using var second = await MessengerClient.ConnectAsync(options);

        for (var round = 0; round < 5; round++)
        {
            var answers = await Task.WhenAll(
                first.CallAsync(new PingCall(1000 + round)), second.CallAsync(new PingCall(2000 + round)));

            answers.Select(a => a.Id).Should().Equal(1000 + round, 2000 + round);
        }

        first.SessionId.Should().NotBe(second.SessionId);
    }

    [Fact]
    public async Task Call_TooLargeForAFrame_FailsAtOnceNamingTheLimit_AndTheConnectionStays()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_big", startEvents: false);

        var send = () => alice.Client.SendMessageAsync(alice.Peer, new string('x', 700_000));

        (await send.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("614400");
        await alice.Client.PingAsync().WaitAsync(Bound);
        alice.Client.ConnectionCount.Should().Be(1, "nothing too large was sent, so the server closed nothing");
    }

    [Fact]
    public async Task TwoLargeCalls_QueuedTogether_BothGetTheirAnswers()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        var options = host.ClientOptions();
        await using var client = await MessengerClient.ConnectAsync(new MessengerClientOptions
        {
            ServerUrl = options.ServerUrl,
            ServerPublicKey = options.ServerPublicKey,
            CallTimeout = options.CallTimeout,
            ReconnectMinDelay = TimeSpan.FromSeconds(2),
        });
        await client.RegisterAsync("alice_two", SessionTestKit.Password, "Alice");
        var self = (await client.SignInAsync("alice_two", SessionTestKit.Password, "Test device", "tests")).User;
        await client.DropConnectionAsync();
        await SessionTestKit.WaitUntil(() => !client.IsConnected);
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // lets the client see the close; the reconnect waits 2 s

        // Queued while the link is down, so they go out together on the next one: 100 KB and a 512 KiB part would be
        // one frame over the server's limit.
        var message = client.SendMessageAsync(Peer.User(self.Id), new string('x', 100_000));
        var part = client.CallAsync(new SaveFilePartCall(Random.Shared.NextInt64(1, long.MaxValue), 0, 1, new byte[MediaMethods.PartSize]));

        await part.WaitAsync(Bound);
        (await FluentActions.Awaiting(() => message.WaitAsync(Bound)).Should().ThrowAsync<RpcException>())
            .Which.Name.Should().Be("MESSAGE_TOO_LONG", "the server answered it: it got there");
    }

    [Fact]
    public async Task Send_WithACancelledToken_NeverReachesThePeer()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_cancel", startEvents: false);
        await using var bob = await host.SignUpAsync("bob_cancel", startEvents: false);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var send = () => alice.Client.SendMessageAsync(bob.Peer, "never sent", cancellationToken: cancelled.Token);

        await send.Should().ThrowAsync<OperationCanceledException>();
        await alice.Client.SendMessageAsync(bob.Peer, "sent");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Text).Should().Equal("sent");
    }

    [Fact]
    public async Task Calls_AfterTheConnectionClosedWithoutAutoReconnect_FailAtOnce_AndTheEventsEnd()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var client = await host.ConnectWithoutReconnectAsync();

        await client.DropConnectionAsync();
        var ended = () => client.Events.Reader.Completion.WaitAsync(Bound);

        await ended.Should().ThrowAsync<MessengerConnectionException>();
        await FluentActions.Awaiting(() => client.PingAsync()).Should().ThrowAsync<MessengerConnectionException>();
        await FluentActions.Awaiting(() => client.CallAsync(new PingCall(1))).Should().ThrowAsync<MessengerConnectionException>();
    }

    [Fact]
    public async Task Ping_AfterDispose_ThrowsObjectDisposed()
    {
        await using var host = await TestHost.StartAsync();
        var client = await host.ConnectAsync();
        await client.DisposeAsync();

        await FluentActions.Awaiting(() => client.PingAsync().WaitAsync(Bound)).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task Send_ThatTimedOut_RetriedWithItsRandomId_IsStoredOnce()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var bob = await host.SignUpAsync("bob_retry", startEvents: false);
        var options = host.ClientOptions();
        await using var alice = await MessengerClient.ConnectAsync(new MessengerClientOptions
        {
            ServerUrl = options.ServerUrl,
            ServerPublicKey = options.ServerPublicKey,
            // Short, for the send whose answer is dropped; long enough for the answered calls on a busy machine.
            CallTimeout = TimeSpan.FromSeconds(5),
        });
        await alice.RegisterAsync("alice_retry", SessionTestKit.Password, "Alice");
        await alice.SignInAsync("alice_retry", SessionTestKit.Password, "Test device", "tests");
        var randomId = Random.Shared.NextInt64(1, long.MaxValue);

        alice.InboundFilter = envelope => envelope.Body is not ResultBody;
        var first = () => alice.SendMessageAsync(bob.Peer, "once", randomId: randomId);
        (await first.Should().ThrowAsync<CallTimeoutException>()).Which.Method.Should().Be("messages.send");
        alice.InboundFilter = null;
        await alice.SendMessageAsync(bob.Peer, "once", randomId: randomId);

        (await bob.Client.GetHistoryAsync(Peer.User((await alice.SendMessageAsync(bob.Peer, "after")).Message.FromId)))
            .Select(m => m.Text).Should().Equal("after", "once");
    }

    [Fact]
    public async Task Events_OfADeviceSignedOutByAnother_EndWithAuthKeyUnregistered()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var first = await host.SignUpAsync("alice_revoked");
        await using var second = await host.SignInAnotherDeviceAsync("alice_revoked", startEvents: false);

        await second.Client.ResetOtherAuthorizationsAsync();
        var readAll = async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await foreach (var _ in first.Client.Events.Reader.ReadAllAsync(timeout.Token))
            {
            }
        };

        (await readAll.Should().ThrowAsync<RpcException>()).Which.Name.Should().Be("AUTH_KEY_UNREGISTERED");
    }

    [Fact]
    public async Task Dispose_RightAfterAMessageArrived_StillReportsItDelivered()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_receipt");
        var bob = await host.SignUpAsync("bob_receipt");

        var sent = await alice.Client.SendMessageAsync(bob.Peer, "hello");
        await bob.NextAsync<MessageReceived>();
        await bob.DisposeAsync();

        (await alice.NextAsync<MessagesDelivered>()).MaxId.Should().Be(sent.Message.Id);
    }

    [Fact]
    public async Task GetSelf_OnADeviceSignedInBefore_NamesItsUser()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_restart", startEvents: false);
        await using var restarted = await host.ConnectAsync(alice.Keys);

        await SessionTestKit.FailsWith(() => restarted.SignInAsync("alice_restart", SessionTestKit.Password, "Test device", "tests"), "ALREADY_SIGNED_IN");
        var self = await restarted.GetSelfAsync();

        self.Id.Should().Be(alice.UserId);
        self.Username.Should().Be("alice_restart");
    }

    [Fact]
    public async Task HandlersOfTheApp_ThatThrow_AreLogged_AndTheOtherHandlersAndCallsGoOn()
    {
        // The server is restarted at the same address under the client: its reconnect meets a server that does not know
        // its session, so both events come after the handlers are in place (the first connection's new_session may come
        // before: ConnectAsync returns once the link is up).
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Messenger:Urls"] = $"http://127.0.0.1:{Web.WebTestKit.RestartablePort()}" };
        var host = await TestHost.StartAsync(data.Path, settings);
        var logged = new RecordingLogger();
        await using var client = await MessengerClient.ConnectAsync(new MessengerClientOptions
        {
            ServerUrl = host.BaseAddress,
            ServerPublicKey = host.ServerPublicKey,
            CallTimeout = TimeSpan.FromSeconds(20),
            Logger = logged,
        });
        var newSessions = 0;
        var reconnects = 0;
        client.NewSession += _ => throw new InvalidOperationException("the app's new-session handler failed");
        client.NewSession += _ => Interlocked.Increment(ref newSessions);
        client.Reconnected += () => throw new InvalidOperationException("the app's reconnect handler failed");
        client.Reconnected += () => Interlocked.Increment(ref reconnects);
        (await client.CallAsync(new PingCall(1)).WaitAsync(Bound)).Id.Should().Be(1);
        var before = Volatile.Read(ref newSessions);

        await host.DisposeAsync();
        host = await TestHost.StartAsync(data.Path, settings);
        try
        {
            await ProtocolTests.WaitUntil(() => Volatile.Read(ref reconnects) == 1);
            (await client.CallAsync(new PingCall(2)).WaitAsync(Bound)).Id.Should().Be(2);
            await ProtocolTests.WaitUntil(() => Volatile.Read(ref newSessions) == before + 1);
        }
        finally
        {
            await client.DisposeAsync();
            await host.DisposeAsync();
        }

        const string newSessionFailed = "A NewSession handler threw; the client went on without it: the app's new-session handler failed";
        logged.Errors.Should().Contain("A Reconnected handler threw; the client went on without it: the app's reconnect handler failed")
            .And.HaveCount(2 + before, "each failure once: the reconnect's, and the new session's of each announcement the handlers saw");
        logged.Errors.Count(e => e == newSessionFailed).Should().Be(before + 1, "the counting handler after the failing one ran each time");
    }

    private sealed class RecordingLogger : ILogger
    {
        private readonly List<string> _errors = [];

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_errors)
                {
                    return _errors.ToList();
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                lock (_errors)
                {
                    _errors.Add($"{formatter(state, exception)}: {exception?.Message}");
                }
            }
        }
    }
}
