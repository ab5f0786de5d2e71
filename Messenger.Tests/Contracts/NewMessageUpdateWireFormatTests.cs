using MessagePack;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;

namespace Messenger.Tests.Contracts;

using Message = Messenger.Contracts.Messages.Message;
using Update = Messenger.Contracts.Updates.Update;

/// <summary>
/// A <c>new_message</c> goes on the wire as the map of its keys, with <c>random_id</c> only in the entries that carry it
/// (the sender's own): every other copy stays as small as before, and entries logged before it existed read as without.
/// </summary>
public sealed class NewMessageUpdateWireFormatTests
{
    private static readonly Message Plain = new(1, 2, Peer.User(3), 4, "hi", null, null);

    [Fact]
    public void Serialize_WithoutARandomId_WritesOnlyTheMessage_AsBefore()
    {
        var bytes = WireSerializer.Serialize<Update>(new NewMessageUpdate(Plain));

        KeysOf(bytes).Should().Equal("message");
        // As the union of a [MessagePackObject] with one key wrote it before: [index, {"message": …}].
        byte[] before = [0x92, 0x00, 0x81, .. MessagePackSerializer.Serialize("message"), .. WireSerializer.Serialize(Plain)];
        bytes.Should().Equal(before, "a recipient's entry is the bytes it was before random_id existed");
    }

    [Fact]
    public void Serialize_WithARandomId_WritesIt_AndReadsBackEqual()
    {
        var update = new NewMessageUpdate(Plain) { RandomId = -9_007_199_254_740_993 };

        var bytes = WireSerializer.Serialize<Update>(update);

        KeysOf(bytes).Should().Equal("message", "random_id");
        WireSerializer.Deserialize<Update>(bytes).Should().BeOfType<NewMessageUpdate>().Which.Should().Be(update);
    }

    [Fact]
    public void Deserialize_AnEntryWithANilRandomIdOrKeysItDoesNotKnow_ReadsTheMessage()
    {
        var map = new Dictionary<string, object?> { ["something_new"] = 1, ["message"] = Plain, ["random_id"] = null };
        var bytes = MessagePackSerializer.Serialize(new object[] { 0, map }, WireSerializer.Options);

        WireSerializer.Deserialize<Update>(bytes).Should().Be(new NewMessageUpdate(Plain));
    }

    [Fact]
    public void Deserialize_AnEntryWithoutItsMessage_IsRefused_NotReadAsAnUpdateWithoutOne()
    {
        var map = new Dictionary<string, object?> { ["random_id"] = 7L };
        var bytes = MessagePackSerializer.Serialize(new object[] { 0, map }, WireSerializer.Options);

        var read = () => WireSerializer.Deserialize<Update>(bytes);

        read.Should().Throw<MessagePackSerializationException>();
    }

    private static List<string> KeysOf(byte[] union)
    {
        var reader = new MessagePackReader(union);
        reader.ReadArrayHeader();
        reader.Skip();
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
