using MessagePack;
using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Tests.Media;
using Messenger.Tests.Session;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Groups;

/// <summary><c>messages.search</c>'s filters: sender, dates and kind, alone, together and with words.</summary>
public sealed class SearchFilterTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Search_FromId_InAGroupWithSeveralSenders_FindsThatSendersMessagesOnly(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sfrom");
        await using var bob = await host.MemberAsync("bob_sfrom");
        await using var carol = await host.MemberAsync("carol_sfrom");
        var group = Peer.Chat((await alice.Client.CreateGroupAsync("Lunch club", [bob.Id, carol.Id], large)).Chat.Id);
        await alice.Client.SendMessageAsync(group, "lunch at noon?");
        var bobLunch = (await bob.Client.SendMessageAsync(group, "lunch sounds good")).Message.Id;
        await carol.Client.SendMessageAsync(group, "no lunch for me");
        var bobLater = (await bob.Client.SendMessageAsync(group, "see you there")).Message.Id;
        var bobPrivate = (await bob.Client.SendMessageAsync(Peer.User(alice.Id), "lunch just us next week?")).Message.Id;
        await alice.Client.SendMessageAsync(Peer.User(bob.Id), "sure, lunch next week");

        (await carol.Client.SearchMessagesAsync("", group, fromId: bob.Id)).Select(m => m.Id).Should().Equal(bobLater, bobLunch);
        (await carol.Client.SearchMessagesAsync("lunch", group, fromId: bob.Id)).Select(m => m.Id).Should().Equal(bobLunch);
        (await carol.Client.SearchMessagesAsync("lunch", fromId: bob.Id)).Select(m => m.Id)
            .Should().Equal([bobLunch], "bob's private message to alice is not carol's to read");
        (await alice.Client.SearchMessagesAsync("lunch", fromId: bob.Id)).Select(m => m.Id).Should().Equal(bobPrivate, bobLunch);
        (await alice.Client.SearchMessagesAsync("", Peer.User(bob.Id), fromId: bob.Id)).Select(m => m.Id).Should().Equal(bobPrivate);
        (await alice.Client.SearchMessagesAsync("", fromId: bob.Id, limit: 2)).Select(m => m.Id).Should().Equal(bobPrivate, bobLater);
        (await alice.Client.SearchMessagesAsync("", fromId: bob.Id, offsetId: bobLater)).Select(m => m.Id).Should().Equal(bobLunch);
        (await carol.Client.SearchMessagesAsync("", group, fromId: carol.Id)).Select(m => m.Text).Should().Equal("no lunch for me");
        (await carol.Client.SearchMessagesAsync("", group, fromId: 987_654)).Should().BeEmpty("nobody has that id: nothing is from them");
        (await alice.Client.SearchMessagesAsync("", group, fromId: alice.Id)).Select(m => m.Text)
            .Should().Equal(["lunch at noon?"], "the group's creation is a service message, not something alice wrote");
    }

    [Fact]
    public async Task Search_DateBounds_KeepMessagesDatedWithinThem_BothIncluded()
    {
        var start = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        await using var host = await GroupTestKit.StartHostAsync(clock);
        await using var alice = await host.MemberAsync("alice_sdate");
        await using var bob = await host.MemberAsync("bob_sdate");
        var group = Peer.Chat((await alice.Client.CreateGroupAsync("Reports", [bob.Id])).Chat.Id);
        var monday = (await alice.Client.SendMessageAsync(group, "weekly report draft")).Message;
        clock.Advance(TimeSpan.FromDays(1));
        var tuesday = (await bob.Client.SendMessageAsync(group, "report comments")).Message;
        var tuesdayChat = (await bob.Client.SendMessageAsync(group, "coffee anyone?")).Message;
        clock.Advance(TimeSpan.FromDays(1));
        var wednesday = (await alice.Client.SendMessageAsync(group, "final report")).Message;
        var wednesdayPrivate = (await alice.Client.SendMessageAsync(Peer.User(bob.Id), "report sent")).Message;
        var day2 = start.AddDays(1).Date;

        tuesday.Date.Should().Be(start.AddDays(1).ToUnixTimeSeconds(), "the host's clock dates the messages");
        (await bob.Client.SearchMessagesAsync("report", minDate: new DateTimeOffset(day2, TimeSpan.Zero))).Select(m => m.Id)
            .Should().Equal(wednesdayPrivate.Id, wednesday.Id, tuesday.Id);
        (await bob.Client.SearchMessagesAsync("report", group, maxDate: new DateTimeOffset(day2.AddDays(1).AddSeconds(-1), TimeSpan.Zero)))
            .Select(m => m.Id).Should().Equal(tuesday.Id, monday.Id);
        (await bob.Client.SearchMessagesAsync("", group, minDate: new DateTimeOffset(day2, TimeSpan.Zero), maxDate: new DateTimeOffset(day2.AddDays(1).AddSeconds(-1), TimeSpan.Zero)))
            .Select(m => m.Id).Should().Equal(tuesdayChat.Id, tuesday.Id);
        var exactly = DateTimeOffset.FromUnixTimeSeconds(tuesday.Date);
        (await bob.Client.SearchMessagesAsync("report", minDate: exactly, maxDate: exactly)).Select(m => m.Id)
            .Should().Equal([tuesday.Id], "both bounds are inclusive");
        (await bob.Client.SearchMessagesAsync("", minDate: exactly.AddSeconds(1), maxDate: exactly.AddDays(1).AddSeconds(-1))).Should().BeEmpty();
        (await bob.Client.SearchMessagesAsync("", maxDate: start.AddSeconds(-1))).Should().BeEmpty("nothing was sent before");
        (await bob.Client.SearchMessagesAsync("", minDate: start.AddDays(30))).Should().BeEmpty("nothing was sent since");
        (await bob.Client.SearchMessagesAsync("", group, fromId: alice.Id, minDate: exactly)).Select(m => m.Id).Should().Equal(wednesday.Id);
        (await bob.Client.SearchMessagesAsync("", minDate: start, limit: 2, offsetId: wednesday.Id)).Select(m => m.Id).Should().Equal(tuesdayChat.Id, tuesday.Id);
    }

    [Fact]
    public async Task Search_ContentFilters_EachFindsItsKind_AloneAndWithWords()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_skind");
        await using var bob = await host.MemberAsync("bob_skind");
        var to = Peer.User(bob.Id);
        async Task<long> FileAsync(byte[] bytes, string name, string mime, string caption = "") =>
            (await alice.Client.SendMediaAsync(to, await alice.Client.UploadAsync(bytes, name, mime), caption)).Message.Id;

        var photo = await FileAsync(MediaTestKit.Png(20, 10, seed: 1), "beach.png", "image/png", "holiday beach");
        var plainPhoto = await FileAsync(MediaTestKit.Png(30, 10, seed: 2), "dog.png", "image/png");
        var video = await FileAsync(MediaTestKit.RandomBytes(3000, 3), "clip.mp4", "video/mp4", "holiday clip");
        var voice = await FileAsync(MediaTestKit.RandomBytes(2000, 4), "voice-1.ogg", "audio/ogg");
        var file = await FileAsync(MediaTestKit.RandomBytes(1000, 5), "holiday-budget.pdf", "application/pdf", "holiday budget");
        var link = (await alice.Client.SendMessageAsync(to, "holiday rentals at https://example.com/rentals")).Message.Id;
        var plain = (await alice.Client.SendMessageAsync(to, "holiday plans, no link")).Message.Id;
        var fromBob = (await bob.Client.SendMessageAsync(Peer.User(alice.Id), "http://example.org/bobs-link")).Message.Id;

        foreach (var (filter, expected) in new[]
                 {
                     (SearchFilters.Photos, new[] { plainPhoto, photo }),
                     (SearchFilters.Videos, new[] { video }),
                     (SearchFilters.Voice, new[] { voice }),
                     (SearchFilters.Documents, new[] { file }),
                     (SearchFilters.Links, new[] { fromBob, link }),
                 })
        {
            (await bob.Client.SearchMessagesAsync("", filter: filter)).Select(m => m.Id).Should().Equal(expected, filter);
            (await bob.Client.SearchMessagesAsync("", Peer.User(alice.Id), filter: filter)).Select(m => m.Id).Should().Equal(expected, filter);
        }

        (await bob.Client.SearchMessagesAsync("holiday", filter: SearchFilters.Photos)).Select(m => m.Id).Should().Equal(photo);
        (await bob.Client.SearchMessagesAsync("holiday", filter: SearchFilters.Links)).Select(m => m.Id).Should().Equal(link);
        (await bob.Client.SearchMessagesAsync("holiday", filter: SearchFilters.Documents)).Select(m => m.Id).Should().Equal(file);
        (await bob.Client.SearchMessagesAsync("holiday", filter: SearchFilters.Voice)).Should().BeEmpty("the voice note has no words");
        (await bob.Client.SearchMessagesAsync("holiday", filter: "")).Select(m => m.Id).Should().Equal(plain, link, file, video, photo);
        (await bob.Client.SearchMessagesAsync("", filter: SearchFilters.Links, fromId: bob.Id)).Select(m => m.Id).Should().Equal(fromBob);
        (await bob.Client.SearchMessagesAsync("", filter: SearchFilters.Photos, limit: 1)).Select(m => m.Id).Should().Equal(plainPhoto);
    }

    [Fact]
    public async Task Search_AKindAcrossSeveralChats_PagesNewestFirst_ThroughALongHistoryAfterIt()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sslice");
        await using var bob = await host.MemberAsync("bob_sslice");
        var group = Peer.Chat((await alice.Client.CreateGroupAsync("Links", [bob.Id])).Chat.Id);
        var direct = Peer.User(bob.Id);
        var links = new List<long>
        {
            (await alice.Client.SendMessageAsync(direct, "first https://example.com/1")).Message.Id,
            (await alice.Client.SendMessageAsync(group, "second https://example.com/2")).Message.Id,
        };
        for (var i = 0; i < 150; i++)
        {
            await alice.Client.SendMessageAsync(i % 2 == 0 ? direct : group, $"chatter {i}");
        }

        links.Add((await bob.Client.SendMessageAsync(group, "third https://example.com/3")).Message.Id);
        for (var i = 0; i < 20; i++)
        {
            await bob.Client.SendMessageAsync(Peer.User(alice.Id), $"more chatter {i}");
        }

        // A page of one reads the id window in slices from 64 ids up: the older links are several slices down.
        var paged = new List<long>();
        long offset = 0;
        while ((await bob.Client.SearchMessagesAsync("", filter: SearchFilters.Links, offsetId: offset, limit: 1)) is [var found])
        {
            paged.Add(found.Id);
            offset = found.Id;
        }

        paged.Should().Equal(links[2], links[1], links[0]);
        (await bob.Client.SearchMessagesAsync("", filter: SearchFilters.Links, limit: 2)).Select(m => m.Id).Should().Equal(links[2], links[1]);
        var all = await bob.Client.SearchMessagesAsync("", minDate: DateTimeOffset.UtcNow.AddDays(-1), limit: 100);
        all.Should().HaveCount(100);
        all.Select(m => m.Id).Should().BeInDescendingOrder();
        all.Select(m => m.Text).Should().Contain(["third https://example.com/3", "more chatter 19", "chatter 149"]);
    }

    [Fact]
    public async Task Search_BadFilters_AreRefusedByName()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sbad");
        await using var bob = await host.MemberAsync("bob_sbad");
        await alice.Client.SendMessageAsync(Peer.User(bob.Id), "hello there");

        Task Search(string query = "hello", long fromId = 0, long minDate = 0, long maxDate = 0, string? filter = null, int limit = 20, long offsetId = 0) =>
            alice.Client.CallAsync(new SearchMessagesCall(null, query, offsetId, limit, fromId, minDate, maxDate, filter));

        foreach (var filter in new[] { "gifs", "PHOTOS", "photo", "audio", " " })
        {
            await SessionTestKit.FailsWith(() => Search(filter: filter), GroupErrorNames.SearchFilterInvalid);
        }

        await SessionTestKit.FailsWith(() => Search(minDate: 200, maxDate: 100), GroupErrorNames.DateRangeInvalid);
        await SessionTestKit.FailsWith(() => Search(minDate: -1), GroupErrorNames.DateRangeInvalid);
        await SessionTestKit.FailsWith(() => Search(maxDate: -5), GroupErrorNames.DateRangeInvalid);
        await SessionTestKit.FailsWith(() => Search(fromId: -3), MessageErrorNames.UserIdInvalid);
        await SessionTestKit.FailsWith(() => Search(limit: 1_000_000), MessageErrorNames.LimitInvalid);
        await SessionTestKit.FailsWith(() => Search(limit: 0), MessageErrorNames.LimitInvalid);
        await SessionTestKit.FailsWith(() => Search(offsetId: -1), MessageErrorNames.OffsetInvalid);
        await SessionTestKit.FailsWith(() => Search(query: ""), GroupErrorNames.SearchQueryEmpty);
        await SessionTestKit.FailsWith(() => Search(query: " ?! ", filter: ""), GroupErrorNames.SearchQueryEmpty);
        await SessionTestKit.FailsWith(() => alice.Client.SearchMessagesAsync("", Peer.Chat(424_242), filter: SearchFilters.Links), GroupErrorNames.ChatNotFound);
        await Search(minDate: 100, maxDate: 100);
        (await alice.Client.SearchMessagesAsync("", maxDate: DateTimeOffset.UtcNow.AddDays(1))).Select(m => m.Text)
            .Should().Equal(["hello there"], "a date bound alone is a filter");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Search_WithFilters_NeverFindsOtherPeoplesChats_NorWhatTheCallerDeleted(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sauth");
        await using var bob = await host.MemberAsync("bob_sauth");
        await using var eve = await host.MemberAsync("eve_sauth");
        var chatId = (await alice.Client.CreateGroupAsync("Private plans", [bob.Id], large)).Chat.Id;
        var group = Peer.Chat(chatId);
        var photo = (await alice.Client.SendMediaAsync(group, await alice.Client.UploadAsync(MediaTestKit.Png(8, 8, seed: 7), "plan.png", "image/png"), "the plan")).Message.Id;
        var link = (await alice.Client.SendMessageAsync(group, "the plan is at https://example.com/plan")).Message.Id;
        var secret = (await alice.Client.SendMessageAsync(group, "the secret plan")).Message.Id;
        await eve.Client.SendMessageAsync(Peer.User(alice.Id), "hi alice");

        (await eve.Client.SearchMessagesAsync("", fromId: alice.Id)).Should().BeEmpty("eve has no chat with alice's messages");
        (await eve.Client.SearchMessagesAsync("", filter: SearchFilters.Photos)).Should().BeEmpty();
        (await eve.Client.SearchMessagesAsync("", filter: SearchFilters.Links)).Should().BeEmpty();
        (await eve.Client.SearchMessagesAsync("", minDate: DateTimeOffset.UtcNow.AddDays(-1))).Select(m => m.Text).Should().Equal("hi alice");
        (await eve.Client.SearchMessagesAsync("plan", fromId: alice.Id)).Should().BeEmpty();
        await SessionTestKit.FailsWith(() => eve.Client.SearchMessagesAsync("", group, fromId: alice.Id), GroupErrorNames.ChatNotFound);

        await bob.Client.DeleteMessagesAsync(group, [photo, secret], revoke: false);
        await alice.Client.DeleteMessagesAsync(group, [link], revoke: true);
        (await bob.Client.SearchMessagesAsync("", group, fromId: alice.Id)).Should().BeEmpty("bob deleted two for himself; the link was deleted for everyone");
        (await bob.Client.SearchMessagesAsync("", filter: SearchFilters.Photos)).Should().BeEmpty();
        (await bob.Client.SearchMessagesAsync("plan", fromId: alice.Id)).Should().BeEmpty();
        (await bob.Client.SearchMessagesAsync("", filter: SearchFilters.Links)).Should().BeEmpty();
        (await alice.Client.SearchMessagesAsync("", group, fromId: alice.Id)).Select(m => m.Id).Should().Equal(secret, photo);
        (await alice.Client.SearchMessagesAsync("plan", group, filter: SearchFilters.Photos)).Select(m => m.Id).Should().Equal(photo);

        await bob.Client.LeaveGroupAsync(chatId);
        (await alice.Client.SendMessageAsync(group, "after bob left")).Message.Id.Should().BePositive();
        (await bob.Client.SearchMessagesAsync("", fromId: alice.Id)).Select(m => m.Text).Should().NotContain("after bob left");
    }

    [Fact]
    public async Task Search_ACallWithoutTheNewKeys_IsAnsweredAsBefore()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sold");
        await using var bob = await host.MemberAsync("bob_sold");
        var sent = (await alice.Client.SendMessageAsync(Peer.User(bob.Id), "an older client asks")).Message.Id;
        var bytes = MessagePackSerializer.Serialize(
            new Dictionary<string, object?> { ["peer"] = null, ["query"] = "older", ["offset_id"] = 0, ["limit"] = 20 }, WireSerializer.Options);

        var answer = MessagePackSerializer.Deserialize<MessageList>(await bob.Client.SendCallAsync("messages.search", bytes), WireSerializer.Options);

        answer.Messages.Select(m => m.Id).Should().Equal(sent);
    }
}
