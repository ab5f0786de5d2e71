using System.Net;
using Messenger.Client;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Messages;

namespace Messenger.Tests.Messages;

public sealed partial class BotApiTests
{
    [Fact]
    public async Task SendLocation_ThenEditAndStopIt_ThePersonSeesItMove_AndTheAnswersAreTelegramsLocation()
    {
        await using var bob = await _host.SignUpAsync("bob_botgeo");
        var bot = await bob.Client.CreateBotAsync("geo_bot", "Geo");
        await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "/start");

        var sent = (await CallAsync(bot.Token, "sendLocation",
            new { chat_id = bob.UserId, latitude = 59.3293, longitude = 18.0686, horizontal_accuracy = 12.4, live_period = 600, heading = 270 }))
            .GetProperty("result");
        var id = sent.GetProperty("message_id").GetInt64();
        var location = sent.GetProperty("location");
        location.GetProperty("latitude").GetDouble().Should().Be(59.3293);
        location.GetProperty("longitude").GetDouble().Should().Be(18.0686);
        location.GetProperty("horizontal_accuracy").GetInt32().Should().Be(12);
        location.GetProperty("live_period").GetInt32().Should().Be(600);
        location.GetProperty("heading").GetInt32().Should().Be(270);
        sent.GetProperty("text").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "a location has no text");
        (await bob.NextAsync<MessageReceived>(m => m.Message.Id == id)).Message.Geo.Should().BeEquivalentTo(
            new { Lat = 59.3293, Long = 18.0686, AccuracyRadius = 12, LivePeriod = 600, Heading = 270 });

        var moved = (await CallAsync(bot.Token, "editMessageLiveLocation", new { chat_id = bob.UserId, message_id = id, latitude = 59.33, longitude = 18.07 }))
            .GetProperty("result").GetProperty("location");
        moved.GetProperty("latitude").GetDouble().Should().Be(59.33);
        moved.GetProperty("live_period").GetInt32().Should().Be(600, "it still runs");
        var personSees = (await bob.NextAsync<MessageEdited>(m => m.Message.Id == id)).Message;
        personSees.Geo!.Lat.Should().Be(59.33);
        personSees.EditDate.Should().BeNull("a move is not an edit to the server's clients");
        var stopped = (await CallAsync(bot.Token, "stopMessageLiveLocation", new { chat_id = bob.UserId, message_id = id })).GetProperty("result");
        (await bob.NextAsync<MessageEdited>(m => m.Message.Id == id && m.Message.Geo!.LiveUntil is not null)).Message.Geo!.Long.Should().Be(18.07);
        stopped.GetProperty("location").GetProperty("live_period").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "Telegram's ended live location has none");
        stopped.GetProperty("location").GetProperty("heading").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        stopped.GetProperty("edit_date").GetInt64().Should().BeGreaterThanOrEqualTo(sent.GetProperty("date").GetInt64(), "a stop is an edit to a bot");
        await FailsAsync(bot.Token, "editMessageLiveLocation", new { chat_id = bob.UserId, message_id = id, latitude = 1.0, longitude = 1.0 },
            HttpStatusCode.BadRequest, GeoErrorNames.MessageEditTimeExpired);
    }

    [Fact]
    public async Task SendLocation_WhenItsFieldsAreBad_IsRefusedWithANamedError()
    {
        await using var bob = await _host.SignUpAsync("bob_botbadgeo");
        var bot = await bob.Client.CreateBotAsync("badgeo_bot", "Bad geo");
        await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "/start");

        await FailsAsync(bot.Token, "sendLocation", new { chat_id = bob.UserId, latitude = 10.0 }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendLocation", new { chat_id = bob.UserId, latitude = "north", longitude = 1.0 },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendLocation", new { chat_id = bob.UserId, latitude = 95.0, longitude = 1.0 },
            HttpStatusCode.BadRequest, GeoErrorNames.GeoPointInvalid);
        await FailsAsync(bot.Token, "sendLocation", new { chat_id = bob.UserId, latitude = 5.0, longitude = 1.0, horizontal_accuracy = 1600.0 },
            HttpStatusCode.BadRequest, GeoErrorNames.GeoAccuracyInvalid);
        await FailsAsync(bot.Token, "sendLocation", new { chat_id = bob.UserId, latitude = 5.0, longitude = 1.0, horizontal_accuracy = 1500.4 },
            HttpStatusCode.BadRequest, GeoErrorNames.GeoAccuracyInvalid);
        await FailsAsync(bot.Token, "sendLocation", new { chat_id = bob.UserId, latitude = 5.0, longitude = 1.0, horizontal_accuracy = -0.4 },
            HttpStatusCode.BadRequest, GeoErrorNames.GeoAccuracyInvalid);
        await FailsAsync(bot.Token, "sendLocation", new { chat_id = bob.UserId, latitude = 5.0, longitude = 1.0, live_period = 30 },
            HttpStatusCode.BadRequest, GeoErrorNames.GeoLivePeriodInvalid);
        await FailsAsync(bot.Token, "sendLocation", new { chat_id = bob.UserId, latitude = 5.0, longitude = 1.0, live_period = 60, heading = 0 },
            HttpStatusCode.BadRequest, GeoErrorNames.GeoHeadingInvalid);
        await FormFailsAsync(bot.Token, "sendLocation", [("chat_id", bob.UserId.ToString()), ("latitude", "NaN"), ("longitude", "1")], null,
            HttpStatusCode.BadRequest, GeoErrorNames.GeoPointInvalid);
        await FormFailsAsync(bot.Token, "sendLocation", [("chat_id", bob.UserId.ToString()), ("latitude", "48.1"), ("longitude", "11.5"), ("horizontal_accuracy", "1499.6")],
            null, HttpStatusCode.OK, null);

        (await bob.Client.GetHistoryAsync(Peer.User(bot.Bot.Id))).Where(m => m.Geo is not null).Should().ContainSingle()
            .Which.Geo.Should().Be(new MessageGeo(48.1, 11.5, 1500), "within the range, rounded");
    }

    [Fact]
    public async Task GetUpdates_WhenAPersonMovesTheirLiveLocation_TellsTheBotAnEditedMessage()
    {
        await using var bob = await _host.SignUpAsync("bob_geoupdates");
        var bot = await bob.Client.CreateBotAsync("geowatch_bot", "Geo watch");
        var live = await bob.Client.SendLocationAsync(Peer.User(bot.Bot.Id), new InputGeo(1, 2, LivePeriod: 900));
        var first = (await CallAsync(bot.Token, "getUpdates")).GetProperty("result").EnumerateArray().Single();
        first.GetProperty("message").GetProperty("location").GetProperty("latitude").GetDouble().Should().Be(1);

        await bob.Client.EditLiveLocationAsync(Peer.User(bot.Bot.Id), live.Message.Id, new InputGeo(1.5, 2));

        var next = first.GetProperty("update_id").GetInt64() + 1;
        var edited = (await CallAsync(bot.Token, "getUpdates", new { offset = next, timeout = 10 })).GetProperty("result").EnumerateArray().Single();
        var message = edited.GetProperty("edited_message");
        message.GetProperty("location").GetProperty("latitude").GetDouble().Should().Be(1.5);
        message.GetProperty("edit_date").GetInt64().Should().Be(
            (await bob.Client.GetHistoryAsync(Peer.User(bot.Bot.Id))).Single().Geo!.MoveDate!.Value, "a bot's edited_message has its edit date: the move's");
    }
}
