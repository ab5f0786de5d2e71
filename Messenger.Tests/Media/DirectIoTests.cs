using Messenger.Media.Storage;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

public sealed class DirectIoTests
{
    [Fact]
    public async Task WriteAsync_AlignedOrNotAndOddSizes_LandsEveryByteAtItsOffset()
    {
        var directory = Directory.CreateTempSubdirectory("messenger-directio-");
        try
        {
            var path = Path.Combine(directory.FullName, "parts.data");
            var aligned = new AlignedBuffer(64 * 1024);
            var first = RandomBytes(64 * 1024, 1);
            first.CopyTo(aligned.Memory);
            var second = RandomBytes(64 * 1024, 2);    // an ordinary array: copied into an aligned buffer when direct
            var third = RandomBytes(5000, 3);           // not a multiple of 4 KiB: written through the page cache
            AlignedBuffer.IsAligned(aligned.Memory).Should().BeTrue();
            AlignedBuffer.IsAligned(aligned.Memory[1..]).Should().BeFalse();

            using (var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, FileOptions.Asynchronous))
            {
                await DirectIo.WritePartAsync(file, second, 64 * 1024, CancellationToken.None);
                await DirectIo.WritePartAsync(file, aligned.Memory, 0, CancellationToken.None);
                await DirectIo.WritePartAsync(file, third, 128 * 1024, CancellationToken.None);
            }

            (await File.ReadAllBytesAsync(path)).Should().Equal([.. first, .. second, .. third]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
