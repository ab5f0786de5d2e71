using SkiaSharp;

namespace Messenger.Tests.Media;

/// <summary>Real images made in the test: the left half red, the right half blue, so an orientation shows.</summary>
internal static class TestImages
{
    public static SKBitmap Halves(int width, int height)
    {
        var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Blue);
        using var red = new SKPaint { Color = SKColors.Red };
        canvas.DrawRect(0, 0, width / 2f, height, red);
        return bitmap;
    }

    public static byte[] Encode(int width, int height, SKEncodedImageFormat format, int quality = 90)
    {
        using var bitmap = Halves(width, height);
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>A JPEG stored <paramref name="width"/> × <paramref name="height"/> with an EXIF orientation tag (6: a
    /// phone held upright, to be turned 90° clockwise for display).</summary>
    public static byte[] JpegWithOrientation(int width, int height, ushort orientation)
    {
        var jpeg = Encode(width, height, SKEncodedImageFormat.Jpeg);
        // APP1 "Exif\0\0", a big-endian TIFF header and one IFD entry: 0x0112 (Orientation), SHORT, 1 value.
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8,
            0, 1,
            0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0,
            0, 0, 0, 0,
        ];
        byte[] exif = [.. "Exif\0\0"u8, .. tiff];
        var length = exif.Length + 2;
        byte[] app1 = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. exif];
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    /// <summary>A GIF89a of two colours, left half red and right half blue: LZW with a clear code every two pixels,
    /// so every code stays 3 bits wide (no dictionary to build).</summary>
    public static byte[] Gif(int width, int height)
    {
        var output = new List<byte>();
        output.AddRange("GIF89a"u8.ToArray());
        output.AddRange([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0x81, 0, 0]);
        output.AddRange([0xFF, 0, 0, 0, 0, 0xFF, 0, 0, 0, 0, 0, 0]); // palette: red, blue, black, black
        output.AddRange([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0]);
        output.Add(2); // minimum code size: clear = 4, end = 5
        var codes = new List<int>();
        var pixel = 0;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (pixel++ % 2 == 0)
                {
                    codes.Add(4);
                }

                codes.Add(x < width / 2 ? 0 : 1);
            }
        }

        codes.Add(5);
        var packed = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var code in codes)
        {
            buffer |= code << bits;
            bits += 3;
            while (bits >= 8)
            {
                packed.Add((byte)buffer);
                buffer >>= 8;
                bits -= 8;
            }
        }

        if (bits > 0)
        {
            packed.Add((byte)buffer);
        }

        foreach (var block in packed.Chunk(255))
        {
            output.Add((byte)block.Length);
            output.AddRange(block);
        }

        output.AddRange([0, 0x3B]);
        return [.. output];
    }

    /// <summary>A black 8-bit greyscale PNG written by hand (one zlib stream of zero rows): a large image in a small file.</summary>
    public static byte[] BlackPng(int width, int height)
    {
        using var rows = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(rows, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[1 + width]; // filter byte 0, then the row's pixels
            for (var y = 0; y < height; y++)
            {
                zlib.Write(row);
            }
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (grey), compression, filter and interlace 0
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", rows.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A 24-bit BMP of black pixels: a format Skia decodes and the server does not thumbnail.</summary>
    public static byte[] Bmp(int width, int height)
    {
        var stride = (width * 3 + 3) / 4 * 4;
        var bytes = new byte[54 + stride * height];
        "BM"u8.CopyTo(bytes);
        BitConverter.TryWriteBytes(bytes.AsSpan(2), bytes.Length);
        BitConverter.TryWriteBytes(bytes.AsSpan(10), 54);
        BitConverter.TryWriteBytes(bytes.AsSpan(14), 40);
        BitConverter.TryWriteBytes(bytes.AsSpan(18), width);
        BitConverter.TryWriteBytes(bytes.AsSpan(22), height);
        BitConverter.TryWriteBytes(bytes.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(bytes.AsSpan(28), (short)24);
        return bytes;
    }

    // PNG's CRC-32 (ISO 3309, reflected, polynomial 0xEDB88320), bit by bit: test images are small.
    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        byte[] typed = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typed);
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    /// <summary>The colour at (x, y) of a decoded JPEG: red or blue by which channel wins.</summary>
    public static string ColourAt(byte[] jpeg, int x, int y)
    {
        using var bitmap = SKBitmap.Decode(jpeg);
        var colour = bitmap.GetPixel(x, y);
        return colour.Red > 200 && colour.Blue < 80 ? "red" : colour.Blue > 200 && colour.Red < 80 ? "blue" : $"other {colour}";
    }

    public static (int Width, int Height) SizeOf(byte[] image)
    {
        using var bitmap = SKBitmap.Decode(image);
        return (bitmap.Width, bitmap.Height);
    }

    /// <summary>
    /// A grey progressive JPEG (SOF2) made by hand, as small as such a file gets: one DC scan of one bit per 8 × 8 block,
    /// then <paramref name="acScans"/> AC scans, each an end-of-band run over the whole image (a few dozen bytes) — and
    /// each one more pass of the decoder over every block of the full-size image, whatever the scale it decodes to.
    /// </summary>
    public static byte[] ProgressiveJpeg(int width, int height, int acScans)
    {
        var output = new List<byte> { 0xFF, 0xD8 };
        void Segment(byte marker, byte[] body)
        {
            output.AddRange([0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2)]);
            output.AddRange(body);
        }

        Segment(0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
        Segment(0xC2, [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]);
        // One code each, "0": DC difference size 0; AC end-of-band run 2^14 plus 14 more bits.
        Segment(0xC4, [0x00, 1, .. new byte[15], 0x00]);
        Segment(0xC4, [0x10, 1, .. new byte[15], 0xE0]);
        var blocks = ((width + 7) / 8) * ((height + 7) / 8);
        Segment(0xDA, [1, 1, 0x00, 0, 0, 0]);
        output.AddRange(new byte[(blocks + 7) / 8]);
        // Each run: the code "0" and fourteen 1 bits, 32767 blocks; the last byte padded with 1 bits.
        var bits = new List<bool>();
        for (var run = 0; run < (blocks + 32766) / 32767; run++)
        {
            bits.Add(false);
            bits.AddRange(Enumerable.Repeat(true, 14));
        }

        while (bits.Count % 8 != 0)
        {
            bits.Add(true);
        }

        var data = new List<byte>();
        for (var i = 0; i < bits.Count; i += 8)
        {
            var value = (byte)bits.Skip(i).Take(8).Aggregate(0, (b, bit) => (b << 1) | (bit ? 1 : 0));
            data.Add(value);
            if (value == 0xFF)
            {
                data.Add(0);
            }
        }

        for (var scan = 0; scan < acScans; scan++)
        {
            Segment(0xDA, [1, 1, 0x00, 1, 0x3F, 0]);
            output.AddRange(data);
        }

        output.AddRange([0xFF, 0xD9]);
        return [.. output];
    }
}
