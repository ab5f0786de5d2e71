using System.Collections.Concurrent;
using System.Diagnostics;
using Messenger.Client;
using Messenger.Contracts.Wire;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Protocol;

// Pushes to a connection that was pushed to a moment ago wait for the shared pacer's tick and leave in one frame;
// answers never wait. The period here is seconds long, so the waits are far apart from anything a busy test machine
// does on its own.
public sealed class PushCoalescingTests : IAsyncLifetime
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(3);
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
    {
        ["Messenger:Protocol:PushCoalescingMs"] = ((int)Period.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Pushes_ToAConnectionPushedToAMomentAgo_AreHeldForTheTickAndLeaveInOneFrame()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one", autoReceipt: false);
        var frames = new ConcurrentQueue<(EnvelopeBody Body, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        var contained = new ConcurrentDictionary<long, bool>();
        bob.Client.InboundFilter = envelope =>
        {
            // The filter sees a container and then each envelope in it: only what came as a frame is recorded.
            if (envelope.Body is ContainerBody container)
            {
                foreach (var inner in container.Envelopes)
                {
                    contained[inner.MsgId] = true;
                }
            }

            if (!contained.ContainsKey(envelope.MsgId))
            {
                frames.Enqueue((envelope.Body, clock.Elapsed));
            }

            return true;
        };

        await alice.SendAsync(bob, "first");
        await bob.NextAsync<MessageReceived>(m => m.Message.Text == "first");
        var sentAt = clock.Elapsed;
        await alice.SendAsync(bob, "second");
        await alice.SendAsync(bob, "third");
        var received = await bob.ReceiveUntilAsync("third");

        received.Select(m => m.Message.Text).Should().Equal("second", "third");
        var pushFrames = frames.Where(f => f.At > sentAt && Updates(f.Body).Any()).ToList();
        pushFrames.Should().ContainSingle("both pushes left in one frame")
            .Which.Body.Should().BeOfType<ContainerBody>();
        Updates(pushFrames[0].Body).Should().HaveCount(2);
        (pushFrames[0].At - sentAt).Should().BeGreaterThan(Period / 3, "they waited for the pacer's tick");
    }

    private static IEnumerable<UpdatesBody> Updates(EnvelopeBody body) => body switch
    {
        ContainerBody container => container.Envelopes.Select(e => e.Body).OfType<UpdatesBody>(),
        UpdatesBody updates => [updates],
        _ => [],
    };

    [Fact]
    public async Task Answer_WhilePushesAreHeld_GoesOutAtOnceAndTakesThemAlong()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one", autoReceipt: false);
        await alice.SendAsync(bob, "first");
        await bob.NextAsync<MessageReceived>(m => m.Message.Text == "first");
        await alice.SendAsync(bob, "second");

        var clock = Stopwatch.StartNew();
        await bob.Client.PingAsync();
        var pingTook = clock.Elapsed;
        await bob.NextAsync<MessageReceived>(m => m.Message.Text == "second");
        var pushTook = clock.Elapsed;

        pingTook.Should().BeLessThan(Period / 3, "an answer never waits for the pacer");
        pushTook.Should().BeLessThan(Period / 3, "the held push left with the answer");
    }
}
