using System.Net;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Rpc;
using Messenger.Protocol;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Protocol;

/// <summary>The per-user write limit (<c>Messenger:Protocol:WritesPerSecond</c>, <c>WriteBurst</c>): every method that
/// changes state declares <see cref="RpcCost.Write"/> where it is registered and the dispatcher takes it from the
/// caller's bucket. The host's clock stands still unless a test advances it, so nothing refills behind a test's back.</summary>
public sealed class WriteLimitTests
{
    [Fact]
    public async Task SaveDraft_PastTheBurst_AnswersFloodWait_WritesNothing_OtherUsersUndisturbed_AndPassesOnceRefilled()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        await using var alice = await host.SignUpAsync("alice_wl", startEvents: false);
        await using var bob = await host.SignUpAsync("bob_wl", startEvents: false);
        var before = (await alice.Client.GetStateAsync()).Pts;

        // The default burst: 300 drafts at once pass, each an entry of alice's log.
        for (var i = 0; i < 300; i += 50)
        {
            await Task.WhenAll(Enumerable.Range(i, 50).Select(n => alice.Client.CallAsync(new SaveDraftCall(bob.Peer, $"draft {n}"))));
        }

        var refused = await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SaveDraftCall(bob.Peer, "one too many")), "FLOOD_WAIT", 420);
        refused.RetryAfterSeconds.Should().Be(1, "one call refills in a thirtieth of a second");
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new ToggleDialogPinCall(bob.Peer, true)), "FLOOD_WAIT", 420);
        (await alice.Client.GetStateAsync()).Pts.Should().Be(before + 300, "a refused call writes nothing");

        // Reads are free, and bob has a bucket of his own.
        (await alice.Client.GetDialogsAsync()).Should().NotBeNull();
        await bob.Client.CallAsync(new SaveDraftCall(alice.Peer, "hello"));

        clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 30; i++)
        {
            await alice.Client.CallAsync(new SaveDraftCall(bob.Peer, $"later {i}"));
        }

        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SaveDraftCall(bob.Peer, "again too many")), "FLOOD_WAIT", 420);
    }

    [Fact]
    public async Task OrdinaryUse_AFewHundredMixedCalls_NeverHitTheLimit()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_ordinary", startEvents: false);
        await using var bob = await host.SignUpAsync("bob_ordinary", startEvents: false);
        await alice.Client.AddContactAsync(bob.UserId, "Bob");
        for (var round = 0; round < 40; round++)
        {
            var sent = await alice.SendAsync(bob, $"message {round}");
            await bob.Client.ReadHistoryAsync(alice.Peer, sent.Message.Id);
            await alice.Client.CallAsync(new SaveDraftCall(bob.Peer, $"typing {round}"));
            await alice.Client.GetDialogsAsync();
            await alice.Client.CallAsync(new GetHistoryCall(bob.Peer));
            await bob.Client.GetDialogsAsync();
            await bob.Client.CallAsync(new GetHistoryCall(alice.Peer));
            await alice.Client.CallAsync(new GetStateCall());
            await alice.Client.CallAsync(new ToggleDialogPinCall(bob.Peer, round % 2 == 0));
            await alice.Client.CallAsync(new UpdateNotifySettingsCall(bob.Peer, round % 2 == 0 ? NotifySettings.MuteForever : 0));
        }
    }

    [Fact]
    public async Task EveryMethod_DeclaresItsCost_ReadsAreFree_AndOnlyMethodsWithALimiterOfTheirOwnAreNotCounted()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        var registry = host.Services.GetRequiredService<RpcMethodRegistry>();
        var methods = registry.Names.Select(n => registry.TryGet(n, out var m) ? m : throw new InvalidOperationException(n)).ToList();
        methods.Should().HaveCountGreaterThan(100);
        methods.Should().OnlyContain(m => Enum.IsDefined(m.Cost));

        // A method named as a read (get/search/check/list) reads; a post that merely asks a bot is counted as a post.
        string[] readVerbs = ["get", "search", "check", "list", "ping"];
        methods.Where(m => readVerbs.Any(v => m.Name[(m.Name.IndexOf('.') + 1)..].StartsWith(v, StringComparison.Ordinal)) && m.Name != "messages.getBotCallbackAnswer")
            .Should().OnlyContain(m => m.Cost == RpcCost.Read);

        // The finding's calls: each counts.
        foreach (var name in new[]
        {
            "messages.saveDraft", "contacts.addContact", "contacts.deleteContacts", "messages.updateDialogFilter", "messages.updateNotifySettings",
            "messages.toggleDialogPin", "messages.toggleDialogArchive", "messages.markDialogUnread", "account.updateProfile", "users.block", "users.unblock",
        })
        {
            registry.TryGet(name, out var method).Should().BeTrue(name);
            method.Cost.Should().Be(RpcCost.Write, name);
        }

        // Not counted again: only the methods whose handlers take a limiter of their own (posts, sign-in, upload parts).
        methods.Where(m => m.Cost == RpcCost.OwnLimit).Select(m => m.Name).Should().BeEquivalentTo(
            "upload.saveFilePart", "messages.send", "messages.getBotCallbackAnswer", "messages.editReplyMarkup", "messages.report",
            "phone.requestCall", "messages.edit", "messages.editLiveLocation", "messages.pin", "messages.unpinAll",
            "messages.sendReaction", "messages.sendPoll", "messages.sendVote", "messages.setHistoryTTL", "groups.editTitle",
            "groups.editPhoto", "groups.editAbout", "groups.toggleForum", "messages.createTopic", "messages.editTopic",
            "messages.updatePinnedTopic", "messages.forward", "secret.requestChat", "secret.sendEncrypted", "auth.register",
            "auth.signIn", "auth.exportLoginToken");
    }

    [Fact]
    public async Task BotHttpApi_TakesFromTheBotsBucketToo_AnswersFloodWaitAs429()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Protocol:WriteBurst"] = "3" }, clock);
        using var http = host.CreateHttpClient();
        await using var alice = await host.SignUpAsync("alice_botwl", startEvents: false);
        var bot = await alice.Client.CreateBotAsync("limited_bot", "Limited");
        await alice.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "/start");

        for (var i = 0; i < 3; i++)
        {
            await http.CallAsync(bot.Token, "sendChatAction", new { chat_id = alice.UserId });
        }

        await http.FailsAsync(bot.Token, "sendChatAction", new { chat_id = alice.UserId }, HttpStatusCode.TooManyRequests, "FLOOD_WAIT");
        (await http.CallAsync(bot.Token, "getMe")).GetProperty("ok").GetBoolean().Should().BeTrue("reads are free");
        await alice.Client.CallAsync(new SaveDraftCall(Peer.User(bot.Bot.Id), "the bot's owner has a bucket of her own"));
    }

    [Theory]
    [InlineData(-1, 300, false)]
    [InlineData(0, 300, true)]
    [InlineData(30, 0, false)]
    [InlineData(30, 1, true)]
    public void WriteLimitOptions_AreValidated(int perSecond, int burst, bool valid) =>
        new ProtocolOptionsValidator().Validate(null, new ProtocolOptions { WritesPerSecond = perSecond, WriteBurst = burst }).Succeeded.Should().Be(valid);
}
