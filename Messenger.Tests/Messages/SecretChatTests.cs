using System.Text;
using MessagePack;
using MessagePack.Resolvers;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Storage;
using Messenger.Message.SecretChats;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

/// <summary>Secret chats end to end: the real host and the SDK's secret layer on each device, as apps use them.</summary>
public sealed class SecretChatTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationsPerAddress"] = "1000" });

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task SecretChat_BetweenThreeDevices_IsReadOnlyByTheTwoBoundDevices_AndEndsFromAnyDevice()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sec_alice");
        var bobsFirst = await SecretDevice.SignUpAsync(_host, "sec_bob");
        var bobsSecond = await SecretDevice.SignInAsync(_host, "sec_bob");

        var requested = await alice.Client.RequestSecretChatAsync(bobsFirst.UserId);
        requested.Should().Match<SecretChat>(c => c.State == SecretChatState.Requested && c.AdminId == alice.UserId && c.ParticipantId == bobsFirst.UserId);
        requested.Id.Should().BeInRange(1, (1L << 53) - 1);
        var chatId = requested.Id;
        (await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId)).Local!.State.Should().Be(SecretChatState.Requested);
        var ready = await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Ready);
        var code = ready.Local!.Verification!;
        code.Should().MatchRegex("^[0-9a-f]{4}( [0-9a-f]{4}){7}$");

        // One of bob's devices accepted by itself: the one that holds the same keys.
        var (winner, loser) = bobsFirst.Client.GetSecretChatVerification(chatId) == code ? (bobsFirst, bobsSecond) : (bobsSecond, bobsFirst);
        winner.Client.GetSecretChatVerification(chatId).Should().Be(code, "both sides compare the same code");
        (await winner.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Ready)).Local!.IsAdmin.Should().BeFalse();
        ready.Chat.KeyFingerprint.Should().Be(ready.Local.KeyFingerprint);

        await alice.Client.SendSecretMessageAsync(chatId, "Hello over the secret line");
        var hello = (await winner.NextAsync<SecretMessageReceived>()).Message;
        hello.Should().Match<SecretMessage>(m => m.Text == "Hello over the secret line" && m.FromId == alice.UserId && !m.IsOutgoing && m.Date > 0);
        var answer = await winner.Client.SendSecretMessageAsync(chatId, "**Hi** back", replyTo: hello.RandomId);
        (await alice.NextAsync<SecretMessageReceived>()).Message.Should().Match<SecretMessage>(m =>
            m.Text == "**Hi** back" && m.ReplyTo == hello.RandomId && m.RandomId == answer.RandomId && m.Date == answer.Date);

        // A resend of the same random_id is one message.
        var once = await alice.Client.SendSecretMessageAsync(chatId, "only once", randomId: 4242);
        (await alice.Client.SendSecretMessageAsync(chatId, "only once", randomId: 4242)).Date.Should().Be(once.Date);
        await alice.Client.SendSecretMessageAsync(chatId, "after the resend");
        var received = (await winner.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "after the resend" })).OfType<SecretMessageReceived>().ToList();
        received.Select(r => r.Message.Text).Should().Equal("only once", "after the resend");

        // Read receipts and typing reach the other side's device.
        await winner.Client.ReadSecretHistoryAsync(chatId);
        (await alice.NextAsync<SecretMessagesRead>()).Should().Match<SecretMessagesRead>(r => r.ChatId == chatId && r.MaxDate >= once.Date);
        await alice.Client.SetSecretTypingAsync(chatId);
        (await winner.NextAsync<SecretChatTyping>()).Should().Match<SecretChatTyping>(t => t.ChatId == chatId && t.UserId == alice.UserId);

        // bob's other device read nothing of it, holds nothing, and cannot take the chat over.
        await alice.Client.SendMessageAsync(Peer.User(bobsFirst.UserId), "a plain message to sync on");
        var seenByLoser = await loser.ReadUntilAsync(e => e is MessageReceived { Message.Text: "a plain message to sync on" });
        seenByLoser.Should().NotContain(e => e is SecretChatChanged || e is SecretMessageReceived || e is SecretMessageUndecryptable);
        await ChatTestKit.FailsWith(() => loser.Client.AcceptSecretChatAsync(chatId), SecretErrorNames.EncryptionAlreadyAccepted);
        loser.Client.GetLocalSecretChat(chatId).Should().BeNull();
        loser.Client.GetSecretHistory(chatId).Should().BeEmpty();
        (await loser.Client.GetSecretChatsAsync()).Should().ContainSingle(c => c.Id == chatId && c.State == SecretChatState.Ready, "the chat exists for the user");

        // The bound device offline catches up by getDifference, and reads what came meanwhile.
        var pts = winner.Client.Events.Pts;
        var winnerAgain = await winner.ReconnectLaterAsync(async () =>
        {
            await alice.Client.SendSecretMessageAsync(chatId, "while you were away");
            await alice.Client.SendSecretMessageAsync(chatId, "and this too");
        }, pts);
        (await winnerAgain.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "and this too" })).OfType<SecretMessageReceived>()
            .Select(r => r.Message.Text).Should().Equal("while you were away", "and this too");
        winnerAgain.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Contain(["Hello over the secret line", "**Hi** back", "while you were away"]);

        // Nothing readable went to bob's other device either.
        await alice.Client.SendMessageAsync(Peer.User(bobsFirst.UserId), "second sync");
        (await loser.ReadUntilAsync(e => e is MessageReceived { Message.Text: "second sync" }))
            .Should().NotContain(e => e is SecretChatChanged || e is SecretMessageReceived || e is SecretMessageUndecryptable);

        // The device that does not hold it ends it for both.
        await loser.Client.DiscardSecretChatAsync(chatId);
        foreach (var side in new[] { alice, winnerAgain })
        {
            var ended = await side.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Discarded);
            ended.Chat.Reason.Should().Be(SecretChatEndReasons.Ended);
            ended.Local!.State.Should().Be(SecretChatState.Discarded);
        }

        await FluentActions.Awaiting(() => alice.Client.SendSecretMessageAsync(chatId, "too late")).Should().ThrowAsync<InvalidOperationException>();
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendEncryptedCall(chatId, 777, new byte[64])), SecretErrorNames.EncryptionDeclined);
        alice.Client.GetSecretHistory(chatId).Should().Contain(m => m.Text == "**Hi** back", "the history stays on the device unless deleted");
        await loser.Client.DiscardSecretChatAsync(chatId);
        await loser.DisposeAsync();
        await winnerAgain.DisposeAsync();
    }

    [Fact]
    public async Task SignOut_OfABoundDevice_DiscardsTheChatWithDeviceSignedOut()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sout_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sout_bob");
        var chatId = await ReadyChatAsync(alice, bob);

        await bob.Client.SignOutAsync();

        var ended = await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Discarded);
        ended.Chat.Reason.Should().Be(SecretChatEndReasons.DeviceSignedOut);
        ended.Local!.State.Should().Be(SecretChatState.Discarded);
        alice.Client.GetLocalSecretChat(chatId).Should().BeNull("an ended chat with nothing in its history goes once the app is told");
        (await alice.Client.GetSecretChatsAsync()).Should().ContainSingle(c => c.Id == chatId && c.Reason == SecretChatEndReasons.DeviceSignedOut);
    }

    [Fact]
    public async Task Sweep_WhenABoundDeviceIsNoLongerSignedIn_EndsItsChatsWithDeviceSignedOut_AndNoOther()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sgone_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sgone_bob");
        await using var carol = await SecretDevice.SignUpAsync(_host, "sgone_carol");
        var withBob = await ReadyChatAsync(alice, bob);
        var withCarol = await ReadyChatAsync(carol, alice);

        // bob's device is signed out without the event that ends its chats (a crash right after the sign-out's commit,
        // or a request that committed just after it).
        using (var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "DELETE FROM session_authorizations WHERE user_id = @user";
            command.Parameters.AddWithValue("@user", bob.UserId);
            command.ExecuteNonQuery().Should().Be(1);
        }

        await _host.Services.GetRequiredService<DiscardedChatSweep>().SweepAsync(CancellationToken.None);

        var ended = await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == withBob && e.Chat.State == SecretChatState.Discarded);
        ended.Chat.Reason.Should().Be(SecretChatEndReasons.DeviceSignedOut);
        (await alice.Client.GetSecretChatsAsync()).Should().Contain(c => c.Id == withCarol && c.State == SecretChatState.Ready);
        await carol.Client.SendSecretMessageAsync(withCarol, "still open");
        (await alice.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("still open");
    }

    [Fact]
    public async Task Discard_WithHistory_LeavesNothingOfTheChatInEitherClientsMemory_AndAChatStillOpenStays()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sknown_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sknown_bob");
        for (var i = 0; i < 3; i++)
        {
            var chatId = await ReadyChatAsync(bob, alice);
            await bob.Client.DiscardSecretChatAsync(chatId, deleteHistory: true);
            await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Discarded);
            await bob.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Discarded);
        }

        var open = await ReadyChatAsync(alice, bob);

        await SessionTestKit.WaitUntil(() => alice.Client.SecretChats.KnownCount == 1 && bob.Client.SecretChats.KnownCount == 1);
        await alice.Client.SendSecretMessageAsync(open, "still here");
        (await bob.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("still here");
        (await alice.Client.GetSecretChatsAsync()).Should().HaveCount(4, "the server keeps ended chats a while; the clients need not");
    }

    [Fact]
    public async Task DeleteAccount_EndsItsChatsWithAccountDeleted()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sdel_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sdel_bob");
        var chatId = await ReadyChatAsync(alice, bob);

        await bob.Client.DeleteAccountAsync(SessionTestKit.Password);

        (await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Discarded))
            .Chat.Reason.Should().Be(SecretChatEndReasons.AccountDeleted);
        await ChatTestKit.FailsWith(() => alice.Client.RequestSecretChatAsync(bob.UserId), MessageErrorNames.PeerIdInvalid);
    }

    [Fact]
    public async Task Block_MakesSendsFail_AndUnblockLetsThemThrough()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sblk_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sblk_bob");
        var chatId = await ReadyChatAsync(alice, bob);

        await alice.Client.BlockUserAsync(bob.UserId);

        await ChatTestKit.FailsWith(() => alice.Client.SendSecretMessageAsync(chatId, "blocked?"), MessageErrorNames.YouBlockedUser, 403);
        await ChatTestKit.FailsWith(() => bob.Client.SendSecretMessageAsync(chatId, "blocked?"), MessageErrorNames.UserIsBlocked, 403);
        await ChatTestKit.FailsWith(() => bob.Client.RequestSecretChatAsync(alice.UserId), MessageErrorNames.UserIsBlocked, 403);
        bob.Client.GetSecretHistory(chatId).Should().BeEmpty("a refused message does not stay in the history");
        bob.Client.GetLocalSecretChat(chatId)!.State.Should().Be(SecretChatState.Ready, "blocking does not end a chat");

        await alice.Client.UnblockUserAsync(bob.UserId);
        await bob.Client.SendSecretMessageAsync(chatId, "through again");
        (await alice.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("through again");
        await alice.Client.SendSecretMessageAsync(chatId, "and back");
        (await bob.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("and back");
    }

    [Fact]
    public async Task DeleteForBoth_AndSelfDestruct_TakeMessagesOffBothDevices()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sttl_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sttl_bob");
        var chatId = await ReadyChatAsync(alice, bob);

        var doomed = await alice.Client.SendSecretMessageAsync(chatId, "delete me for both");
        await alice.Client.SendSecretMessageAsync(chatId, "keep me");
        await bob.NextAsync<SecretMessageReceived>(e => e.Message.Text == "keep me");
        await alice.Client.DeleteSecretMessagesAsync(chatId, [doomed.RandomId]);
        (await bob.NextAsync<SecretMessagesDeleted>()).Should().Match<SecretMessagesDeleted>(d => d.RandomIds.SequenceEqual(new[] { doomed.RandomId }) && !d.Expired);
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("keep me");
        alice.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("keep me");

        var fleeting = await alice.Client.SendSecretMessageAsync(chatId, "gone a second after it is read", ttl: 1);
        (await bob.NextAsync<SecretMessageReceived>()).Message.Should().Match<SecretMessage>(m => m.Ttl == 1 && m.ExpiresAt == null);
        await bob.Client.ReadSecretHistoryAsync(chatId);
        (await bob.NextAsync<SecretMessagesDeleted>(d => d.Expired)).RandomIds.Should().Equal(fleeting.RandomId);
        (await alice.NextAsync<SecretMessagesDeleted>(d => d.Expired)).RandomIds.Should().Equal(fleeting.RandomId);
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("keep me");
        alice.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal("keep me");
    }

    [Fact]
    public async Task SelfDestruct_OfAMessageWhoseAnswerCameAfterTheReadReceipt_StillStartsOnTheSendersDevice()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "slate_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "slate_bob");
        var chatId = await ReadyChatAsync(alice, bob);
        const long randomId = 7_000_001;
        const string text = "gone a second after it is read";
        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            await FluentActions.Awaiting(() => alice.Client.SendSecretMessageAsync(chatId, text, ttl: 1, randomId: randomId, cancellationToken: cancelled.Token))
                .Should().ThrowAsync<OperationCanceledException>();
        }

        alice.Client.GetSecretHistory(chatId).Should().ContainSingle(m => m.RandomId == randomId && m.Date == 0, "no answer came");

        // The attempt reached the server after all (as the same device): bob reads it, and the receipt reaches alice
        // before any answer does.
        await using (var twin = await alice.TwinAsync())
        {
            await twin.Client.SendSecretMessageAsync(chatId, text, ttl: 1, randomId: randomId);
        }

        (await bob.NextAsync<SecretMessageReceived>()).Message.RandomId.Should().Be(randomId);
        await bob.Client.ReadSecretHistoryAsync(chatId);
        await alice.NextAsync<SecretMessagesRead>();
        alice.Client.GetSecretHistory(chatId).Single(m => m.RandomId == randomId).ExpiresAt.Should().BeNull("a message without a date is no receipt's");

        var resent = await alice.Client.SendSecretMessageAsync(chatId, text, ttl: 1, randomId: randomId);

        resent.ExpiresAt.Should().NotBeNull("the receipt already covers the date the answer brought");
        (await alice.NextAsync<SecretMessagesDeleted>(d => d.Expired)).RandomIds.Should().Equal(randomId);
        alice.Client.GetSecretHistory(chatId).Should().BeEmpty();
    }

    [Fact]
    public async Task Receive_ATextPastTheMarkupBound_IsDropped_AndTheNextMessageArrives()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "slong_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "slong_bob");
        var chatId = await ReadyChatAsync(alice, bob);
        var key = alice.SecretState().Chats[chatId].OwnKey()!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // What alice's device could send with another client than the SDK, which refuses both before sending.
        foreach (var (randomId, text) in new[] { (9_000_001L, new string('x', SecretChatEngine.MaxTextLength + 1)), (9_000_002L, " \n ") })
        {
            var data = SecretChatCrypto.Encrypt(key, chatId, randomId, SecretChatCrypto.EncodePlaintext(new SecretPlaintext(text, now)));
            await alice.Client.CallAsync(new SendEncryptedCall(chatId, randomId, data));
        }

        await alice.Client.SendSecretMessageAsync(chatId, new string('y', SecretChatEngine.MaxTextLength));

        (await bob.ReadUntilAsync(e => e is SecretMessageReceived)).Should().NotContain(e => e is SecretMessageUndecryptable)
            .And.ContainSingle(e => e is SecretMessageReceived).Which.As<SecretMessageReceived>().Message.Text.Should().HaveLength(SecretChatEngine.MaxTextLength);
        bob.Client.GetSecretHistory(chatId).Should().ContainSingle();
    }

    [Fact]
    public async Task WithoutAutoAccept_TheRequestIsOffered_AndAcceptedByTheApp()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sman_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sman_bob", autoAccept: false);

        var chat = await alice.Client.RequestSecretChatAsync(bob.UserId);
        var offered = await bob.NextAsync<SecretChatChanged>(e => e.Chat.Id == chat.Id);
        offered.Should().Match<SecretChatChanged>(e => e.Chat.State == SecretChatState.Requested && e.Local == null);

        var accepted = await bob.Client.AcceptSecretChatAsync(chat.Id);

        accepted.State.Should().Be(SecretChatState.Ready);
        var ready = await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == chat.Id && e.Chat.State == SecretChatState.Ready);
        ready.Local!.Verification.Should().Be(bob.Client.GetSecretChatVerification(chat.Id)).And.NotBeNull();
        await bob.Client.SendSecretMessageAsync(chat.Id, "accepted by hand");
        (await alice.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("accepted by hand");
    }

    [Fact]
    public async Task HostRestart_KeepsTheChatAndTheKeys_AndTheServerNeverHoldsThePlaintext()
    {
        using var data = new TempDirectory();
        using var keys = new TempDirectory();
        var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path);
        const string fromAlice = "Zanzibar-ostrich-7731 from alice";
        const string fromBob = "Quokka-lighthouse-4410 from bob";
        const string afterRestart = "Marmalade-zeppelin-9052 after the restart";
        long chatId;
        string code;
        long alicePts, bobPts;
        long aliceId, bobId;
        var aliceKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "alice.key"));
        var bobKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "bob.key"));
        try
        {
            await using (var alice = await SecretDevice.SignUpAsync(host, "srst_alice", deviceKeys: aliceKeys))
            await using (var bob = await SecretDevice.SignUpAsync(host, "srst_bob", deviceKeys: bobKeys))
            {
                (aliceId, bobId) = (alice.UserId, bob.UserId);
                chatId = await ReadyChatAsync(alice, bob);
                code = alice.Client.GetSecretChatVerification(chatId)!;
                await alice.Client.SendSecretMessageAsync(chatId, fromAlice);
                (await bob.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be(fromAlice);
                await bob.Client.SendSecretMessageAsync(chatId, fromBob);
                (await alice.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be(fromBob);
                (alicePts, bobPts) = (alice.Client.Events.Pts!.Value, bob.Client.Events.Pts!.Value);
                DataFilesHolding(data.Path, fromAlice, fromBob).Should().BeEmpty("the running server's files (database, WAL) hold only ciphertext");
            }

            await host.DisposeAsync();
            host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path);
            await using (var alice = await SecretDevice.ConnectAsync(host, aliceId, aliceKeys, pts: alicePts))
            await using (var bob = await SecretDevice.ConnectAsync(host, bobId, bobKeys, pts: bobPts))
            {
                alice.Client.GetLocalSecretChat(chatId)!.State.Should().Be(SecretChatState.Ready);
                bob.Client.GetSecretChatVerification(chatId).Should().Be(code);
                bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().Equal(fromAlice, fromBob);

                await alice.Client.SendSecretMessageAsync(chatId, afterRestart);
                (await bob.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be(afterRestart);
                await bob.Client.SendSecretMessageAsync(chatId, "and back after it");
                (await alice.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("and back after it");
                DataFilesHolding(data.Path, fromAlice, fromBob, afterRestart).Should().BeEmpty();
            }
        }
        finally
        {
            await host.DisposeAsync();
        }

        DataFilesHolding(data.Path, fromAlice, fromBob, afterRestart).Should().BeEmpty("nor do they once the server stopped");
        // The scan finds such text where it is: in the devices' own history journals (not their state files), readable by
        // their owner only.
        var store = new FileSecretChatKeyStore(FileSecretChatKeyStore.BesideDeviceKey(bobKeys.Path));
        DataFilesHolding(keys.Path, fromAlice).Should().Contain(store.HistoryPath(chatId)).And.NotContain(store.Path);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(store.Path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(store.HistoryPath(chatId)).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(store.HistoryDirectory).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>A chat from <paramref name="admin"/> to <paramref name="participant"/>, accepted by the participant's
    /// device and seen Ready on both.</summary>
    internal static async Task<long> ReadyChatAsync(SecretDevice admin, SecretDevice participant)
    {
        var chat = await admin.Client.RequestSecretChatAsync(participant.UserId);
        await admin.NextAsync<SecretChatChanged>(e => e.Chat.Id == chat.Id && e.Chat.State == SecretChatState.Ready);
        await participant.NextAsync<SecretChatChanged>(e => e.Chat.Id == chat.Id && e.Chat.State == SecretChatState.Ready);
        return chat.Id;
    }

    /// <summary>Every file under <paramref name="directory"/> holding any of <paramref name="texts"/> as UTF-8.</summary>
    internal static List<string> DataFilesHolding(string directory, params string[] texts)
    {
        var found = new List<string>();
        // The running server's lock file is empty, and .NET cannot open it while the lock is held.
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != DataDirectoryLock.FileName))
        {
            byte[] bytes;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                bytes = memory.ToArray();
            }
            catch (FileNotFoundException)
            {
                continue; // a WAL or journal gone between listing and reading
            }

            if (texts.Any(text => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0))
            {
                found.Add(file);
            }
        }

        return found;
    }
}

