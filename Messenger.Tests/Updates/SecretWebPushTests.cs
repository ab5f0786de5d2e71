using System.Text;
using System.Text.Json;
using Mediator;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Messenger.Update.Online;
using Messenger.Update.WebPush;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Updates;

/// <summary>
/// Web Push of secret messages: the server cannot read them, so the recipient's device bound to the chat — and no other
/// device of theirs — gets a notice that one arrived, with the sender's name and nothing of the ciphertext, under the
/// rules of an ordinary private message (no live connection, the private chat not muted, nobody blocked). The push
/// service is a real local one that decrypts each body as the browser would (<see cref="LocalPushService"/>).
/// </summary>
public sealed class SecretWebPushTests : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    private LocalPushService _push = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _push = await LocalPushService.StartAsync();
        _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Push:PrivateNetworks"] = "true",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _push.DisposeAsync();
    }

    [Fact]
    public async Task SecretMessage_ToTheBoundDeviceWithoutAConnection_IsPushedToItAlone_WithoutItsCiphertext()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "alice_spush");
        var phoneKeys = new InMemoryDeviceKeyStore();
        var phone = await SecretDevice.SignUpAsync(_host, "bob_spush", deviceKeys: phoneKeys);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, phone);
        var laptop = await _host.SignInAnotherDeviceAsync("bob_spush", autoAcceptSecretChats: false);
        using var phoneBrowser = await SubscribeAsync(phone.Client);
        using var laptopBrowser = await SubscribeAsync(laptop.Client);
        await DisconnectAsync(laptop.Client, laptop.UserId, laptop.Keys);

        // The bound device is connected and reads it live; the laptop, offline, cannot read the chat: nothing is pushed.
        await alice.Client.SendSecretMessageAsync(chatId, "while you are here");
        await phone.NextAsync<SecretMessageReceived>(m => m.Message.Text == "while you are here");
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull("the bound device is online and the other one does not show the chat");

        await DisconnectAsync(phone.Client, phone.UserId, phoneKeys);
        var ciphertext = Enumerable.Range(0, 96).Select(i => (byte)(i * 7 + 3)).ToArray();
        await alice.Client.CallAsync(new SendEncryptedCall(chatId, 4242, ciphertext));
        var request = await _push.NextAsync();

        request.SubscriptionId.Should().Be(phoneBrowser.Id);
        request.Headers["Urgency"].Should().Be("high");
        var topic = request.Headers["Topic"];
        topic.Should().MatchRegex("^[A-Za-z0-9_-]{1,32}$").And.NotContain(chatId.ToString()).And.NotBe($"s{chatId}")
            .And.Be(PushOutbox.OpaqueTopic(_host.Services.GetRequiredService<VapidKeys>().TopicKey, 's', chatId, phone.UserId));
        topic.Should().NotBe(PushOutbox.OpaqueTopic(_host.Services.GetRequiredService<VapidKeys>().TopicKey, 's', chatId, alice.UserId),
            "the chat's two sides get topics the push service cannot link");
        var json = phoneBrowser.Decrypt(request.Body);
        json.Should().NotContain(Convert.ToBase64String(ciphertext)).And.NotContain(Convert.ToHexString(ciphertext))
            .And.NotContainEquivalentOf(Convert.ToHexString(ciphertext[..8]));
        using (var payload = JsonDocument.Parse(json))
        {
            var root = payload.RootElement;
            root.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["type", "chat_id", "from_id", "date", "title", "body", "silent"]);
            root.GetProperty("type").GetString().Should().Be("secret_message");
            root.GetProperty("chat_id").GetInt64().Should().Be(chatId);
            root.GetProperty("from_id").GetInt64().Should().Be(alice.UserId);
            root.GetProperty("date").GetInt64().Should().BePositive();
            root.GetProperty("title").GetString().Should().Be("ALICE_SPUSH");
            root.GetProperty("body").GetString().Should().Be("🔒 New secret message");
            root.GetProperty("silent").GetBoolean().Should().BeFalse();
        }

        (await _push.NoneWithinAsync(Quiet)).Should().BeNull("the laptop's subscription gets nothing of a chat it cannot read");

        // A file, sent without sound: the same words, quietly, and nothing of its name or caption.
        await alice.Client.SendSecretFileAsync(chatId, new MemoryStream(Encoding.UTF8.GetBytes("the plan")), "plan.txt", "text/plain", "see the plan", silent: true);
        var file = await _push.NextAsync();
        file.SubscriptionId.Should().Be(phoneBrowser.Id);
        file.Headers["Topic"].Should().Be(topic, "one topic per secret chat, so a push service keeps the newest");
        var fileJson = phoneBrowser.Decrypt(file.Body);
        fileJson.Should().NotContain("plan");
        using (var payload = JsonDocument.Parse(fileJson))
        {
            payload.RootElement.GetProperty("body").GetString().Should().Be(PushOutbox.SecretBody);
            payload.RootElement.GetProperty("silent").GetBoolean().Should().BeTrue();
        }

        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();
    }

    [Fact]
    public async Task SecretMessage_WhenThePrivateChatWithTheSenderIsMuted_OrEitherBlocksTheOther_PushesNothing()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "alice_smute");
        var phoneKeys = new InMemoryDeviceKeyStore();
        var phone = await SecretDevice.SignUpAsync(_host, "bob_smute", deviceKeys: phoneKeys);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, phone);
        await using var laptop = await _host.SignInAnotherDeviceAsync("bob_smute", autoAcceptSecretChats: false);
        await using var carol = await _host.SignUpAsync("carol_smute", autoAcceptSecretChats: false);
        using var browser = await SubscribeAsync(phone.Client);
        await DisconnectAsync(phone.Client, phone.UserId, phoneKeys);
        var probe = new EncryptedMessage(chatId, 1, alice.UserId, 0, new byte[64]);

        // bob mutes his private chat with alice from his laptop: the secret chat with her follows it.
        await laptop.Client.MuteChatAsync(Peer.User(alice.UserId), DateTimeOffset.UtcNow.AddDays(1));
        (await NoticeContextAsync(phone.UserId, probe))!.Muted.Should().BeTrue();
        var muted = await alice.Client.SendSecretMessageAsync(chatId, "muted");
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();

        await laptop.Client.MuteChatAsync(Peer.User(alice.UserId), null);
        (await NoticeContextAsync(phone.UserId, probe))!.Muted.Should().BeFalse();
        var sent = await alice.Client.SendSecretMessageAsync(chatId, "unmuted");
        sent.Date.Should().BeGreaterThan(muted.Date, "the quiet wait lies between the two sends");
        var pushed = await _push.NextAsync();
        pushed.SubscriptionId.Should().Be(browser.Id);
        using (var payload = JsonDocument.Parse(browser.Decrypt(pushed.Body)))
        {
            payload.RootElement.GetProperty("date").GetInt64().Should().Be(sent.Date, "the unmuted message's push, not a late one of the muted message");
        }

        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();

        // A block refuses the send itself; and a message logged before a block is no longer announced after it.
        var logged = new EncryptedMessage(chatId, sent.RandomId, alice.UserId, sent.Date, new byte[64]);
        (await NoticeContextAsync(phone.UserId, logged)).Should().NotBeNull();
        await laptop.Client.BlockUserAsync(alice.UserId);
        await ChatTestKit.FailsWith(() => alice.Client.SendSecretMessageAsync(chatId, "blocked"), MessageErrorNames.UserIsBlocked, 403);
        (await NoticeContextAsync(phone.UserId, logged)).Should().BeNull();
        await laptop.Client.UnblockUserAsync(alice.UserId);
        await alice.Client.BlockUserAsync(phone.UserId);
        await ChatTestKit.FailsWith(() => alice.Client.SendSecretMessageAsync(chatId, "blocking"), MessageErrorNames.YouBlockedUser, 403);
        (await NoticeContextAsync(phone.UserId, logged)).Should().BeNull();
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();

        // Nor is one whose chat has ended, or that names a sender who is not the other member.
        await alice.Client.UnblockUserAsync(phone.UserId);
        (await NoticeContextAsync(phone.UserId, logged)).Should().NotBeNull();
        (await NoticeContextAsync(phone.UserId, logged with { FromId = carol.UserId })).Should().BeNull("carol is not in the chat");
        (await NoticeContextAsync(carol.UserId, logged)).Should().BeNull("nor is it carol's chat");
        (await NoticeContextAsync(alice.UserId, logged)).Should().BeNull("alice sent it");
        await alice.Client.DiscardSecretChatAsync(chatId);
        (await NoticeContextAsync(phone.UserId, logged)).Should().BeNull();
    }

    [Fact]
    public async Task ServiceMessage_ToTheBoundDeviceWithoutAConnection_IsLoggedMarked_AndPushesNothing()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "alice_sserv");
        var phoneKeys = new InMemoryDeviceKeyStore();
        var phone = await SecretDevice.SignUpAsync(_host, "bob_sserv", deviceKeys: phoneKeys);
        var chatId = await SecretChatTests.ReadyChatAsync(alice, phone);
        await using var laptop = await _host.SignInAnotherDeviceAsync("bob_sserv", autoAcceptSecretChats: false);
        var pts = (await laptop.Client.CallAsync(new GetDifferenceCall(0))).State.Pts;
        using var browser = await SubscribeAsync(phone.Client);
        await DisconnectAsync(phone.Client, phone.UserId, phoneKeys);

        // A delete for both, as the SDK will send it (a control message inside the ciphertext), then an ordinary message.
        var control = new SendEncryptedCall(chatId, 5_001, new byte[64], Service: true);
        var service = await alice.Client.CallAsync(control);
        var ordinary = await alice.Client.SendSecretMessageAsync(chatId, "after the delete");

        var pushed = await _push.NextAsync();
        pushed.SubscriptionId.Should().Be(browser.Id);
        using (var payload = JsonDocument.Parse(browser.Decrypt(pushed.Body)))
        {
            payload.RootElement.GetProperty("date").GetInt64().Should().Be(ordinary.Date);
        }

        (await _push.NoneWithinAsync(Quiet)).Should().BeNull("the service message is announced by nothing");

        // The resend of a lost answer is unchanged: the first date, nothing logged again.
        (await alice.Client.CallAsync(control)).Should().Be(service);
        var logged = (await laptop.Client.CallAsync(new GetDifferenceCall(pts))).Updates
            .Select(u => u.Update).OfType<NewEncryptedMessageUpdate>().Select(u => u.Message).ToList();
        logged.Should().HaveCount(2);
        logged[0].Should().Match<EncryptedMessage>(m => m.RandomId == 5_001 && m.Service && m.Date == service.Date && m.FromId == alice.UserId);
        logged[1].Service.Should().BeFalse();
        logged[1].Date.Should().Be(ordinary.Date);
    }

    private async Task<SecretNoticeContext?> NoticeContextAsync(long userId, EncryptedMessage message)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(new GetSecretNoticeContextQuery(userId, message));
    }

    /// <summary>Closes the device's connection and waits until the server has seen it go (a push goes only to devices
    /// without one).</summary>
    private async Task DisconnectAsync(MessengerClient client, long userId, IDeviceKeyStore keys)
    {
        await client.DisposeAsync();
        var online = _host.Services.GetRequiredService<OnlineDevices>();
        var key = keys.GetOrCreate().PublicKey;
        await SessionTestKit.WaitUntil(() => !online.IsOnline(userId, key));
    }

    private async Task<BrowserSubscription> SubscribeAsync(MessengerClient client)
    {
        var subscription = _push.Subscribe();
        await client.RegisterPushAsync(subscription.Endpoint, subscription.P256dh, subscription.Auth);
        return subscription;
    }
}
