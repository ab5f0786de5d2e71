using MessagePack;
using Messenger.Contracts.Help;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Messenger.Protocol.Sessions;
using Messenger.Protocol.Transport;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Protocol;

/// <summary>
/// Seeded, reproducible fuzzing of a live server: 100,000+ random and mutated frames over many connections —
/// garbage bytes, tampered ciphertext, mutated MessagePack under valid encryption, and well-formed envelopes with
/// random methods, arguments, msg_ids and nesting. Afterwards a fresh client must still be served and the
/// server's per-connection and per-session state must be back within its bounds.
/// Runs alone: the heap measurement is of the whole test process, so other tests' hosts must not share it.
/// </summary>
[Collection(nameof(ProtocolFuzzTests))]
public sealed class ProtocolFuzzTests
{
    private const int Seed = 20261125;
    private const int Workers = 16;
    private const int FramesPerWorker = 6_500;
    private static readonly string[] Methods = ["help.ping", "help.getConfig", "auth.signIn", "account.getAuthorizations", "", "help.", "x.y", "help.ping\0"];

    [Fact]
    public async Task Server_AfterOneHundredThousandFuzzedFrames_StillServesAndStaysBounded()
    {
        await using var host = await TestHost.StartAsync();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var sent = await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => FuzzAsync(host, new Random(Seed + worker))));

        sent.Sum().Should().BeGreaterThanOrEqualTo(100_000);
        host.Services.GetRequiredService<Messenger.Protocol.Dispatch.RpcDispatcher>().CallsExecuted
            .Should().BeGreaterThan(10_000, "the fuzzed frames must reach the message layer, not just bounce off");
        await using (var client = await host.ConnectAsync())
        {
            (await client.CallAsync(new PingCall(123))).Id.Should().Be(123);
        }

        await ProtocolTests.WaitUntil(() => host.Services.GetRequiredService<ConnectionRegistry>().Count == 0);
        host.Services.GetRequiredService<SessionRegistry>().Count.Should().BeLessThanOrEqualTo(Workers * 32 + 1, "sessions per device are capped");
        var growth = GC.GetTotalMemory(forceFullCollection: true) - before;
        growth.Should().BeLessThan(128L * 1024 * 1024, "fuzzed input must not pile up in server memory");
    }

    private static async Task<int> FuzzAsync(TestHost host, Random random)
    {
        var device = NoiseKeyPair.Generate();
        var sent = 0;
        RawConnection? connection = null;
        try
        {
            while (sent < FramesPerWorker)
            {
                if (connection is null || connection.Closed.IsCompleted)
                {
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                    }

                    connection = await RawConnection.OpenHandshakenAsync(host, device);
                    connection.SessionId = random.Next(0, 64);
                }

                try
                {
                    await connection.SendRawAsync(NextFrame(connection, random));
                    sent++;
                    if (sent % 16 == 0)
                    {
                        await SyncAsync(connection);
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or IOException)
                {
                    // The server closed this connection while we were sending: expected, reconnect.
                    sent++;
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }

        return sent;
    }

    /// <summary>A valid ping after every few frames: its answer (or the close) shows the server has processed
    /// everything before it, so the fuzzed frames are really read rather than sent into a dead connection.</summary>
    private static async Task SyncAsync(RawConnection connection)
    {
        var ping = connection.Ping(-1);
        await connection.SendEnvelopeAsync(ping);
        while (!connection.Closed.IsCompleted)
        {
            var next = connection.ReceiveAsync<ResultBody>();
            if (await Task.WhenAny(next, connection.Closed) != next || (await next).ReqMsgId == ping.MsgId)
            {
                return;
            }
        }
    }

    private static byte[] NextFrame(RawConnection connection, Random random)
    {
        var roll = random.Next(100);
        if (roll == 0)
        {
            return RandomBytes(random, random.Next(0, 300));
        }

        var plaintext = WireSerializer.Serialize(new Frame(connection.SessionId, RandomEnvelope(connection, random, depth: 0)));
        if (roll == 1)
        {
            var frame = FrameCodec.Seal(connection.Send!, plaintext);
            frame[random.Next(frame.Length)] ^= (byte)(1 << random.Next(8));
            return frame;
        }

        if (roll < 8)
        {
            plaintext = Mutate(plaintext, random);
        }

        return FrameCodec.Seal(connection.Send!, plaintext);
    }

    private static Envelope RandomEnvelope(RawConnection connection, Random random, int depth)
    {
        var msgId = random.Next(10) switch
        {
            0 => random.NextInt64(),
            1 => connection.NextMsgId() | (long)random.Next(1, 4),
            2 => connection.NextMsgId() + ((long)random.Next(-600, 600) << 32),
            _ => connection.NextMsgId(),
        };
        EnvelopeBody body = random.Next(20) switch
        {
            < 10 => new CallBody(Methods[random.Next(Methods.Length)], random.Next(3) == 0
                ? RandomBytes(random, random.Next(0, 64))
                : WireSerializer.Serialize(new PingCall(random.NextInt64()))),
            < 13 => new AckBody(Enumerable.Range(0, random.Next(0, 50)).Select(_ => random.NextInt64()).ToArray()),
            < 16 => new PingBody(random.NextInt64()),
            < 19 when depth < 2 => new ContainerBody(Enumerable.Range(0, random.Next(0, 8)).Select(_ => RandomEnvelope(connection, random, depth + 1)).ToArray()),
            19 when random.Next(10) == 0 => new ResultBody(random.NextInt64(), []),
            _ => new PongBody(random.NextInt64(), random.NextInt64()),
        };
        return new Envelope(msgId, random.Next(), body);
    }

    private static byte[] Mutate(byte[] plaintext, Random random)
    {
        var mutated = plaintext.ToList();
        for (var i = random.Next(1, 4); i > 0 && mutated.Count > 0; i--)
        {
            switch (random.Next(4))
            {
                case 0:
                    mutated[random.Next(mutated.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    mutated.RemoveRange(random.Next(mutated.Count), 1);
                    break;
                case 2:
                    mutated.Insert(random.Next(mutated.Count), (byte)random.Next(256));
                    break;
                default:
                    mutated[random.Next(mutated.Count)] = (byte)random.Next(256);
                    break;
            }
        }

        return [.. mutated];
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}

[CollectionDefinition(nameof(ProtocolFuzzTests), DisableParallelization = true)]
public sealed class ProtocolFuzzCollection;
