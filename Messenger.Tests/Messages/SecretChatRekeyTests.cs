using MessagePack;
using MessagePack.Resolvers;
using Messenger.Client;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary>Re-keying of secret chats end to end (docs/secret-chats.md): the real host and two SDK devices whose keys are
/// replaced every few messages (a low threshold instead of 100), both sides sending; exchanges started by both at once,
/// a commit that comes late or never, restarts in the middle, the old keys gone from the state, bad steps, old state
/// files and a peer that never answers.</summary>
public sealed class SecretChatRekeyTests : IAsyncLifetime
{
    /// <summary>Keys that are never replaced in a test's lifetime.</summary>
    internal static readonly SecretRekeyKnobs Never = new(AfterMessages: 100_000);

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SecretDevice.StartUnlimitedHostAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Rekey_EveryFiveMessages_WhileBothSidesSend_ChangesTheKeysSeveralTimes_AndEveryMessageArrivesOnce()
    {
        var everyFive = new SecretRekeyKnobs(AfterMessages: 5);
        await using var alice = await SecretDevice.SignUpAsync(_host, "rk_many_alice", rekey: everyFive);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rk_many_bob", rekey: everyFive);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var firstKey = alice.SecretState().Chats[chatId].AdminKey!;

        var fromAlice = Enumerable.Range(0, 40).Select(i => $"alice {i:D2}").ToList();
        var fromBob = Enumerable.Range(0, 40).Select(i => $"bob {i:D2}").ToList();
        await Task.WhenAll(SendAllAsync(alice, chatId, fromAlice), SendAllAsync(bob, chatId, fromBob));

        (await ReceiveAsync(bob, fromAlice)).Should().Equal(fromAlice, "each message once, in order, none undecryptable");
        (await ReceiveAsync(alice, fromBob)).Should().Equal(fromBob);
        var generation = await SettledAsync(alice, bob, chatId);
        generation.Should().BeGreaterThanOrEqualTo(3, "80 messages at 5 per generation");
        alice.Client.GetLocalSecretChat(chatId)!.KeyGeneration.Should().Be(generation);
        bob.Client.GetLocalSecretChat(chatId)!.KeyGeneration.Should().Be(generation);
        alice.SecretState().Chats[chatId].AdminKey.Should().NotEqual(firstKey);
        alice.Client.GetSecretChatVerification(chatId).Should().Be(bob.Client.GetSecretChatVerification(chatId), "the code stays the first keys'");

        // Only the messages are in the histories: the exchanges' steps were never shown.
        alice.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().BeEquivalentTo([.. fromAlice, .. fromBob]);
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().BeEquivalentTo([.. fromAlice, .. fromBob]);
        await ExchangeAsync(alice, bob, chatId, "after the last switch");
    }

