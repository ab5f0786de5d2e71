using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>Secret chats' sequence numbers (docs/secret-chats.md, Sequence numbers) between two SDK devices through the
/// real host: every body numbered, the numbers kept across restarts, and what the receiving device does with bodies
/// delivered out of order, dropped, numbered twice or stripped of their number (sent here by hand under the sender's
/// key, as a malicious server would deliver them; SecretSequenceTests feeds the state machine alone).</summary>
public sealed class SecretChatSequenceTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SecretDevice.StartUnlimitedHostAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Numbers_CountEveryBodyBothWays_AndARestartOfBothDevicesNeitherRepeatsNorSkipsOne()
    {
        using var keys = new TempDirectory();
        var alicesKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "alice.key"));
        var bobsKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "bob.key"));
        var alice = await SecretDevice.SignUpAsync(_host, "sseq_alice", deviceKeys: alicesKeys);
        var bob = await SecretDevice.SignUpAsync(_host, "sseq_bob", deviceKeys: bobsKeys);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);

        for (var i = 0; i < 3; i++)
        {
            await alice.Client.SendSecretMessageAsync(chatId, $"one {i}");
        }

        await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "one 2" });
        var back = await bob.Client.SendSecretMessageAsync(chatId, "back");
        await alice.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "back" });
        await alice.Client.DeleteSecretMessagesAsync(chatId, [back.RandomId]);
        await bob.NextAsync<SecretMessagesDeleted>();

        alice.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(
            c => c.Sent == 4 && c.Received == 1 && c.ReceivedInOrder == 1 && c.Missing == 0, "three texts and a delete sent, one text received");
        bob.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.Sent == 1 && c.Received == 4 && c.ReceivedInOrder == 4 && c.Missing == 0);

        await alice.DisposeAsync();
        await bob.DisposeAsync();
        await using var aliceAgain = await SecretDevice.ConnectAsync(_host, alice.UserId, alicesKeys);
        await using var bobAgain = await SecretDevice.ConnectAsync(_host, bob.UserId, bobsKeys);
        aliceAgain.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.Sent == 4 && c.ReceivedInOrder == 1);
        bobAgain.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.Sent == 1 && c.ReceivedInOrder == 4);

        // A number repeated would be dropped as a replay, one skipped would leave a gap.
        await aliceAgain.Client.SendSecretMessageAsync(chatId, "after the restart");
        (await bobAgain.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("after the restart");
        await bobAgain.Client.SendSecretMessageAsync(chatId, "and back");
        (await aliceAgain.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("and back");
        bobAgain.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.Sent == 2 && c.Received == 5 && c.ReceivedInOrder == 5 && c.Missing == 0);
        aliceAgain.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.Sent == 5 && c.ReceivedInOrder == 2);
    }

    [Fact]
    public async Task Delivered_Reordered_Dropped_NumberedTwice_OrStripped_NothingIsLostSilently()
    {
        var clock = new SteppingClock();
        await using var alice = await SecretDevice.SignUpAsync(_host, "sseqm_alice");
        var bob = await SecretDevice.SignUpAsync(_host, "sseqm_bob", clock: clock);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var key = alice.SecretState().Chats[chatId].OwnKey()!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        async Task DeliverAsync(long randomId, string text, long? outSeq)
        {
            var plaintext = SecretChatCrypto.EncodePlaintext(new SecretPlaintext(text, now) { OutSeq = outSeq, InSeq = outSeq is null ? null : 0 });
            await alice.Client.CallAsync(new SendEncryptedCall(chatId, randomId, SecretChatCrypto.Encrypt(key, chatId, randomId, plaintext)));
        }

        // A body without a number, as a client from before them sends, is taken while none came. Then 1 before 0.
        await DeliverAsync(101, "unnumbered", null);
        await DeliverAsync(103, "second", 1);
        await DeliverAsync(102, "first", 0);
        var events = await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "first" });
        events.OfType<SecretMessageReceived>().Select(e => e.Message.Text).Should().Equal("unnumbered", "second", "first");
        events.Should().NotContain(e => e is SecretMessagesMissing, "the reordered body came within the grace");
        bob.Client.GetLocalSecretChat(chatId)!.ReceivedInOrder.Should().Be(2);

        // Number 2 dropped: 3 is shown at once, and the gap survives a restart of the device.
        await DeliverAsync(105, "fourth", 3);
        await bob.NextAsync<SecretMessageReceived>(e => e.Message.Text == "fourth");
        bob = await bob.ReconnectLaterAsync(() => Task.CompletedTask, bob.Client.Events.Pts);
        await using var _ = bob;
        bob.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.Received == 4 && c.ReceivedInOrder == 2 && c.Missing == 0);

        // Once the grace is over the app is told (the next body wakes the timer the stepped clock did not move).
        clock.Advance(SecretSequence.Grace + TimeSpan.FromSeconds(1));
        await DeliverAsync(106, "fifth", 4);
        (await bob.NextAsync<SecretMessagesMissing>()).Should().Be(new SecretMessagesMissing(chatId, 1));
        bob.Client.GetLocalSecretChat(chatId)!.Missing.Should().Be(1);

        // It comes late after all (its sender sent it again): shown, and no longer missing.
        await DeliverAsync(104, "third", 2);
        var late = await bob.ReadUntilAsync(e => e is SecretMessagesMissing);
        late.OfType<SecretMessageReceived>().Select(e => e.Message.Text).Should().Contain("third");
        late[^1].Should().Be(new SecretMessagesMissing(chatId, 0));

        // A number received already (what a replay beyond the random_id window carries) is dropped; a body stripped of its
        // number, once numbers came, is refused and reported.
        await DeliverAsync(107, "numbered twice", 1);
        await DeliverAsync(108, "stripped", null);
        await DeliverAsync(109, "sixth", 5);
        var rest = await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "sixth" });
        rest.OfType<SecretMessageReceived>().Select(e => e.Message.Text).Should().Equal("sixth");
        rest.Should().ContainSingle(e => e is SecretMessageUndecryptable).Which.As<SecretMessageUndecryptable>().RandomId.Should().Be(108);
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().BeEquivalentTo("unnumbered", "first", "second", "third", "fourth", "fifth", "sixth");
        bob.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.ReceivedInOrder == 6 && c.Missing == 0);
    }

    [Fact]
    public async Task ASendTheServerRefuses_GivesItsNumberBack_SoTheOtherSideSeesNoGap()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sseqr_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sseqr_bob");
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "before");
        await bob.NextAsync<SecretMessageReceived>();

        await bob.Client.BlockUserAsync(alice.UserId);
        await ChatTestKit.FailsWith(() => alice.Client.SendSecretMessageAsync(chatId, "refused"), MessageErrorNames.UserIsBlocked, 403);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteSecretMessagesAsync(chatId, [1]), MessageErrorNames.UserIsBlocked, 403);
        alice.Client.GetLocalSecretChat(chatId)!.Sent.Should().Be(1, "nothing refused kept a number");

        await bob.Client.UnblockUserAsync(alice.UserId);
        await alice.Client.SendSecretMessageAsync(chatId, "through");
        (await bob.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("through");
        bob.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.Received == 2 && c.ReceivedInOrder == 2);
    }
}
