using System.Buffers;
using MessagePack;
using MessagePack.Formatters;
using Messenger.Contracts.Media;

namespace Messenger.Contracts.Messages;

/// <summary>
/// <see cref="Message"/>'s wire form: the same map of named keys the attributes describe, without the optional keys
/// whose value is nil (or, for <c>silent</c>, false). A message is copied into every log entry, push, result and history page, and most of
/// its optional parts are absent: left out, they cost nothing (a short text message is about half as many bytes), and a
/// new optional key costs the messages that do not use it nothing. A reader takes a missing key as nil and skips keys
/// it does not know, so maps written before (with nil keys) and after read the same.
/// </summary>
public sealed class MessageFormatter : IMessagePackFormatter<Message?>
{
    public void Serialize(ref MessagePackWriter writer, Message? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var count = 5
            + (value.ReplyToId is null ? 0 : 1)
            + (value.EditDate is null ? 0 : 1)
            + (value.Action is null ? 0 : 1)
            + (value.Media is null ? 0 : 1)
            + (value.FwdFromId is null ? 0 : 1)
            + (value.Poll is null ? 0 : 1)
            + (value.TtlPeriod is null ? 0 : 1)
            + (value.WebPage is null ? 0 : 1)
            + (value.ReplyMarkup is null ? 0 : 1)
            + (value.Silent ? 1 : 0)
            + (value.ReplyQuote is null ? 0 : 1)
            + (value.Geo is null ? 0 : 1)
            + (value.TopicId == 0 ? 0 : 1);
        writer.WriteMapHeader(count);
        writer.WriteString(Keys.Id);
        writer.Write(value.Id);
        writer.WriteString(Keys.FromId);
        writer.Write(value.FromId);
        writer.WriteString(Keys.ToPeer);
        Write(ref writer, value.ToPeer, options);
        writer.WriteString(Keys.Date);
        writer.Write(value.Date);
        writer.WriteString(Keys.Text);
        writer.Write(value.Text);
        if (value.ReplyToId is { } replyToId)
        {
            writer.WriteString(Keys.ReplyToId);
            writer.Write(replyToId);
        }

        if (value.EditDate is { } editDate)
        {
            writer.WriteString(Keys.EditDate);
            writer.Write(editDate);
        }

        WriteIfSet(ref writer, Keys.Action, value.Action, options);
        WriteIfSet(ref writer, Keys.Media, value.Media, options);
        if (value.FwdFromId is { } fwdFromId)
        {
            writer.WriteString(Keys.FwdFromId);
            writer.Write(fwdFromId);
        }

        WriteIfSet(ref writer, Keys.Poll, value.Poll, options);
        if (value.TtlPeriod is { } ttlPeriod)
        {
            writer.WriteString(Keys.TtlPeriod);
            writer.Write(ttlPeriod);
        }

        WriteIfSet(ref writer, Keys.WebPage, value.WebPage, options);
        WriteIfSet(ref writer, Keys.ReplyMarkup, value.ReplyMarkup, options);
        if (value.Silent)
        {
            writer.WriteString(Keys.Silent);
            writer.Write(true);
        }

        WriteIfSet(ref writer, Keys.ReplyQuote, value.ReplyQuote, options);
        WriteIfSet(ref writer, Keys.Geo, value.Geo, options);
        if (value.TopicId != 0)
        {
            writer.WriteString(Keys.TopicId);
            writer.Write(value.TopicId);
        }
    }

    public Message? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        options.Security.DepthStep(ref reader);
        long id = 0, fromId = 0, date = 0;
        Peer? toPeer = null;
        string? text = null;
        long? replyToId = null, editDate = null, fwdFromId = null;
        int? ttlPeriod = null;
        ServiceAction? action = null;
        MessageMedia? media = null;
        Poll? poll = null;
        WebPage? webPage = null;
        ReplyMarkup? replyMarkup = null;
        ReplyQuote? replyQuote = null;
        MessageGeo? geo = null;
        var silent = false;
        long topicId = 0;
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadStringSequence();
            if (key is null)
            {
                reader.Skip();
                reader.Skip();
                continue;
            }