    [Fact]
    public async Task Rekey_WhenBothSidesStartAtOnce_ConvergesOnOneExchange_AndNothingIsLost()
    {
        var afterFour = new SecretRekeyKnobs(AfterMessages: 4);
        var alice = await SecretDevice.SignUpAsync(_host, "rk_both_alice", rekey: afterFour);
        var bob = await SecretDevice.SignUpAsync(_host, "rk_both_bob", rekey: afterFour);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var bobsPts = bob.Client.Events.Pts;

        // Each side sends four messages, and so starts an exchange, before it has seen anything of the other's.
        string[] fromAlice = ["a1", "a2", "a3", "a4"];
        long alicesExchange = 0;
        long? alicesPts = null;
        var bobSending = await bob.ReconnectLaterAsync(async () =>
        {
            await SendAllAsync(alice, chatId, fromAlice);
            await SessionTestKit.WaitUntil(() => alice.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
            alicesExchange = alice.SecretState().Chats[chatId].Outgoing!.Id;
            alicesPts = alice.Client.Events.Pts;
            await alice.DisposeAsync();
        }, pts: null);
        string[] fromBob = ["b1", "b2", "b3", "b4"];
        await SendAllAsync(bobSending, chatId, fromBob);
        await SessionTestKit.WaitUntil(() => bobSending.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
        bobSending.SecretState().Chats[chatId].Outgoing!.Id.Should().NotBe(alicesExchange);

        // Now each reads the other's messages and request while its own waits for an answer.
        await using var bobBack = await bobSending.ReconnectLaterAsync(() => Task.CompletedTask, bobsPts);
        await using var aliceBack = await alice.ReconnectLaterAsync(() => Task.CompletedTask, alicesPts);

        (await ReceiveAsync(bobBack, fromAlice)).Should().Equal(fromAlice);
        (await ReceiveAsync(aliceBack, fromBob)).Should().Equal(fromBob);
        (await SettledAsync(aliceBack, bobBack, chatId)).Should().Be(1, "one of the two exchanges won, the other was dropped");
        await ExchangeAsync(aliceBack, bobBack, chatId, "after the race");
    }

    [Fact]
    public async Task Rekey_WhenTheInitiatorsMessagesUnderTheNewKeysComeBeforeItsCommit_TheAccepterSwitchesOnTheFirst()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rk_late_alice", rekey: Never);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rk_late_bob", rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var before = alice.SecretState().Chats[chatId];
        byte[] generation0 = [.. before.AdminKey!, .. before.ParticipantKey!];

        // alice's device as another client would drive it: a request, then (its commit lost) a message under the new keys.
        var (secret, gInit) = SecretChatCrypto.GenerateKeyPair();
        const long exchange = 4_503_599_627_370_495;
        await SendRawAsync(alice, chatId, before.AdminKey!, 8_100_001, new SecretPlaintext(null, Now()) { Rekey = new(SecretRekeyOp.Request, exchange, gInit) });
        await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[chatId] is { Accepted: not null, Outbox: [] });
        var accepted = bob.SecretState().Chats[chatId].Accepted!;
        accepted.Id.Should().Be(exchange);
        var next = SecretChatCrypto.DeriveNextKeys(secret, generation0, gInit, accepted.G, isInitiator: true);
        next.KeyFingerprint.Should().Be(accepted.Fingerprint);
        bob.Client.GetLocalSecretChat(chatId)!.KeyGeneration.Should().Be(0, "the accepter waits for the commit");

        await SendRawAsync(alice, chatId, next.AdminToParticipant, 8_100_002, new SecretPlaintext("under the new keys", Now()));

        (await bob.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("under the new keys");
        bob.Client.GetLocalSecretChat(chatId)!.KeyGeneration.Should().Be(1);
        var switched = bob.SecretState().Chats[chatId];
        switched.AdminKey.Should().Equal(next.AdminToParticipant, "the implicit commit");
        switched.ParticipantKey.Should().Equal(next.ParticipantToAdmin);
        switched.Accepted.Should().BeNull();

        // The commit comes at last (sealed under the previous keys, as the initiator sends it): nothing changes.
        await SendRawAsync(alice, chatId, before.AdminKey!, 8_100_003,
            new SecretPlaintext(null, Now()) { Rekey = new(SecretRekeyOp.Commit, exchange, Fingerprint: next.KeyFingerprint) });
        await SendRawAsync(alice, chatId, before.AdminKey!, 8_100_004, new SecretPlaintext("sent before the switch, late", Now()));
        await SendRawAsync(alice, chatId, next.AdminToParticipant, 8_100_005, new SecretPlaintext("and after it", Now()));
        (await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "and after it" }))
            .Where(e => e is SecretMessageReceived or SecretMessageUndecryptable).Select(e => ((SecretMessageReceived)e).Message.Text)
            .Should().Equal("sent before the switch, late", "and after it");
        bob.Client.GetLocalSecretChat(chatId)!.KeyGeneration.Should().Be(1);
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("under the new keys", "sent before the switch, late", "and after it");
    }

    [Fact]
    public async Task Rekey_WhenTheInitiatorRestartsBeforeTheAccept_AndTheAccepterBeforeTheCommit_Completes()
    {
        using var keys = new TempDirectory();
        var (aliceKeys, aliceStore) = FileStores(keys, "alice");
        var (bobKeys, bobStore) = FileStores(keys, "bob");
        var afterThree = new SecretRekeyKnobs(AfterMessages: 3);
        var alice = await SecretDevice.SignUpAsync(_host, "rk_rst_alice", deviceKeys: aliceKeys, secretKeys: aliceStore, rekey: afterThree);
        var bob = await SecretDevice.SignUpAsync(_host, "rk_rst_bob", deviceKeys: bobKeys, secretKeys: bobStore, rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var bobsPts = bob.Client.Events.Pts;
        await bob.DisposeAsync();

        string[] before = ["one", "two", "three"];
        await SendAllAsync(alice, chatId, before);
        await SessionTestKit.WaitUntil(() => alice.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
        var alicesPts = alice.Client.Events.Pts;
        await alice.DisposeAsync();

        // bob's device comes back from its files, accepts, and stops before the commit comes.
        var bobAccepting = await SecretDevice.ConnectAsync(_host, bob.UserId, bobKeys, new FileSecretChatKeyStore(bobStore.Path), bobsPts, Never);
        (await ReceiveAsync(bobAccepting, before)).Should().Equal(before);
        await SessionTestKit.WaitUntil(() => bobAccepting.SecretState().Chats[chatId] is { Accepted: not null, Outbox: [] });
        bobsPts = bobAccepting.Client.Events.Pts;
        await bobAccepting.DisposeAsync();

        // alice's device comes back from its files: the answer finds its request, it switches and commits.
        await using var aliceBack = await SecretDevice.ConnectAsync(_host, alice.UserId, aliceKeys, new FileSecretChatKeyStore(aliceStore.Path), alicesPts, afterThree);
        await SessionTestKit.WaitUntil(() => aliceBack.Client.GetLocalSecretChat(chatId)!.KeyGeneration == 1);
        await using var bobBack = await SecretDevice.ConnectAsync(_host, bob.UserId, bobKeys, new FileSecretChatKeyStore(bobStore.Path), bobsPts, Never);

        (await SettledAsync(aliceBack, bobBack, chatId)).Should().Be(1);
        await ExchangeAsync(aliceBack, bobBack, chatId, "after both restarts");
        bobBack.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().StartWith(before);
    }

    [Fact]
    public async Task Rekey_AfterTheSwitchAnd16MessagesFromThePeer_LeavesNoOldKeyInTheStateFiles()
    {
        using var keys = new TempDirectory();
        var (aliceKeys, aliceStore) = FileStores(keys, "alice");
        var (bobKeys, bobStore) = FileStores(keys, "bob");
        var alice = await SecretDevice.SignUpAsync(_host, "rk_wipe_alice", deviceKeys: aliceKeys, secretKeys: aliceStore, rekey: new SecretRekeyKnobs(AfterMessages: 1));
        await using var bob = await SecretDevice.SignUpAsync(_host, "rk_wipe_bob", deviceKeys: bobKeys, secretKeys: bobStore, rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var generation0 = alice.SecretState().Chats[chatId];
        byte[][] oldKeys = [generation0.AdminKey!, generation0.ParticipantKey!];
        await SendAllAsync(alice, chatId, ["starts the exchange"]);
        await ReceiveAsync(bob, ["starts the exchange"]);
        (await SettledAsync(alice, bob, chatId)).Should().Be(1);

        // From here on alice's device keeps its keys as long as bob's does.
        var alicesPts = alice.Client.Events.Pts;
        await alice.DisposeAsync();
        await using var aliceAgain = await SecretDevice.ConnectAsync(_host, alice.UserId, aliceKeys, aliceStore, alicesPts, Never);
        foreach (var store in new[] { aliceStore, bobStore })
        {
            Holding(store, oldKeys).Should().BeTrue("the previous keys open what the peer sent before it switched");
        }

        var fifteen = Enumerable.Range(1, 15).Select(i => $"bob {i}").ToList();
        await SendAllAsync(bob, chatId, fifteen);
        await ReceiveAsync(aliceAgain, fifteen);
        Holding(aliceStore, oldKeys).Should().BeTrue("15 messages under the new keys are not enough");

        await SendAllAsync(bob, chatId, ["bob 16"]);
        await ReceiveAsync(aliceAgain, ["bob 16"]);
        var sixteen = Enumerable.Range(1, 16).Select(i => $"alice {i}").ToList();
        await SendAllAsync(aliceAgain, chatId, sixteen);
        await ReceiveAsync(bob, sixteen);

        foreach (var store in new[] { aliceStore, bobStore })
        {
            Holding(store, oldKeys).Should().BeFalse("16 messages of the peer opened under the new keys: the old ones are wiped");
            StateOf(store).Chats[chatId].Should().Match<LocalChat>(c => c.Previous == null && c.KeyGeneration == 1);
        }

        SecretChatTests.DataFilesHolding(keys.Path, "bob 16", "alice 16").Should().NotContain([aliceStore.Path, bobStore.Path]);
        await ExchangeAsync(aliceAgain, bob, chatId, "still talking");
    }

    [Fact]
    public async Task Rekey_AMalformedOrRefusedStep_IsIgnored_ShowsNothing_AndTheChatGoesOn()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rk_bad_alice", rekey: Never);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rk_bad_bob", rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var key = alice.SecretState().Chats[chatId].AdminKey!;
        var now = Now();

        object[] malformed =
        [
            new Dictionary<string, object> { ["op"] = "request", ["id"] = 5L, ["g"] = new byte[31] },
            new Dictionary<string, object> { ["op"] = "accept", ["id"] = 5L, ["g"] = new byte[32] },
            new Dictionary<string, object> { ["op"] = "reboot", ["id"] = 5L },
            new Dictionary<string, object> { ["op"] = "commit", ["id"] = 0L, ["fp"] = 1L },
            "request",
        ];
        var randomId = 8_200_000L;
        foreach (var step in malformed)
        {
            var body = MessagePackSerializer.Serialize(new Dictionary<string, object> { ["rekey"] = step, ["date"] = now });
            await alice.Client.CallAsync(new SendEncryptedCall(chatId, ++randomId, SecretChatCrypto.Encrypt(key, chatId, randomId, body)));
        }

        // Well formed, but of no exchange this device knows, or with a low-order key (refused with an abort).
        var lowOrder = Convert.FromHexString("0000000000000000000000000000000000000000000000000000000000000000");
        await SendRawAsync(alice, chatId, key, ++randomId, new SecretPlaintext(null, now) { Rekey = new(SecretRekeyOp.Commit, 77, Fingerprint: 5) });
        await SendRawAsync(alice, chatId, key, ++randomId, new SecretPlaintext(null, now) { Rekey = new(SecretRekeyOp.Accept, 77, new byte[32], 5) });
        await SendRawAsync(alice, chatId, key, ++randomId, new SecretPlaintext(null, now) { Rekey = new(SecretRekeyOp.Abort, 77) });
        await SendRawAsync(alice, chatId, key, ++randomId, new SecretPlaintext(null, now) { Rekey = new(SecretRekeyOp.Request, 78, lowOrder) });
        await alice.Client.SendSecretMessageAsync(chatId, "the next message");

        (await bob.ReadUntilAsync(e => e is SecretMessageReceived)).Should().NotContain(e => e is SecretMessageUndecryptable)
            .And.ContainSingle(e => e is SecretMessageReceived).Which.As<SecretMessageReceived>().Message.Text.Should().Be("the next message");
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("the next message");
        await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[chatId].Outbox.Count == 0);
        bob.SecretState().Chats[chatId].Should().Match<LocalChat>(c => c.KeyGeneration == 0 && c.Accepted == null && c.Outgoing == null);
        await ExchangeAsync(alice, bob, chatId, "nothing changed");
    }

    [Fact]
    public async Task StateFile_WrittenBeforeReKeying_Loads_AsTheFirstGeneration_AndReKeysLater()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rk_old_alice", rekey: new SecretRekeyKnobs(AfterMessages: 3));
        var bobsStore = new InMemorySecretChatKeyStore();
        var bobsKeys = new InMemoryDeviceKeyStore();
        var bob = await SecretDevice.SignUpAsync(_host, "rk_old_bob", deviceKeys: bobsKeys, secretKeys: bobsStore, rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        // One way only: bob's device sent nothing, so the old file (which has no sequence numbers either) is not behind
        // what alice's device received from it.
        await SendAllAsync(alice, chatId, ["before the old file (there)"]);
        await ReceiveAsync(bob, ["before the old file (there)"]);
        var bobsPts = bob.Client.Events.Pts;
        await bob.DisposeAsync();

        // The state as the SDK wrote it before re-keying: each chat's fields up to the peer's read position.
        var current = bob.SecretState();
        var old = new OldState
        {
            UserId = current.UserId,
            Chats = current.Chats.ToDictionary(c => c.Key, c => new OldChat
            {
                Id = c.Value.Id, IsAdmin = c.Value.IsAdmin, PeerId = c.Value.PeerId, State = c.Value.State, Date = c.Value.Date, GA = c.Value.GA,
                GB = c.Value.GB, AdminKey = c.Value.AdminKey, ParticipantKey = c.Value.ParticipantKey, KeyFingerprint = c.Value.KeyFingerprint,
                Verification = c.Value.Verification, PeerReadDate = c.Value.PeerReadDate,
            }),
        };
        var oldBytes = MessagePackSerializer.Serialize(old, StateOptions);
        MessagePackSerializer.Deserialize<object[]>(MessagePackSerializer.Serialize(old.Chats[chatId], StateOptions)).Should().HaveCount(18);
        bobsStore.Save(oldBytes);

        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys, bobsStore, bobsPts, Never);

        bobAgain.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.State == SecretChatState.Ready && c.KeyGeneration == 0);
        bobAgain.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Contain("before the old file (there)");
        await ExchangeAsync(alice, bobAgain, chatId, "with the old file");
        (await SettledAsync(alice, bobAgain, chatId)).Should().Be(1, "alice's device started an exchange, which bob's answered from the old file's keys");
        await ExchangeAsync(alice, bobAgain, chatId, "under the new keys");
    }

    [Fact]
    public async Task Rekey_WhenThePeerNeverAnswers_IsAbortedAfterTheTimeout_AndANewOneStarts()
    {
        var clock = new SteppingClock();
        var alice = await SecretDevice.SignUpAsync(
            _host, "rk_wait_alice", rekey: new SecretRekeyKnobs(AfterMessages: 2, RequestTimeout: TimeSpan.FromSeconds(10)), clock: clock);
        await using var _ = alice;
        var bob = await SecretDevice.SignUpAsync(_host, "rk_wait_bob", rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var bobsPts = bob.Client.Events.Pts;
        await bob.DisposeAsync();

        await SendAllAsync(alice, chatId, ["one", "two"]);
        await SessionTestKit.WaitUntil(() => alice.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
        var unanswered = alice.SecretState().Chats[chatId].Outgoing!.Id;

        // Time passes without an answer (the peer is away; an older client would never answer).
        clock.Advance(TimeSpan.FromSeconds(11));
        await SendAllAsync(alice, chatId, ["four"]);
        await SessionTestKit.WaitUntil(() => alice.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
        var second = alice.SecretState().Chats[chatId].Outgoing!.Id;
        second.Should().NotBe(unanswered, "the unanswered request was aborted and a new one started");
        alice.Client.GetLocalSecretChat(chatId)!.KeyGeneration.Should().Be(0);

        // The peer comes back: it reads the first request, its abort, then the second request, and answers that one.
        await using var bobBack = await bob.ReconnectLaterAsync(() => Task.CompletedTask, bobsPts);
        (await ReceiveAsync(bobBack, ["one", "two", "four"])).Should().Equal("one", "two", "four");
        (await SettledAsync(alice, bobBack, chatId)).Should().Be(1);
        await ExchangeAsync(alice, bobBack, chatId, "after the abort");
    }

    [Fact]
    public async Task Rekey_WhenTheKeysAreOlderThanTheLimit_StartsWithTheNextMessage()
    {
        var clock = new SteppingClock();
        var aged = new SecretRekeyKnobs(AfterMessages: 100_000, After: TimeSpan.FromSeconds(10));
        await using var alice = await SecretDevice.SignUpAsync(_host, "rk_age_alice", rekey: aged, clock: clock);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rk_age_bob", rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        alice.SecretState().Chats[chatId].Outgoing.Should().BeNull();

        clock.Advance(TimeSpan.FromSeconds(11));
        await SendAllAsync(alice, chatId, ["an old key's last message"]);
        await ReceiveAsync(bob, ["an old key's last message"]);

        (await SettledAsync(alice, bob, chatId)).Should().Be(1);
    }

    [Fact]
    public async Task Rekey_WhenThePeersRequestHasTheLargerId_ItsOwnIsDropped_AndThePeersExchangeIsTheOneCompleted()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rk_big_alice", rekey: Never);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rk_big_bob", rekey: new SecretRekeyKnobs(AfterMessages: 1));
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var (aliceByHand, keys, pts) = await ByHandAsync(alice, chatId);
        await using var _ = aliceByHand;
        var bobs = await StartExchangeAsync(bob, chatId);
        bobs.Id.Should().BeLessThan(SecretChatCrypto.MaxExchangeId);

        const long larger = SecretChatCrypto.MaxExchangeId;
        var (secret, gInit) = SecretChatCrypto.GenerateKeyPair();
        await SendRawAsync(aliceByHand, chatId, keys.Admin, 8_300_001, Step(SecretRekeyOp.Request, larger, gInit));

        await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[chatId] is { Outgoing: null, Accepted: not null, Outbox: [] });
        var accepted = bob.SecretState().Chats[chatId].Accepted!;
        accepted.Id.Should().Be(larger);
        var steps = await StepsAsync(aliceByHand, pts, chatId, bob.UserId, keys.Participant);
        steps.Select(s => (s.Op, s.Id)).Should().Equal((SecretRekeyOp.Request, bobs.Id), (SecretRekeyOp.Accept, larger));
        steps[1].G.Should().Equal(accepted.G, "the accept carries the g_acc bob's device saved");

        var next = SecretChatCrypto.DeriveNextKeys(secret, keys.Both, gInit, accepted.G, isInitiator: true);
        steps[1].Fingerprint.Should().Be(next.KeyFingerprint);
        await SendRawAsync(aliceByHand, chatId, keys.Admin, 8_300_002, Step(SecretRekeyOp.Commit, larger, fingerprint: next.KeyFingerprint));
        await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[chatId].KeyGeneration == 1);
        var switched = bob.SecretState().Chats[chatId];
        switched.AdminKey.Should().Equal(next.AdminToParticipant, "the keys of the exchange with the larger id");
        switched.ParticipantKey.Should().Equal(next.ParticipantToAdmin);
        switched.Outgoing.Should().BeNull();
    }

    [Fact]
    public async Task Rekey_WhenThePeersRequestHasTheSmallerId_ItIsIgnored_AndItsOwnExchangeIsTheOneCompleted()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rk_small_alice", rekey: Never);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rk_small_bob", rekey: new SecretRekeyKnobs(AfterMessages: 1));
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var (aliceByHand, keys, pts) = await ByHandAsync(alice, chatId);
        await using var _ = aliceByHand;
        var bobs = await StartExchangeAsync(bob, chatId);
        bobs.Id.Should().BeGreaterThan(1);

        await SendRawAsync(aliceByHand, chatId, keys.Admin, 8_310_001, Step(SecretRekeyOp.Request, 1, SecretChatCrypto.GenerateKeyPair().Public));
        // Then the answer bob's device waits for: its own exchange, accepted.
        var (secret, gAcc) = SecretChatCrypto.GenerateKeyPair();
        var next = SecretChatCrypto.DeriveNextKeys(secret, keys.Both, bobs.G, gAcc, isInitiator: false);
        await SendRawAsync(aliceByHand, chatId, keys.Admin, 8_310_002, Step(SecretRekeyOp.Accept, bobs.Id, gAcc, next.KeyFingerprint));

        await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[chatId] is { KeyGeneration: 1, Outbox: [] });
        var switched = bob.SecretState().Chats[chatId];
        switched.AdminKey.Should().Equal(next.AdminToParticipant, "the keys of bob's own exchange, the one with the larger id");
        switched.ParticipantKey.Should().Equal(next.ParticipantToAdmin);
        switched.Should().Match<LocalChat>(c => c.Outgoing == null && c.Accepted == null);
        (await StepsAsync(aliceByHand, pts, chatId, bob.UserId, keys.Participant)).Select(s => (s.Op, s.Id))
            .Should().Equal([(SecretRekeyOp.Request, bobs.Id), (SecretRekeyOp.Commit, bobs.Id)], "the request with the smaller id got no answer");
    }

    [Fact]
    public async Task Rekey_WhenThePeersRequestHasTheSameId_BothAreDropped_AndAnAbortIsSent()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rk_same_alice", rekey: Never);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rk_same_bob", rekey: new SecretRekeyKnobs(AfterMessages: 1));
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var (aliceByHand, keys, pts) = await ByHandAsync(alice, chatId);
        await using var _ = aliceByHand;
        var bobs = await StartExchangeAsync(bob, chatId);

        await SendRawAsync(aliceByHand, chatId, keys.Admin, 8_320_001, Step(SecretRekeyOp.Request, bobs.Id, SecretChatCrypto.GenerateKeyPair().Public));

        await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[chatId] is { Outgoing: null, Outbox: [] });
        bob.SecretState().Chats[chatId].Should().Match<LocalChat>(c => c.Accepted == null && c.KeyGeneration == 0);
        (await StepsAsync(aliceByHand, pts, chatId, bob.UserId, keys.Participant)).Select(s => (s.Op, s.Id))
            .Should().Equal((SecretRekeyOp.Request, bobs.Id), (SecretRekeyOp.Abort, bobs.Id));

        // Nothing is left under way: the next message starts a new exchange.
        await SendAllAsync(bob, chatId, ["after the abort"]);
        await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
        bob.SecretState().Chats[chatId].Outgoing!.Id.Should().NotBe(bobs.Id);
    }

    [Fact]
    public async Task Rekey_ARequestWithALowOrderKey_IsAnsweredWithAnAbort_AsAServiceMessage()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rk_low_alice", rekey: Never);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rk_low_bob", rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var (aliceByHand, keys, pts) = await ByHandAsync(alice, chatId);
        await using var _ = aliceByHand;

        await SendRawAsync(aliceByHand, chatId, keys.Admin, 8_330_001, Step(SecretRekeyOp.Request, 78, new byte[32]));

        var logged = await LoggedAsync(aliceByHand, pts, chatId, bob.UserId, keys.Participant, until: l => l.Count > 0);
        var (message, body) = logged.Should().ContainSingle().Subject;
        body!.Rekey.Should().Be(new SecretRekey(SecretRekeyOp.Abort, 78));
        message.Service.Should().BeTrue("a step is a control message: no notification is pushed for it");
        message.Silent.Should().BeTrue();
        bob.SecretState().Chats[chatId].Should().Match<LocalChat>(c => c.Accepted == null && c.KeyGeneration == 0);
    }

    [Fact]
    public async Task DeleteForBoth_AndReKeyingSteps_ArriveAsServiceMessages_AndMessagesDoNot()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rk_svc_alice", rekey: Never);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rk_svc_bob", rekey: new SecretRekeyKnobs(AfterMessages: 1));
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var (aliceByHand, keys, pts) = await ByHandAsync(alice, chatId);
        await using var _ = aliceByHand;

        var hello = await bob.Client.SendSecretMessageAsync(chatId, "hello");
        await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
        await bob.Client.DeleteSecretMessagesAsync(chatId, [hello.RandomId]);

        var logged = await LoggedAsync(aliceByHand, pts, chatId, bob.UserId, keys.Participant, until: l => l.Count >= 3);
        logged.Select(l => (l.Body?.Text, l.Body?.Rekey?.Op, l.Body?.Delete?.SingleOrDefault(), l.Message.Service)).Should().Equal(
            new (string?, SecretRekeyOp?, long?, bool)[]
            {
                ("hello", null, null, false),
                (null, SecretRekeyOp.Request, null, true),
                (null, null, hello.RandomId, true),
            });
    }

    [Fact]
    public async Task Start_WhenTheKeysAgedAndTheRequestTimedOutWhileAway_ReadsWhatWasMissedFirst_AndCompletesTheAnsweredExchange()
    {
        var clock = new SteppingClock();
        var alice = await SecretDevice.SignUpAsync(_host, "rk_start_alice", rekey: new SecretRekeyKnobs(AfterMessages: 1), clock: clock);
        var bob = await SecretDevice.SignUpAsync(_host, "rk_start_bob", rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var bobsPts = bob.Client.Events.Pts;

        // alice's device asks for new keys while bob's is away, and goes away in turn.
        long? alicesPts = null;
        await using var bobBack = await bob.ReconnectLaterAsync(async () =>
        {
            await SendAllAsync(alice, chatId, ["starts the exchange"]);
            await SessionTestKit.WaitUntil(() => alice.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
            alicesPts = alice.Client.Events.Pts;
            await alice.DisposeAsync();
        }, bobsPts);

        // bob's answers, and eight days pass: alice's keys are old and her request older than the 7 days it waits.
        await ReceiveAsync(bobBack, ["starts the exchange"]);
        await SessionTestKit.WaitUntil(() => bobBack.SecretState().Chats[chatId] is { Accepted: not null, Outbox: [] });
        var answered = bobBack.SecretState().Chats[chatId].Accepted!;
        clock.Advance(TimeSpan.FromDays(8));

        await using var aliceBack = await alice.ReconnectLaterAsync(() => Task.CompletedTask, alicesPts);

        (await SettledAsync(aliceBack, bobBack, chatId)).Should().Be(1);
        bobBack.SecretState().Chats[chatId].AdminKey.Should().Equal(answered.AdminKey, "the answered exchange completed: the check at start waited for the catch-up");
        await ExchangeAsync(aliceBack, bobBack, chatId, "after the start");
    }

    private static readonly MessagePackSerializerOptions StateOptions = MessagePackSerializerOptions.Standard.WithResolver(StandardResolverAllowPrivate.Instance);

    internal static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    internal static async Task SendAllAsync(SecretDevice device, long chatId, IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            await device.Client.SendSecretMessageAsync(chatId, text);
        }
    }

    /// <summary>The texts of the messages received until all of <paramref name="expected"/> came (in the order they came);
    /// fails on any message that could not be decrypted.</summary>
    internal static async Task<List<string>> ReceiveAsync(SecretDevice device, IReadOnlyCollection<string> expected)
    {
        var texts = new List<string>();
        while (!expected.All(texts.Contains))
        {
            var e = (await device.ReadUntilAsync(e => e is SecretMessageReceived or SecretMessageUndecryptable))[^1];
            e.Should().BeOfType<SecretMessageReceived>("every message decrypts under one of the keys held");
            texts.Add(((SecretMessageReceived)e).Message.Text);
        }

        return texts;
    }

    /// <summary>Waits until neither side has an exchange under way or a step still to send, and both use the same keys:
    /// their generation.</summary>
    internal static async Task<int> SettledAsync(SecretDevice a, SecretDevice b, long chatId)
    {
        await SessionTestKit.WaitUntil(() =>
        {
            var (x, y) = (a.SecretState().Chats[chatId], b.SecretState().Chats[chatId]);
            return x is { Outgoing: null, Accepted: null, Outbox: [] } && y is { Outgoing: null, Accepted: null, Outbox: [] }
                && x.KeyGeneration == y.KeyGeneration && x.AdminKey!.AsSpan().SequenceEqual(y.AdminKey) && x.ParticipantKey!.AsSpan().SequenceEqual(y.ParticipantKey);
        });
        return a.SecretState().Chats[chatId].KeyGeneration;
    }

    /// <summary>A message each way arrives.</summary>
    internal static async Task ExchangeAsync(SecretDevice a, SecretDevice b, long chatId, string text)
    {
        await SendAllAsync(a, chatId, [text + " (there)"]);
        (await ReceiveAsync(b, [text + " (there)"])).Should().Equal(text + " (there)");
        await SendAllAsync(b, chatId, [text + " (back)"]);
        (await ReceiveAsync(a, [text + " (back)"])).Should().Equal(text + " (back)");
    }

    /// <summary>Sends <paramref name="body"/> sealed under <paramref name="key"/> from <paramref name="device"/>, as another
    /// client of the same device could.</summary>
    internal static Task SendRawAsync(SecretDevice device, long chatId, byte[] key, long randomId, SecretPlaintext body) =>
        device.Client.CallAsync(new SendEncryptedCall(chatId, randomId, SecretChatCrypto.Encrypt(key, chatId, randomId, SecretChatCrypto.EncodePlaintext(body))));

    /// <summary>Stops <paramref name="device"/>'s client and answers a client of the same device that never starts its
    /// events (its engine stays idle, so the test drives the device's side by hand), the chat's generation 0 and the
    /// position of the device's log to read what the other side sends from.</summary>
    private static async Task<(MessengerClient ByHand, Generation Keys, long Pts)> ByHandAsync(SecretDevice device, long chatId)
    {
        var chat = device.SecretState().Chats[chatId];
        await device.DisposeAsync();
        var byHand = await device.RawClientAsync();
        var pts = (await byHand.CallAsync(new GetStateCall())).Pts;
        return (byHand, new Generation(chat.AdminKey!, chat.ParticipantKey!), pts);
    }

    /// <summary>A message from <paramref name="device"/> starts its exchange (its threshold is one message): the request as
    /// saved, once sent.</summary>
    private static async Task<OutgoingRekey> StartExchangeAsync(SecretDevice device, long chatId)
    {
        await SendAllAsync(device, chatId, ["starts an exchange"]);
        await SessionTestKit.WaitUntil(() => device.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
        return device.SecretState().Chats[chatId].Outgoing!;
    }

    private static SecretPlaintext Step(SecretRekeyOp op, long id, byte[]? g = null, long? fingerprint = null) =>
        new(null, Now()) { Rekey = new SecretRekey(op, id, g, fingerprint) };

    internal static Task SendRawAsync(MessengerClient client, long chatId, byte[] key, long randomId, SecretPlaintext body) =>
        client.CallAsync(new SendEncryptedCall(chatId, randomId, SecretChatCrypto.Encrypt(key, chatId, randomId, SecretChatCrypto.EncodePlaintext(body))));

    /// <summary>The re-keying steps <paramref name="from"/> sent in the chat, read from the other side's log after
    /// <paramref name="pts"/> and opened under <paramref name="key"/>.</summary>
    private static async Task<List<SecretRekey>> StepsAsync(MessengerClient reader, long pts, long chatId, long from, byte[] key) =>
        [.. (await LoggedAsync(reader, pts, chatId, from, key)).Select(l => l.Body?.Rekey).OfType<SecretRekey>()];

    /// <summary>The encrypted messages <paramref name="from"/> sent in the chat, as the other side's log holds them after
    /// <paramref name="pts"/>, each with its body opened under <paramref name="key"/> (null when it does not open); read
    /// again until <paramref name="until"/> holds when given.</summary>
    internal static async Task<List<(EncryptedMessage Message, SecretPlaintext? Body)>> LoggedAsync(
        MessengerClient reader, long pts, long chatId, long from, byte[] key, Func<List<(EncryptedMessage Message, SecretPlaintext? Body)>, bool>? until = null)
    {
        using var timeout = new CancellationTokenSource(ChatTestKit.EventTimeout);
        while (true)
        {
            var found = new List<(EncryptedMessage, SecretPlaintext?)>();
            var at = pts;
            Difference difference;
            do
            {
                difference = await reader.CallAsync(new GetDifferenceCall(at));
                foreach (var update in difference.Updates)
                {
                    if (update.Update is NewEncryptedMessageUpdate { Message: var message } && message.ChatId == chatId && message.FromId == from)
                    {
                        var plaintext = SecretChatCrypto.Decrypt(key, chatId, message.RandomId, message.Data);
                        found.Add((message, plaintext is null ? null : SecretChatCrypto.DecodePlaintext(plaintext)));
                    }
                }

                at = difference.State.Pts;
            }
            while (difference.Slice);

            if (until is null || until(found))
            {
                return found;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>A generation's two direction keys.</summary>
    private sealed record Generation(byte[] Admin, byte[] Participant)
    {
        public byte[] Both => [.. Admin, .. Participant];
    }

    private static (FileDeviceKeyStore Keys, FileSecretChatKeyStore Store) FileStores(TempDirectory directory, string name)
    {
        var keys = new FileDeviceKeyStore(Path.Combine(directory.Path, name + ".key"));
        return (keys, new FileSecretChatKeyStore(FileSecretChatKeyStore.BesideDeviceKey(keys.Path)));
    }

    private static SecretState StateOf(ISecretChatKeyStore store) => MessagePackSerializer.Deserialize<SecretState>(store.Load()!, StateOptions);

    /// <summary>Whether the saved state's bytes hold any of <paramref name="keys"/>.</summary>
    private static bool Holding(FileSecretChatKeyStore store, byte[][] keys)
    {
        var bytes = File.ReadAllBytes(store.Path);
        return keys.Any(key => bytes.AsSpan().IndexOf(key) >= 0);
    }

    /// <summary>The state's shape before re-keying.</summary>
    [MessagePackObject]
    public sealed class OldState
    {
        [Key(0)]
        public long UserId { get; set; }

        [Key(1)]
        public Dictionary<long, OldChat> Chats { get; set; } = new();

        [Key(2)]
        public Dictionary<long, object> Pending { get; set; } = new();

        [Key(3)]
        public Dictionary<long, long> Forgotten { get; set; } = new();
    }

    [MessagePackObject]
    public sealed class OldChat
    {
        [Key(0)]
        public long Id { get; set; }

        [Key(1)]
        public bool IsAdmin { get; set; }

        [Key(2)]
        public long PeerId { get; set; }

        [Key(3)]
        public SecretChatState State { get; set; }

        [Key(4)]
        public long Date { get; set; }

        [Key(5)]
        public byte[]? OwnSecret { get; set; }

        [Key(6)]
        public byte[] GA { get; set; } = [];

        [Key(7)]
        public byte[]? GB { get; set; }

        [Key(8)]
        public byte[]? AdminKey { get; set; }

        [Key(9)]
        public byte[]? ParticipantKey { get; set; }

        [Key(10)]
        public long KeyFingerprint { get; set; }

        [Key(11)]
        public string? Verification { get; set; }

        [Key(12)]
        public string? Reason { get; set; }

        [Key(13)]
        public bool HistoryDeleted { get; set; }

        [Key(14)]
        public bool Accepting { get; set; }

        [Key(17)]
        public long PeerReadDate { get; set; }
    }
}
