using System.Text.Json;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary>Secret chats' bad input, made with the bare calls (not the SDK's secret layer, which would refuse most of it
/// before sending; its automatic acceptance is off): each named error, nothing stored by a refused call, and nobody
/// else disturbed.</summary>
public sealed class SecretChatBadInputTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            // The test does not measure the posting limit, and turning it off keeps it out of the way.
            ["Messenger:Message:PostsPerSecond"] = "0",
            // Nor the per-person limit: the hundred waiting requests below all go to one person.
            ["Messenger:Message:SecretChatsPerPeerPerDay"] = "0",
        });

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    private static MessengerClient WithoutSecretLayer(Device device) => device.Client;

    [Fact]
    public async Task RequestChat_WithBadInput_FailsByName_AndStoresNothing()
    {
        await using var admin = await _host.SignUpAsync("sbad_admin", autoAcceptSecretChats: false);
        await using var alice = await _host.SignUpAsync("sbad_alice", autoAcceptSecretChats: false);
        await using var bob = await _host.SignUpAsync("sbad_bob", autoAcceptSecretChats: false);
        var bot = await alice.Client.CreateBotAsync("sbad_bot", "Bot");
        var gone = await _host.SignUpAsync("sbad_gone", autoAcceptSecretChats: false);
        await gone.Client.DeleteAccountAsync(SessionTestKit.Password);
        await gone.DisposeAsync();
        var client = WithoutSecretLayer(alice);

        await Fails(() => client.CallAsync(new RequestSecretChatCall(bob.UserId, 1, new byte[31])), SecretErrorNames.DhGaInvalid);
        await Fails(() => client.CallAsync(new RequestSecretChatCall(bob.UserId, 1, new byte[33])), SecretErrorNames.DhGaInvalid);
        await Fails(() => client.CallAsync(new RequestSecretChatCall(bob.UserId, 1, [])), SecretErrorNames.DhGaInvalid);
        foreach (var point in LowOrderPoints())
        {
            await Fails(() => client.CallAsync(new RequestSecretChatCall(bob.UserId, 1, point)), SecretErrorNames.DhGaInvalid);
        }

        await Fails(() => client.CallAsync(new RequestSecretChatCall(bob.UserId, 0, PublicKey())), MessageErrorNames.RandomIdInvalid);
        await Fails(() => client.CallAsync(new RequestSecretChatCall(bob.UserId, 1L << 53, PublicKey())), MessageErrorNames.RandomIdInvalid);
        await Fails(() => client.CallAsync(new RequestSecretChatCall(alice.UserId, 1, PublicKey())), MessageErrorNames.PeerIdInvalid);
        await Fails(() => client.CallAsync(new RequestSecretChatCall(bot.Bot.Id, 1, PublicKey())), MessageErrorNames.PeerIdInvalid);
        await Fails(() => client.CallAsync(new RequestSecretChatCall(987_654_321, 1, PublicKey())), MessageErrorNames.PeerIdInvalid);
        await Fails(() => client.CallAsync(new RequestSecretChatCall(gone.UserId, 1, PublicKey())), MessageErrorNames.PeerIdInvalid);
        await Fails(() => client.CallAsync(new RequestSecretChatCall(-5, 1, PublicKey())), MessageErrorNames.PeerIdInvalid);

        (await client.CallAsync(new GetSecretChatsCall())).Chats.Should().BeEmpty();
        (await bob.Client.CallAsync(new GetSecretChatsCall())).Chats.Should().BeEmpty();

        // Nobody else was disturbed: the same random_id now opens a chat, and bob's ordinary chat works.
        var chat = await client.CallAsync(new RequestSecretChatCall(bob.UserId, 1, PublicKey()));
        chat.State.Should().Be(SecretChatState.Requested);
        await admin.SendAsync(bob, "still here");
        (await bob.NextAsync<MessageReceived>(e => e.Message.Text == "still here")).Message.FromId.Should().Be(admin.UserId);
    }

    [Fact]
    public async Task AcceptChat_WithBadInput_FailsByName()
    {
        await using var alice = await _host.SignUpAsync("sacc_alice", autoAcceptSecretChats: false);
        await using var bob = await _host.SignUpAsync("sacc_bob", autoAcceptSecretChats: false);
        await using var carol = await _host.SignUpAsync("sacc_carol", autoAcceptSecretChats: false);
        var chat = await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 7, PublicKey()));

        await Fails(() => alice.Client.CallAsync(new AcceptSecretChatCall(chat.Id, PublicKey(), 5)), SecretErrorNames.EncryptionIdInvalid);
        await Fails(() => carol.Client.CallAsync(new AcceptSecretChatCall(chat.Id, PublicKey(), 5)), SecretErrorNames.EncryptionIdInvalid);
        await Fails(() => bob.Client.CallAsync(new AcceptSecretChatCall(chat.Id + 1, PublicKey(), 5)), SecretErrorNames.EncryptionIdInvalid);
        await Fails(() => bob.Client.CallAsync(new AcceptSecretChatCall(chat.Id, new byte[16], 5)), SecretErrorNames.DhGbInvalid);
        foreach (var point in LowOrderPoints())
        {
            await Fails(() => bob.Client.CallAsync(new AcceptSecretChatCall(chat.Id, point, 5)), SecretErrorNames.DhGbInvalid);
        }

        foreach (var fingerprint in new[] { 0, -1, 1L << 48, long.MaxValue })
        {
            await Fails(() => bob.Client.CallAsync(new AcceptSecretChatCall(chat.Id, PublicKey(), fingerprint)), SecretErrorNames.KeyFingerprintInvalid);
        }

        (await bob.Client.CallAsync(new GetSecretChatsCall())).Chats.Should().ContainSingle().Which.State.Should().Be(SecretChatState.Requested);

        var gB = PublicKey();
        var accepted = await bob.Client.CallAsync(new AcceptSecretChatCall(chat.Id, gB, (1L << 48) - 1));
        accepted.Should().Match<SecretChat>(c => c.State == SecretChatState.Ready && c.KeyFingerprint == (1L << 48) - 1);
        accepted.GB.Should().Equal(gB);
        (await bob.Client.CallAsync(new AcceptSecretChatCall(chat.Id, gB, (1L << 48) - 1))).Should().BeEquivalentTo(accepted, "the same device repeating the same accept");
        await Fails(() => bob.Client.CallAsync(new AcceptSecretChatCall(chat.Id, PublicKey(), 9)), SecretErrorNames.EncryptionAlreadyAccepted);

        await alice.Client.CallAsync(new DiscardSecretChatCall(chat.Id));
        await Fails(() => bob.Client.CallAsync(new AcceptSecretChatCall(chat.Id, gB, 9)), SecretErrorNames.EncryptionDeclined);
    }

    [Fact]
    public async Task SendEncrypted_WithBadInput_FailsByName_AndDisturbsNobody()
    {
        await using var alice = await _host.SignUpAsync("ssend_alice", autoAcceptSecretChats: false);
        await using var bob = await _host.SignUpAsync("ssend_bob", autoAcceptSecretChats: false);
        await using var alicesPhone = await _host.SignInAnotherDeviceAsync("ssend_alice", autoAcceptSecretChats: false);
        await using var carol = await _host.SignUpAsync("ssend_carol", autoAcceptSecretChats: false);
        var chat = await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 11, PublicKey()));
        var data = new byte[64];

        await Fails(() => alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, data)), SecretErrorNames.EncryptionIdInvalid, because: "not accepted yet");
        await Fails(() => alice.Client.CallAsync(new ReadSecretHistoryCall(chat.Id, 1)), SecretErrorNames.EncryptionIdInvalid);
        await Fails(() => alice.Client.CallAsync(new SetSecretTypingCall(chat.Id)), SecretErrorNames.EncryptionIdInvalid);
        await bob.Client.CallAsync(new AcceptSecretChatCall(chat.Id, PublicKey(), 77));

        await Fails(() => alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 0, data)), MessageErrorNames.RandomIdInvalid);
        await Fails(() => alice.Client.CallAsync(new SendEncryptedCall(chat.Id, -(1L << 53), data)), MessageErrorNames.RandomIdInvalid);
        await Fails(() => alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, new byte[40])), SecretErrorNames.EncryptedMessageInvalid);
        await Fails(() => alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, new byte[65_537])), SecretErrorNames.EncryptedMessageInvalid);
        await Fails(() => alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, data, File: new InputEncryptedFile(1, 1), Service: true)),
            SecretErrorNames.EncryptedMessageInvalid, because: "a service message carries no file");
        await Fails(() => alicesPhone.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, data)), SecretErrorNames.EncryptionDeviceInvalid, 403);
        await Fails(() => alicesPhone.Client.CallAsync(new ReadSecretHistoryCall(chat.Id, 1)), SecretErrorNames.EncryptionDeviceInvalid, 403);
        await Fails(() => alicesPhone.Client.CallAsync(new SetSecretTypingCall(chat.Id)), SecretErrorNames.EncryptionDeviceInvalid, 403);
        await Fails(() => carol.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, data)), SecretErrorNames.EncryptionIdInvalid, because: "a foreign chat");
        await Fails(() => carol.Client.CallAsync(new ReadSecretHistoryCall(chat.Id, 1)), SecretErrorNames.EncryptionIdInvalid);
        await Fails(() => carol.Client.CallAsync(new SetSecretTypingCall(chat.Id)), SecretErrorNames.EncryptionIdInvalid);
        await Fails(() => carol.Client.CallAsync(new DiscardSecretChatCall(chat.Id)), SecretErrorNames.EncryptionIdInvalid);
        await Fails(() => alice.Client.CallAsync(new SendEncryptedCall(chat.Id + 1, 1, data)), SecretErrorNames.EncryptionIdInvalid);
        await Fails(() => alice.Client.CallAsync(new ReadSecretHistoryCall(chat.Id, 0)), SecretErrorNames.MaxDateInvalid);
        await Fails(() => alice.Client.CallAsync(new ReadSecretHistoryCall(chat.Id, -1)), SecretErrorNames.MaxDateInvalid);
        (await carol.Client.CallAsync(new GetSecretChatsCall())).Chats.Should().BeEmpty("carol is in no secret chat");

        // The bound devices still talk: 41 and 65,536 bytes are the bounds.
        var first = await alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, new byte[41]));
        (await bob.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, new byte[65_536]))).Date.Should().BeGreaterThan(0);
        (await alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 1, new byte[50]))).Should().Be(first, "a resend of the same random_id");

        await bob.Client.CallAsync(new DiscardSecretChatCall(chat.Id));
        await Fails(() => alice.Client.CallAsync(new SendEncryptedCall(chat.Id, 2, data)), SecretErrorNames.EncryptionDeclined);
        await Fails(() => alice.Client.CallAsync(new ReadSecretHistoryCall(chat.Id, 1)), SecretErrorNames.EncryptionDeclined);
        await Fails(() => alice.Client.CallAsync(new SetSecretTypingCall(chat.Id)), SecretErrorNames.EncryptionDeclined);
        await alice.Client.CallAsync(new DiscardSecretChatCall(chat.Id));

        await carol.SendAsync(alice, "nobody disturbed");
        (await alice.NextAsync<MessageReceived>(e => e.Message.Text == "nobody disturbed")).Message.FromId.Should().Be(carol.UserId);
    }

    [Fact]
    public async Task RequestChat_BeyondAHundredWaiting_Fails420_UntilOneIsAnswered()
    {
        await using var alice = await _host.SignUpAsync("smany_alice", autoAcceptSecretChats: false);
        await using var bob = await _host.SignUpAsync("smany_bob", autoAcceptSecretChats: false);
        var chats = new List<SecretChat>();
        for (var i = 1; i <= SecretLimits.WaitingRequests; i++)
        {
            chats.Add(await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, i, PublicKey())));
        }

        await Fails(() => alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 1000, PublicKey())), SecretErrorNames.SecretChatsTooMuch, 420);
        (await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 5, PublicKey()))).Id.Should().Be(chats[4].Id, "a resend is no new request");

        await bob.Client.CallAsync(new DiscardSecretChatCall(chats[0].Id));
        (await alice.Client.CallAsync(new RequestSecretChatCall(bob.UserId, 1000, PublicKey()))).State.Should().Be(SecretChatState.Requested);
    }

    private static async Task Fails(Func<Task> call, string name, int code = 400, string because = "")
    {
        var error = (await call.Should().ThrowAsync<RpcException>(because)).Which;
        error.Name.Should().Be(name, because);
        error.Code.Should().Be(code, because);
    }

    /// <summary>A fresh X25519 public key, as a client would send.</summary>
    internal static byte[] PublicKey() => Sodium.ScalarMult.Base(Sodium.SodiumCore.GetRandomBytes(32));

    internal static IEnumerable<byte[]> LowOrderPoints()
    {
        using var vectors = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Clients", "web", "test", "secret-vectors.json")));
        return [.. vectors.RootElement.GetProperty("low_order_points").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!))];
    }
}

/// <summary>The server's limits the tests count on (README).</summary>
internal static class SecretLimits
{
    public const int WaitingRequests = 100;
}
