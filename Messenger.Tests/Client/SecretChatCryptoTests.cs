using System.Security.Cryptography;
using System.Text.Json;
using Messenger.Client;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Client;

/// <summary>The SDK's secret chat cryptography against the vectors the web client reproduces too
/// (<c>Clients/web/test/secret-vectors.json</c>, made with libsodium): both sides' keys, the fingerprint, the
/// verification code, every message decrypted to its plaintext and encrypted with the given nonce to the same data.</summary>
public sealed class SecretChatCryptoTests
{
    internal static JsonElement Vectors()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Clients", "web", "test", "secret-vectors.json")));
        return document.RootElement.Clone();
    }

    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Vectors().GetProperty("cases").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    public static TheoryData<string> LowOrderPoints()
    {
        var data = new TheoryData<string>();
        foreach (var point in Vectors().GetProperty("low_order_points").EnumerateArray())
        {
            data.Add(point.GetString()!);
        }

        return data;
    }

    [Fact]
    public void VectorFile_HasCasesMessagesAndLowOrderPoints()
    {
        var vectors = Vectors();
        vectors.GetProperty("cases").GetArrayLength().Should().BeGreaterThanOrEqualTo(2);
        vectors.GetProperty("cases").EnumerateArray().Should().OnlyContain(c => c.GetProperty("messages").GetArrayLength() >= 3);
        vectors.GetProperty("low_order_points").GetArrayLength().Should().BeGreaterThanOrEqualTo(7);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DeriveKeys_OnBothSides_GivesTheVectorsKeysFingerprintAndVerification(int index)
    {
        var vector = Vectors().GetProperty("cases")[index];
        var (a, b) = (Hex(vector, "a_secret"), Hex(vector, "b_secret"));
        var (gA, gB) = (Hex(vector, "g_a"), Hex(vector, "g_b"));
        Sodium.ScalarMult.Base(a).Should().Equal(gA);
        Sodium.ScalarMult.Base(b).Should().Equal(gB);

        var admin = SecretChatCrypto.DeriveKeys(a, gA, gB, isAdmin: true);
        var participant = SecretChatCrypto.DeriveKeys(b, gA, gB, isAdmin: false);

        foreach (var keys in new[] { admin, participant })
        {
            keys.AdminToParticipant.Should().Equal(Hex(vector, "key_admin_to_participant"));
            keys.ParticipantToAdmin.Should().Equal(Hex(vector, "key_participant_to_admin"));
            keys.KeyFingerprint.Should().Be(vector.GetProperty("key_fingerprint").GetInt64());
            keys.Verification.Should().Be(vector.GetProperty("verification").GetString());
        }

        admin.KeyFingerprint.Should().BeInRange(1, (1L << 48) - 1);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryMessage_DecryptsToItsPlaintext_AndEncryptsWithItsNonceToItsData(int index)
    {
        var vector = Vectors().GetProperty("cases")[index];
        var chatId = vector.GetProperty("chat_id").GetInt64();
        var keys = SecretChatCrypto.DeriveKeys(Hex(vector, "a_secret"), Hex(vector, "g_a"), Hex(vector, "g_b"), isAdmin: true);
        foreach (var message in vector.GetProperty("messages").EnumerateArray())
        {
            var key = message.GetProperty("from").GetString() == "admin" ? keys.AdminToParticipant : keys.ParticipantToAdmin;
            var other = key == keys.AdminToParticipant ? keys.ParticipantToAdmin : keys.AdminToParticipant;
            var randomId = message.GetProperty("random_id").GetInt64();
            var (data, plaintext) = (Hex(message, "data"), Hex(message, "plaintext"));

            SecretChatCrypto.Decrypt(key, chatId, randomId, data).Should().Equal(plaintext);
            var body = SecretChatCrypto.DecodePlaintext(plaintext)!;
            body.Should().BeEquivalentTo(Expected(message.GetProperty("body")));
            SecretChatCrypto.EncodePlaintext(body).Should().Equal(plaintext, "the same map, keys in the same order");
            SecretChatCrypto.Encrypt(key, chatId, randomId, plaintext, Hex(message, "nonce")).Should().Equal(data);

            // The associated data binds the message to its chat and random_id, and each direction has its key.
            SecretChatCrypto.Decrypt(key, chatId + 1, randomId, data).Should().BeNull();
            SecretChatCrypto.Decrypt(key, chatId, randomId + 1, data).Should().BeNull();
            SecretChatCrypto.Decrypt(other, chatId, randomId, data).Should().BeNull();
            var altered = (byte[])data.Clone();
            altered[^1] ^= 1;
            SecretChatCrypto.Decrypt(key, chatId, randomId, altered).Should().BeNull();
            SecretChatCrypto.Decrypt(key, chatId, randomId, data[..40]).Should().BeNull();
        }
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void ALowOrderPoint_IsRefused(string point)
    {
        var bytes = Convert.FromHexString(point);
        var (secret, publicKey) = SecretChatCrypto.GenerateKeyPair();

        SecretChatCrypto.IsValidPublicKey(bytes).Should().BeFalse();
        FluentActions.Invoking(() => SecretChatCrypto.DeriveKeys(secret, publicKey, bytes, isAdmin: true)).Should().Throw<CryptographicException>();
        FluentActions.Invoking(() => SecretChatCrypto.DeriveKeys(secret, bytes, publicKey, isAdmin: false)).Should().Throw<CryptographicException>();
        SecretChatCrypto.IsValidPublicKey(publicKey).Should().BeTrue("a fresh key is fine");
    }

    [Fact]
    public void DecodePlaintext_SkipsUnknownKeys_AndIgnoresAMapWithoutTextOrDelete()
    {
        var withExtra = MessagePack.MessagePackSerializer.Serialize(new Dictionary<string, object> { ["text"] = "hi", ["date"] = 5, ["future"] = new[] { 1, 2 } });
        var without = MessagePack.MessagePackSerializer.Serialize(new Dictionary<string, object> { ["date"] = 5, ["ttl"] = 3 });
        var wrongKind = MessagePack.MessagePackSerializer.Serialize(new Dictionary<string, object> { ["text"] = 12 });

        SecretChatCrypto.DecodePlaintext(withExtra).Should().BeEquivalentTo(new SecretPlaintext("hi", 5));
        SecretChatCrypto.DecodePlaintext(without).Should().BeNull();
        SecretChatCrypto.DecodePlaintext(wrongKind).Should().BeNull();
        SecretChatCrypto.DecodePlaintext([0xc1]).Should().BeNull();
    }

    [Fact]
    public void SequencedBodies_OfTheSharedVectors_DecodeToTheirNumbers_AndEncodeToTheSameBytes()
    {
        var vector = Vectors().GetProperty("cases")[0];
        var keys = SecretChatCrypto.DeriveKeys(Hex(vector, "a_secret"), Hex(vector, "g_a"), Hex(vector, "g_b"), isAdmin: true);
        var sequence = Vectors().GetProperty("sequence");
        sequence.GetArrayLength().Should().Be(4);
        foreach (var message in sequence.EnumerateArray())
        {
            var key = message.GetProperty("from").GetString() == "admin" ? keys.AdminToParticipant : keys.ParticipantToAdmin;
            var (chatId, randomId) = (message.GetProperty("chat_id").GetInt64(), message.GetProperty("random_id").GetInt64());
            var (data, plaintext) = (Hex(message, "data"), Hex(message, "plaintext"));
            var body = message.GetProperty("body");
            var (outSeq, inSeq) = (body.GetProperty("out_seq").GetInt64(), body.GetProperty("in_seq").GetInt64());

            SecretChatCrypto.Decrypt(key, chatId, randomId, data).Should().Equal(plaintext);
            SecretChatCrypto.ReadSequence(plaintext).Should().Be(new SecretSequenceRead(outSeq, inSeq, true));
            var decoded = SecretChatCrypto.DecodePlaintext(plaintext)!;
            decoded.OutSeq.Should().Be(outSeq);
            decoded.InSeq.Should().Be(inSeq);
            SecretChatCrypto.EncodePlaintext(decoded).Should().Equal(plaintext, "the numbers go last, out_seq first, in every kind of body");
            SecretChatCrypto.Encrypt(key, chatId, randomId, plaintext, Hex(message, "nonce")).Should().Equal(data);
        }
    }

    [Fact]
    public void ResendBodies_OfTheSharedVectors_DecodeToWhatTheySay_AndEncodeToTheSameBytes()
    {
        var vector = Vectors().GetProperty("cases")[0];
        var keys = SecretChatCrypto.DeriveKeys(Hex(vector, "a_secret"), Hex(vector, "g_a"), Hex(vector, "g_b"), isAdmin: true);
        var resend = Vectors().GetProperty("resend");
        var decoded = new List<SecretPlaintext?>();
        foreach (var message in resend.EnumerateArray())
        {
            var key = message.GetProperty("from").GetString() == "admin" ? keys.AdminToParticipant : keys.ParticipantToAdmin;
            var (chatId, randomId) = (message.GetProperty("chat_id").GetInt64(), message.GetProperty("random_id").GetInt64());
            var (data, plaintext) = (Hex(message, "data"), Hex(message, "plaintext"));
            SecretChatCrypto.Decrypt(key, chatId, randomId, data).Should().Equal(plaintext);
            var body = SecretChatCrypto.DecodePlaintext(plaintext);
            decoded.Add(body);
            var read = SecretChatCrypto.ReadSequence(plaintext);
            var again = body ?? new SecretPlaintext(null, message.GetProperty("body").GetProperty("date").GetInt64()) { Noop = true, OutSeq = read.OutSeq, InSeq = read.InSeq };
            SecretChatCrypto.EncodePlaintext(again).Should().Equal(plaintext, "the same keys in the same order");
        }

        decoded.Should().HaveCount(6);
        decoded[0]!.Resend.Should().Be(new SecretResend(1, 4));
        decoded[1].Should().Match<SecretPlaintext>(b => b.Text == "sent again" && b.ReplyTo == 502 && b.Resent == 505 && b.OutSeq == 1);
        decoded[2].Should().Match<SecretPlaintext>(b => b.Delete!.Single() == 505 && b.Resent == 506 && b.OutSeq == 2);
        decoded[3].Should().BeNull("a body with nothing but its date and numbers is ignored: only its number counts");
        decoded[4].Should().Match<SecretPlaintext>(b => b.Gone && b.OutSeq == 4);
        decoded[5].Should().Match<SecretPlaintext>(b => b.Text == "the report" && b.Resent == 507 && b.OutSeq == 5
            && b.File!.Name == "report.pdf" && b.File.MimeType == "application/pdf" && b.File.Size == 70_000);
        decoded[5]!.File!.Key.Should().Equal(Enumerable.Range(0, 32).Select(i => (byte)i));
    }

    [Fact]
    public void Resend_WithABadRange_OrResentOutOfBounds_IsIgnored()
    {
        byte[] Body(Dictionary<string, object> map) => MessagePack.MessagePackSerializer.Serialize(map);
        foreach (var (start, end) in new[] { (3L, 2L), (-1L, 2L), (0L, 1L << 53) })
        {
            SecretChatCrypto.DecodePlaintext(Body(new() { ["resend"] = new Dictionary<string, object> { ["start"] = start, ["end"] = end }, ["date"] = 5 }))
                .Should().BeNull($"{start}..{end}");
        }

        SecretChatCrypto.DecodePlaintext(Body(new() { ["resend"] = new Dictionary<string, object> { ["start"] = 1 }, ["date"] = 5 })).Should().BeNull();
        SecretChatCrypto.DecodePlaintext(Body(new() { ["text"] = "hi", ["date"] = 5, ["resent"] = 0 })).Should().BeNull();
        SecretChatCrypto.DecodePlaintext(Body(new() { ["text"] = "hi", ["date"] = 5, ["resent"] = 1L << 53 })).Should().BeNull();
    }

    [Fact]
    public void ReadSequence_OfABodyWithout_IsNull_AndOfNumbersOutOfRange_IsInvalid()
    {
        var plain = SecretChatCrypto.EncodePlaintext(new SecretPlaintext("hi", 5));
        SecretChatCrypto.ReadSequence(plain).Should().Be(new SecretSequenceRead(null, null, true));
        foreach (var bad in new object[] { -1L, 1L << 53, "3", 1.5 })
        {
            var body = MessagePack.MessagePackSerializer.Serialize(new Dictionary<string, object> { ["text"] = "hi", ["date"] = 5, ["out_seq"] = bad });
            SecretChatCrypto.ReadSequence(body).Should().Be(SecretSequenceRead.Invalid, $"out_seq {bad}");
        }

        SecretChatCrypto.ReadSequence([0xc1]).Should().Be(SecretSequenceRead.Invalid);
    }

    private static SecretPlaintext Expected(JsonElement body) =>
        new(
            body.TryGetProperty("text", out var text) ? text.GetString() : null,
            body.GetProperty("date").GetInt64(),
            body.TryGetProperty("ttl", out var ttl) ? ttl.GetInt32() : 0,
            body.TryGetProperty("reply_to", out var replyTo) ? replyTo.GetInt64() : null,
            body.TryGetProperty("delete", out var delete) ? [.. delete.EnumerateArray().Select(d => d.GetInt64())] : null);

    private static byte[] Hex(JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);
}
