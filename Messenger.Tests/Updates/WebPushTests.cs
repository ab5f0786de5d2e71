using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Messenger.Client;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Messenger.Update.Online;
using Messenger.Update.WebPush;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Updates;

/// <summary>
/// Web Push: a device with a subscription and no live connection gets its new messages from the server through a push
/// service — here a real local one, which decrypts each body with code of its own (RFC 8291) and checks the VAPID
/// signature (RFC 8292) against the key the server hands out. Loopback endpoints are allowed by
/// <c>Messenger:Push:PrivateNetworks</c>; one test checks that without it the server does not even connect.
/// </summary>
public sealed class WebPushTests : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    private LocalPushService _push = null!;

    public async Task InitializeAsync() => _push = await LocalPushService.StartAsync();

    public async Task DisposeAsync() => await _push.DisposeAsync();

    private static Task<TestHost> StartHostAsync(
        bool privateNetworks = true, string? dataDirectory = null, bool enabled = true, string? logDirectory = null) =>
        SessionTestKit.StartHostAsync(new Dictionary<string, string?>(logDirectory is null ? [] : LogFiles.Settings(logDirectory))
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Push:PrivateNetworks"] = privateNetworks ? "true" : "false",
            ["Messenger:Push:Enabled"] = enabled ? "true" : "false",
            ["Messenger:Push:Subject"] = "mailto:ops@example.org",
        }, dataDirectory: dataDirectory);

    [Fact]
    public async Task ADeviceWithoutAConnection_GetsItsNewMessage_EncryptedForItAlone_AndSignedByTheServersKey()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_push");
        var bob = await host.SignUpAsync("bob_push");
        var vapidKey = await bob.Client.GetPushKeyAsync();
        using var browser = await SubscribeAsync(bob);

        // Connected: the message comes live, and nothing is pushed.
        await alice.SendAsync(bob, "while you are here");
        await bob.NextAsync<MessageReceived>(m => m.Message.Text == "while you are here");
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();

        await DisconnectAsync(host, bob);
        var sent = await alice.SendAsync(bob, "are you there? ünïcödé 👋");
        var request = await _push.NextAsync();

        request.SubscriptionId.Should().Be(browser.Id);
        request.Headers["Content-Encoding"].Should().Be("aes128gcm");
        request.Headers["TTL"].Should().Be("86400");
        request.Headers["Urgency"].Should().Be("high");
        request.Headers["Topic"].Should().Be(PushOutbox.OpaqueTopic(host.Services.GetRequiredService<VapidKeys>().TopicKey, 'u', alice.UserId, bob.UserId))
            .And.MatchRegex("^[A-Za-z0-9_-]{24}$", "opaque, URL-safe and within RFC 8030's 32 characters");
        VerifyVapid(request, vapidKey, _push.Origin);
        Encoding.UTF8.GetString(request.Body).Should().NotContain("are you there");

        using var payload = JsonDocument.Parse(browser.Decrypt(request.Body));
        var root = payload.RootElement;
        root.GetProperty("type").GetString().Should().Be("message");
        root.GetProperty("peer").GetProperty("kind").GetString().Should().Be("user");
        root.GetProperty("peer").GetProperty("id").GetInt64().Should().Be(alice.UserId);
        root.GetProperty("message_id").GetInt64().Should().Be(sent.Message.Id);
        root.GetProperty("title").GetString().Should().Be("ALICE_PUSH");
        root.GetProperty("body").GetString().Should().Be("are you there? ünïcödé 👋");

        // Someone else's device with the same subscription keys could not read it.
        using var stranger = _push.Subscribe();
        stranger.Invoking(s => s.Decrypt(request.Body)).Should().Throw<CryptographicException>();
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull("one message, one notification");
    }

    [Fact]
    public async Task ADeviceWithoutAConnection_WhenTheMessageHasFormatting_GetsItsWordsWithoutMarkers_AndNeverASpoilersText()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_spoil");
        var bob = await host.SignUpAsync("bob_spoil");
        using var browser = await SubscribeAsync(bob);
        await DisconnectAsync(host, bob);

        await alice.SendAsync(bob, "**Ending:** ||the __butler__ did it|| — [details](https://example.org/x)\\*");
        var request = await _push.NextAsync();

        using var payload = JsonDocument.Parse(browser.Decrypt(request.Body));
        var body = payload.RootElement.GetProperty("body").GetString();
        body.Should().Be("Ending: ▒▒▒ — details*");
        body.Should().NotContain("butler");
    }

    [Fact]
    public void Preview_OfFormattedText_HidesSpoilers_AndKeepsTheWordsOfTheRest()
    {
        var message = new Messenger.Contracts.Messages.Message(1, 2, Peer.User(3), 0, "", null, null, null, null);

        PushOutbox.Preview(message with { Text = "||secret||" }).Should().Be("▒▒▒");
        PushOutbox.Preview(message with { Text = "run `npm ci`\n```sh\nnpm test\n```\n~~not~~ \\|\\|this\\|\\|" }).Should().Be("run npm ci npm test not ||this||");
        PushOutbox.Preview(message with { Text = "||" + new string('x', 300) + "||" }).Should().Be("▒▒▒");
    }

    [Fact]
    public void Preview_OfALocation_SaysLocation_OrLiveLocation_WhereItsTextIsEmpty()
    {
        var message = new Messenger.Contracts.Messages.Message(1, 2, Peer.User(3), 0, "", null, null, null, null) { Geo = new MessageGeo(52.52, 13.4) };

        PushOutbox.Preview(message).Should().Be("Location");
        PushOutbox.Preview(message with { Geo = message.Geo with { LivePeriod = 900, LiveUntil = 900 } }).Should().Be("Live location");
        PushOutbox.Preview(message with { Geo = null }).Should().BeEmpty();
    }

    [Fact]
    public async Task TheSendersOwnDevices_AndMutedChats_PushNothing_ButAMentionInAMutedGroupDoes()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_mute");
        var bob = await host.SignUpAsync("bob_mute");
        await using var bobLaptop = await host.SignInAnotherDeviceAsync("bob_mute");
        using var browser = await SubscribeAsync(bob);
        var group = (await alice.Client.CreateGroupAsync("Release crew", [bob.UserId])).Chat;
        await bob.Client.MuteChatAsync(alice.Peer, DateTimeOffset.UtcNow.AddDays(1));
        await bob.Client.MuteChatAsync(Peer.Chat(group.Id), DateTimeOffset.UtcNow.AddDays(1));
        await DisconnectAsync(host, bob);

        await bobLaptop.Client.SendMessageAsync(alice.Peer, "sent from my laptop");
        await alice.SendAsync(bob, "muted private chat");
        await alice.Client.SendMessageAsync(Peer.Chat(group.Id), "muted group");
        await alice.Client.EditTitleAsync(group.Id, "Release crew 2");
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();

        await alice.Client.SendMessageAsync(Peer.Chat(group.Id), "@BOB_mute can you ship it?");
        var request = await _push.NextAsync();
        using var payload = JsonDocument.Parse(browser.Decrypt(request.Body));
        payload.RootElement.GetProperty("title").GetString().Should().Be("Release crew 2");
        payload.RootElement.GetProperty("body").GetString().Should().Be("ALICE_MUTE: @BOB_mute can you ship it?");
        payload.RootElement.GetProperty("peer").GetProperty("kind").GetString().Should().Be("chat");
        request.Headers["Urgency"].Should().Be("high");
        request.Headers["Topic"].Should().Be(PushOutbox.OpaqueTopic(host.Services.GetRequiredService<VapidKeys>().TopicKey, 'c', group.Id, bob.UserId));

        // "@bob_mutex" is someone else.
        await alice.Client.SendMessageAsync(Peer.Chat(group.Id), "ask @bob_mutex instead");
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();
    }

    [Fact]
    public async Task AMutedTopic_PushesNothing_ButAMentionInItDoes_AndTheForumsOtherTopicsPushAsBefore()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_topicmute");
        var bob = await host.SignUpAsync("bob_topicmute");
        using var browser = await SubscribeAsync(bob);
        var group = (await alice.Client.CreateGroupAsync("Crew", [bob.UserId])).Chat;
        var peer = Peer.Chat(group.Id);
        await alice.Client.ToggleForumAsync(group.Id, enabled: true);
        var noisy = (await alice.Client.CreateTopicAsync(peer, "Noisy")).Message.Id;
        var releases = (await alice.Client.CreateTopicAsync(peer, "Releases")).Message.Id;
        var forever = DateTimeOffset.FromUnixTimeSeconds(NotifySettings.MuteForever);
        await bob.Client.MuteTopicAsync(peer, noisy, forever);
        await bob.Client.MuteTopicAsync(peer, 0, forever);
        await DisconnectAsync(host, bob);

        await alice.Client.SendMessageAsync(peer, "chatter", topicId: noisy);
        await alice.Client.SendMessageAsync(peer, "general chatter");
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();

        await alice.Client.SendMessageAsync(peer, "@bob_topicmute look here", topicId: noisy);
        using (var mention = JsonDocument.Parse(browser.Decrypt((await _push.NextAsync()).Body)))
        {
            mention.RootElement.GetProperty("body").GetString().Should().Be("ALICE_TOPICMUTE: @bob_topicmute look here", "a mention is pushed, as in a muted chat");
        }

        await alice.Client.SendMessageAsync(peer, "1.2 is out", topicId: releases);
        using (var other = JsonDocument.Parse(browser.Decrypt((await _push.NextAsync()).Body)))
        {
            other.RootElement.GetProperty("body").GetString().Should().Be("ALICE_TOPICMUTE: 1.2 is out");
        }

        // With topics off every message is General's: a mute of General no longer silences the group.
        await alice.Client.ToggleForumAsync(group.Id, enabled: false);
        await alice.Client.SendMessageAsync(peer, "plain again");
        using (var plain = JsonDocument.Parse(browser.Decrypt((await _push.NextAsync()).Body)))
        {
            plain.RootElement.GetProperty("body").GetString().Should().Be("ALICE_TOPICMUTE: plain again");
        }
    }

    [Fact]
    public async Task Push_WhenTheMessageIsSilent_IsSentAllTheSame_WithSilentInThePayload_AMentionToo()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_hush");
        var bob = await host.SignUpAsync("bob_hush");
        using var browser = await SubscribeAsync(bob);
        var group = (await alice.Client.CreateGroupAsync("Night shift", [bob.UserId])).Chat;
        await bob.Client.MuteChatAsync(Peer.Chat(group.Id), DateTimeOffset.UtcNow.AddDays(1));
        await DisconnectAsync(host, bob);

        await alice.Client.SendMessageAsync(bob.Peer, "sleep well", silent: true);
        using (var quiet = JsonDocument.Parse(browser.Decrypt((await _push.NextAsync()).Body)))
        {
            quiet.RootElement.GetProperty("body").GetString().Should().Be("sleep well");
            quiet.RootElement.GetProperty("silent").GetBoolean().Should().BeTrue();
        }

        await alice.SendAsync(bob, "wake up");
        using (var loud = JsonDocument.Parse(browser.Decrypt((await _push.NextAsync()).Body)))
        {
            loud.RootElement.GetProperty("body").GetString().Should().Be("wake up");
            loud.RootElement.GetProperty("silent").GetBoolean().Should().BeFalse();
        }

        await alice.Client.SendMessageAsync(Peer.Chat(group.Id), "@bob_hush no rush", silent: true);
        using (var mention = JsonDocument.Parse(browser.Decrypt((await _push.NextAsync()).Body)))
        {
            mention.RootElement.GetProperty("body").GetString().Should().Be("ALICE_HUSH: @bob_hush no rush");
            mention.RootElement.GetProperty("silent").GetBoolean().Should().BeTrue("a mention in a silent message stays silent");
        }
    }

    [Fact]
    public async Task ALargeGroupsPost_ReachesItsOfflineSubscribedMembers_WithTheGroupAsTitle_AndItsServiceMessagesDoNot()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_large");
        var bob = await host.SignUpAsync("bob_large");
        await using var erin = await host.SignUpAsync("erin_large");
        var carol = await host.SignUpAsync("carol_large");
        using var browser = await SubscribeAsync(bob);
        using var carolBrowser = await SubscribeAsync(carol);
        var channel = (await alice.Client.CreateGroupAsync("News", [bob.UserId, erin.UserId], large: true, broadcast: true)).Chat;
        await DisconnectAsync(host, bob);
        await DisconnectAsync(host, carol);

        // Two subscribers, three members: the subscribers are walked, and carol, not a member, gets nothing.
        await alice.Client.EditTitleAsync(channel.Id, "Announcements");
        await alice.Client.SendMessageAsync(Peer.Chat(channel.Id), "v2 is out");
        var request = await _push.NextAsync();
        request.SubscriptionId.Should().Be(browser.Id);
        using var payload = JsonDocument.Parse(browser.Decrypt(request.Body));
        payload.RootElement.GetProperty("title").GetString().Should().Be("Announcements");
        payload.RootElement.GetProperty("body").GetString().Should().Be("ALICE_LARGE: v2 is out");
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull("carol is not in the channel, and its title change is a service message");

        // Three subscribers, three members: the members are walked; the outsiders' subscriptions still get nothing.
        var dave = await host.SignUpAsync("dave_large");
        using var daveBrowser = await SubscribeAsync(dave);
        await DisconnectAsync(host, dave);
        await alice.Client.SendMessageAsync(Peer.Chat(channel.Id), "v2.1 is out");
        (await _push.NextAsync()).SubscriptionId.Should().Be(browser.Id);
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull("carol and dave are not in the channel");
    }

    [Fact]
    public async Task ASubscriptionThePushServiceCallsGone_IsDropped_AndSigningOutDropsAnother()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_gone");
        var bob = await host.SignUpAsync("bob_gone");
        await using var bobLaptop = await host.SignInAnotherDeviceAsync("bob_gone");
        var bobTablet = await host.SignInAnotherDeviceAsync("bob_gone");
        using var phone = await SubscribeAsync(bob);
        using var tablet = await SubscribeAsync(bobTablet);
        host.CountRows("update_push_subscriptions").Should().Be(2);
        _push.Forget(phone);
        await DisconnectAsync(host, bob);
        await DisconnectAsync(host, bobTablet);

        await alice.SendAsync(bob, "first");
        var first = new[] { await _push.NextAsync(), await _push.NextAsync() };
        first.Select(r => r.SubscriptionId).Should().BeEquivalentTo([phone.Id, tablet.Id]);
        await SessionTestKit.WaitUntil(() => host.CountRows("update_push_subscriptions") == 1);

        var tabletAuthorization = (await bobLaptop.Client.GetAuthorizationsAsync()).Single(a => a.DeviceName == "Another device" && !a.Current);
        await bobLaptop.Client.ResetAuthorizationAsync(tabletAuthorization.Id);
        await SessionTestKit.WaitUntil(() => host.CountRows("update_push_subscriptions") == 0);

        await alice.SendAsync(bob, "second");
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Subscriptions_AndTheServersKey_SurviveARestart()
    {
        using var data = new TempDirectory();
        string key;
        long bobId;
        BrowserSubscription browser;
        await using (var host = await StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.SignUpAsync("alice_restart");
            await using var bob = await host.SignUpAsync("bob_restart");
            bobId = bob.UserId;
            key = await bob.Client.GetPushKeyAsync();
            browser = await SubscribeAsync(bob);
            await alice.SendAsync(bob, "before");
        }

        using var subscription = browser;
        File.GetUnixFileMode(Path.Combine(data.Path, "push.key")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using (var host = await StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.SignInAnotherDeviceAsync("alice_restart");
            (await alice.Client.GetPushKeyAsync()).Should().Be(key);
            await alice.Client.SendMessageAsync(Peer.User(bobId), "after");
            var request = await _push.NextAsync();
            VerifyVapid(request, key, _push.Origin);
            JsonDocument.Parse(browser.Decrypt(request.Body)).RootElement.GetProperty("body").GetString().Should().Be("after");
        }
    }

    /// <summary>A lost <c>push.key</c> cannot be made again: a new key is made, and the subscriptions bound to the old
    /// one (which every push service would refuse) are dropped with a warning; a device that subscribes again with the
    /// new key gets its pushes.</summary>
    [Fact]
    public async Task AServerThatLostItsPushKey_MakesANewOne_DropsTheSubscriptionsBoundToTheOld_AndWarns()
    {
        using var data = new TempDirectory();
        using var logs = new TempDirectory();
        string oldKey;
        long bobId;
        await using (var host = await StartHostAsync(dataDirectory: data.Path))
        {
            await using var bob = await host.SignUpAsync("bob_lostkey");
            bobId = bob.UserId;
            oldKey = await bob.Client.GetPushKeyAsync();
            using var subscription = await SubscribeAsync(bob);
        }

        File.Delete(Path.Combine(data.Path, "push.key"));
        await using (var host = await StartHostAsync(dataDirectory: data.Path, logDirectory: logs.Path))
        {
            await using var alice = await host.SignUpAsync("alice_lostkey");
            var newKey = await alice.Client.GetPushKeyAsync();
            newKey.Should().NotBe(oldKey);
            LogFiles.Read(logs.Path).Should().Contain("push.key was missing, so a new Web Push key was made; the 1 push subscriptions of devices");

            await alice.Client.SendMessageAsync(Peer.User(bobId), "to nobody's browser");
            (await _push.NoneWithinAsync(Quiet)).Should().BeNull("the old subscription is gone");

            var bob = await host.SignInAnotherDeviceAsync("bob_lostkey");
            using var browser = await SubscribeAsync(bob);
            // Gone as the server sees it before the message: a push goes only to a device without a connection.
            await DisconnectAsync(host, bob);

            await alice.Client.SendMessageAsync(Peer.User(bobId), "to the new subscription");
            var request = await _push.NextAsync();
            VerifyVapid(request, newKey, _push.Origin);
            JsonDocument.Parse(browser.Decrypt(request.Body)).RootElement.GetProperty("body").GetString().Should().Be("to the new subscription");
        }
    }

    [Fact]
    public async Task BadSubscriptions_AreRefusedByName_AndAnotherUsersPushesGoOn()
    {
        await using var host = await StartHostAsync(privateNetworks: false);
        await using var alice = await host.SignUpAsync("alice_bad");
        await using var bob = await host.SignUpAsync("bob_bad");
        using var browser = _push.Subscribe();
        var https = "https://push.example.org/send/abc";

        // Endpoints: not https (http is for private networks only), not absolute, too long, with credentials.
        foreach (var endpoint in new[] { browser.Endpoint, "ftp://push.example.org/x", "/push/relative", "", "https://" + new string('a', 2050) + ".org/",
                     "https://user:secret@push.example.org/x", "https://push.example.org/x#fragment" })
        {
            await ChatTestKit.FailsWith(() => bob.Client.RegisterPushAsync(endpoint, browser.P256dh, browser.Auth), PushErrorNames.EndpointInvalid);
        }

        // Keys: not base64url, the wrong length, compressed, off the curve; the auth secret's length.
        var offCurve = browser.PublicKey.ToArray();
        offCurve[64] ^= 1;
        var compressed = new byte[] { 0x02 }.Concat(browser.PublicKey[1..33]).ToArray();
        foreach (var key in new[] { "not*base64", WebEncoders.Base64UrlEncode(browser.PublicKey[..64]), WebEncoders.Base64UrlEncode(compressed),
                     WebEncoders.Base64UrlEncode(offCurve), "" })
        {
            await ChatTestKit.FailsWith(() => bob.Client.RegisterPushAsync(https, key, browser.Auth), PushErrorNames.KeyInvalid);
        }

        await ChatTestKit.FailsWith(() => bob.Client.RegisterPushAsync(https, browser.P256dh, WebEncoders.Base64UrlEncode(new byte[15])), PushErrorNames.KeyInvalid);
        host.CountRows("update_push_subscriptions").Should().Be(0);

        // An https endpoint on this machine is taken, but the server never connects to it.
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        await bob.Client.RegisterPushAsync($"https://127.0.0.1:{port}/push/x", browser.P256dh, browser.Auth);
        using var localhost = _push.Subscribe();
        await bob.Client.RegisterPushAsync($"https://localhost:{port}/push/y", localhost.P256dh, localhost.Auth);
        await DisconnectAsync(host, bob);
        await alice.SendAsync(bob, "nobody should knock");
        var accepted = listener.AcceptTcpClientAsync();
        (await Task.WhenAny(accepted, Task.Delay(Quiet))).Should().NotBe(accepted, "a private address is never dialled");

        // Alice's chat with others goes on.
        await using var carol = await host.SignUpAsync("carol_bad");
        await alice.SendAsync(carol, "still working");
        await carol.NextAsync<MessageReceived>(m => m.Message.Text == "still working");
    }

    [Fact]
    public async Task WithPushOff_DevicesCannotSubscribe()
    {
        await using var host = await StartHostAsync(enabled: false);
        await using var bob = await host.SignUpAsync("bob_off");
        using var browser = _push.Subscribe();
        await ChatTestKit.FailsWith(() => bob.Client.GetPushKeyAsync(), PushErrorNames.Disabled);
        await ChatTestKit.FailsWith(() => bob.Client.RegisterPushAsync(browser.Endpoint, browser.P256dh, browser.Auth), PushErrorNames.Disabled);
        await bob.Client.UnregisterPushAsync();
        File.Exists(Path.Combine(host.DataDirectory, "push.key")).Should().BeFalse();
    }

    [Fact]
    public async Task UnregisteringStopsPushes_AndANewSubscriptionReplacesTheDevicesOld()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_unreg");
        var bob = await host.SignUpAsync("bob_unreg");
        using var old = await SubscribeAsync(bob);
        using var renewed = await SubscribeAsync(bob);
        host.CountRows("update_push_subscriptions").Should().Be(1);
        await DisconnectAsync(host, bob);

        await alice.SendAsync(bob, "to the new one");
        (await _push.NextAsync()).SubscriptionId.Should().Be(renewed.Id);

        bob = await host.ReconnectAsync(bob);
        await bob.Client.UnregisterPushAsync();
        await bob.Client.UnregisterPushAsync();
        await DisconnectAsync(host, bob);
        await alice.SendAsync(bob, "to nobody");
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();
        host.CountRows("update_push_subscriptions").Should().Be(0);
    }

    [Fact]
    public async Task ANewSignIn_IsPushedToTheAccountsOtherDevicesWithoutAConnection_NeverToTheNewDeviceItself()
    {
        await using var host = await StartHostAsync();
        var phone = await host.SignUpAsync("alice_alert");
        using var phoneBrowser = await SubscribeAsync(phone);
        await using var laptop = await host.SignInAnotherDeviceAsync("alice_alert");
        await phone.NextAsync<DeviceSignedIn>();
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull("a device with a connection hears of a sign-in live");
        using var laptopBrowser = await SubscribeAsync(laptop);
        await DisconnectAsync(host, phone);

        // A subscription of the new device's own key that outlived a sign-out the server did not finish (a crash
        // between the two): the news of its own sign-in is not for it.
        var tabletKeys = new InMemoryDeviceKeyStore();
        using var stale = _push.Subscribe();
        await host.Services.GetRequiredService<PushSubscriptions>().SetAsync(
            new PushTarget(phone.UserId, tabletKeys.GetOrCreate().PublicKey, stale.Endpoint, stale.P256dh, stale.Auth), CancellationToken.None);
        await using var tablet = await host.ConnectAsync(tabletKeys);
        var signedIn = await tablet.SignInAsync("alice_alert", SessionTestKit.Password, "Galaxy Tab", "android");
        var listed = (await tablet.GetAuthorizationsAsync()).Single(a => a.Current);

        var request = await _push.NextAsync();
        request.SubscriptionId.Should().Be(phoneBrowser.Id);
        request.Headers["Urgency"].Should().Be("high");
        request.Headers["Topic"].Should().Be(PushOutbox.OpaqueTopic(host.Services.GetRequiredService<VapidKeys>().TopicKey, 'a', signedIn.AuthorizationId, phone.UserId));
        Encoding.UTF8.GetString(request.Body).Should().NotContain("Galaxy Tab");
        using var payload = JsonDocument.Parse(phoneBrowser.Decrypt(request.Body));
        var root = payload.RootElement;
        root.GetProperty("type").GetString().Should().Be("new_authorization");
        root.GetProperty("authorization_id").GetInt64().Should().Be(signedIn.AuthorizationId);
        root.GetProperty("device_name").GetString().Should().Be("Galaxy Tab");
        root.GetProperty("platform").GetString().Should().Be("android");
        root.GetProperty("client_address").GetString().Should().Be(listed.ClientAddress).And.NotBeEmpty();
        root.GetProperty("title").GetString().Should().Be("New sign-in to your account");
        root.GetProperty("body").GetString().Should().Be($"Galaxy Tab (android) from {listed.ClientAddress}");
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull("the laptop is connected, and the tablet is the new device");

        // A failed sign-in tells nobody.
        await using var stranger = await host.ConnectAsync();
        await ChatTestKit.FailsWith(() => stranger.SignInAsync("alice_alert", "wrong password!", "Thief", "linux"), SessionErrorNames.CredentialsInvalid);
        (await _push.NoneWithinAsync(Quiet)).Should().BeNull();
    }

    /// <summary>RFC 8292 §2–3: <c>vapid t=JWT, k=key</c>, the JWT's ES256 signature by that key, for the endpoint's origin.</summary>
    private static void VerifyVapid(PushRequest request, string vapidKey, string origin)
    {
        var authorization = request.Headers["Authorization"];
        authorization.Should().StartWith("vapid ");
        var fields = authorization["vapid ".Length..].Split(',').Select(f => f.Trim().Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        fields["k"].Should().Be(vapidKey);
        var parts = fields["t"].Split('.');
        var point = WebEncoders.Base64UrlDecode(vapidKey);
        using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = point[1..33], Y = point[33..] } });
        key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), WebEncoders.Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256)
            .Should().BeTrue("the token is signed by the server's VAPID key");
        using var header = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[0]));
        header.RootElement.GetProperty("alg").GetString().Should().Be("ES256");
        using var claims = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[1]));
        claims.RootElement.GetProperty("aud").GetString().Should().Be(origin);
        claims.RootElement.GetProperty("sub").GetString().Should().Be("mailto:ops@example.org");
        var expires = DateTimeOffset.FromUnixTimeSeconds(claims.RootElement.GetProperty("exp").GetInt64());
        expires.Should().BeAfter(DateTimeOffset.UtcNow).And.BeBefore(DateTimeOffset.UtcNow.AddHours(24).AddMinutes(1));
    }

    /// <summary>Closes the device's connection and waits until the server has seen it go (a push goes only to devices
    /// without one).</summary>
    private static async Task DisconnectAsync(TestHost host, Device device)
    {
        await device.DisposeAsync();
        var online = host.Services.GetRequiredService<OnlineDevices>();
        var key = device.Keys.GetOrCreate().PublicKey;
        await SessionTestKit.WaitUntil(() => !online.IsOnline(device.UserId, key));
    }

    /// <summary>A new browser subscription on the local push service, registered for the device.</summary>
    private async Task<BrowserSubscription> SubscribeAsync(Device device)
    {
        var subscription = _push.Subscribe();
        await device.Client.RegisterPushAsync(subscription.Endpoint, subscription.P256dh, subscription.Auth);
        return subscription;
    }
}
