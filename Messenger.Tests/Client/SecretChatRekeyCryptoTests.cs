using System.Security.Cryptography;
using System.Text.Json;
using MessagePack;
using Messenger.Client;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Client;

/// <summary>Re-keying's cryptography against the vectors the web client reproduces too (<c>rekey</c> in
/// <c>Clients/web/test/secret-vectors.json</c>, made with libsodium): two generations chained from the first case's keys,
/// each with both sides' new keys, the shared secret, the next keys and fingerprint, the four bodies of an exchange and a
/// message each way sealed under the new generation.</summary>
public sealed class SecretChatRekeyCryptoTests
{
    private static JsonElement Vectors() => SecretChatCryptoTests.Vectors();

    public static TheoryData<int> Generations()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Vectors().GetProperty("rekey").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void VectorFile_ChainsEachGenerationFromTheOneBefore_StartingAtTheFirstCase()
    {
        var vectors = Vectors();
        var first = vectors.GetProperty("cases")[0];
        var generations = vectors.GetProperty("rekey").EnumerateArray().ToList();
        generations.Should().HaveCountGreaterThanOrEqualTo(2);

        var previous = Concat(Hex(first, "key_admin_to_participant"), Hex(first, "key_participant_to_admin"));
        for (var i = 0; i < generations.Count; i++)
        {
            var generation = generations[i];
            generation.GetProperty("generation").GetInt32().Should().Be(i + 1);
            generation.GetProperty("chat_id").GetInt64().Should().Be(first.GetProperty("chat_id").GetInt64());
            Hex(generation, "previous_keys").Should().Equal(previous);
            previous = Concat(Hex(generation, "key_admin_to_participant"), Hex(generation, "key_participant_to_admin"));
        }

        generations.Select(g => g.GetProperty("initiator").GetString()).Should().Contain(["admin", "participant"], "either side may start");
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void DeriveNextKeys_OnBothSides_GivesTheVectorsPublicKeysSharedSecretKeysAndFingerprint(int index)
    {
        var vector = Vectors().GetProperty("rekey")[index];
        var (initSecret, accSecret) = (Hex(vector, "init_secret"), Hex(vector, "acc_secret"));
        var (gInit, gAcc) = (Hex(vector, "g_init"), Hex(vector, "g_acc"));
        var previous = Hex(vector, "previous_keys");
        Sodium.ScalarMult.Base(initSecret).Should().Equal(gInit);
        Sodium.ScalarMult.Base(accSecret).Should().Equal(gAcc);
        Sodium.ScalarMult.Mult(initSecret, gAcc).Should().Equal(Hex(vector, "shared"));
        Sodium.ScalarMult.Mult(accSecret, gInit).Should().Equal(Hex(vector, "shared"));

        var initiator = SecretChatCrypto.DeriveNextKeys(initSecret, previous, gInit, gAcc, isInitiator: true);
        var accepter = SecretChatCrypto.DeriveNextKeys(accSecret, previous, gInit, gAcc, isInitiator: false);

        foreach (var keys in new[] { initiator, accepter })
        {
            // The directions are the chat's: the admin's key first, whichever side started the exchange.
            keys.AdminToParticipant.Should().Equal(Hex(vector, "key_admin_to_participant"));
            keys.ParticipantToAdmin.Should().Equal(Hex(vector, "key_participant_to_admin"));
            keys.KeyFingerprint.Should().Be(vector.GetProperty("key_fingerprint").GetInt64());
        }

        initiator.KeyFingerprint.Should().BeInRange(1, (1L << 48) - 1);
        previous.Should().Equal(Hex(vector, "previous_keys"), "the previous generation is read, not changed");
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void Bodies_DecodeToTheirSteps_AndTheSdksEncodingDecodesBackTheSame(int index)
    {
        var vector = Vectors().GetProperty("rekey")[index];
        var id = vector.GetProperty("exchange_id").GetInt64();
        var fingerprint = vector.GetProperty("key_fingerprint").GetInt64();
        var bodies = vector.GetProperty("bodies");
        var expected = new Dictionary<string, SecretRekey>
        {
            ["request"] = new(SecretRekeyOp.Request, id, Hex(vector, "g_init")),
            ["accept"] = new(SecretRekeyOp.Accept, id, Hex(vector, "g_acc"), fingerprint),
            ["commit"] = new(SecretRekeyOp.Commit, id, Fingerprint: fingerprint),
            ["abort"] = new(SecretRekeyOp.Abort, id),
        };
        bodies.EnumerateObject().Select(b => b.Name).Should().BeEquivalentTo(expected.Keys);

        foreach (var (op, step) in expected)
        {
            var bytes = Convert.FromHexString(bodies.GetProperty(op).GetString()!);
            var date = MessagePackSerializer.Deserialize<Dictionary<string, object>>(bytes)["date"];

            var body = SecretChatCrypto.DecodePlaintext(bytes);

            body.Should().NotBeNull(op);
            body!.Rekey.Should().BeEquivalentTo(step, op);
            body.Should().Match<SecretPlaintext>(b => b.Text == null && b.Delete == null && b.File == null, "a re-keying step is nothing else");
            body.Date.Should().Be(Convert.ToInt64(date)).And.BePositive();

            // Encoders may pick other integer widths: compare what the SDK's own encoding reads back as.
            var again = SecretChatCrypto.DecodePlaintext(SecretChatCrypto.EncodePlaintext(body));
            again.Should().BeEquivalentTo(body, op);
        }
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void EveryMessage_DecryptsUnderItsGenerationsKey_AndNotUnderThePreviousOne(int index)
    {
        var vector = Vectors().GetProperty("rekey")[index];
        var chatId = vector.GetProperty("chat_id").GetInt64();
        var keys = SecretChatCrypto.DeriveNextKeys(
            Hex(vector, "init_secret"), Hex(vector, "previous_keys"), Hex(vector, "g_init"), Hex(vector, "g_acc"), isInitiator: true);
        var previous = Hex(vector, "previous_keys");
        var messages = vector.GetProperty("messages").EnumerateArray().ToList();
        messages.Select(m => m.GetProperty("from").GetString()).Should().BeEquivalentTo(["admin", "participant"]);

        foreach (var message in messages)
        {
            var fromAdmin = message.GetProperty("from").GetString() == "admin";
            var key = fromAdmin ? keys.AdminToParticipant : keys.ParticipantToAdmin;
            var randomId = message.GetProperty("random_id").GetInt64();
            var (data, plaintext) = (Hex(message, "data"), Hex(message, "plaintext"));

            SecretChatCrypto.Decrypt(key, chatId, randomId, data).Should().Equal(plaintext);
            SecretChatCrypto.DecodePlaintext(plaintext).Should().BeEquivalentTo(new SecretPlaintext(
                message.GetProperty("body").GetProperty("text").GetString(), message.GetProperty("body").GetProperty("date").GetInt64()));
            SecretChatCrypto.Encrypt(key, chatId, randomId, plaintext, Hex(message, "nonce")).Should().Equal(data);

            SecretChatCrypto.Decrypt(fromAdmin ? previous[..32] : previous[32..], chatId, randomId, data).Should().BeNull("another generation's key");
            SecretChatCrypto.Decrypt(fromAdmin ? keys.ParticipantToAdmin : keys.AdminToParticipant, chatId, randomId, data).Should().BeNull();
        }
    }

    [Theory]
    [MemberData(nameof(SecretChatCryptoTests.LowOrderPoints), MemberType = typeof(SecretChatCryptoTests))]
    public void DeriveNextKeys_WithALowOrderPeerKey_IsRefused(string point)
    {
        var vector = Vectors().GetProperty("rekey")[0];
        var bytes = Convert.FromHexString(point);
        var previous = Hex(vector, "previous_keys");

        FluentActions.Invoking(() => SecretChatCrypto.DeriveNextKeys(Hex(vector, "init_secret"), previous, Hex(vector, "g_init"), bytes, isInitiator: true))
            .Should().Throw<CryptographicException>();
        FluentActions.Invoking(() => SecretChatCrypto.DeriveNextKeys(Hex(vector, "acc_secret"), previous, bytes, Hex(vector, "g_acc"), isInitiator: false))
            .Should().Throw<CryptographicException>();
    }

    [Fact]
    public void DeriveNextKeys_WithoutTheWholePreviousGeneration_IsRefused()
    {
        var vector = Vectors().GetProperty("rekey")[0];

        FluentActions.Invoking(() => SecretChatCrypto.DeriveNextKeys(
                Hex(vector, "init_secret"), Hex(vector, "previous_keys")[..32], Hex(vector, "g_init"), Hex(vector, "g_acc"), isInitiator: true))
            .Should().Throw<CryptographicException>();
    }

    public static TheoryData<string, object> MalformedSteps() => new()
    {
        { "an unknown op", new Dictionary<string, object> { ["op"] = "restart", ["id"] = 5L } },
        { "no op", new Dictionary<string, object> { ["id"] = 5L } },
        { "an op that is no string", new Dictionary<string, object> { ["op"] = 1, ["id"] = 5L } },
        { "no id", new Dictionary<string, object> { ["op"] = "abort" } },
        { "a zero id", new Dictionary<string, object> { ["op"] = "abort", ["id"] = 0L } },
        { "a negative id", new Dictionary<string, object> { ["op"] = "abort", ["id"] = -5L } },
        { "an id past 2^53 - 1", new Dictionary<string, object> { ["op"] = "abort", ["id"] = 1L << 53 } },
        { "a request without g", new Dictionary<string, object> { ["op"] = "request", ["id"] = 5L } },
        { "a request with a 31-byte g", new Dictionary<string, object> { ["op"] = "request", ["id"] = 5L, ["g"] = new byte[31] } },
        { "an accept without fp", new Dictionary<string, object> { ["op"] = "accept", ["id"] = 5L, ["g"] = new byte[32] } },
        { "an accept without g", new Dictionary<string, object> { ["op"] = "accept", ["id"] = 5L, ["fp"] = 9L } },
        { "a commit without fp", new Dictionary<string, object> { ["op"] = "commit", ["id"] = 5L } },
        { "a step that is no map", "request" },
    };

    [Theory]
    [MemberData(nameof(MalformedSteps))]
    public void DecodePlaintext_WithAMalformedStep_IgnoresTheBody(string what, object step)
    {
        var bytes = MessagePackSerializer.Serialize(new Dictionary<string, object> { ["rekey"] = step, ["date"] = 5 });

        SecretChatCrypto.DecodePlaintext(bytes).Should().BeNull(what);
    }

    [Fact]
    public void DecodePlaintext_OfAStep_SkipsUnknownKeys_AndReadsNothingElseOfTheBody()
    {
        var bytes = MessagePackSerializer.Serialize(new Dictionary<string, object>
        {
            ["rekey"] = new Dictionary<string, object> { ["op"] = "commit", ["id"] = 77L, ["fp"] = 12L, ["future"] = new[] { 1, 2 }, ["g"] = new byte[3] },
            ["text"] = "shown?",
            ["date"] = 5,
        });

        var body = SecretChatCrypto.DecodePlaintext(bytes)!;

        body.Rekey.Should().BeEquivalentTo(new SecretRekey(SecretRekeyOp.Commit, 77, null, 12));
        body.Text.Should().BeNull("a body with a step is never shown");
    }

    [Fact]
    public void EncodePlaintext_OfAMessage_IsAsBefore_WithoutAStep()
    {
        var message = new SecretPlaintext("hi", 5, 3);

        var bytes = SecretChatCrypto.EncodePlaintext(message);

        MessagePackSerializer.Deserialize<Dictionary<string, object>>(bytes).Keys.Should().Equal("text", "date", "ttl");
        SecretChatCrypto.DecodePlaintext(bytes)!.Rekey.Should().BeNull();
    }

    private static byte[] Concat(byte[] first, byte[] second) => [.. first, .. second];

    private static byte[] Hex(JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);
}
