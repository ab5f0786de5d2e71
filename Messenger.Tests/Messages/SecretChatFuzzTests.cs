using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Xunit.Abstractions;

namespace Messenger.Tests.Messages;

/// <summary>
/// Secret chats past their validators: two real chats of the SDK's secret layer, and from the bound device of one of
/// their members (a raw client of it, so the SDK refuses nothing) seeded <c>secret.sendEncrypted</c> calls with valid chat
/// ids but garbage, truncated, replayed, bit-flipped, oversized and other-chat ciphertexts, service flags, and files by
/// foreign references; plus the other secret calls with odd values. The server answers each with a named 4xx error or
/// relays an opaque blob (it never reads one), the two users' real messages still arrive both ways and nothing but them
/// is in their histories, and two other users still chat.
/// </summary>
public sealed class SecretChatFuzzTests(ITestOutputHelper output)
{
    private enum Kind
    {
        Garbage, TooShort, TooLong, Truncated, ReplayedNewId, ReplayedSameId, OtherChat, BitFlipped, Service, ForeignFile, UnknownFile,
        UploadNotFinished, ServiceWithUpload, NotMember, UnknownChat, RandomIdInvalid, OtherDevice, ReadHistory, Typing,
    }

    [Fact]
    public async Task SendEncrypted_WithGeneratedBadCiphertexts_AnswersANamedErrorOrRelaysTheBlob_AndRealMessagesStillArrive()
    {
        using var logs = new TempDirectory();
        var settings = FuzzRun.HostSettings(logs.Path);
        await using var host = await SessionTestKit.StartHostAsync(settings);
        var run = new FuzzRun("secret chat", 150);
        await using var alice = await SecretDevice.SignUpAsync(host, "alice_sfz");
        await using var bob = await SecretDevice.SignUpAsync(host, "bob_sfz");
        await using var carol = await SecretDevice.SignUpAsync(host, "carol_sfz");
        await using var dave = await host.SignUpAsync("dave_sfz", startEvents: false);
        await using var erin = await host.SignUpAsync("erin_sfz", startEvents: false);
        var withBob = await SecretChatTests.ReadyChatAsync(alice, bob);
        var withCarol = await SecretChatTests.ReadyChatAsync(alice, carol);
        var notAlices = await SecretChatTests.ReadyChatAsync(bob, carol);

        // Real ciphertexts to replay and cut: read off the recipients' logs, as the server relayed them.
        var first = await alice.Client.SendSecretMessageAsync(withBob, "real one");
        (await bob.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("real one");
        await alice.Client.SendSecretMessageAsync(withCarol, "for carol");
        var carolsFile = await alice.Client.SendSecretFileAsync(withCarol, new MemoryStream(new byte[5000]), "c.bin", "application/octet-stream");
        await carol.NextAsync<SecretMessageReceived>(m => m.Message.File is not null);
        var bobsFile = await bob.Client.SendSecretFileAsync(withBob, new MemoryStream(new byte[3000]), "b.bin", "application/octet-stream");
        await alice.NextAsync<SecretMessageReceived>(m => m.Message.File is not null);
        var captured = await RelayedAsync(bob, withBob);
        var otherChats = await RelayedAsync(carol, withCarol);
        captured.Should().NotBeEmpty();
        otherChats.Should().NotBeEmpty();

        await using var raw = await alice.RawClientAsync();
        await using var otherDevice = await host.SignInAnotherDeviceAsync("alice_sfz", startEvents: false, autoAcceptSecretChats: false);
        var relayed = 0;
        foreach (var caseSeed in run.CaseSeeds())
        {
            var random = new Random(caseSeed);
            var kind = (Kind)random.Next(Enum.GetValues<Kind>().Length);
            var real = captured[random.Next(captured.Count)];
            var randomId = random.NextInt64(1, 1L << 53);
            byte[] Garbage(int length)
            {
                var bytes = new byte[length];
                random.NextBytes(bytes);
                return bytes;
            }

            var client = kind == Kind.OtherDevice ? otherDevice.Client : raw;
            SendEncryptedCall? encrypted = kind switch
            {
                Kind.Garbage => new SendEncryptedCall(withBob, randomId, Garbage(Pick(random, 41, 42, 100, 4096, 65_536)), Silent: random.Next(2) == 0),
                Kind.TooShort => new SendEncryptedCall(withBob, randomId, Garbage(Pick(random, 0, 1, 24, 40))),
                Kind.TooLong => new SendEncryptedCall(withBob, randomId, Garbage(Pick(random, 65_537, 70_000))),
                Kind.Truncated => new SendEncryptedCall(withBob, randomId, real.Data[..random.Next(0, real.Data.Length)]),
                Kind.ReplayedNewId => new SendEncryptedCall(withBob, randomId, real.Data),
                Kind.ReplayedSameId => new SendEncryptedCall(withBob, real.RandomId, random.Next(2) == 0 ? real.Data : Garbage(100)),
                Kind.OtherChat => new SendEncryptedCall(withBob, randomId, Pick(random, [.. otherChats]).Data),
                Kind.BitFlipped => new SendEncryptedCall(withBob, randomId, Flipped(random, real.Data)),
                Kind.Service => new SendEncryptedCall(withBob, randomId, Garbage(Pick(random, 41, 300)), Service: true),
                Kind.ForeignFile => new SendEncryptedCall(withBob, randomId, Garbage(100),
                    File: new InputEncryptedFile(0, 0, Pick(random, carolsFile.File!.Id, bobsFile.File!.Id)), Service: random.Next(2) == 0),
                Kind.UnknownFile => new SendEncryptedCall(withBob, randomId, Garbage(100), File: new InputEncryptedFile(0, 0, Pick(random, -1L, 987_654_321L, long.MaxValue))),
                Kind.UploadNotFinished => new SendEncryptedCall(withBob, randomId, Garbage(100),
                    File: new InputEncryptedFile(Pick(random, 0L, -5L, random.NextInt64(1, long.MaxValue)), Pick(random, 0, 1, -1, 100_000))),
                Kind.ServiceWithUpload => new SendEncryptedCall(withBob, randomId, Garbage(100), File: new InputEncryptedFile(random.NextInt64(1, long.MaxValue), 1), Service: true),
                Kind.NotMember => new SendEncryptedCall(notAlices, randomId, real.Data),
                Kind.UnknownChat => new SendEncryptedCall(Pick(random, 0L, -1L, long.MaxValue, withBob + 1000), randomId, real.Data),
                Kind.RandomIdInvalid => new SendEncryptedCall(withBob, Pick(random, 0L, -1L, long.MinValue), Garbage(100)),
                Kind.OtherDevice => new SendEncryptedCall(withBob, randomId, real.Data),
                _ => null,
            };
            Func<Task> call = encrypted is not null ? () => client.CallAsync(encrypted)
                : kind == Kind.ReadHistory
                    ? () => client.CallAsync(new ReadSecretHistoryCall(Pick(random, withBob, notAlices, -1L), Pick(random, 0L, -1L, long.MaxValue, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1)))
                    : () => client.CallAsync(new SetSecretTypingCall(Pick(random, withBob, notAlices, withCarol, 0L)));
            await run.CaseAsync(kind.ToString(), caseSeed, async () =>
            {
                var (failure, answer) = await CallAsync(call);
                run.Tally(kind.ToString(), answer);
                if (failure is not null)
                {
                    run.Fail(kind.ToString(), caseSeed, failure);
                }
                else if (answer == "result" && encrypted is not null && encrypted.RandomId != real.RandomId)
                {
                    relayed++;
                }
            });
        }

        output.WriteLine(run.Summary());
        relayed.Should().BePositive("some blobs are relayed as they are: the server does not read them");
        // The real chat goes on, both ways, with nothing of the fuzz in it; the chats are still ready.
        await alice.Client.SendSecretMessageAsync(withBob, "after the fuzz");
        (await bob.NextAsync<SecretMessageReceived>(m => m.Message.Text == "after the fuzz")).Message.FromId.Should().Be(alice.UserId);
        await bob.Client.SendSecretMessageAsync(withBob, "and back");
        await alice.NextAsync<SecretMessageReceived>(m => m.Message.Text == "and back");
        bob.Client.GetSecretHistory(withBob).Select(m => m.Text).Should().Equal(first.Text, "", "after the fuzz", "and back");
        alice.Client.GetSecretHistory(withBob).Select(m => m.Text).Should().Equal(first.Text, "", "after the fuzz", "and back");
        (await raw.CallAsync(new GetSecretChatsCall())).Chats.Where(c => c.Id == withBob || c.Id == withCarol).Should().HaveCount(2)
            .And.OnlyContain(c => c.State == SecretChatState.Ready);
        await alice.Client.SendSecretMessageAsync(withCarol, "carol too");
        await carol.NextAsync<SecretMessageReceived>(m => m.Message.Text == "carol too");
        await run.ShouldLeaveEveryoneWellAsync(dave, erin, logs.Path);
    }

    /// <summary>The encrypted messages of <paramref name="chatId"/> in <paramref name="recipient"/>'s log, as relayed.</summary>
    private static async Task<List<EncryptedMessage>> RelayedAsync(SecretDevice recipient, long chatId)
    {
        await using var client = await recipient.RawClientAsync();
        var difference = await client.CallAsync(new GetDifferenceCall(0));
        return [.. difference.Updates.Select(u => u.Update).OfType<NewEncryptedMessageUpdate>().Select(u => u.Message).Where(m => m.ChatId == chatId)];
    }

    private static byte[] Flipped(Random random, byte[] data)
    {
        var copy = data.ToArray();
        copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
        return copy;
    }

    /// <summary>What went wrong (null when answered as it must be: a result or a named 4xx), and the answer's name.</summary>
    private static async Task<(string? Failure, string Answer)> CallAsync(Func<Task> call)
    {
        try
        {
            await call();
            return (null, "result");
        }
        catch (RpcException e) when (e.Code is >= 400 and < 500 && FuzzRun.ErrorName.IsMatch(e.Name))
        {
            return (null, e.Name);
        }
        catch (RpcException e)
        {
            return ($"{e.Code} {e.Name}", e.Name);
        }
        catch (CallTimeoutException)
        {
            return ("no answer (a hang)", "hang");
        }
        catch (MessengerConnectionException e)
        {
            return ($"connection closed: {e.Message}", "closed");
        }
    }

    private static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];
}
