using System.Text.Json;
using Messenger.Contracts.Noise;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Contracts;

/// <summary>The official cacophony vectors for 25519_ChaChaPoly_BLAKE2b: every pattern in the file, both roles.</summary>
public sealed class NoiseVectorTests
{
    public static TheoryData<string> Protocols()
    {
        var data = new TheoryData<string>();
        foreach (var vector in Vectors())
        {
            data.Add(vector.GetProperty("protocol_name").GetString()!);
        }

        return data;
    }

    private static IEnumerable<JsonElement> Vectors()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.NoiseVectors));
        return document.RootElement.GetProperty("vectors").EnumerateArray().Select(v => v.Clone()).ToList();
    }

    [Fact]
    public void VectorFile_CoversTheRequiredPatterns()
    {
        Vectors().Select(v => v.GetProperty("protocol_name").GetString()).Should().Contain(
            ["Noise_IK_25519_ChaChaPoly_BLAKE2b", "Noise_XX_25519_ChaChaPoly_BLAKE2b", "Noise_NK_25519_ChaChaPoly_BLAKE2b"]);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Handshake_WithVectorKeys_ProducesEveryCiphertextAndTheHandshakeHash(string protocol)
    {
        var vector = Vectors().Single(v => v.GetProperty("protocol_name").GetString() == protocol);
        var pattern = HandshakePattern.Parse(protocol.Split('_')[1]);
        var initiator = new HandshakeState(pattern, initiator: true, Hex(vector, "init_prologue"),
            Key(vector, "init_static"), Bytes(vector, "init_remote_static"), Key(vector, "init_ephemeral"));
        var responder = new HandshakeState(pattern, initiator: false, Hex(vector, "resp_prologue"),
            Key(vector, "resp_static"), Bytes(vector, "resp_remote_static"), Key(vector, "resp_ephemeral"));

        var messages = vector.GetProperty("messages").EnumerateArray().ToList();
        var index = 0;
        for (; index < messages.Count && !initiator.IsHandshakeComplete; index++)
        {
            var (writer, reader) = index % 2 == 0 ? (initiator, responder) : (responder, initiator);
            var payload = Hex(messages[index], "payload");
            var ciphertext = writer.WriteMessage(payload);
            ciphertext.Should().Equal(Hex(messages[index], "ciphertext"), $"handshake message {index}");
            reader.ReadMessage(ciphertext).Should().Equal(payload);
        }

        responder.IsHandshakeComplete.Should().BeTrue();
        initiator.HandshakeHash.Should().Equal(Hex(vector, "handshake_hash"));
        responder.HandshakeHash.Should().Equal(Hex(vector, "handshake_hash"));

        var (initiatorSend, initiatorReceive) = initiator.Split();
        var (responderSend, responderReceive) = responder.Split();
        for (; index < messages.Count; index++)
        {
            // After the handshake the initiator keeps alternating with the responder, as the file does.
            var (send, receive) = index % 2 == 0 ? (initiatorSend, responderReceive) : (responderSend, initiatorReceive);
            // The transport path the protocol uses (EncryptTo/DecryptTo: the platform's ChaCha20-Poly1305 where it has
            // one); the handshake messages above went through libsodium, so both implementations meet the vectors.
            var payload = Hex(messages[index], "payload");
            var ciphertext = new byte[payload.Length + CipherState.TagLength];
            send.EncryptTo(payload, ciphertext).Should().Be(ciphertext.Length);
            ciphertext.Should().Equal(Hex(messages[index], "ciphertext"), $"transport message {index}");
            var decrypted = new byte[payload.Length];
            receive.DecryptTo(ciphertext, decrypted).Should().Be(payload.Length);
            decrypted.Should().Equal(payload);
        }
    }

    private static byte[] Hex(JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);

    private static byte[]? Bytes(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? Convert.FromHexString(value.GetString()!) : null;

    private static NoiseKeyPair? Key(JsonElement element, string name) =>
        Bytes(element, name) is { } privateKey ? NoiseKeyPair.FromPrivateKey(privateKey) : null;
}
