using Microsoft.Extensions.DependencyInjection;
using Messenger.Message.Storage;
using Messenger.Kernel.Storage;
using System.Reflection;
using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>Location messages (<c>geo</c> of <c>messages.send</c>): a point, or a live location its author moves
/// (<c>messages.editLiveLocation</c>) until its period ends or they stop it; carried by every read of a message.</summary>
public sealed class LocationTests : IAsyncLifetime
{
    private static readonly InputGeo Berlin = new(52.520008, 13.404954, AccuracyRadius: 25);

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await Groups.GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(nameof(MessageStore.LocationsFromSql))]
    [InlineData(nameof(MessageStore.PrivateChatsWithLocationsSql))]
    public void EndingLiveLocations_ReadsTheSharedMediaIndex_NotEverythingTheUserPosted(string statement)
    {
        var sql = (string)typeof(MessageStore).GetField(statement, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        using var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "@chat", "@geo", "@user", "@kind" })
        {
            explain.Parameters.AddWithValue(name, 1L);
        }

        using var reader = explain.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        plan.Should().Contain(step => step.StartsWith("SEARCH m ") && step.EndsWith("USING INDEX IX_message_messages_chat_id_shared_kind_id (chat_id=? AND shared_kind=?)"));
        plan.Should().NotContain(step => step.StartsWith("SCAN"));
    }

    [Fact]
    public async Task SendLocation_PointAndLive_ReachThePeerLive_AndByDifferenceHistoryDialogsSharedMediaAndSearch()
    {
        await using var alice = await _host.SignUpAsync("alice_geo");
        await using var bob = await _host.SignUpAsync("bob_geo");
        await alice.SendAsync(bob, "where are you?");
        await bob.NextAsync<MessageReceived>(m => m.Message.Text == "where are you?");
        var bobPts = (await bob.Client.GetStateAsync()).Pts;

        var point = await alice.Client.SendLocationAsync(bob.Peer, Berlin);
        var live = await alice.Client.SendLocationAsync(bob.Peer, new InputGeo(48.8566, 2.3522, 10, LivePeriod: 900, Heading: 90));

        point.Message.Text.Should().BeEmpty();
        point.Message.Geo.Should().Be(new MessageGeo(Berlin.Lat, Berlin.Long, 25));
        live.Message.Geo!.LiveUntil.Should().Be(live.Message.Date + 900);
        live.Message.Geo.Should().BeEquivalentTo(new { Lat = 48.8566, Long = 2.3522, AccuracyRadius = 10, LivePeriod = 900, Heading = 90, MoveDate = (long?)null });
        (await bob.NextAsync<MessageReceived>(m => m.Message.Id == point.Message.Id)).Message.Geo.Should().Be(point.Message.Geo, "the live push carries it");
        (await bob.NextAsync<MessageReceived>(m => m.Message.Id == live.Message.Id)).Message.Geo.Should().Be(live.Message.Geo);
        (await bob.Client.GetDifferenceAsync(bobPts)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Select(u => u.Message.Geo)
            .Should().Equal(point.Message.Geo, live.Message.Geo);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Take(2).Select(m => m.Geo).Should().Equal(live.Message.Geo, point.Message.Geo);
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == alice.Peer).TopMessage!.Geo.Should().Be(live.Message.Geo);
        (await bob.Client.GetSharedMediaAsync(alice.Peer, SharedMedia.Geo)).Messages.Select(m => m.Id).Should().Equal(live.Message.Id, point.Message.Id);
        (await bob.Client.GetSharedMediaAsync(alice.Peer, SharedMedia.Link)).Messages.Should().BeEmpty();
        (await bob.Client.SearchMessagesAsync("", alice.Peer, filter: SearchFilters.Geo)).Select(m => m.Id).Should().Equal(live.Message.Id, point.Message.Id);
    }

    [Fact]
    public async Task SendLocation_WhenTheGeoIsInvalid_FailsWithItsNamedError_AndStoresNothing()
    {
        await using var alice = await _host.SignUpAsync("alice_badgeo");
        await using var bob = await _host.SignUpAsync("bob_badgeo");
        await alice.SendAsync(bob, "hello");

        Task Send(InputGeo geo) => alice.Client.SendLocationAsync(bob.Peer, geo);

        await ChatTestKit.FailsWith(() => Send(new InputGeo(double.NaN, 13)), GeoErrorNames.GeoPointInvalid);
        await ChatTestKit.FailsWith(() => Send(new InputGeo(52, double.NaN)), GeoErrorNames.GeoPointInvalid);
        await ChatTestKit.FailsWith(() => Send(new InputGeo(double.PositiveInfinity, 13)), GeoErrorNames.GeoPointInvalid);
        await ChatTestKit.FailsWith(() => Send(new InputGeo(90.0001, 13)), GeoErrorNames.GeoPointInvalid);
        await ChatTestKit.FailsWith(() => Send(new InputGeo(-91, 13)), GeoErrorNames.GeoPointInvalid);
        await ChatTestKit.FailsWith(() => Send(new InputGeo(52, 180.5)), GeoErrorNames.GeoPointInvalid);
        await ChatTestKit.FailsWith(() => Send(new InputGeo(52, -181)), GeoErrorNames.GeoPointInvalid);
        await ChatTestKit.FailsWith(() => Send(Berlin with { AccuracyRadius = -1 }), GeoErrorNames.GeoAccuracyInvalid);
        await ChatTestKit.FailsWith(() => Send(Berlin with { AccuracyRadius = 1501 }), GeoErrorNames.GeoAccuracyInvalid);
        await ChatTestKit.FailsWith(() => Send(Berlin with { LivePeriod = 59 }), GeoErrorNames.GeoLivePeriodInvalid);
        await ChatTestKit.FailsWith(() => Send(Berlin with { LivePeriod = 86401 }), GeoErrorNames.GeoLivePeriodInvalid);
        await ChatTestKit.FailsWith(() => Send(Berlin with { LivePeriod = 0 }), GeoErrorNames.GeoLivePeriodInvalid);
        await ChatTestKit.FailsWith(() => Send(Berlin with { LivePeriod = -60 }), GeoErrorNames.GeoLivePeriodInvalid);
        await ChatTestKit.FailsWith(() => Send(Berlin with { LivePeriod = 900, Heading = 0 }), GeoErrorNames.GeoHeadingInvalid);
        await ChatTestKit.FailsWith(() => Send(Berlin with { LivePeriod = 900, Heading = 361 }), GeoErrorNames.GeoHeadingInvalid);
        await ChatTestKit.FailsWith(() => Send(Berlin with { Heading = 90 }), GeoErrorNames.GeoHeadingInvalid);
        await ChatTestKit.FailsWith(
            () => alice.Client.CallAsync(new SendMessageCall(bob.Peer, 77, "a caption", Geo: Berlin)), GeoErrorNames.GeoAloneRequired);
        await ChatTestKit.FailsWith(
            () => alice.Client.CallAsync(new SendMessageCall(bob.Peer, 78, "", Media: new InputMedia(1, 1, "a.png", "image/png"), Geo: Berlin)),
            GeoErrorNames.GeoAloneRequired);

        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle().Which.Text.Should().Be("hello");
        await alice.Client.SendLocationAsync(bob.Peer, new InputGeo(-90, 180, 0, GeoLimits.LiveUntilStopped, 360));
        await alice.Client.SendLocationAsync(bob.Peer, new InputGeo(90, -180, 1500, 60, 1));
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().HaveCount(3, "the ends of each range are in it");
    }

    [Fact]
    public async Task SendLocation_AsAReply_CarriesTheReply_AndAReplyToAMessageNotSeenFails()
    {
        await using var alice = await _host.SignUpAsync("alice_replygeo");
        await using var bob = await _host.SignUpAsync("bob_replygeo");
        var question = await bob.SendAsync(alice, "where are you?");

        var answer = await alice.Client.SendLocationAsync(bob.Peer, Berlin, replyToId: question.Message.Id);

        answer.Message.ReplyToId.Should().Be(question.Message.Id);
        (await bob.Client.GetHistoryAsync(alice.Peer)).First().Should().Match<Messenger.Contracts.Messages.Message>(m => m.ReplyToId == question.Message.Id && m.Geo != null);
        await ChatTestKit.FailsWith(() => alice.Client.SendLocationAsync(bob.Peer, Berlin, replyToId: 999_999), MessageErrorNames.ReplyToInvalid);
    }

    [Fact]
    public async Task SendLocation_WhenResentWithTheSameRandomId_ReturnsTheFirstMessage()
    {
        await using var alice = await _host.SignUpAsync("alice_geoagain");
        await using var bob = await _host.SignUpAsync("bob_geoagain");

        var first = await alice.Client.SendLocationAsync(bob.Peer, Berlin with { LivePeriod = 3600 }, randomId: 4242);
        var again = await alice.Client.SendLocationAsync(bob.Peer, Berlin with { LivePeriod = 3600 }, randomId: 4242);

        again.Message.Should().Be(first.Message);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle().Which.Geo.Should().Be(first.Message.Geo);
    }

    [Fact]
    public async Task EditLiveLocation_MovesIt_ThePeerSeesItMovedWithoutAnEditDate_ThenStop_EndsIt()
    {
        await using var alice = await _host.SignUpAsync("alice_live");
        await using var bob = await _host.SignUpAsync("bob_live");
        var live = await alice.Client.SendLocationAsync(bob.Peer, Berlin with { LivePeriod = GeoLimits.LiveUntilStopped });
        await bob.NextAsync<MessageReceived>(m => m.Message.Id == live.Message.Id);
        live.Message.Geo!.LiveUntil.Should().BeNull("shared until stopped");

        var moved = await alice.Client.EditLiveLocationAsync(bob.Peer, live.Message.Id, new InputGeo(52.53, 13.41, 5, Heading: 180));

        moved.Message.Geo.Should().BeEquivalentTo(new { Lat = 52.53, Long = 13.41, AccuracyRadius = 5, Heading = 180, LivePeriod = GeoLimits.LiveUntilStopped });
        moved.Message.Geo!.MoveDate.Should().NotBeNull();
        moved.Message.EditDate.Should().BeNull("moving is not editing");
        var seen = await bob.NextAsync<MessageEdited>(m => m.Message.Id == live.Message.Id);
        seen.Message.Geo.Should().Be(moved.Message.Geo);
        seen.Message.EditDate.Should().BeNull();
        await ChatTestKit.FailsWith(
            () => alice.Client.EditLiveLocationAsync(bob.Peer, live.Message.Id, new InputGeo(52.53, 13.41, 5, Heading: 180)), MessageErrorNames.MessageNotModified);

        var stopped = await alice.Client.StopLiveLocationAsync(bob.Peer, live.Message.Id);

        stopped.Message.Geo!.LiveUntil.Should().NotBeNull();
        stopped.Message.Geo.Should().BeEquivalentTo(new { Lat = 52.53, Long = 13.41 }, "it ends where it was");
        (await bob.NextAsync<MessageEdited>(m => m.Message.Id == live.Message.Id && m.Message.Geo!.LiveUntil is not null)).Message.Geo.Should().Be(stopped.Message.Geo);
        await ChatTestKit.FailsWith(
            () => alice.Client.EditLiveLocationAsync(bob.Peer, live.Message.Id, new InputGeo(52.6, 13.5)), GeoErrorNames.MessageEditTimeExpired);
        await ChatTestKit.FailsWith(() => alice.Client.StopLiveLocationAsync(bob.Peer, live.Message.Id), GeoErrorNames.MessageEditTimeExpired);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Single().Geo.Should().Be(stopped.Message.Geo);
    }

    [Fact]
    public async Task EditLiveLocation_WhenNotTheAuthorsLiveLocation_OrBadInput_FailsWithItsNamedError_AndChangesNothing()
    {
        await using var alice = await _host.SignUpAsync("alice_notlive");
        await using var bob = await _host.SignUpAsync("bob_notlive");
        var live = await alice.Client.SendLocationAsync(bob.Peer, Berlin with { LivePeriod = 900 });
        var point = await alice.Client.SendLocationAsync(bob.Peer, Berlin);
        var text = await alice.SendAsync(bob, "just text");
        var id = live.Message.Id;

        await ChatTestKit.FailsWith(() => bob.Client.EditLiveLocationAsync(alice.Peer, id, new InputGeo(1, 1)), MessageErrorNames.MessageAuthorRequired, 403);
        await ChatTestKit.FailsWith(() => bob.Client.StopLiveLocationAsync(alice.Peer, id), MessageErrorNames.MessageAuthorRequired, 403);
        await ChatTestKit.FailsWith(() => alice.Client.EditLiveLocationAsync(bob.Peer, point.Message.Id, new InputGeo(1, 1)), GeoErrorNames.GeoNotLive);
        await ChatTestKit.FailsWith(() => alice.Client.StopLiveLocationAsync(bob.Peer, text.Message.Id), GeoErrorNames.GeoNotLive);
        await ChatTestKit.FailsWith(() => alice.Client.EditLiveLocationAsync(bob.Peer, 999_999, new InputGeo(1, 1)), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.EditLiveLocationAsync(bob.Peer, id, new InputGeo(91, 1)), GeoErrorNames.GeoPointInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.EditLiveLocationAsync(bob.Peer, id, new InputGeo(1, double.NaN)), GeoErrorNames.GeoPointInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.EditLiveLocationAsync(bob.Peer, id, new InputGeo(1, 1, Heading: 361)), GeoErrorNames.GeoHeadingInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.EditLiveLocationAsync(bob.Peer, id, new InputGeo(1, 1, 2000)), GeoErrorNames.GeoAccuracyInvalid);
        await ChatTestKit.FailsWith(
            () => alice.Client.EditLiveLocationAsync(bob.Peer, id, new InputGeo(1, 1, LivePeriod: 3600)), GeoErrorNames.GeoLivePeriodInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new EditLiveLocationCall(bob.Peer, id)), GeoErrorNames.GeoPointInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.EditMessageAsync(bob.Peer, point.Message.Id, "a caption"), GeoErrorNames.GeoAloneRequired);

        (await bob.Client.GetHistoryAsync(alice.Peer)).Single(m => m.Id == id).Geo.Should().Be(live.Message.Geo);
        (await alice.Client.EditLiveLocationAsync(bob.Peer, id, new InputGeo(1, 1, Heading: 360))).Message.Geo!.Heading
            .Should().Be(360, "a heading needs no live_period beside it when moving a live location");
    }

    [Fact]
    public async Task EditLiveLocation_WhenItsPeriodIsOver_FailsWithEditTimeExpired()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await Groups.GroupTestKit.StartHostAsync(clock);
        await using var alice = await host.SignUpAsync("alice_expiry");
        await using var bob = await host.SignUpAsync("bob_expiry");
        var live = await alice.Client.SendLocationAsync(bob.Peer, Berlin with { LivePeriod = 60 });

        clock.Advance(TimeSpan.FromSeconds(59));
        await alice.Client.EditLiveLocationAsync(bob.Peer, live.Message.Id, new InputGeo(52.6, 13.5));
        clock.Advance(TimeSpan.FromSeconds(1));

        await ChatTestKit.FailsWith(
            () => alice.Client.EditLiveLocationAsync(bob.Peer, live.Message.Id, new InputGeo(52.7, 13.6)), GeoErrorNames.MessageEditTimeExpired);
        await ChatTestKit.FailsWith(() => alice.Client.StopLiveLocationAsync(bob.Peer, live.Message.Id), GeoErrorNames.MessageEditTimeExpired);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Single().Geo.Should().BeEquivalentTo(new { Lat = 52.6, Long = 13.5, LiveUntil = live.Message.Date + 60 });
    }

    [Fact]
    public async Task Forward_OfALiveLocation_IsThePointAlone_AndDoesNotMoveWithIt()
    {
        await using var alice = await _host.SignUpAsync("alice_fwdgeo");
        await using var bob = await _host.SignUpAsync("bob_fwdgeo");
        await using var carol = await _host.SignUpAsync("carol_fwdgeo");
        var live = await alice.Client.SendLocationAsync(bob.Peer, Berlin with { LivePeriod = 900, Heading = 45 });
        await alice.Client.EditLiveLocationAsync(bob.Peer, live.Message.Id, Berlin with { Lat = 52.6, Heading = 50 });

        var forwarded = await bob.Client.ForwardMessagesAsync(alice.Peer, [live.Message.Id], carol.Peer);

        var copy = forwarded.Messages.Single();
        copy.Geo.Should().Be(new MessageGeo(52.6, Berlin.Long, 25), "the point where it stood, neither live nor heading anywhere");
        copy.FwdFromId.Should().Be(alice.UserId);
        await ChatTestKit.FailsWith(() => bob.Client.EditLiveLocationAsync(carol.Peer, copy.Id, new InputGeo(1, 1)), GeoErrorNames.GeoNotLive);
        await alice.Client.EditLiveLocationAsync(bob.Peer, live.Message.Id, Berlin with { Lat = 52.7 });
        (await carol.Client.GetHistoryAsync(bob.Peer)).Single().Geo.Should().Be(copy.Geo);
    }

    [Fact]
    public async Task LeaveGroup_WhileSharingUntilStopped_EndsTheLiveLocation_ForThePeersLiveAndInHistory()
    {
        await using var alice = await _host.SignUpAsync("alice_leavegeo");
        await using var bob = await _host.SignUpAsync("bob_leavegeo");
        await using var carol = await _host.SignUpAsync("carol_leavegeo");
        var team = (await alice.Client.CreateGroupAsync("team", [bob.UserId, carol.UserId])).Chat.Id;
        var live = await bob.Client.SendLocationAsync(Peer.Chat(team), Berlin with { LivePeriod = GeoLimits.LiveUntilStopped });
        var other = await carol.Client.SendLocationAsync(Peer.Chat(team), Berlin with { LivePeriod = GeoLimits.LiveUntilStopped });
        await alice.NextAsync<MessageReceived>(m => m.Message.Id == other.Message.Id);

        await bob.Client.LeaveGroupAsync(team);

        var ended = await alice.NextAsync<MessageEdited>(m => m.Message.Id == live.Message.Id);
        ended.Message.Geo!.LiveUntil.Should().NotBeNull("its author can no longer stop it");
        ended.Message.Geo.Should().BeEquivalentTo(new { Berlin.Lat, Berlin.Long, LivePeriod = GeoLimits.LiveUntilStopped }, "it ends where it was");
        (await bob.NextAsync<MessageEdited>(m => m.Message.Id == live.Message.Id)).Message.Geo.Should().Be(ended.Message.Geo, "the leaver's devices learn it too");
        var history = await alice.Client.GetHistoryAsync(Peer.Chat(team));
        history.Single(m => m.Id == live.Message.Id).Geo.Should().Be(ended.Message.Geo);
        history.Single(m => m.Id == other.Message.Id).Geo!.LiveUntil.Should().BeNull("only the leaver's live locations end");
        await ChatTestKit.FailsWith(() => carol.Client.StopLiveLocationAsync(Peer.Chat(team), live.Message.Id), MessageErrorNames.MessageAuthorRequired, 403);
    }

    [Fact]
    public async Task RemoveMember_FromALargeGroup_EndsTheirLiveLocation_ButNotAnEndedOneAgain()
    {
        await using var alice = await _host.SignUpAsync("alice_kickgeo");
        await using var bob = await _host.SignUpAsync("bob_kickgeo");
        await using var carol = await _host.SignUpAsync("carol_kickgeo");
        var team = (await alice.Client.CreateGroupAsync("big team", [bob.UserId, carol.UserId], large: true)).Chat.Id;
        var stopped = await carol.Client.SendLocationAsync(Peer.Chat(team), Berlin with { LivePeriod = 900 });
        stopped = await carol.Client.StopLiveLocationAsync(Peer.Chat(team), stopped.Message.Id);
        var live = await carol.Client.SendLocationAsync(Peer.Chat(team), Berlin with { LivePeriod = 3600 });
        await bob.NextAsync<MessageReceived>(m => m.Message.Id == live.Message.Id);

        await alice.Client.RemoveMemberAsync(team, carol.UserId);

        var ended = await bob.NextAsync<MessageEdited>(m => m.Message.Id == live.Message.Id);
        ended.Message.Geo!.LiveUntil.Should().BeLessThan(live.Message.Geo!.LiveUntil!.Value);
        var history = await bob.Client.GetHistoryAsync(Peer.Chat(team));
        history.Single(m => m.Id == live.Message.Id).Geo.Should().Be(ended.Message.Geo);
        history.Single(m => m.Id == stopped.Message.Id).Geo.Should().Be(stopped.Message.Geo, "one stopped already keeps its end");
    }

    [Fact]
    public async Task DeleteAccount_EndsItsLiveLocations_InPrivateChatsAndGroups()
    {
        await using var alice = await _host.SignUpAsync("alice_gonegeo");
        await using var bob = await _host.SignUpAsync("bob_gonegeo");
        var team = (await alice.Client.CreateGroupAsync("team", [bob.UserId])).Chat.Id;
        var inPrivate = await bob.Client.SendLocationAsync(alice.Peer, Berlin with { LivePeriod = GeoLimits.LiveUntilStopped });
        var inGroup = await bob.Client.SendLocationAsync(Peer.Chat(team), Berlin with { LivePeriod = 3600 });
        await alice.NextAsync<MessageReceived>(m => m.Message.Id == inGroup.Message.Id);

        await bob.Client.DeleteAccountAsync(Session.SessionTestKit.Password);

        (await alice.NextAsync<MessageEdited>(m => m.Message.Id == inGroup.Message.Id)).Message.Geo!.LiveUntil.Should().BeLessThan(inGroup.Message.Geo!.LiveUntil!.Value);
        (await alice.NextAsync<MessageEdited>(m => m.Message.Id == inPrivate.Message.Id)).Message.Geo!.LiveUntil.Should().NotBeNull();
        (await alice.Client.GetHistoryAsync(bob.Peer)).Single().Geo!.LiveUntil.Should().NotBeNull();
        (await alice.Client.GetHistoryAsync(Peer.Chat(team))).Single(m => m.Id == inGroup.Message.Id).Geo!.LiveUntil
            .Should().BeLessThan(inGroup.Message.Geo.LiveUntil!.Value);
    }
}
