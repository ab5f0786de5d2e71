using System.Runtime.InteropServices;
using Messenger.Host.Transport;

namespace Messenger.Tests.Host;

public sealed class TransportMemoryPoolTests
{
    [Fact]
    public void Rent_GivesLargeBlocksUpToTheCapThenSmallOnes_AndLargeAgainOnceOneIsBack()
    {
        using var pool = new TransportMemoryPool();
        var large = Enumerable.Range(0, TransportMemoryPool.MaxLargeBlocksOut).Select(_ => pool.Rent()).ToList();
        large.Should().OnlyContain(lease => lease.Memory.Length == TransportMemoryPool.LargeBlockBytes);

        using (var small = pool.Rent(100))
        {
            small.Memory.Length.Should().Be(TransportMemoryPool.SmallBlockBytes);
        }

        // A request larger than a small block still gets a large one, cap or not.
        using (var big = pool.Rent(TransportMemoryPool.SmallBlockBytes + 1))
        {
            big.Memory.Length.Should().Be(TransportMemoryPool.LargeBlockBytes);
        }

        large[0].Dispose();
        large[0].Invoking(lease => lease.Memory).Should().Throw<ObjectDisposedException>();
        large[0].Dispose();
        using (var again = pool.Rent())
        {
            again.Memory.Length.Should().Be(TransportMemoryPool.LargeBlockBytes);
        }

        pool.Invoking(p => p.Rent(TransportMemoryPool.LargeBlockBytes + 1)).Should().Throw<ArgumentOutOfRangeException>();
        large.Skip(1).ToList().ForEach(lease => lease.Dispose());
    }

    [Fact]
    public void Rent_AfterABurstOfLargeBlocksCameBack_ReusesEveryOneOfThem()
    {
        using var pool = new TransportMemoryPool();
        var burst = Enumerable.Range(0, TransportMemoryPool.MaxLargeBlocksOut).Select(_ => pool.Rent()).ToList();
        var arrays = burst.Select(Array).ToHashSet(ReferenceEqualityComparer.Instance);
        burst.ForEach(lease => lease.Dispose());

        var next = Enumerable.Range(0, TransportMemoryPool.MaxLargeBlocksOut).Select(_ => pool.Rent()).ToList();

        next.Select(Array).Should().OnlyContain(array => arrays.Contains(array), "a burst that fits under the cap allocates nothing the second time");
        next.ForEach(lease => lease.Dispose());
    }

    private static object Array(System.Buffers.IMemoryOwner<byte> lease) =>
        MemoryMarshal.TryGetArray<byte>(lease.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");
}
