using System.Buffers.Binary;

namespace Messenger.Media.Attachments;

/// <summary>Width and height from the first bytes of a PNG, GIF or JPEG file, without decoding the image.</summary>
internal static class ImageSize
{
    public static (int Width, int Height)? Read(ReadOnlySpan<byte> head)
    {
        // PNG: the 8-byte signature, then the IHDR chunk (length, type, width, height, big-endian).
        if (head.Length >= 24 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Checked(BinaryPrimitives.ReadInt32BigEndian(head[16..]), BinaryPrimitives.ReadInt32BigEndian(head[20..]));
        }

        // GIF87a / GIF89a: the logical screen size, little-endian.
        if (head.Length >= 10 && head[..3].SequenceEqual("GIF"u8))
        {
            return Checked(BinaryPrimitives.ReadUInt16LittleEndian(head[6..]), BinaryPrimitives.ReadUInt16LittleEndian(head[8..]));
        }

        return head.Length >= 4 && head[0] == 0xFF && head[1] == 0xD8 ? Jpeg(head) : null;
    }

    // Walks the JPEG segments up to the first start-of-frame marker, which holds the height and width.
    private static (int, int)? Jpeg(ReadOnlySpan<byte> head)
    {
        var i = 2;
        while (i + 9 < head.Length)
        {
            if (head[i] != 0xFF)
            {
                return null;
            }

            var marker = head[i + 1];
            if (marker == 0xFF)
            {
                i++;
                continue;
            }

            if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
            {
                return Checked(BinaryPrimitives.ReadUInt16BigEndian(head[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(head[(i + 5)..]));
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD9))
            {
                i += 2;
                continue;
            }

            i += 2 + BinaryPrimitives.ReadUInt16BigEndian(head[(i + 2)..]);
        }

        return null;
    }

    private static (int, int)? Checked(int width, int height) => width > 0 && height > 0 ? (width, height) : null;
}
