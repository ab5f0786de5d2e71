using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Messenger.Host.Transport;

/// <summary>
/// The memory Kestrel's socket transport reads into and writes from. Kestrel's own pool hands out 4 KiB blocks, so
/// a socket receive took at most 4 KiB: a 2 GiB media stream meant half a million receive calls. This pool hands out
/// 64 KiB blocks while fewer than <see cref="MaxLargeBlocksOut"/> are in use (16 MiB, whatever the number of
/// connections), and 4 KiB blocks beyond that, so thousands of connections with a small push pending each do not pin
/// 64 KiB apiece. Every returned large block is kept (at most <see cref="MaxLargeBlocksOut"/> of them): a push to
/// thousands of connections takes all 256 at once and gives them back, and keeping only some made each such burst
/// allocate the rest again as pinned arrays, ≈ 240 MB/s of garbage at the fan-out benchmark's saturation. Small blocks
/// are kept up to a bound and the rest left to the GC.
/// </summary>
internal sealed class TransportMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new TransportMemoryPool();
}

internal sealed class TransportMemoryPool : MemoryPool<byte>
{
    public const int LargeBlockBytes = 64 * 1024;
    public const int SmallBlockBytes = 4 * 1024;
    public const int MaxLargeBlocksOut = 256;
    private const int MaxFreeLargeBlocks = MaxLargeBlocksOut;
    private const int MaxFreeSmallBlocks = 4096;

    private readonly Shelf _large = new(LargeBlockBytes, MaxFreeLargeBlocks);
    private readonly Shelf _small = new(SmallBlockBytes, MaxFreeSmallBlocks);
    private int _largeOut;

    public override int MaxBufferSize => LargeBlockBytes;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, LargeBlockBytes);
        if (Interlocked.Increment(ref _largeOut) <= MaxLargeBlocksOut || minBufferSize > SmallBlockBytes)
        {
            return new Lease(this, _large, _large.Take());
        }

        Interlocked.Decrement(ref _largeOut);
        return new Lease(this, _small, _small.Take());
    }

    protected override void Dispose(bool disposing)
    {
    }

    private void Return(Shelf shelf, byte[] block)
    {
        if (shelf == _large)
        {
            Interlocked.Decrement(ref _largeOut);
        }

        shelf.Put(block);
    }

    private sealed class Shelf(int blockBytes, int maxFree)
    {
        private readonly ConcurrentQueue<byte[]> _free = new();
        private int _freeCount;

        public byte[] Take()
        {
            if (_free.TryDequeue(out var block))
            {
                Interlocked.Decrement(ref _freeCount);
                return block;
            }

            return GC.AllocateUninitializedArray<byte>(blockBytes, pinned: true);
        }

        public void Put(byte[] block)
        {
            if (Interlocked.Increment(ref _freeCount) <= maxFree)
            {
                _free.Enqueue(block);
            }
            else
            {
                Interlocked.Decrement(ref _freeCount);
            }
        }
    }

    private sealed class Lease(TransportMemoryPool pool, Shelf shelf, byte[] block) : IMemoryOwner<byte>
    {
        private byte[]? _block = block;

        public Memory<byte> Memory => _block ?? throw new ObjectDisposedException(nameof(Lease));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _block, null) is { } returned)
            {
                pool.Return(shelf, returned);
            }
        }
    }
}
