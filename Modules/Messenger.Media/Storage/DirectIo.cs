using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Messenger.Media.Storage;

/// <summary>
/// File I/O that bypasses the page cache where it can (Linux <c>O_DIRECT</c>: 4 KiB-aligned buffers, offsets and
/// lengths). Copying parts into the page cache was the largest single cost of an upload on the server (close to half
/// its CPU on a 2 GiB stream, the kernel's <c>copy_folio_from_iter_atomic</c>), and the dirty pages then all had to
/// reach the disk in the <c>fsync</c> that makes the finished file durable; a download stream of a file that is not
/// in the page cache reads it the same way. On Linux a part whose size and offset are multiples of 4 KiB is
/// written with <c>O_DIRECT</c> from a 4 KiB-aligned buffer (copied into one unless it already is). Other parts, other
/// systems and file systems that refuse <c>O_DIRECT</c> (tmpfs) are written normally, with their writeback started at
/// once (<c>sync_file_range</c>). Durability still comes only from the <c>fsync</c> at attach time.
/// </summary>
internal static class DirectIo
{
    public const int Alignment = 4096;
    private const int GetFlags = 3;
    private const int SetFlags = 4;
    private const uint SyncFileRangeWrite = 2;
    private const int SeekHole = 4;

    private static readonly int DirectFlag = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => 0,
    };

    private static bool _linuxCallsMissing = !OperatingSystem.IsLinux() || DirectFlag == 0;

    public static async ValueTask WritePartAsync(SafeFileHandle file, ReadOnlyMemory<byte> bytes, long offset, CancellationToken cancellationToken)
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

            var buffer = AlignedBuffer.Rent(bytes.Length);
            try
            {
                bytes.CopyTo(buffer.Memory);
                await RandomAccess.WriteAsync(file, buffer.Memory[..bytes.Length], offset, cancellationToken);
                return;
            }
            finally
            {
                buffer.Return();
            }
        }

        TrySetDirect(file, on: false);
        await RandomAccess.WriteAsync(file, bytes, offset, cancellationToken);
        Native(file, fd => sync_file_range(fd, offset, bytes.Length, SyncFileRangeWrite) == 0);
    }

    /// <summary>
    /// Whether <paramref name="file"/> holds data over [<paramref name="offset"/>, +<paramref name="length"/>): the file
    /// reaches that far and, where the system can tell (Linux <c>SEEK_HOLE</c>, 64-bit), no hole lies inside. Blocks
    /// never written, and blocks an <c>O_DIRECT</c> write had not yet been recorded as written in when a crash came,
    /// read as zeros and are holes; elsewhere only the size is checked.
    /// </summary>
    public static bool HoldsData(SafeFileHandle file, long offset, long length)
    {
        if (RandomAccess.GetLength(file) < offset + length)
        {
            return false;
        }

        long hole = -1;
        return length == 0 || !Environment.Is64BitProcess
            || !Native(file, fd => (hole = lseek(fd, offset, SeekHole)) >= 0)
            || hole >= offset + length;
    }

    /// <summary>Reads on <paramref name="file"/> bypass the page cache from now on (4 KiB-aligned only); false where not possible.</summary>
    public static bool TryEnable(SafeFileHandle file) => TrySetDirect(file, on: true);

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
    private static extern long lseek(int fd, long offset, int whence);

    [DllImport("libc", SetLastError = true)]
    private static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);
}

/// <summary>
/// <see cref="Capacity"/> bytes starting on a 4 KiB boundary, in a pinned array (never moved by the GC). Rented ones
/// come from a small pool per size (at most <see cref="MaxPooledPerSize"/> kept), so that a busy server does not keep
/// allocating pinned megabytes that only a full collection gives back.
/// </summary>
internal sealed class AlignedBuffer
{
    public const int MaxPooledPerSize = 8;
    private static readonly ConcurrentDictionary<int, ConcurrentBag<AlignedBuffer>> Pools = new();
    private readonly byte[] _array;
    private readonly int _start;

    public AlignedBuffer(int capacity)
    {
        Capacity = capacity;
        _array = GC.AllocateUninitializedArray<byte>(capacity + DirectIo.Alignment, pinned: true);
        var address = Marshal.UnsafeAddrOfPinnedArrayElement(_array, 0).ToInt64();
        _start = (int)((DirectIo.Alignment - (address % DirectIo.Alignment)) % DirectIo.Alignment);
    }

    public int Capacity { get; }

    public Memory<byte> Memory => _array.AsMemory(_start, Capacity);

    /// <summary>A buffer of at least <paramref name="minimum"/> bytes (512 KiB at least): give it back with <see cref="Return"/>.</summary>
    public static AlignedBuffer Rent(int minimum)
    {
        var capacity = Math.Max(512 * 1024, (int)BitOperations.RoundUpToPowerOf2((uint)minimum));
        return Pools.GetOrAdd(capacity, _ => []).TryTake(out var pooled) ? pooled : new AlignedBuffer(capacity);
    }

    public void Return()
    {
        var pool = Pools.GetOrAdd(Capacity, _ => []);
        if (pool.Count < MaxPooledPerSize)
        {
            pool.Add(this);
        }
    }

    /// <summary>Whether <paramref name="bytes"/> start on a 4 KiB boundary now (always, for an <see cref="AlignedBuffer"/>).</summary>
    public static bool IsAligned(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Array is { } array
        && (Marshal.UnsafeAddrOfPinnedArrayElement(array, segment.Offset).ToInt64() % DirectIo.Alignment) == 0;
}