            switch (Keys.Of(key.Value))
            {
                case Field.Id: id = reader.ReadInt64(); break;
                case Field.FromId: fromId = reader.ReadInt64(); break;
                case Field.ToPeer: toPeer = Read<Peer>(ref reader, options); break;
                case Field.Date: date = reader.ReadInt64(); break;
                case Field.Text: text = reader.ReadString(); break;
                case Field.ReplyToId: replyToId = reader.TryReadNil() ? null : reader.ReadInt64(); break;
                case Field.EditDate: editDate = reader.TryReadNil() ? null : reader.ReadInt64(); break;
                case Field.Action: action = Read<ServiceAction>(ref reader, options); break;
                case Field.Media: media = Read<MessageMedia>(ref reader, options); break;
                case Field.FwdFromId: fwdFromId = reader.TryReadNil() ? null : reader.ReadInt64(); break;
                case Field.Poll: poll = Read<Poll>(ref reader, options); break;
                case Field.TtlPeriod: ttlPeriod = reader.TryReadNil() ? null : reader.ReadInt32(); break;
                case Field.WebPage: webPage = Read<WebPage>(ref reader, options); break;
                case Field.ReplyMarkup: replyMarkup = Read<ReplyMarkup>(ref reader, options); break;
                case Field.Silent: silent = !reader.TryReadNil() && reader.ReadBoolean(); break;
                case Field.ReplyQuote: replyQuote = Read<ReplyQuote>(ref reader, options); break;
                case Field.Geo: geo = Read<MessageGeo>(ref reader, options); break;
                case Field.TopicId: topicId = reader.TryReadNil() ? 0 : reader.ReadInt64(); break;
                default: reader.Skip(); break;
            }
        }

        reader.Depth--;
        return new Message(id, fromId, toPeer!, date, text!, replyToId, editDate, action, media, fwdFromId, poll, ttlPeriod, webPage, replyMarkup, silent, replyQuote, geo, topicId);
    }

    private static void Write<T>(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) =>
        options.Resolver.GetFormatterWithVerify<T>().Serialize(ref writer, value, options);

    private static void WriteIfSet<T>(ref MessagePackWriter writer, ReadOnlySpan<byte> key, T? value, MessagePackSerializerOptions options)
        where T : class
    {
        if (value is not null)
        {
            writer.WriteString(key);
            Write(ref writer, value, options);
        }
    }

    private static T? Read<T>(ref MessagePackReader reader, MessagePackSerializerOptions options) where T : class =>
        options.Resolver.GetFormatterWithVerify<T?>().Deserialize(ref reader, options);

    private enum Field
    {
        Unknown,
        Id,
        FromId,
        ToPeer,
        Date,
        Text,
        ReplyToId,
        EditDate,
        Action,
        Media,
        FwdFromId,
        Poll,
        TtlPeriod,
        WebPage,
        ReplyMarkup,
        Silent,
        ReplyQuote,
        Geo,
        TopicId,
    }

    /// <summary>The keys as UTF-8, matching the <see cref="KeyAttribute"/> names on <see cref="Message"/> (a test checks).</summary>
    private static class Keys
    {
        public static ReadOnlySpan<byte> Id => "id"u8;
        public static ReadOnlySpan<byte> FromId => "from_id"u8;
        public static ReadOnlySpan<byte> ToPeer => "to_peer"u8;
        public static ReadOnlySpan<byte> Date => "date"u8;
        public static ReadOnlySpan<byte> Text => "text"u8;
        public static ReadOnlySpan<byte> ReplyToId => "reply_to_id"u8;
        public static ReadOnlySpan<byte> EditDate => "edit_date"u8;
        public static ReadOnlySpan<byte> Action => "action"u8;
        public static ReadOnlySpan<byte> Media => "media"u8;
        public static ReadOnlySpan<byte> FwdFromId => "fwd_from_id"u8;
        public static ReadOnlySpan<byte> Poll => "poll"u8;
        public static ReadOnlySpan<byte> TtlPeriod => "ttl_period"u8;
        public static ReadOnlySpan<byte> WebPage => "web_page"u8;
        public static ReadOnlySpan<byte> ReplyMarkup => "reply_markup"u8;
        public static ReadOnlySpan<byte> Silent => "silent"u8;
        public static ReadOnlySpan<byte> ReplyQuote => "reply_quote"u8;
        public static ReadOnlySpan<byte> Geo => "geo"u8;
        public static ReadOnlySpan<byte> TopicId => "topic_id"u8;

        public static Field Of(ReadOnlySequence<byte> key)
        {
            Span<byte> buffer = stackalloc byte[16];
            if (key.Length > buffer.Length)
            {
                return Field.Unknown;
            }

            var span = key.IsSingleSegment ? key.FirstSpan : Copy(key, buffer);
            return span switch
            {
                _ when span.SequenceEqual(Id) => Field.Id,
                _ when span.SequenceEqual(FromId) => Field.FromId,
                _ when span.SequenceEqual(ToPeer) => Field.ToPeer,
                _ when span.SequenceEqual(Date) => Field.Date,
                _ when span.SequenceEqual(Text) => Field.Text,
                _ when span.SequenceEqual(ReplyToId) => Field.ReplyToId,
                _ when span.SequenceEqual(EditDate) => Field.EditDate,
                _ when span.SequenceEqual(Action) => Field.Action,
                _ when span.SequenceEqual(Media) => Field.Media,
                _ when span.SequenceEqual(FwdFromId) => Field.FwdFromId,
                _ when span.SequenceEqual(Poll) => Field.Poll,
                _ when span.SequenceEqual(TtlPeriod) => Field.TtlPeriod,
                _ when span.SequenceEqual(WebPage) => Field.WebPage,
                _ when span.SequenceEqual(ReplyMarkup) => Field.ReplyMarkup,
                _ when span.SequenceEqual(Silent) => Field.Silent,
                _ when span.SequenceEqual(ReplyQuote) => Field.ReplyQuote,
                _ when span.SequenceEqual(Geo) => Field.Geo,
                _ when span.SequenceEqual(TopicId) => Field.TopicId,
                _ => Field.Unknown,
            };
        }

        private static ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> key, Span<byte> buffer)
        {
            key.CopyTo(buffer);
            return buffer[..(int)key.Length];
        }
    }
}
