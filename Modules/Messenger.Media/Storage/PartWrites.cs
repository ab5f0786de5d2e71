using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Messenger.Media.Storage;

/// <summary>
/// Writes upload parts to their temporary file without going through the page cache where it can. Copying parts into
/// the page cache was the largest single cost of an upload on the server (close to half its CPU on a 2 GiB stream,
/// the kernel's <c>copy_folio_from_iter_atomic</c>), and the dirty pages then all had to reach the disk in the
/// <c>fsync</c> that makes the finished file durable. On Linux a part whose size and offset are multiples of 4 KiB is
/// written with <c>O_DIRECT</c> from a 4 KiB-aligned buffer (copied into one unless it already is). Other parts, other
/// systems and file systems that refuse <c>O_DIRECT</c> (tmpfs) are written normally, with their writeback started at
/// once (<c>sync_file_range</c>). Durability still comes only from the <c>fsync</c> at attach time.
/// </summary>
internal static class PartWrites
{
    public const int Alignment = 4096;
    private const int MaxPooledBuffers = 8;
    private const int GetFlags = 3;
    private const int SetFlags = 4;
    private const uint SyncFileRangeWrite = 2;

    private static readonly int DirectFlag = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => 0,
    };

    private static readonly ConcurrentBag<AlignedBuffer> Pool = [];
    private static bool _linuxCallsMissing = !OperatingSystem.IsLinux() || DirectFlag == 0;

    public static async ValueTask WriteAsync(SafeFileHandle file, ReadOnlyMemory<byte> bytes, long offset, CancellationToken cancellationToken)
    {
        if (bytes.Length % Alignment == 0 && offset % Alignment == 0 && TrySetDirect(file, on: true))
        {
            if (AlignedBuffer.IsAligned(bytes))
            {
                try
                {
                    await RandomAccess.WriteAsync(file, bytes, offset, cancellationToken);
                    return;
                }
                catch (IOException)
                {
                    // EINVAL: the bytes were not in pinned memory and the GC moved them off the boundary. Copy them.
                }
            }

            var buffer = Pool.TryTake(out var pooled) && pooled.Capacity >= bytes.Length ? pooled : new AlignedBuffer(Math.Max(bytes.Length, 512 * 1024));
            try
            {
                bytes.CopyTo(buffer.Memory);
                await RandomAccess.WriteAsync(file, buffer.Memory[..bytes.Length], offset, cancellationToken);
                return;
            }
            finally
            {
                if (Pool.Count < MaxPooledBuffers)
                {
                    Pool.Add(buffer);
                }
            }
        }

        TrySetDirect(file, on: false);
        await RandomAccess.WriteAsync(file, bytes, offset, cancellationToken);
        Native(file, fd => sync_file_range(fd, offset, bytes.Length, SyncFileRangeWrite) == 0);
    }

    /// <summary>Turns <c>O_DIRECT</c> on or off for the open file; false where that is not possible.</summary>
    private static bool TrySetDirect(SafeFileHandle file, bool on) =>
        Native(file, fd =>
        {
            var flags = fcntl(fd, GetFlags, 0);
            if (flags < 0)
            {
                return false;
            }

            var wanted = on ? flags | DirectFlag : flags & ~DirectFlag;
            return wanted == flags || fcntl(fd, SetFlags, wanted) == 0;
        });

    private static bool Native(SafeFileHandle file, Func<int, bool> call)
    {
        if (_linuxCallsMissing)
        {
            return false;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return call((int)file.DangerousGetHandle());
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _linuxCallsMissing = true;
            return false;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int cmd, int arg);

    [DllImport("libc", SetLastError = true)]
    private static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);
}

/// <summary><see cref="Capacity"/> bytes starting on a 4 KiB boundary, in a pinned array (never moved by the GC).</summary>
internal sealed class AlignedBuffer
{
    private readonly byte[] _array;
    private readonly int _start;

    public AlignedBuffer(int capacity)
    {
        Capacity = capacity;
        _array = GC.AllocateUninitializedArray<byte>(capacity + PartWrites.Alignment, pinned: true);
        var address = Marshal.UnsafeAddrOfPinnedArrayElement(_array, 0).ToInt64();
        _start = (int)((PartWrites.Alignment - (address % PartWrites.Alignment)) % PartWrites.Alignment);
    }

    public int Capacity { get; }

    public Memory<byte> Memory => _array.AsMemory(_start, Capacity);

    /// <summary>Whether <paramref name="bytes"/> start on a 4 KiB boundary now (always, for an <see cref="AlignedBuffer"/>).</summary>
    public static bool IsAligned(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Array is { } array
        && (Marshal.UnsafeAddrOfPinnedArrayElement(array, segment.Offset).ToInt64() % PartWrites.Alignment) == 0;
}
