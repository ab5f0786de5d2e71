using System.Reflection;
using MessagePack;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;

namespace Messenger.Tests.Contracts;

using Message = Messenger.Contracts.Messages.Message;

/// <summary>
/// A <see cref="Message"/> goes on the wire as a map of the keys its attributes name, without the optional ones that are
/// nil (README, protocol section): what every copy in logs, pushes and results looks like, and what clients read.
/// </summary>
public sealed class MessageWireFormatTests
{
    private static readonly Message Full = new(
        Id: 123_456_789_012,
        FromId: 42,
        ToPeer: Peer.Chat(7),
        Date: 1_764_877_000,
        Text: "héllo",
        ReplyToId: 5,
        EditDate: 1_764_877_100,
        Action: new ServiceAction(ServiceActions.AddMembers, [1, 2], Title: "t", Period: 3, Video: true, IconColor: 0x6FB9F0, Closed: true),
        Media: new MessageMedia(9, MediaKinds.Photo, "a.png", "image/png", 1234, 10, 20),
        FwdFromId: 43,
        Poll: new Poll("Q?", ["a", "b"]),
        TtlPeriod: 3600,
        WebPage: new WebPage("https://example.org", "Example", "Title", null),
        ReplyMarkup: new ReplyMarkup([[new InlineButton("go", Url: "https://example.org")]]),
        Silent: true,
        ReplyQuote: new ReplyQuote("ll", 2),
        Geo: new MessageGeo(52.52, 13.405, 25, 900, 90, 1_764_877_900, 1_764_877_050),
        TopicId: 123_456_789_000);

    [Fact]
    public void Serialize_WhenEveryPartIsSet_WritesEveryKeyTheRecordNames_AndReadsBackEqual()
    {
        var bytes = WireSerializer.Serialize(Full);

        KeysOf(bytes).Should().Equal(KeyNamesOfTheRecord(), "the formatter must write every [Key] of Message, in order");
        var read = WireSerializer.Deserialize<Message>(bytes);
        read.Should().BeEquivalentTo(Full, o => o.ComparingByMembers<Message>().ComparingRecordsByMembers());
    }

    [Fact]
    public void Serialize_WhenOptionalPartsAreNil_LeavesTheirKeysOut()
    {
        var plain = new Message(1, 2, Peer.User(3), 4, "hi", null, null);

        var bytes = WireSerializer.Serialize(plain);

        KeysOf(bytes).Should().Equal("id", "from_id", "to_peer", "date", "text");
        WireSerializer.Deserialize<Message>(bytes).Should().Be(plain);
    }

    [Fact]
    public void Deserialize_WhenTheMapHasNilKeysAndKeysItDoesNotKnow_ReadsTheMessage()
    {
        // As written before nil keys were left out (logs and drafts stored then), and by a newer server.
        var map = new Dictionary<string, object?>
        {
            ["id"] = 1L, ["from_id"] = 2L, ["to_peer"] = new Dictionary<string, object> { ["kind"] = 1, ["id"] = 3L },
            ["date"] = 4L, ["text"] = "hi", ["reply_to_id"] = null, ["edit_date"] = 9L, ["action"] = null, ["media"] = null,
            ["fwd_from_id"] = null, ["poll"] = null, ["ttl_period"] = null, ["web_page"] = null, ["reply_markup"] = null,
            ["something_new"] = new object[] { 1, "x" }, ["a_key_longer_than_sixteen_bytes"] = 1,
        };
        var bytes = MessagePackSerializer.Serialize(map, MessagePackSerializerOptions.Standard);

        var read = WireSerializer.Deserialize<Message>(bytes);

        read.Should().Be(new Message(1, 2, Peer.User(3), 4, "hi", null, 9));
    }

    private static string[] KeyNamesOfTheRecord() =>
        // The primary constructor: the longest (the others are the earlier shapes kept for older apps).
        typeof(Message).GetConstructors().MaxBy(c => c.GetParameters().Length)!.GetParameters()
            .Select(p => typeof(Message).GetProperty(p.Name!)!.GetCustomAttribute<KeyAttribute>()!.StringKey!)
            .ToArray();

    private static List<string> KeysOf(byte[] bytes)
    {
        var reader = new MessagePackReader(bytes);
        var keys = new List<string>();
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            keys.Add(reader.ReadString()!);
            reader.Skip();
        }

        return keys;
    }
}
