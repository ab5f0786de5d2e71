using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Protocol;
using Messenger.Protocol.Sessions;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Protocol;

/// <summary>
/// A call whose answer the session let go before it reached the device (500 <c>RESULT_DROPPED</c> to its resend): the
/// SDK repeats it once, as a new call, when it is an <see cref="IRepeatableCall"/> (a send, deduplicated by its
/// random_id), and lets the error reach the caller otherwise. Here the session keeps no unacked answer once its
/// connection is gone (<c>UnackedResultBytesPerIdleSession</c> 1), and the answer is lost with the connection.
/// </summary>
public sealed class RepeatableCallsTests
{
    [Fact]
    public async Task SendMessage_WhoseAnswerWasDropped_IsRepeatedOnce_AndAnswersTheStoredMessage()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_repeat");
        var (bob, lose) = await ConnectAsync(host, "bob_repeat");
        await using var _ = bob;
        var alicePeer = Peer.User(await bob.IdOfAsync("alice_repeat"));

        lose.NextAnswer();
        var sent = await bob.SendMessageAsync(alicePeer, "only once");

        lose.Dropped.Should().Be(1, "the resent send was answered RESULT_DROPPED, then repeated under its random_id");
        sent.Message.Text.Should().Be("only once");
        var history = await bob.GetHistoryAsync(alicePeer, limit: 10);
        history.Where(m => m.Text == "only once").Should().ContainSingle("the repeat answered the first run's message")
            .Which.Id.Should().Be(sent.Message.Id);
        bob.ConnectionCount.Should().BeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task SaveFilePart_WhoseAnswerWasDropped_IsRepeatedOnce_AndTheFileArrivesWhole()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_partrepeat");
        var (bob, lose) = await ConnectAsync(host, "bob_partrepeat");
        await using var _ = bob;
        var alicePeer = Peer.User(await bob.IdOfAsync("alice_partrepeat"));
        var bytes = MediaTestKit.RandomBytes((512 * 1024) + 10_000, 47);

        // One part at a time: the first answer lost is part 0's, whose repeat writes the same bytes again.
        lose.NextAnswer();
        var input = await bob.UploadAsync(bytes, parallelism: 1, transport: MediaTransport.Rpc);

        lose.Dropped.Should().Be(1, "part 0 was answered RESULT_DROPPED, then saved again");
        var sent = await bob.SendMediaAsync(alicePeer, input);
        MediaTestKit.Sha256(await alice.DownloadAsync(sent.Message.Media!)).Should().Be(MediaTestKit.Sha256(bytes));
    }

    [Fact]
    public async Task BlockUser_WhoseAnswerWasDropped_IsNotRepeated_AndThrowsResultDropped()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_norepeat");
        var (bob, lose) = await ConnectAsync(host, "bob_norepeat");
        await using var _ = bob;
        var aliceId = await bob.IdOfAsync("alice_norepeat");

        lose.NextAnswer();
        var block = () => bob.BlockUserAsync(aliceId);

        (await block.Should().ThrowAsync<RpcException>()).Which.Name.Should().Be(ErrorNames.ResultDropped);
        lose.Dropped.Should().Be(1);
        (await bob.CallAsync(new GetBlockedCall())).UserIds.Should().Equal([aliceId], "the first run took effect");
    }

    private static Task<TestHost> StartHostAsync() =>
        SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Protocol:UnackedResultBytesPerIdleSession"] = "1" });

    private static async Task<(MessengerClient Client, AnswerLoss Lose)> ConnectAsync(TestHost host, string username)
    {
        const long SessionId = 4747;
        var gate = new ReconnectGate();
        var keys = new InMemoryDeviceKeyStore();
        var client = await MessengerClient.ConnectAsync(host.ClientOptions(keys, sessionId: SessionId, transport: gate.Apply));
        await client.RegisterAsync(username, SessionTestKit.Password, username.ToUpperInvariant());
        await client.SignInAsync(username, SessionTestKit.Password, "Test device", "tests");
        var session = host.Services.GetRequiredService<SessionRegistry>()
            .GetOrCreate(ProtocolConstants.Hex(keys.GetOrCreate().PublicKey), SessionId).Session;
        return (client, new AnswerLoss(client, gate, session));
    }

    // Loses the next answer with the connection, which the client gets back only once the server has let the session's
    // unacked answers go; counts the RESULT_DROPPED errors the client gets.
    private sealed class AnswerLoss(MessengerClient client, ReconnectGate gate, ClientSession session)
    {
        private int _dropped;

        public int Dropped => Volatile.Read(ref _dropped);

        public void NextAnswer()
        {
            var results = 0;
            client.InboundFilter = envelope =>
            {
                if (envelope.Body is ErrorBody { Name: ErrorNames.ResultDropped })
                {
                    Interlocked.Increment(ref _dropped);
                }
                else if (envelope.Body is ResultBody && Interlocked.Increment(ref results) == 1)
                {
                    gate.HoldUntil(() => !session.IsAttached);
                    _ = client.DropConnectionAsync();
                    return false;
                }

                return true;
            };
        }
    }
}
