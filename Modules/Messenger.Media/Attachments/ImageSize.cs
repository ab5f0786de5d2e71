using System.Buffers.Binary;

namespace Messenger.Media.Attachments;

/// <summary>Width and height from the first bytes of a PNG, GIF, JPEG or WebP file, without decoding the image.</summary>
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

        if (head.Length >= 30 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return WebP(head);
        }

        return head.Length >= 4 && head[0] == 0xFF && head[1] == 0xD8 && JpegFrame(head) is { } frame ? Checked(frame.Width, frame.Height) : null;
    }

    /// <summary>Whether <paramref name="head"/> is a JPEG whose frame header is a progressive one (SOF2, or its
    /// arithmetic and differential forms SOF6, SOF10, SOF14); null when it is not a JPEG or its frame header is not
    /// within <paramref name="head"/>. A progressive JPEG costs its full size to decode, whatever the scale.</summary>
    public static bool? IsProgressiveJpeg(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0xFF && head[1] == 0xD8 && JpegFrame(head) is { } frame ? frame.Marker is 0xC2 or 0xC6 or 0xCA or 0xCE : null;

    // The first chunk after "WEBP": VP8X (extended: canvas size, 24 bits each, minus one), VP8L (lossless: 14 bits
    // each, minus one, after a signature byte) or "VP8 " (lossy: 14 bits each after the key frame's start code).
    private static (int, int)? WebP(ReadOnlySpan<byte> head)
    {
        var chunk = head[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            return Checked(1 + (head[24] | head[25] << 8 | head[26] << 16), 1 + (head[27] | head[28] << 8 | head[29] << 16));
        }

        if (chunk.SequenceEqual("VP8L"u8) && head[20] == 0x2F)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(head[21..]);
            return Checked((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }

        if (chunk.SequenceEqual("VP8 "u8) && head[23] == 0x9D && head[24] == 0x01 && head[25] == 0x2A)
        {
            return Checked(BinaryPrimitives.ReadUInt16LittleEndian(head[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(head[28..]) & 0x3FFF);
        }

        return null;
    }

    // Walks the JPEG segments up to the first start-of-frame marker, which holds the height and width.
    private static (byte Marker, int Width, int Height)? JpegFrame(ReadOnlySpan<byte> head)
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
                return (marker, BinaryPrimitives.ReadUInt16BigEndian(head[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(head[(i + 5)..]));
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
