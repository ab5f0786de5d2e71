using Messenger.Media.Attachments;
using SkiaSharp;

namespace Messenger.Media.Thumbnails;

/// <summary>What one image gives: its displayed size, the 320 px thumbnail (JPEG) and the inline preview (JPEG ≤ 1 KiB, or null).</summary>
internal sealed record MadeThumbnail(int Width, int Height, byte[] Thumb, int ThumbWidth, int ThumbHeight, byte[]? Preview);

/// <summary>
/// Decodes an image (PNG, JPEG, GIF's first frame, WebP) at a reduced scale and makes its thumbnail and inline preview,
/// turned by the EXIF orientation. Untrusted input: the header's declared size is checked against the pixel budget
/// before any pixel is decoded, and anything unexpected means "no thumbnail" (null), never an exception to the caller.
/// </summary>
internal static class ThumbnailMaker
{
    public const int ThumbSide = 320;
    public const int ThumbQuality = 80;
    public const int PreviewSide = 40;
    public const int PreviewMaxBytes = 1024;

    /// <summary>The most pixels decoded at once (64 MiB as RGBA): PNG and GIF decode at their full size, so their budget
    /// is this, whatever <c>ThumbnailMaxPixels</c> allows a JPEG (which decodes at down to an eighth of each side).</summary>
    public const long MaxDecodedPixels = 16_000_000;

    /// <summary>The most pixels a progressive JPEG may declare (PNG's full-size budget): libjpeg keeps all of its
    /// coefficients and walks every block once per scan, even at an eighth of the size, so it costs its full size — a
    /// 100 KB file of a hundred scans over 49 MP held the decoder for 1.4 s of CPU.</summary>
    public const long MaxProgressiveJpegPixels = MaxDecodedPixels;

    /// <summary>How far into a JPEG its frame header is looked for; one further in is held to the progressive budget.</summary>
    private const int JpegHeaderBytes = 256 * 1024;
    private static readonly int[] PreviewQualities = [40, 30, 20, 10];
    private static readonly SKSamplingOptions Sampling = new(SKFilterMode.Linear, SKMipmapMode.None);

    /// <summary>The thumbnail of the image at <paramref name="path"/>; null (with the reason) when it is not an image
    /// this makes thumbnails of, declares more than <paramref name="maxPixels"/>, or does not decode.</summary>
    public static (MadeThumbnail? Made, string Reason) Make(string path, long maxPixels, Action decoding)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        // Only the four formats reach a decoder: Skia knows more (BMP, ICO, WBMP, …) that no client needs here.
        Span<byte> head = stackalloc byte[12];
        if (!IsThumbnailedFormat(head[..file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)]))
        {
            return (null, "not a PNG, GIF, JPEG or WebP file");
        }

        var progressive = head[0] == 0xFF && IsProgressiveJpeg(file);
        file.Position = 0;
        using var codec = SKCodec.Create(file, out var opened);
        if (codec is null)
        {
            return (null, $"not a decodable image ({opened})");
        }

        if (codec.EncodedFormat is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Gif or SKEncodedImageFormat.Webp))
        {
            return (null, $"format {codec.EncodedFormat} not thumbnailed");
        }

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > maxPixels)
        {
            return (null, $"declared {info.Width}x{info.Height} is over the pixel budget");
        }

        if (progressive && (long)info.Width * info.Height > MaxProgressiveJpegPixels)
        {
            return (null, $"progressive JPEG of {info.Width}x{info.Height} is over the progressive pixel budget");
        }

        // JPEG (and WebP) decode straight to a fraction of their size: a 12 MP photo costs a 1/8-scale decode.
        var scale = Math.Min(1f, (float)ThumbSide / Math.Max(info.Width, info.Height));
        var scaled = codec.GetScaledDimensions(scale);
        if ((long)scaled.Width * scaled.Height > MaxDecodedPixels)
        {
            return (null, $"{info.Width}x{info.Height} would decode at {scaled.Width}x{scaled.Height}, over the decoding budget");
        }

        var decodeInfo = new SKImageInfo(scaled.Width, scaled.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        decoding();
        using var decoded = new SKBitmap(decodeInfo);
        var result = codec.GetPixels(decodeInfo, decoded.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            return (null, $"decoding failed ({result})");
        }

        // Immutable, an image made of it shares its pixels instead of copying them.
        decoded.SetImmutable();

        var origin = codec.EncodedOrigin;
        var turned = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (width, height) = turned ? (info.Height, info.Width) : (info.Width, info.Height);

        var thumb = Render(decoded, origin, Fit(width, height, ThumbSide));
        var thumbBytes = Encode(thumb, ThumbQuality);
        if (thumbBytes is null)
        {
            thumb.Dispose();
            return (null, "encoding failed");
        }

        byte[]? preview = null;
        thumb.SetImmutable();
        using (thumb)
        using (var small = Render(thumb, SKEncodedOrigin.TopLeft, Fit(thumb.Width, thumb.Height, PreviewSide)))
        {
            foreach (var quality in PreviewQualities)
            {
                if (Encode(small, quality) is { Length: <= PreviewMaxBytes } bytes)
                {
                    preview = bytes;
                    break;
                }
            }

            return (new MadeThumbnail(width, height, thumbBytes, thumb.Width, thumb.Height, preview), "");
        }
    }

    /// <summary>Whether the JPEG's frame header says progressive, or is not within its first <see cref="JpegHeaderBytes"/>.</summary>
    private static bool IsProgressiveJpeg(FileStream file)
    {
        file.Position = 0;
        var head = new byte[(int)Math.Min(JpegHeaderBytes, file.Length)];
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return ImageSize.IsProgressiveJpeg(head.AsSpan(0, read)) ?? true;
    }

    /// <summary>Whether the file starts with the signature of a PNG, GIF, JPEG or WebP file.</summary>
    private static bool IsThumbnailedFormat(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        || head.StartsWith("GIF8"u8)
        || head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8));

    /// <summary>The size that fits <paramref name="side"/> on the longest side (never larger than the image).</summary>
    private static SKSizeI Fit(int width, int height, int side)
    {
        var scale = Math.Min(1.0, (double)side / Math.Max(width, height));
        return new SKSizeI(Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    /// <summary><paramref name="source"/> drawn turned by <paramref name="origin"/> into <paramref name="size"/> (the
    /// displayed size), over white: JPEG has no alpha, and a transparent PNG must not come out black.</summary>
    private static SKBitmap Render(SKBitmap source, SKEncodedOrigin origin, SKSizeI size)
    {
        var target = new SKBitmap(new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(target);
        canvas.Clear(SKColors.White);
        // Scale the source to the (unturned) target size, then turn it: (x, y) in a w × h source goes where EXIF says.
        var turned = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (w, h) = turned ? ((float)size.Height, (float)size.Width) : ((float)size.Width, (float)size.Height);
        canvas.SetMatrix(Orientation(origin, w, h));
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, new SKRect(0, 0, w, h), Sampling);
        return target;
    }

    // x' = ScaleX·x + SkewX·y + TransX, y' = SkewY·x + ScaleY·y + TransY, for a w × h picture as stored.
    private static SKMatrix Orientation(SKEncodedOrigin origin, float w, float h) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
        _ => SKMatrix.Identity,
    };

    private static byte[]? Encode(SKBitmap bitmap, int quality)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data?.ToArray();
    }
}
