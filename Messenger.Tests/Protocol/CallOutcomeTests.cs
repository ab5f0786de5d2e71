using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Contracts.Wire;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Protocol;

/// <summary>How an SDK call ends when its answer does not come: timeout, the caller's cancellation, the client's disposal.</summary>
public sealed class CallOutcomeTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Call_WithNoAnswerWithinTheTimeout_ThrowsTimeoutAndTheClientGoesOn()
    {
        // Long enough for the answered call after it on a busy machine: it has the same timeout.
        await using var client = await ConnectDroppingResultsAsync(TimeSpan.FromSeconds(3));

        var unanswered = () => client.CallAsync(new PingCall(1));

        await unanswered.Should().ThrowAsync<TimeoutException>().WithMessage("help.ping got no answer*");
        client.InboundFilter = null;
        (await client.CallAsync(new PingCall(2))).Id.Should().Be(2);
    }

    [Fact]
    public async Task Call_WhenItsTokenIsCancelled_ThrowsOperationCanceled()
    {
        await using var client = await ConnectDroppingResultsAsync(TimeSpan.FromSeconds(20));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var cancelled = () => client.CallAsync(new PingCall(1), cancel.Token);

        (await cancelled.Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(cancel.Token);
    }

    [Fact]
    public async Task Call_InFlightWhenTheClientIsDisposed_FailsAsDisposed()
    {
        var client = await ConnectDroppingResultsAsync(TimeSpan.FromSeconds(20));
        var inFlight = client.CallAsync(new PingCall(1));

        await client.DisposeAsync();
        var afterwards = () => client.CallAsync(new PingCall(2));

        await FluentActions.Awaiting(() => inFlight).Should().ThrowAsync<ObjectDisposedException>();
        await afterwards.Should().ThrowAsync<ObjectDisposedException>();
    }

    // Results (alone or inside a container) are dropped as if they never arrived; the server did answer.
    private async Task<MessengerClient> ConnectDroppingResultsAsync(TimeSpan callTimeout)
    {
        var client = await MessengerClient.ConnectAsync(new MessengerClientOptions
        {
            ServerUrl = _host.ClientOptions().ServerUrl,
            ServerPublicKey = _host.ServerPublicKey,
            AutoReconnect = false,
            CallTimeout = callTimeout,
        });
        client.InboundFilter = envelope => envelope.Body is not ResultBody;
        return client;
    }
}
