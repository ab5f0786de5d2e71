using System.Collections;
using System.Reflection;
using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Client;

/// <summary>
/// A call the app stopped waiting for (cancelled, timed out) may still run: its answer, when it comes, is not observed,
/// and the log's push skips the calling connection — so without more the sending device never hears of its own message
/// (until something later in the same log shows it the gap; in a quiet large group, nothing does). The SDK remembers the
/// calls it gave up, and an answer to one makes the update stream ask the server what changed.
/// </summary>
public sealed class GivenUpCallTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    // In a private chat the recipient's receipt, logged to the sender, shows the gap anyway; in a quiet large group only
    // the answer can.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ASend_GivenUpWhileItsAnswerIsOnItsWay_IsStillReportedToTheSendingDevice(bool largeGroup)
    {
        var suffix = largeGroup ? "l" : "p";
        await using var alice = await _host.MemberAsync($"alice_giveup{suffix}", listen: true);
        await using var bob = await _host.MemberAsync($"bob_giveup{suffix}", listen: true);
        var chat = largeGroup
            ? Peer.Chat((await alice.Client.CreateGroupAsync("Many", [bob.Id], large: true)).Chat.Id)
            : Peer.User(bob.Id);
        using var giveUp = new CancellationTokenSource();
        // The app gives up the moment the answer arrives, before the SDK reads it: the server ran the send.
        alice.Client.InboundFilter = envelope =>
        {
            if (envelope.Body is ResultBody result && IsSentMessage(result.Value, "given up"))
            {
                giveUp.Cancel();
            }

            return true;
        };

        try
        {
            await alice.Client.SendMessageAsync(chat, "given up", randomId: 770_801, cancellationToken: giveUp.Token);
            // Only when the answer came before the call registered for the cancel: then it is returned (see below).
        }
        catch (OperationCanceledException)
        {
        }

        alice.Client.InboundFilter = null;
        var stored = (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "given up")).Message;
        var reported = await ReportedAsync(alice, "given up");
        reported.Should().Match<MessageReceived>(m =>
            m.Message.Id == stored.Id && m.IsOutgoing && m.RandomId == 770_801 && m.ChannelId == (largeGroup ? chat.Id : null));
    }

    // Review (s50): the give-up path runs on the thread that cancels, the answer is read on the receive thread; when the
    // call left the pending calls before it was remembered as given up, an answer read in between found it in neither and
    // was dropped without asking what changed. Here the app gives up on another thread, held as the call is remembered
    // (GivenUpCalls.Adding), while the answer is handled; then it goes on.
    [Fact]
    public async Task ASend_GivenUpOnAnotherThreadAsItsAnswerIsRead_IsStillReportedToTheSendingDevice()
    {
        await using var alice = await _host.MemberAsync("alice_giveuprace", listen: true);
        await using var bob = await _host.MemberAsync("bob_giveuprace");
        var chat = Peer.Chat((await alice.Client.CreateGroupAsync("Many", [bob.Id], large: true)).Chat.Id);
        var handle = typeof(MessengerClient).GetMethod("Handle", BindingFlags.NonPublic | BindingFlags.Instance, [typeof(Envelope)])!;
        using var giveUp = new CancellationTokenSource();
        using var adding = new SemaphoreSlim(0);
        using var handled = new ManualResetEventSlim();
        alice.Client.GivenUp.Adding = () =>
        {
            adding.Release();
            handled.Wait(TimeSpan.FromSeconds(10));
        };
        var inner = false;
        alice.Client.InboundFilter = envelope =>
        {
            if (inner || envelope.Body is not ResultBody result || !IsSentMessage(result.Value, "given up in a race"))
            {
                return true;
            }

            var cancelling = new Thread(() => giveUp.Cancel());
            cancelling.Start();
            adding.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue("the app gives up meanwhile");
            inner = true;
            handle.Invoke(alice.Client, [envelope]);
            inner = false;
            handled.Set();
            return false;
        };

        try
        {
            await alice.Client.SendMessageAsync(chat, "given up in a race", randomId: 770_901, cancellationToken: giveUp.Token);
        }
        catch (OperationCanceledException)
        {
        }

        alice.Client.InboundFilter = null;
        alice.Client.GivenUp.Adding = null;
        var stored = (await bob.Client.GetHistoryAsync(chat, limit: 5)).Should().ContainSingle(m => m.Text == "given up in a race").Subject;
        var reported = await ReportedAsync(alice, "given up in a race");
        reported.Should().Match<MessageReceived>(m => m.Message.Id == stored.Id && m.IsOutgoing && m.ChannelId == chat.Id);
        alice.Client.GivenUp.Count.Should().Be(0, "an answered call is not left as given up");
    }

    // The app gave up just after the SDK had the answer, before the caller's continuation read it (or before the call had
    // registered for the cancel at all). The answer is in hand: it is returned, and its caller reports it as for any
    // answer. Read with the cancelled token, an answer holding an array (a forward's messages) was thrown away; the call,
    // answered, was not remembered as given up either, and the device never heard of the copies.
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task ACall_GivenUpJustAfterItsAnswerCame_ReturnsTheAnswer_AndTheSendingDeviceReportsIt(bool largeGroup, bool forward)
    {
        var suffix = (largeGroup ? "l" : "p") + (forward ? "f" : "s");
        await using var alice = await _host.MemberAsync($"alice_giveuplate{suffix}", listen: true);
        await using var bob = await _host.MemberAsync($"bob_giveuplate{suffix}", listen: true);
        var chat = largeGroup
            ? Peer.Chat((await alice.Client.CreateGroupAsync("Many", [bob.Id], large: true)).Chat.Id)
            : Peer.User(bob.Id);
        var original = forward ? (await alice.Client.SendMessageAsync(Peer.User(alice.Id), "given up late")).Message : null;
        var handle = typeof(MessengerClient).GetMethod("Handle", BindingFlags.NonPublic | BindingFlags.Instance, [typeof(Envelope)])!;
        using var giveUp = new CancellationTokenSource();
        using var answered = new ManualResetEventSlim();
        var inner = false;
        alice.Client.InboundFilter = envelope =>
        {
            if (inner || envelope.Body is not ResultBody result || !(forward ? IsForward(result.Value) : IsSentMessage(result.Value, "given up late")))
            {
                return true;
            }

            inner = true;
            handle.Invoke(alice.Client, [envelope]);
            inner = false;
            giveUp.Cancel();
            answered.Set();
            return false;
        };
        // The caller's continuations wait in a queue of their own: the give-up lands after the answer is in and before
        // the caller reads it, every time.
        var caller = new HeldContinuations();

        var call = caller.Start<Messenger.Contracts.Messages.Message>(async () => forward
            ? (await alice.Client.ForwardMessagesAsync(Peer.User(alice.Id), [original!.Id], chat, cancellationToken: giveUp.Token)).Messages.Single()
            : (await alice.Client.SendMessageAsync(chat, "given up late", randomId: 770_821, cancellationToken: giveUp.Token)).Message);
        answered.Wait(TimeSpan.FromSeconds(20)).Should().BeTrue("the answer comes");
        caller.RunUntil(call, TimeSpan.FromSeconds(20));

        var returned = await call;
        alice.Client.InboundFilter = null;
        var reported = await ReportedAsync(alice, "given up late", chat);
        reported.Should().Match<MessageReceived>(m => m.Message.Id == returned.Id && m.IsOutgoing);
    }

    // Review (s50), an older hole: a call refused for its msg_id (bad_msg) is out of the pending calls while it gets a new
    // one; a caller who gave up just then was not heard, and the call went out again and waited for its answer.
    [Fact]
    public async Task ACall_GivenUpWhileItGetsANewMsgId_FailsAsGivenUp_AndIsNotSentAgain()
    {
        await using var client = await _host.ConnectAsync();
        const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;
        var pending = (IDictionary)typeof(MessengerClient).GetField("_pending", Private)!.GetValue(client)!;
        var handle = typeof(MessengerClient).GetMethod("Handle", Private, [typeof(Envelope)])!;
        using var giveUp = new CancellationTokenSource();
        client.InboundFilter = envelope => envelope.Body is not ResultBody;
        var call = client.CallAsync(new PingCall(7), giveUp.Token);
        (await Waits.Eventually(() => pending.Count == 1, TimeSpan.FromSeconds(10))).Should().BeTrue("the ping waits for its answer");
        var msgId = pending.Keys.Cast<long>().Single();
        client.Restamping = giveUp.Cancel;

        handle.Invoke(client, [new Envelope(1, 1, new BadMsgBody(msgId, BadMsgCodes.MsgIdTooHigh, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))]);

        // Bounded: a cancel not heard leaves the call waiting for an answer the filter drops.
        await FluentActions.Awaiting(() => call.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<OperationCanceledException>();
        pending.Count.Should().Be(0, "a call given up is not sent again");
    }

    [Theory]
    [InlineData("messages.send", true)]
    [InlineData("messages.forward", true)]
    [InlineData("messages.readHistory", true)]
    [InlineData("groups.leave", true)]
    [InlineData("account.setPrivacy", true)]
    [InlineData("updates.getDifference", false)]
    [InlineData("updates.getChannelDifference", false)]
    [InlineData("messages.getHistory", false)]
    [InlineData("messages.search", false)]
    [InlineData("admin.listUsers", false)]
    [InlineData("admin.resolveReport", true)]
    [InlineData("upload.saveFilePart", false)]
    [InlineData("help.ping", false)]
    public void GivenUpCalls_RememberTheCallsThatMayChangeALog_NotTheReads(string method, bool remembered) =>
        GivenUpCalls.Remembers(method).Should().Be(remembered);

    [Fact]
    public void GivenUpCalls_StayBounded_ForgettingTheOldestFirst()
    {
        var givenUp = new GivenUpCalls();
        for (long id = 1; id <= 10 * GivenUpCalls.Limit; id++)
        {
            givenUp.Add(id);
        }

        givenUp.Count.Should().BeLessThanOrEqualTo(GivenUpCalls.Limit);
        givenUp.Remove(10 * GivenUpCalls.Limit).Should().BeTrue("the newest is kept");
        givenUp.Remove(1).Should().BeFalse("the oldest is forgotten");
        givenUp.Remove(10 * GivenUpCalls.Limit).Should().BeFalse("an answer is noticed once");
    }

    // The sending device's report of its message; when it does not come, what the device and the server each know (CI saw
    // this time out once, in the private chat, without more to go on).
    private static async Task<MessageReceived> ReportedAsync(Member sender, string text, Peer? peer = null)
    {
        try
        {
            return await sender.NextAsync<MessageReceived>(m => m.Message.Text == text && (peer is null || m.Peer == peer));
        }
        catch (OperationCanceledException)
        {
            var server = await sender.Client.GetStateAsync();
            var device = sender.Client.Events.Pts ?? 0;
            var difference = await sender.Client.GetDifferenceAsync(device);
            throw new Xunit.Sdk.XunitException(
                $"not reported: the device at pts {device} ({sender.Client.GivenUp.Count} calls remembered as given up), the server at " +
                $"{server.Pts}; its difference: {string.Join(", ", difference.Updates.Select(u => $"{u.Pts}:{u.Update.GetType().Name}"))}");
        }
    }

    /// <summary>Runs the continuations posted to it only when asked (<see cref="RunUntil"/>), on the asking thread.</summary>
    private sealed class HeldContinuations : SynchronizationContext
    {
        private readonly System.Collections.Concurrent.BlockingCollection<(SendOrPostCallback Callback, object? State)> _posted = [];

        public override void Post(SendOrPostCallback d, object? state) => _posted.Add((d, state));

        public Task<T> Start<T>(Func<Task<T>> start) => Within(start);

        public void RunUntil(Task task, TimeSpan bound)
        {
            var deadline = DateTime.UtcNow + bound;
            while (!task.IsCompleted && DateTime.UtcNow < deadline)
            {
                if (_posted.TryTake(out var posted, TimeSpan.FromMilliseconds(50)))
                {
                    Within(() => posted.Callback(posted.State));
                }
            }
        }

        private T Within<T>(Func<T> run)
        {
            var previous = Current;
            SetSynchronizationContext(this);
            try
            {
                return run();
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }

        private void Within(Action run) => Within(() =>
        {
            run();
            return 0;
        });
    }

    private static bool IsForward(byte[] value)
    {
        try
        {
            return WireSerializer.Deserialize<ForwardedMessages>(value).Messages is [{ Text: "given up late" }];
        }
        catch (MessagePack.MessagePackSerializationException)
        {
            return false;
        }
    }

    private static bool IsSentMessage(byte[] value, string text)
    {
        try
        {
            // Any answer read while the filter is set comes here (the difference the give-up asks for, too): one that is
            // not a SentMessage reads as one without a message. Throwing on it on the receive thread, the filter lost
            // that answer, and the update stream waited the call's 20 s for it (CI, s51).
            return WireSerializer.Deserialize<SentMessage>(value).Message?.Text == text;
        }
        catch (MessagePack.MessagePackSerializationException)
        {
            return false;
        }
    }
}