/// <summary>A signed-in device with its own secret chat store (so the same device can come back on a new client).</summary>
internal sealed class SecretDevice(
    MessengerClient client, long userId, IDeviceKeyStore keys, ISecretChatKeyStore? secretKeys, TestHost host, SecretRekeyKnobs? rekey = null,
    TimeProvider? clock = null) : IAsyncDisposable
{
    public MessengerClient Client { get; } = client;

    public long UserId { get; } = userId;

    private Device AsDevice => new(Client, UserId, keys);

    /// <summary>A host for tests that sign many people up and send as fast as they can: neither the sign-ups per address
    /// nor the posting limit is what they are about.</summary>
    public static Task<TestHost> StartUnlimitedHostAsync() =>
        SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:PostsPerSecond"] = "0",
        });

    public static async Task<SecretDevice> SignUpAsync(
        TestHost host, string username, bool autoAccept = true, IDeviceKeyStore? deviceKeys = null, ISecretChatKeyStore? secretKeys = null,
        SecretRekeyKnobs? rekey = null, TimeProvider? clock = null)
    {
        deviceKeys ??= new InMemoryDeviceKeyStore();
        secretKeys ??= deviceKeys is FileDeviceKeyStore ? null : new InMemorySecretChatKeyStore();
        var client = await MessengerClient.ConnectAsync(
            host.ClientOptions(deviceKeys, clock: clock, secretChats: secretKeys, autoAcceptSecretChats: autoAccept, secretRekey: rekey));
        await client.RegisterAsync(username, SessionTestKit.Password, username.ToUpperInvariant());
        var signedIn = await client.SignInAsync(username, SessionTestKit.Password, "First device", "tests");
        await client.Events.StartAsync(signedIn.User.Id);
        return new SecretDevice(client, signedIn.User.Id, deviceKeys, secretKeys, host, rekey, clock);
    }

    public static async Task<SecretDevice> SignInAsync(TestHost host, string username)
    {
        var deviceKeys = new InMemoryDeviceKeyStore();
        var secretKeys = new InMemorySecretChatKeyStore();
        var client = await MessengerClient.ConnectAsync(host.ClientOptions(deviceKeys, secretChats: secretKeys));
        var signedIn = await client.SignInAsync(username, SessionTestKit.Password, "Another device", "tests");
        await client.Events.StartAsync(signedIn.User.Id);
        return new SecretDevice(client, signedIn.User.Id, deviceKeys, secretKeys, host);
    }

    /// <summary>The same device (its key and its secret chats' store) on a new client of <paramref name="host"/>, its
    /// events from <paramref name="pts"/>.</summary>
    public static async Task<SecretDevice> ConnectAsync(
        TestHost host, long userId, IDeviceKeyStore deviceKeys, ISecretChatKeyStore? secretKeys = null, long? pts = null, SecretRekeyKnobs? rekey = null,
        TimeProvider? clock = null)
    {
        var client = await MessengerClient.ConnectAsync(host.ClientOptions(deviceKeys, clock: clock, secretChats: secretKeys, secretRekey: rekey));
        await client.Events.StartAsync(userId, pts);
        return new SecretDevice(client, userId, deviceKeys, secretKeys, host, rekey, clock);
    }

    /// <summary>A client of this device that never starts its events: what it sends is the device's, and its own secret
    /// chat engine stays idle, so a test drives the device's side of a chat by hand (as another client would).</summary>
    public Task<MessengerClient> RawClientAsync() => MessengerClient.ConnectAsync(host.ClientOptions(keys, secretChats: new InMemorySecretChatKeyStore()));

    /// <summary>This device's secret chats as its store holds them (keys included).</summary>
    public SecretState SecretState() =>
        MessagePackSerializer.Deserialize<SecretState>(secretKeys!.Load()!, MessagePackSerializerOptions.Standard.WithResolver(StandardResolverAllowPrivate.Instance));

    /// <summary>A second client of the same device (its key, and a copy of its secret chats' keys): the server takes what
    /// it sends as this device's (an attempt whose answer this client never saw).</summary>
    public async Task<SecretDevice> TwinAsync()
    {
        var copy = new InMemorySecretChatKeyStore();
        copy.Save(secretKeys!.Load()!);
        return await ConnectAsync(host, UserId, keys, copy, rekey: rekey, clock: clock);
    }

    /// <summary>Goes offline, lets <paramref name="meanwhile"/> happen, and comes back as the same device from
    /// <paramref name="pts"/>.</summary>
    public async Task<SecretDevice> ReconnectLaterAsync(Func<Task> meanwhile, long? pts)
    {
        await Client.DisposeAsync();
        await meanwhile();
        return await ConnectAsync(host, UserId, keys, secretKeys, pts, rekey, clock);
    }

    public Task<T> NextAsync<T>(Func<T, bool>? match = null)
        where T : MessengerEvent => AsDevice.NextAsync(match);

    public Task<List<MessengerEvent>> ReadUntilAsync(Func<MessengerEvent, bool> match) => AsDevice.ReadUntilAsync(match);

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
