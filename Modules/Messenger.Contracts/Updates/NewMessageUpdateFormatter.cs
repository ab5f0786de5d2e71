using MessagePack;
using MessagePack.Formatters;
using Messenger.Contracts.Messages;

namespace Messenger.Contracts.Updates;

/// <summary>
/// <see cref="NewMessageUpdate"/>'s wire form: the map of its named keys, with <c>random_id</c> left out when nil (as
/// <see cref="MessageFormatter"/> leaves out a message's nil keys). Only the sender's own entry carries it, so every other
/// <c>new_message</c> (a recipient's, a group member's, a large group's) costs nothing more than before; a reader takes
/// a missing key as nil and skips keys it does not know, so entries logged before read the same.
/// </summary>
public sealed class NewMessageUpdateFormatter : IMessagePackFormatter<NewMessageUpdate?>
{
    public void Serialize(ref MessagePackWriter writer, NewMessageUpdate? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteMapHeader(value.RandomId is null ? 1 : 2);
        writer.WriteString("message"u8);
        options.Resolver.GetFormatterWithVerify<Message>().Serialize(ref writer, value.Message, options);
        if (value.RandomId is { } randomId)
        {
            writer.WriteString("random_id"u8);
            writer.Write(randomId);
        }
    }

    public NewMessageUpdate? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        options.Security.DepthStep(ref reader);
        Message? message = null;
        long? randomId = null;
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            switch (key)
            {
                case "message": message = options.Resolver.GetFormatterWithVerify<Message?>().Deserialize(ref reader, options); break;
                case "random_id": randomId = reader.TryReadNil() ? null : reader.ReadInt64(); break;
                default: reader.Skip(); break;
            }
        }

        reader.Depth--;
        return message is null
            ? throw new MessagePackSerializationException("new_message without its message")
            : new NewMessageUpdate(message) { RandomId = randomId };
    }
}
