using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using static Messenger.Tests.Messages.SecretChatRekeyTests;

namespace Messenger.Tests.Messages;

/// <summary>Re-keying when things go wrong (README, Secret chats): a store that fails in the middle of an exchange (what
/// the app's pts may pass, what a restart replays), and the counts of the keys' uses across short-lived clients.</summary>
public sealed class SecretChatRekeyDurabilityTests : IAsyncLifetime
{
    private static readonly SecretRekeyKnobs Never = new(AfterMessages: 100_000);

    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:PostsPerSecond"] = "0",
        });

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Restart_AfterAStepWhoseStateWriteFailed_HandlesTheStepAgainFromTheLog()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rko_replay_alice", rekey: Never);
        var bobsStore = new SecretChatStoreTests.FlakyStore();
        var bobsKeys = new InMemoryDeviceKeyStore();
        var bob = await SecretDevice.SignUpAsync(_host, "rko_replay_bob", deviceKeys: bobsKeys, secretKeys: bobsStore, rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var bobsPts = bob.Client.Events.Pts;

        bobsStore.FailSaves = true;
        await SendRawAsync(alice, chatId, alice.SecretState().Chats[chatId].AdminKey!, 8_510_001,
            new SecretPlaintext(null, Now()) { Rekey = new(SecretRekeyOp.Request, 92, SecretChatCrypto.GenerateKeyPair().Public) });
        await bob.NextAsync<SecretChatStoreFailed>();
        // The app stops (or the process dies) before any write succeeds.
        await bob.DisposeAsync();
        bobsStore.FailSaves = false;
        bob.SecretState().Chats[chatId].Accepted.Should().BeNull();

        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys, bobsStore, bobsPts, Never);

        await SessionTestKit.WaitUntil(() => bobAgain.SecretState().Chats[chatId] is { Accepted.Id: 92, Outbox: [] });
    }

    [Fact]
    public async Task Events_AfterAStepWhoseStateIsNotWritten_AreHeldUntilItIs_SoTheAppsPtsNeverPassesIt()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rko_hold_alice", rekey: Never);
        var bobsStore = new SecretChatStoreTests.FlakyStore();
        var bobsKeys = new InMemoryDeviceKeyStore();
        var bob = await SecretDevice.SignUpAsync(_host, "rko_hold_bob", deviceKeys: bobsKeys, secretKeys: bobsStore, rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var bobsPts = bob.Client.Events.Pts!.Value;

        bobsStore.FailSaves = true;
        await SendRawAsync(alice, chatId, alice.SecretState().Chats[chatId].AdminKey!, 8_520_001,
            new SecretPlaintext(null, Now()) { Rekey = new(SecretRekeyOp.Request, 93, SecretChatCrypto.GenerateKeyPair().Public) });
        await bob.NextAsync<SecretChatStoreFailed>();
        await alice.Client.SendSecretMessageAsync(chatId, "after the step");
        var logged = (await bob.Client.CallAsync(new GetStateCall())).Pts;
        await SessionTestKit.WaitUntil(() => bob.Client.Events.Pts >= logged);
        await bob.DisposeAsync();

        var left = new List<MessengerEvent>();
        await foreach (var e in bob.Client.Events.Reader.ReadAllAsync())
        {
            left.Add(e);
        }

        left.Should().NotContain(e => e is SecretMessageReceived, "its entry follows the step's, whose effect never reached the disk");
        var appsPts = left.OfType<LoggedEvent>().Select(e => e.Pts).Append(bobsPts).Max();
        appsPts.Should().Be(bobsPts);

        bobsStore.FailSaves = false;
        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys, bobsStore, appsPts, Never);
        (await bobAgain.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("after the step");
        await SessionTestKit.WaitUntil(() => bobAgain.SecretState().Chats[chatId] is { Accepted.Id: 93, Outbox: [] });
    }

    [Fact]
    public async Task KeyUses_AreWrittenEvery16Uses_AndWhenTheClientIsDisposed_SoShortLivedClientsStillReKey()
    {
        var alicesStore = new InMemorySecretChatKeyStore();
        var alicesKeys = new InMemoryDeviceKeyStore();
        var everyFive = new SecretRekeyKnobs(AfterMessages: 5);
        var alice = await SecretDevice.SignUpAsync(_host, "rko_count_alice", deviceKeys: alicesKeys, secretKeys: alicesStore, rekey: everyFive);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rko_count_bob", rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.DisposeAsync();

        var sixteen = Enumerable.Range(1, 16).Select(i => $"bob {i}").ToList();
        await SendAllAsync(bob, chatId, sixteen);
        bob.SecretState().Chats[chatId].KeyUses.Should().Be(16, "the 16th use writes the counts though nothing else changed");

        // alice's app lives for three messages at a time (each time from the log's current position: bob's sixteen are
        // not read, so only her own messages count).
        var aliceAgain = await SecretDevice.ConnectAsync(_host, alice.UserId, alicesKeys, alicesStore, rekey: everyFive);
        await SendAllAsync(aliceAgain, chatId, ["one", "two", "three"]);
        await aliceAgain.DisposeAsync();
        aliceAgain.SecretState().Chats[chatId].Should().Match<LocalChat>(c => c.KeyUses == 3 && c.Outgoing == null, "written when the client was disposed");

        await using var aliceLater = await SecretDevice.ConnectAsync(_host, alice.UserId, alicesKeys, alicesStore, rekey: everyFive);
        await SendAllAsync(aliceLater, chatId, ["four", "five"]);
        await SessionTestKit.WaitUntil(() => aliceLater.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
    }
}
