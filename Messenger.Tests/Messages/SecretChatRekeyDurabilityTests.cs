using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using MessagePack;
using MessagePack.Resolvers;
using Microsoft.Extensions.Time.Testing;
using static Messenger.Tests.Messages.SecretChatRekeyTests;

namespace Messenger.Tests.Messages;

/// <summary>Re-keying when things go wrong (docs/secret-chats.md): steps the server refuses for good or asks to wait for,
/// a store that fails in the middle of an exchange (what reaches the other side, what the app's pts may pass, what a
/// restart replays), and the counts of the keys' uses across short-lived clients.</summary>
public sealed class SecretChatRekeyDurabilityTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SecretDevice.StartUnlimitedHostAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Outbox_WhenThePeerBlockedTheUser_DropsThatChatsStep_AndTheOtherChatsStepsStillGo()
    {
        var alice = await SecretDevice.SignUpAsync(_host, "rko_block_alice", rekey: Never);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rko_block_bob", rekey: new SecretRekeyKnobs(AfterMessages: 1));
        await using var carol = await SecretDevice.SignUpAsync(_host, "rko_block_carol", rekey: new SecretRekeyKnobs(AfterMessages: 1));
        // bob's chat first: the outbox looks at the chats in this order.
        var withBob = await SecretChatTests.ReadyChatAsync(alice, bob);
        var withCarol = await SecretChatTests.ReadyChatAsync(alice, carol);
        var alicesPts = alice.Client.Events.Pts;

        // While alice's device is away both ask for new keys, and bob blocks alice: her answers to both are made in one
        // batch, bob's first.
        await using var aliceBack = await alice.ReconnectLaterAsync(async () =>
        {
            await SendAllAsync(bob, withBob, ["from bob"]);
            await SendAllAsync(carol, withCarol, ["from carol"]);
            await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[withBob] is { Outgoing: not null, Outbox: [] }
                && carol.SecretState().Chats[withCarol] is { Outgoing: not null, Outbox: [] });
            await bob.Client.BlockUserAsync(alice.UserId);
        }, alicesPts);

        (await SettledAsync(aliceBack, carol, withCarol)).Should().Be(1, "the refused step to bob holds back no other chat's");
        await SessionTestKit.WaitUntil(() => aliceBack.SecretState().Chats[withBob] is { Outbox: [] });
        aliceBack.SecretState().Chats[withBob].Should().Match<LocalChat>(
            c => c.Accepted == null && c.KeyGeneration == 0, "the accept USER_IS_BLOCKED refused was dropped with its exchange");
        await ReceiveAsync(aliceBack, ["from bob", "from carol"]);
        await ExchangeAsync(aliceBack, carol, withCarol, "under carol's new keys");
    }

    [Fact]
    public async Task Outbox_AfterFloodWait_KeepsTheStep_AndSendsItOnceTheWaitIsOver()
    {
        var serverClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?>
            {
                ["Messenger:Session:RegistrationsPerAddress"] = "1000",
                ["Messenger:Message:PostsPerSecond"] = "1",
                ["Messenger:Message:PostBurst"] = "100",
            },
            serverClock);
        await using var alice = await SecretDevice.SignUpAsync(host, "rko_flood_alice", rekey: new SecretRekeyKnobs(AfterMessages: 1));
        await using var bob = await SecretDevice.SignUpAsync(host, "rko_flood_bob", rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);

        // alice's posting allowance used up (the server's clock stands still: nothing refills it), then one post given back.
        var flooded = false;
        for (var i = 0; i < 200 && !flooded; i++)
        {
            try
            {
                await alice.Client.SendMessageAsync(Peer.User(alice.UserId), $"post {i}");
            }
            catch (RpcException e) when (e.Name == ErrorNames.FloodWait)
            {
                flooded = true;
            }
        }

        flooded.Should().BeTrue();
        serverClock.Advance(TimeSpan.FromSeconds(1));
        await SendAllAsync(alice, chatId, ["the last post allowed"]);

        // Its request cannot be taken before the server's clock moves on: it stays in the outbox, kept, not dropped.
        await SessionTestKit.WaitUntil(() => alice.SecretState().Chats[chatId].Outgoing is not null);
        alice.SecretState().Chats[chatId].Outbox.Should().ContainSingle();
        (await ReceiveAsync(bob, ["the last post allowed"])).Should().Equal("the last post allowed");

        (await serverClock.WhileRunningAsync(() => SettledAsync(alice, bob, chatId))).Should().Be(1);
    }

    [Fact]
    public async Task Delete_WhenTheSwitchToNewKeysIsNotWritten_FailsBeforeAnythingIsSent()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rko_del_alice", rekey: Never);
        var bobsStore = new SecretChatStoreTests.FlakyStore();
        await using var bob = await SecretDevice.SignUpAsync(_host, "rko_del_bob", secretKeys: bobsStore, rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var sent = await alice.Client.SendSecretMessageAsync(chatId, "to delete");
        await ReceiveAsync(bob, ["to delete"]);
        var generation0 = alice.SecretState().Chats[chatId];
        byte[] keys0 = [.. generation0.AdminKey!, .. generation0.ParticipantKey!];

        // alice's side driven by hand: a request, bob's device accepts (written), then the commit, whose switch bob's
        // device cannot write.
        var (secret, gInit) = SecretChatCrypto.GenerateKeyPair();
        const long exchange = 91;
        // Numbered after what alice's device sent: bob's refuses an unnumbered body once numbers came.
        var number = generation0.OutSeq;
        await SendRawAsync(alice, chatId, generation0.AdminKey!, 8_500_001, new SecretPlaintext(null, Now())
        {
            Rekey = new(SecretRekeyOp.Request, exchange, gInit), OutSeq = number,
        });
        await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[chatId] is { Accepted: not null, Outbox: [] });
        var next = SecretChatCrypto.DeriveNextKeys(secret, keys0, gInit, bob.SecretState().Chats[chatId].Accepted!.G, isInitiator: true);
        bobsStore.FailSaves = true;
        await SendRawAsync(alice, chatId, generation0.AdminKey!, 8_500_002,
            new SecretPlaintext(null, Now()) { Rekey = new(SecretRekeyOp.Commit, exchange, Fingerprint: next.KeyFingerprint), OutSeq = number + 1 });
        await bob.NextAsync<SecretChatStoreFailed>();
        bob.Client.GetLocalSecretChat(chatId)!.KeyGeneration.Should().Be(1, "switched in memory");
        var alicesPts = (await alice.Client.CallAsync(new GetStateCall())).Pts;

        var delete = () => bob.Client.DeleteSecretMessagesAsync(chatId, [sent.RandomId]);

        await delete.Should().ThrowAsync<IOException>("the switch is written before anything sealed under the new keys goes");
        (await alice.Client.CallAsync(new GetDifferenceCall(alicesPts))).Updates.Should().NotContain(
            u => u.Update is NewEncryptedMessageUpdate, "nothing under keys bob's device could lose reached alice");
        bobsStore.FailSaves = false;
        await bob.Client.DeleteSecretMessagesAsync(chatId, [sent.RandomId]);
        var logged = await LoggedAsync(alice.Client, alicesPts, chatId, bob.UserId, next.ParticipantToAdmin, until: l => l.Count > 0);
        logged.Should().ContainSingle().Which.Body!.Delete.Should().Equal(sent.RandomId);
    }

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
        var generation = aliceLater.SecretState().Chats[chatId].KeyGeneration;
        await SendAllAsync(aliceLater, chatId, ["four", "five"]);
        // The fifth use asks bob (online) for new keys, and the exchange completes: waiting for the request alone raced
        // bob's accept, which ends it (Outgoing null again) before a look could see it sent (it failed once in CI).
        await SessionTestKit.WaitUntil(() => aliceLater.SecretState().Chats[chatId] is { Outgoing: null, Outbox: [] } c && c.KeyGeneration == generation + 1);
    }

    [Fact]
    public async Task Outbox_WhenTheOwnRequestIsRefusedForGood_DropsTheExchange_SoReKeyingIsNotStalled()
    {
        var alicesStore = new SecretChatStoreTests.FlakyStore();
        var alice = await SecretDevice.SignUpAsync(_host, "rko_req_alice", secretKeys: alicesStore, rekey: new SecretRekeyKnobs(AfterMessages: 1));
        await using var bob = await SecretDevice.SignUpAsync(_host, "rko_req_bob", rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var alicesPts = alice.Client.Events.Pts;
        var requested = false;
        alicesStore.Saved = state => requested |= MessagePackSerializer.Deserialize<SecretState>(
            state, MessagePackSerializerOptions.Standard.WithResolver(StandardResolverAllowPrivate.Instance)).Chats.GetValueOrDefault(chatId)?.Outgoing is not null;

        // While alice's device is away bob writes and then blocks her: the message she reads makes her ask for new keys,
        // which the server refuses for good.
        await using var aliceBack = await alice.ReconnectLaterAsync(async () =>
        {
            await SendAllAsync(bob, chatId, ["from bob"]);
            await bob.Client.BlockUserAsync(alice.UserId);
        }, alicesPts);
        await ReceiveAsync(aliceBack, ["from bob"]);
        requested.Should().BeTrue("the request was made (and written) with the message read");

        await SessionTestKit.WaitUntil(() => aliceBack.SecretState().Chats[chatId] is { Outbox: [] });
        aliceBack.SecretState().Chats[chatId].Should().Match<LocalChat>(
            c => c.Outgoing == null && c.KeyGeneration == 0, "the request USER_IS_BLOCKED refused was dropped with its exchange");
    }

    [Fact]
    public async Task Events_WhenTheStoreKeepsFailing_AreHeldOnlyBriefly_SoOrdinaryMessagesStillArrive()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rko_brief_alice", rekey: Never);
        var bobsStore = new SecretChatStoreTests.FlakyStore();
        var clock = new SteppingClock();
        await using var bob = await SecretDevice.SignUpAsync(_host, "rko_brief_bob", secretKeys: bobsStore, rekey: Never, clock: clock);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);

        bobsStore.FailSaves = true;
        await SendRawAsync(alice, chatId, alice.SecretState().Chats[chatId].AdminKey!, 8_530_001,
            new SecretPlaintext(null, Now()) { Rekey = new(SecretRekeyOp.Request, 96, SecretChatCrypto.GenerateKeyPair().Public) });
        await bob.NextAsync<SecretChatStoreFailed>();
        clock.Advance(UpdateStream.HoldForAtMost + TimeSpan.FromSeconds(1));
        await alice.Client.SendMessageAsync(Peer.User(bob.UserId), "an ordinary message");

        var events = await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "an ordinary message" });
        events.OfType<SecretChatStoreFailed>().Should().Contain(f => f.Problem.Contains("pts guarantee"), "the app is told its pts may now pass the step");
        bob.Client.Events.HeldCount.Should().Be(0);

        // Once a write succeeds, the step's accept goes out.
        bobsStore.FailSaves = false;
        await alice.Client.SendMessageAsync(Peer.User(bob.UserId), "another one");
        await SessionTestKit.WaitUntil(() => bob.SecretState().Chats[chatId] is { Accepted.Id: 96, Outbox: [] });
    }

    [Fact]
    public async Task Events_WhenTheStoreKeepsFailing_AreHeldUpToTheLimit_ThenFlow()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rko_cap_alice", rekey: Never);
        var bobsStore = new SecretChatStoreTests.FlakyStore();
        await using var bob = await SecretDevice.SignUpAsync(_host, "rko_cap_bob", secretKeys: bobsStore, rekey: Never);
        bob.Client.Events.HeldAtMost = 3;
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);

        bobsStore.FailSaves = true;
        await SendRawAsync(alice, chatId, alice.SecretState().Chats[chatId].AdminKey!, 8_540_001,
            new SecretPlaintext(null, Now()) { Rekey = new(SecretRekeyOp.Request, 97, SecretChatCrypto.GenerateKeyPair().Public) });
        await bob.NextAsync<SecretChatStoreFailed>();
        var held = new List<int>();
        for (var i = 1; i <= 6; i++)
        {
            await alice.Client.SendMessageAsync(Peer.User(bob.UserId), $"ordinary {i}");
            held.Add(bob.Client.Events.HeldCount);
        }

        var events = await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "ordinary 6" });
        events.OfType<MessageReceived>().Select(m => m.Message.Text).Should().Equal(Enumerable.Range(1, 6).Select(i => $"ordinary {i}"));
        held.Should().OnlyContain(h => h <= 3, "at most the limit wait");
        bob.Client.Events.HeldCount.Should().Be(0);
    }

    [Fact]
    public async Task Dispose_WhileEventsAreHeld_WritesNothing_SoTheRestartStillReportsTheirMessages()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rko_stop_alice", rekey: Never);
        var bobsStore = new SecretChatStoreTests.FlakyStore();
        var bobsKeys = new InMemoryDeviceKeyStore();
        var bob = await SecretDevice.SignUpAsync(_host, "rko_stop_bob", deviceKeys: bobsKeys, secretKeys: bobsStore, rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var bobsPts = bob.Client.Events.Pts!.Value;

        bobsStore.FailSaves = true;
        await SendRawAsync(alice, chatId, alice.SecretState().Chats[chatId].AdminKey!, 8_550_001,
            new SecretPlaintext(null, Now()) { Rekey = new(SecretRekeyOp.Request, 98, SecretChatCrypto.GenerateKeyPair().Public) });
        await bob.NextAsync<SecretChatStoreFailed>();
        await alice.Client.SendSecretMessageAsync(chatId, "held at the stop");
        var logged = (await bob.Client.CallAsync(new GetStateCall())).Pts;
        await SessionTestKit.WaitUntil(() => bob.Client.Events.Pts >= logged);

        // The update stream stops with the events held (its last write failed); the store works again by the time the
        // rest of the client is disposed.
        await bob.Client.Events.StopAsync();
        bobsStore.FailSaves = false;
        await bob.DisposeAsync();
        bob.SecretState().Chats[chatId].Accepted.Should().BeNull("nothing of the held entries was written");

        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys, bobsStore, bobsPts, Never);
        (await bobAgain.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("held at the stop");
    }

    [Fact]
    public async Task KeyUses_OfReceivedMessages_CountOnceTowardTheWriteEvery16()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "rko_once_alice", rekey: Never);
        await using var bob = await SecretDevice.SignUpAsync(_host, "rko_once_bob", rekey: Never);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);

        var fifteen = Enumerable.Range(1, 15).Select(i => $"alice {i}").ToList();
        await SendAllAsync(alice, chatId, fifteen);
        await ReceiveAsync(bob, fifteen);
        bob.SecretState().Chats[chatId].KeyUses.Should().Be(0, "15 uses are not written yet (a received message is one use, not two)");

        await SendAllAsync(alice, chatId, ["alice 16"]);
        await ReceiveAsync(bob, ["alice 16"]);
        bob.SecretState().Chats[chatId].KeyUses.Should().Be(16);
    }
}
