using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace Messenger.Contracts.Wire;

/// <summary>
/// MessagePack <c>bin</c> as <see cref="ReadOnlyMemory{T}"/> that, when read, points into the buffer being read
/// instead of copying it (a copy only when the bytes span buffer segments). The value is valid only while that buffer
/// is: the reader must use or copy it before releasing the frame (see <see cref="FrameCodec.OpenFrame"/>).
/// </summary>
public sealed class BorrowedBytesFormatter : IMessagePackFormatter<ReadOnlyMemory<byte>>
{
    public void Serialize(ref MessagePackWriter writer, ReadOnlyMemory<byte> value, MessagePackSerializerOptions options) =>
        writer.Write(value.Span);

    public ReadOnlyMemory<byte> Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.ReadBytes() is { } bytes ? (bytes.IsSingleSegment ? bytes.First : (ReadOnlyMemory<byte>)bytes.ToArray()) : ReadOnlyMemory<byte>.Empty;
}
