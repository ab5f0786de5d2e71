using Messenger.Client;
using Messenger.Contracts.Calls;
using Messenger.Kernel.Updates;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>A connection that closes while it joins a voice chat, starts or accepts a call: its close may be followed
/// before the call is tied to it, and the call must still give it its grace and then let it go, not wait for good.</summary>
public sealed class CallConnectionRaceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestHost _host = null!;
    private Connections _connections = null!;

    public async Task InitializeAsync()
    {
        _host = await SessionTestKit.StartHostAsync(
            clock: _clock,
            configureServices: services =>
            {
                var protocols = services.Single(d => d.ServiceType == typeof(IConnectionPush));
                services.Remove(protocols);
                services.AddSingleton(provider => new Connections(
                    (IConnectionPush)ActivatorUtilities.CreateInstance(provider, protocols.ImplementationType!)));
                services.AddSingleton<IConnectionPush>(provider => provider.GetRequiredService<Connections>());
            });
        _connections = _host.Services.GetRequiredService<Connections>();
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task AJoinWhoseConnectionClosedMeanwhile_GetsTheGrace_AndTheVoiceChatEndsAfterIt()
    {
        await using var alice = await _host.SignUpAsync("alice_racejoin");
        await using var bob = await _host.SignUpAsync("bob_racejoin");
        var chat = (await alice.Client.CreateGroupAsync("Race", [bob.UserId])).Chat;

        _connections.Closed = true; // by the time the join looks, its connection is gone (and its close was followed)
        var joined = await alice.Client.JoinGroupCallAsync(chat.Id);
        _connections.Closed = false;

        joined.Participants.Should().Equal(alice.UserId);
        var ended = await _clock.WhileRunningAsync(() => bob.NextAsync<GroupCallChanged>(e => e.Call.Ended));
        ended.Call.Id.Should().Be(joined.Id);
        (await bob.Client.GetGroupCallAsync(chat.Id)).Should().BeNull();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ACallStartedOrAcceptedOnAConnectionClosedMeanwhile_EndsAfterTheGrace(bool accept)
    {
        await using var alice = await _host.SignUpAsync($"alice_racecall{(accept ? 'a' : 's')}");
        await using var bob = await _host.SignUpAsync($"bob_racecall{(accept ? 'a' : 's')}");

        _connections.Closed = !accept;
        var ringing = await alice.Client.RequestCallAsync(bob.UserId, "v=0 offer");
        _connections.Closed = accept;
        if (accept)
        {
            await bob.Client.AcceptCallAsync(ringing.Id, "v=0 answer");
        }

        _connections.Closed = false;
        var other = accept ? alice : bob;
        var ended = await _clock.WhileRunningAsync(() => other.NextAsync<PhoneCallChanged>(e => e.Call.State == CallState.Ended));
        ended.Call.Id.Should().Be(ringing.Id);
        ended.Call.Reason.Should().Be(CallEndReasons.Disconnected);
    }

    /// <summary>The protocol's connections, except that a test may have them all look closed to the calls.</summary>
    private sealed class Connections(IConnectionPush protocol) : IConnectionPush
    {
        public volatile bool Closed;

        public bool Push(string connectionId, string kind, byte[] payload) => protocol.Push(connectionId, kind, payload);

        public bool IsOpen(string connectionId) => !Closed && protocol.IsOpen(connectionId);
    }
}
