using Messenger.Media;
using Messenger.Media.Attachments;

namespace Messenger.Tests.Media;

public sealed class ImageSizeTests
{
    [Fact]
    public void Read_WhenGif_ReturnsTheLogicalScreenSize() =>
        ImageSize.Read("GIF89a"u8.ToArray().Concat(new byte[] { 0x20, 0x03, 0x58, 0x02, 0, 0 }).ToArray()).Should().Be((800, 600));

    [Fact]
    public void Read_WhenJpeg_SkipsSegmentsUpToTheFrameHeader()
    {
        byte[] jpeg =
        [
            0xFF, 0xD8,
            0xFF, 0xE0, 0x00, 0x06, (byte)'J', (byte)'F', (byte)'I', (byte)'F',
            0xFF, 0xC4, 0x00, 0x03, 0x00,
            0xFF, 0xC2, 0x00, 0x0B, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x01, 0x01, 0x11, 0x00,
        ];
        ImageSize.Read(jpeg).Should().Be((640, 480));
    }

    [Fact]
    public void IsProgressiveJpeg_ReadsTheFrameHeadersMarker()
    {
        var progressive = TestImages.ProgressiveJpeg(7000, 7000, 1);
        ImageSize.IsProgressiveJpeg(progressive).Should().BeTrue();
        ImageSize.Read(progressive).Should().Be((7000, 7000));
        ImageSize.IsProgressiveJpeg(TestImages.Encode(64, 48, SkiaSharp.SKEncodedImageFormat.Jpeg)).Should().BeFalse("Skia writes baseline JPEGs");
        ImageSize.IsProgressiveJpeg(progressive[..20]).Should().BeNull("the frame header is not in these bytes");
        ImageSize.IsProgressiveJpeg(TestImages.Encode(64, 48, SkiaSharp.SKEncodedImageFormat.Png)).Should().BeNull();
    }

    [Theory]
    [InlineData(90)]
    [InlineData(100)]
    public void Read_WhenWebP_ReturnsTheCanvasSize(int quality)
    {
        // Quality 100 makes SkiaSharp write a lossless (VP8L) file, below it a lossy (VP8) one.
        using var bitmap = TestImages.Halves(321, 123);
        using var data = quality == 100
            ? bitmap.PeekPixels().Encode(new SkiaSharp.SKWebpEncoderOptions(SkiaSharp.SKWebpEncoderCompression.Lossless, 100))
            : bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Webp, quality);
        ImageSize.Read(data!.ToArray()).Should().Be((321, 123));
    }

    [Fact]
    public void Read_WhenNotAnImage_ReturnsNull() => ImageSize.Read("%PDF-1.7 hello world"u8).Should().BeNull();

    [Fact]
    public void Validate_WhenValuesAreOutOfRange_ReportsEachKey()
    {
        var result = new MediaOptionsValidator().Validate(null, new MediaOptions { MaxFileMegabytes = 0, GracePeriodMinutes = -1, UserQuotaMegabytes = -5 });
        result.Failures.Should().HaveCount(3).And.Contain(f => f.StartsWith("Messenger:Media:MaxFileMegabytes:"));
    }
}
