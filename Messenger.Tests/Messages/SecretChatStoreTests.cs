using System.Text;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>How a device keeps its secret chats: a small state saved when it changes, each chat's history in a journal
/// of its own written once per batch, rewritten shorter when most of it is gone, read back whole after a crash cut its
/// end, and chats dropped from the device for good (forgotten, or ended with nothing to show).</summary>
public sealed class SecretChatStoreTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SecretDevice.StartUnlimitedHostAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Save_ByTwoStoresOnOnePathAtOnce_NeverFails_AndLeavesOneWholeState()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "device.key.secret-chats");
        var first = new FileSecretChatKeyStore(path);
        var second = new FileSecretChatKeyStore(path);
        var ones = Enumerable.Repeat((byte)1, 256 * 1024).ToArray();
        var twos = Enumerable.Repeat((byte)2, 256 * 1024).ToArray();

        // Two apps on one device key (not supported, but it must not tear the state): each save renames a whole file.
        await Task.WhenAll(
            Task.Run(() => { for (var i = 0; i < 40; i++) first.Save(ones); }),
            Task.Run(() => { for (var i = 0; i < 40; i++) second.Save(twos); }));

        var saved = first.Load()!;
        (saved.SequenceEqual(ones) || saved.SequenceEqual(twos)).Should().BeTrue("the state is one save's, whole");
        Directory.GetFiles(directory.Path, "*.tmp").Should().BeEmpty();
    }

    [Fact]
    public async Task Receive_ManyMessagesByGetDifference_WritesEachSliceOnce_NotEachMessage()
    {
        // Re-keying (each of its steps saves the state) is not what this test is about: 250 messages stay under its threshold.
        var noRekey = new SecretRekeyKnobs(AfterMessages: 1000);
        await using var alice = await SecretDevice.SignUpAsync(_host, "sbat_alice", rekey: noRekey);
        var bobsStore = new CountingStore();
        var bob = await SecretDevice.SignUpAsync(_host, "sbat_bob", secretKeys: bobsStore, rekey: noRekey);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var pts = bob.Client.Events.Pts;

        bobsStore.Reset();
        bob = await bob.ReconnectLaterAsync(async () =>
        {
            for (var i = 0; i < 250; i++)
            {
                await alice.Client.SendSecretMessageAsync(chatId, $"message {i}");
            }
        }, pts);
        await using var _ = bob;

        (await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "message 249" })).OfType<SecretMessageReceived>().Should().HaveCount(250);
        bob.Client.GetSecretHistory(chatId).Should().HaveCount(250);
        bobsStore.Appends.Should().BeInRange(1, 5, "one write per slice of the difference (or per push), not 250");
        // Receiving changes no state but the keys' use counts, written with a batch that took them past
        // CountsSavedEvery (and once at the old client's dispose): a batch or a slice of the difference each, never a
        // message each. All 250 usually come in one batch; under load they can come in two or more.
        bobsStore.Saves.Should().BeLessThanOrEqualTo(bobsStore.Appends + 1, "the state is written per batch at most, not per message");
        bobsStore.AppendedBytes.Should().BeLessThan(250 * 200, "each message is written once, not the whole history again");
    }

    [Fact]
    public async Task Messages_GoToTheChatsJournal_NotTheState_AndComeBackAfterARestart()
    {
        using var keys = new TempDirectory();
        var bobsKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "bob.key"));
        var bobsStore = new FileSecretChatKeyStore(FileSecretChatKeyStore.BesideDeviceKey(bobsKeys.Path));
        await using var alice = await SecretDevice.SignUpAsync(_host, "sjrn_alice");
        var bob = await SecretDevice.SignUpAsync(_host, "sjrn_bob", deviceKeys: bobsKeys);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var stateSize = new FileInfo(bobsStore.Path).Length;

        for (var i = 0; i < 40; i++)
        {
            await alice.Client.SendSecretMessageAsync(chatId, $"Xylophone-{i:D3} from alice");
            await bob.Client.SendSecretMessageAsync(chatId, $"Yodel-{i:D3} from bob");
        }

        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "Xylophone-039 from alice" });
        new FileInfo(bobsStore.Path).Length.Should().Be(stateSize, "the state holds keys and positions, not messages");
        SecretChatTests.DataFilesHolding(keys.Path, "Xylophone-000", "Yodel-039").Should().Equal(bobsStore.HistoryPath(chatId));
        var history = bob.Client.GetSecretHistory(chatId);
        history.Should().HaveCount(80);

        await bob.DisposeAsync();
        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys);
        bobAgain.Client.GetSecretHistory(chatId).Should().Equal(history);
        await alice.Client.SendSecretMessageAsync(chatId, "after the restart");
        (await bobAgain.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("after the restart");
    }

    [Fact]
    public async Task Journal_WhenMostOfItsMessagesAreDeleted_IsRewrittenShorter_AndReadsBackTheSame()
    {
        using var keys = new TempDirectory();
        var bobsKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "bob.key"));
        var bobsStore = new FileSecretChatKeyStore(FileSecretChatKeyStore.BesideDeviceKey(bobsKeys.Path));
        await using var alice = await SecretDevice.SignUpAsync(_host, "scmp_alice");
        var bob = await SecretDevice.SignUpAsync(_host, "scmp_bob", deviceKeys: bobsKeys);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var sent = new List<long>();
        for (var i = 0; i < 300; i++)
        {
            sent.Add((await alice.Client.SendSecretMessageAsync(chatId, $"Quasar-{i:D3} {new string('.', 100)}")).RandomId);
        }

        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: var text } && text.StartsWith("Quasar-299"));
        var full = new FileInfo(bobsStore.HistoryPath(chatId)).Length;

        await alice.Client.DeleteSecretMessagesAsync(chatId, [.. sent.Take(290)]);
        await bob.NextAsync<SecretMessagesDeleted>();

        new FileInfo(bobsStore.HistoryPath(chatId)).Length.Should().BeLessThan(full / 10, "ten messages of 300 are left");
        SecretChatTests.DataFilesHolding(keys.Path, "Quasar-000").Should().BeEmpty("a deleted message's text is gone from the disk too");
        var left = bob.Client.GetSecretHistory(chatId);
        left.Select(m => m.Text[..10]).Should().Equal(Enumerable.Range(290, 10).Select(i => $"Quasar-{i:D3}"));

        await bob.DisposeAsync();
        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys);
        bobAgain.Client.GetSecretHistory(chatId).Should().Equal(left);
        await alice.Client.SendSecretMessageAsync(chatId, "one more");
        (await bobAgain.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("one more");
    }

    [Fact]
    public async Task Journal_CutShortByACrash_ReadsBackUpToTheCut_AndIsWrittenWholeAgain()
    {
        using var keys = new TempDirectory();
        var bobsKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "bob.key"));
        var bobsStore = new FileSecretChatKeyStore(FileSecretChatKeyStore.BesideDeviceKey(bobsKeys.Path));
        await using var alice = await SecretDevice.SignUpAsync(_host, "storn_alice");
        var bob = await SecretDevice.SignUpAsync(_host, "storn_bob", deviceKeys: bobsKeys);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "first");
        await alice.Client.SendSecretMessageAsync(chatId, "second");
        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "second" });
        await bob.DisposeAsync();

        // The start of a record whose end never reached the disk.
        await File.AppendAllBytesAsync(bobsStore.HistoryPath(chatId), [0x94, 0x91, 0x9c, 0x01]);
        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys);

        bobAgain.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("first", "second");
        await alice.Client.SendSecretMessageAsync(chatId, "third");
        (await bobAgain.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("third");
        await bobAgain.DisposeAsync();
        await using var bobOnceMore = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys);
        bobOnceMore.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("first", "second", "third");
    }

    [Fact]
    public async Task ForgetSecretChat_EndsItForBoth_DropsKeysAndHistory_AndReplaysFromTheLogDoNotBringItBack()
    {
        using var keys = new TempDirectory();
        var bobsKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "bob.key"));
        var bobsStore = new FileSecretChatKeyStore(FileSecretChatKeyStore.BesideDeviceKey(bobsKeys.Path));
        await using var alice = await SecretDevice.SignUpAsync(_host, "sfgt_alice");
        var bob = await SecretDevice.SignUpAsync(_host, "sfgt_bob", deviceKeys: bobsKeys);
        var before = bob.Client.Events.Pts;
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "Pangolin-5521 to forget");
        await bob.NextAsync<SecretMessageReceived>();
        File.Exists(bobsStore.HistoryPath(chatId)).Should().BeTrue();

        await bob.Client.ForgetSecretChatAsync(chatId);

        (await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Discarded))
            .Chat.Reason.Should().Be(SecretChatEndReasons.Ended);
        bob.Client.GetLocalSecretChat(chatId).Should().BeNull();
        bob.Client.GetLocalSecretChats().Should().BeEmpty();
        bob.Client.GetSecretHistory(chatId).Should().BeEmpty();
        File.Exists(bobsStore.HistoryPath(chatId)).Should().BeFalse();
        SecretChatTests.DataFilesHolding(keys.Path, "Pangolin-5521").Should().BeEmpty();

        // The same device reads its log again from before the chat: the request, the acceptance, the message and the end.
        await bob.DisposeAsync();
        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys, pts: before);
        await alice.Client.SendMessageAsync(Peer.User(bob.UserId), "a plain message to sync on");
        (await bobAgain.ReadUntilAsync(e => e is MessageReceived { Message.Text: "a plain message to sync on" }))
            .Should().NotContain(e => e is SecretChatChanged || e is SecretMessageReceived || e is SecretMessageUndecryptable);
        bobAgain.Client.GetLocalSecretChat(chatId).Should().BeNull();
        await bobAgain.Client.ForgetSecretChatAsync(chatId);
    }

    [Fact]
    public async Task DiscardedChat_WithAHistory_StaysUntilForgotten_WithoutItsKeys()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "skeep_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "skeep_bob");
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "kept after the end");
        await bob.NextAsync<SecretMessageReceived>();

        await alice.Client.DiscardSecretChatAsync(chatId);

        (await bob.NextAsync<SecretChatChanged>(e => e.Chat.State == SecretChatState.Discarded)).Local!.State.Should().Be(SecretChatState.Discarded);
        bob.Client.GetLocalSecretChat(chatId)!.State.Should().Be(SecretChatState.Discarded);
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("kept after the end");
        var held = bob.SecretState().Chats[chatId];
        (held.OwnKey(), held.PeerKey(), held.OwnSecret).Should().Be((null, null, null), "the keys are wiped when the chat ends");

        await bob.Client.ForgetSecretChatAsync(chatId);
        bob.Client.GetLocalSecretChat(chatId).Should().BeNull();
        bob.Client.GetSecretHistory(chatId).Should().BeEmpty();
        bob.SecretState().Chats.Should().BeEmpty();
    }

    [Fact]
    public async Task SignOut_ErasesTheDevicesSecretChatFiles_KeysAndHistories()
    {
        using var keys = new TempDirectory();
        var bobsKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "bob.key"));
        var bobsStore = new FileSecretChatKeyStore(FileSecretChatKeyStore.BesideDeviceKey(bobsKeys.Path));
        await using var alice = await SecretDevice.SignUpAsync(_host, "sout2_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sout2_bob", deviceKeys: bobsKeys);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "Wombat-8812 before the sign-out");
        await bob.NextAsync<SecretMessageReceived>();
        File.Exists(bobsStore.HistoryPath(chatId)).Should().BeTrue();
        var stateBefore = await File.ReadAllBytesAsync(bobsStore.Path);

        await bob.Client.SignOutAsync();

        Directory.EnumerateFileSystemEntries(keys.Path).Should().Equal([bobsKeys.Path], "only the device key is left");
        bob.Client.GetLocalSecretChats().Should().BeEmpty();
        bob.Client.GetSecretHistory(chatId).Should().BeEmpty();
        stateBefore.Should().NotBeEmpty("the state file held the chat's keys until then");
        (await alice.NextAsync<SecretChatChanged>(e => e.Chat.State == SecretChatState.Discarded)).Chat.Reason.Should().Be(SecretChatEndReasons.DeviceSignedOut);
    }

    [Fact]
    public async Task DeleteAccount_ErasesTheDevicesSecretChats()
    {
        using var keys = new TempDirectory();
        var bobsKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "bob.key"));
        await using var alice = await SecretDevice.SignUpAsync(_host, "sdac_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sdac_bob", deviceKeys: bobsKeys);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "Narwhal-3307 before the deletion");
        await bob.NextAsync<SecretMessageReceived>();

        await bob.Client.DeleteAccountAsync(SessionTestKit.Password);

        Directory.EnumerateFileSystemEntries(keys.Path).Should().Equal([bobsKeys.Path]);
        bob.Client.GetLocalSecretChats().Should().BeEmpty();
    }

    [Fact]
    public async Task DamagedStateFile_DoesNotStopTheClient_IsKeptAsideWithItsJournals_AndIsReported()
    {
        using var keys = new TempDirectory();
        var bobsKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "bob.key"));
        var bobsStore = new FileSecretChatKeyStore(FileSecretChatKeyStore.BesideDeviceKey(bobsKeys.Path));
        await using var alice = await SecretDevice.SignUpAsync(_host, "sdmg_alice");
        var bob = await SecretDevice.SignUpAsync(_host, "sdmg_bob", deviceKeys: bobsKeys);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "Axolotl-6620 before the damage");
        await bob.NextAsync<SecretMessageReceived>();
        await bob.DisposeAsync();
        byte[] damaged = [0xc1, 0x00, 0xff];
        await File.WriteAllBytesAsync(bobsStore.Path, damaged);

        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys);

        var failed = await bobAgain.NextAsync<SecretChatStoreFailed>();
        failed.KeptAt.Should().NotBeNull();
        (await File.ReadAllBytesAsync(failed.KeptAt!)).Should().Equal(damaged);
        SecretChatTests.DataFilesHolding(keys.Path, "Axolotl-6620").Should().ContainSingle()
            .Which.Should().StartWith(failed.KeptAt + ".history", "the chats' journals are kept with it");
        bobAgain.Client.GetLocalSecretChats().Should().BeEmpty();

        var next = await SecretChatTests.ReadyChatAsync(alice, bobAgain);
        await alice.Client.SendSecretMessageAsync(next, "a new chat works");
        (await bobAgain.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("a new chat works");
    }

    [Fact]
    public async Task Receive_WhenTheStoreThrowsSomethingOtherThanIo_IsReported_AndEventsKeepComing()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sthr_alice");
        var bobsStore = new FlakyStore();
        await using var bob = await SecretDevice.SignUpAsync(_host, "sthr_bob", secretKeys: bobsStore);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);

        bobsStore.FailAppends = 1;
        await alice.Client.SendSecretMessageAsync(chatId, "first");
        (await bob.NextAsync<SecretChatStoreFailed>()).Problem.Should().Contain("an app's store broke");
        await alice.Client.SendSecretMessageAsync(chatId, "second");

        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "second" });
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("first", "second");
    }

    [Fact]
    public async Task SelfDestruct_WhenTheStoreThrowsSomethingOtherThanIo_IsReported_AndTheMessageStillGoes()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sdthr_alice");
        var bobsStore = new FlakyStore();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bob = await SecretDevice.SignUpAsync(_host, "sdthr_bob", secretKeys: bobsStore, clock: clock);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "gone a second after it is read", ttl: 1);
        await bob.NextAsync<SecretMessageReceived>();
        await bob.Client.ReadSecretHistoryAsync(chatId);

        // The self-destruct timer's write meets an app's store that throws: reported, as any other write's failure,
        // never thrown out of the timer (which would end the app's process).
        bobsStore.FailAppends = 1;
        clock.Invoking(c => c.Advance(TimeSpan.FromSeconds(2))).Should().NotThrow();

        var events = await bob.ReadUntilAsync(e => e is SecretMessagesDeleted { Expired: true });
        events.OfType<SecretChatStoreFailed>().Should().ContainSingle().Which.Problem.Should().Contain("an app's store broke");
        bob.Client.GetSecretHistory(chatId).Should().BeEmpty();
        await alice.Client.SendSecretMessageAsync(chatId, "after");
        (await bob.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("after");
    }

    [Fact]
    public async Task Journal_WhenAnAppendFailsHalfWritten_IsWrittenWholeNext_AndReadsBackEveryMessage()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "shalf_alice");
        var bobsStore = new FlakyStore();
        var bobsKeys = new InMemoryDeviceKeyStore();
        var bob = await SecretDevice.SignUpAsync(_host, "shalf_bob", deviceKeys: bobsKeys, secretKeys: bobsStore);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "before");
        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "before" });

        bobsStore.HalfAppends = 1;
        await alice.Client.SendSecretMessageAsync(chatId, "first");
        await bob.NextAsync<SecretChatStoreFailed>();
        await alice.Client.SendSecretMessageAsync(chatId, "second");
        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "second" });
        await alice.Client.SendSecretMessageAsync(chatId, "third");
        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "third" });
        await bob.DisposeAsync();

        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys, bobsStore);
        bobAgain.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("before", "first", "second", "third");
    }

    [Fact]
    public async Task Start_WhenAnAppsStoreThrowsOnItsJournals_IsReported_AndTheChatWorks()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sjrd_alice");
        var bobsStore = new FlakyStore();
        var bobsKeys = new InMemoryDeviceKeyStore();
        var bob = await SecretDevice.SignUpAsync(_host, "sjrd_bob", deviceKeys: bobsKeys, secretKeys: bobsStore);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "before");
        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "before" });
        await bob.DisposeAsync();

        // The client's constructor reads every journal and lists them: an app's store that throws anything there is
        // reported, never thrown out of the constructor.
        bobsStore.FailHistoryReads = true;
        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys, bobsStore);
        bobsStore.FailHistoryReads = false;

        (await bobAgain.NextAsync<SecretChatStoreFailed>()).Problem.Should().Contain("an app's store cannot read");
        await alice.Client.SendSecretMessageAsync(chatId, "after");
        (await bobAgain.ReadUntilAsync(e => e is SecretMessageReceived)).OfType<SecretMessageReceived>().Last().Message.Text.Should().Be("after");
    }

    [Fact]
    public async Task DiscardWithHistory_WhenTheJournalCannotBeDeleted_IsReported_AndEventsKeepComing()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sdel_alice");
        var bobsStore = new FlakyStore();
        await using var bob = await SecretDevice.SignUpAsync(_host, "sdel_bob", secretKeys: bobsStore);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "to be deleted");
        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "to be deleted" });

        bobsStore.FailDeletes = true;
        await alice.Client.DiscardSecretChatAsync(chatId, deleteHistory: true);
        await bob.NextAsync<SecretChatStoreFailed>();

        var next = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(next, "still here");
        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "still here" });
        bobsStore.FailDeletes = false;
        await alice.Client.SendSecretMessageAsync(next, "and written");
        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "and written" });
        bobsStore.LoadHistory(chatId).Should().BeNull("the delete is tried again with the next write");
    }

    [Fact]
    public async Task StateThatCannotBeLoaded_IsNotSetAsideNorOverwritten_AndSecretChatsAreUnavailable()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sload_alice");
        var bobsStore = new FlakyStore();
        var bobsKeys = new InMemoryDeviceKeyStore();
        var bob = await SecretDevice.SignUpAsync(_host, "sload_bob", deviceKeys: bobsKeys, secretKeys: bobsStore);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await bob.DisposeAsync();
        var saved = bobsStore.Load()!;

        bobsStore.FailLoads = true;
        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys, bobsStore);

        var failed = await bobAgain.NextAsync<SecretChatStoreFailed>();
        failed.KeptAt.Should().BeNull();
        bobsStore.SetAsides.Should().Be(0);
        var refused = () => bobAgain.Client.SendSecretMessageAsync(chatId, "no keys here");
        (await refused.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*unavailable*");
        var sync = () => bobAgain.Client.SyncSecretChatsAsync();
        await sync.Should().ThrowAsync<InvalidOperationException>();
        bobsStore.FailLoads = false;
        bobsStore.Load().Should().Equal(saved, "a state that may be good is never written over");
    }

    /// <summary>An in-memory store that counts what is written to it.</summary>
    private sealed class CountingStore : ISecretChatKeyStore
    {
        private readonly InMemorySecretChatKeyStore _inner = new();

        public int Saves { get; private set; }

        public int Appends { get; private set; }

        public long AppendedBytes { get; private set; }

        public void Reset() => (Saves, Appends, AppendedBytes) = (0, 0, 0);

        public byte[]? Load() => _inner.Load();

        public void Save(byte[] state)
        {
            Saves++;
            _inner.Save(state);
        }

        public byte[]? LoadHistory(long chatId) => _inner.LoadHistory(chatId);

        public void AppendHistory(long chatId, ReadOnlySpan<byte> records)
        {
            Appends++;
            AppendedBytes += records.Length;
            _inner.AppendHistory(chatId, records);
        }

        public void ReplaceHistory(long chatId, ReadOnlySpan<byte> records) => _inner.ReplaceHistory(chatId, records);

        public void DeleteHistory(long chatId) => _inner.DeleteHistory(chatId);

        public IEnumerable<long> HistoryIds() => _inner.HistoryIds();

        public void Erase() => _inner.Erase();
    }

    /// <summary>An in-memory store that fails when told to.</summary>
    [Fact]
    public async Task AppStore_ThatKeepsTheArraysItIsGivenAndAnswers_StillHoldsTheChatsAcrossRestarts()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "skeep_alice");
        var bobsStore = new KeepingStore();
        var bobsKeys = new InMemoryDeviceKeyStore();
        var bob = await SecretDevice.SignUpAsync(_host, "skeep_bob", deviceKeys: bobsKeys, secretKeys: bobsStore);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "kept");
        await SecretChatRekeyTests.ReceiveAsync(bob, ["kept"]);
        await bob.DisposeAsync();

        // Twice: the first restart reads (and must leave alone) the arrays the store keeps, the second reads them again.
        for (var restart = 0; restart < 2; restart++)
        {
            await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys, bobsStore);
            bobAgain.Client.GetLocalSecretChat(chatId)!.State.Should().Be(SecretChatState.Ready);
            bobAgain.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("kept");
        }

        await using var bobLast = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys, bobsStore);
        await alice.Client.SendSecretMessageAsync(chatId, "still readable");
        (await bobLast.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("still readable");
    }

    [Fact]
    public async Task SignOut_ThenDispose_LeavesNoStateFile()
    {
        using var dir = new TempDirectory();
        var keys = new FileDeviceKeyStore(Path.Combine(dir.Path, "alice.key"));
        var store = new FileSecretChatKeyStore(FileSecretChatKeyStore.BesideDeviceKey(keys.Path));
        var alice = await SecretDevice.SignUpAsync(_host, "sout_alice", deviceKeys: keys, secretKeys: store);
        await using var bob = await SecretDevice.SignUpAsync(_host, "sout_bob");
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        // Uses of the keys not written yet (fewer than 16): the dispose would write them.
        await SecretChatRekeyTests.SendAllAsync(alice, chatId, ["one"]);

        await alice.Client.SignOutAsync();
        File.Exists(store.Path).Should().BeFalse();
        await alice.DisposeAsync();

        File.Exists(store.Path).Should().BeFalse("nothing of the signed-out device's secret chats is written again");
    }

    /// <summary>An app's store that keeps the very arrays the SDK gives it and answers them from its loads (the interface
    /// allows it).</summary>
    private sealed class KeepingStore : ISecretChatKeyStore
    {
        private readonly Dictionary<long, byte[]> _histories = new();
        private byte[]? _state;

        public byte[]? Load() => _state;

        public void Save(byte[] state) => _state = state;

        public byte[]? LoadHistory(long chatId) => _histories.GetValueOrDefault(chatId);

        public void AppendHistory(long chatId, ReadOnlySpan<byte> records) =>
            _histories[chatId] = [.. _histories.GetValueOrDefault(chatId) ?? [], .. records];

        public void ReplaceHistory(long chatId, ReadOnlySpan<byte> records) => _histories[chatId] = records.ToArray();

        public void DeleteHistory(long chatId) => _histories.Remove(chatId);

        public IEnumerable<long> HistoryIds() => [.. _histories.Keys];
    }

    internal sealed class FlakyStore : ISecretChatKeyStore
    {
        private readonly InMemorySecretChatKeyStore _inner = new();

        public int FailAppends { get; set; }

        public int HalfAppends { get; set; }

        public bool FailDeletes { get; set; }

        public bool FailLoads { get; set; }

        public bool FailSaves { get; set; }

        public int SetAsides { get; private set; }

        /// <summary>Sees each state saved.</summary>
        public Action<byte[]>? Saved { get; set; }

        public byte[]? Load() => FailLoads ? throw new IOException("the disk is busy") : _inner.Load();

        public void Save(byte[] state)
        {
            if (FailSaves)
            {
                throw new IOException("the disk is full");
            }

            Saved?.Invoke(state);

            _inner.Save(state);
        }

        /// <summary>Reading a journal, or listing them, throws what an app's store might (not an I/O error).</summary>
        public bool FailHistoryReads { get; set; }

        public byte[]? LoadHistory(long chatId) => FailHistoryReads ? throw new InvalidOperationException("an app's store cannot read") : _inner.LoadHistory(chatId);

        public void AppendHistory(long chatId, ReadOnlySpan<byte> records)
        {
            if (FailAppends > 0)
            {
                FailAppends--;
                throw new InvalidOperationException("an app's store broke");
            }

            if (HalfAppends > 0)
            {
                HalfAppends--;
                _inner.AppendHistory(chatId, records[..(records.Length / 2)]);
                throw new IOException("the disk is full");
            }

            _inner.AppendHistory(chatId, records);
        }

        public void ReplaceHistory(long chatId, ReadOnlySpan<byte> records) => _inner.ReplaceHistory(chatId, records);

        public void DeleteHistory(long chatId)
        {
            if (FailDeletes)
            {
                throw new IOException("the journal is in use");
            }

            _inner.DeleteHistory(chatId);
        }

        public IEnumerable<long> HistoryIds() => FailHistoryReads ? throw new InvalidOperationException("an app's store cannot list") : _inner.HistoryIds();

        public void Erase() => _inner.Erase();

        public string? SetAside()
        {
            SetAsides++;
            return null;
        }
    }
}
