using Messenger.Media.Uploads;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

public sealed class PrefixHashTests
{
    private static readonly byte[][] Parts = [RandomBytes(1000, 1), RandomBytes(1000, 2), RandomBytes(1000, 3), RandomBytes(10, 4)];
    private static readonly string Whole = Sha256([.. Parts.SelectMany(p => p)]);

    [Fact]
    public void Add_InOrder_HashesTheWholeFileWithoutReadingBack()
    {
        using var prefix = new PrefixHash();
        for (var i = 0; i < Parts.Length; i++)
        {
            prefix.Result(Parts.Length).Should().BeNull();
            prefix.Add(i, Parts[i], _ => null);
        }

        prefix.Result(Parts.Length).Should().Be(Whole);
        prefix.Result(Parts.Length).Should().Be(Whole);
    }

    [Fact]
    public void Add_OutOfOrder_ReadsBackThePartsThatCameEarlyOnceTheGapCloses()
    {
        using var prefix = new PrefixHash();
        var onDisk = new HashSet<int>();
        var readBack = new List<int>();
        byte[]? ReadBack(int part)
        {
            if (!onDisk.Contains(part))
            {
                return null;
            }

            readBack.Add(part);
            return Parts[part];
        }

        foreach (var part in new[] { 2, 3, 1, 0 })
        {
            onDisk.Add(part);
            prefix.Add(part, Parts[part], ReadBack);
        }

        readBack.Should().Equal(1, 2, 3);
        prefix.Result(Parts.Length).Should().Be(Whole);
    }

    [Fact]
    public void CatchUp_TakesAPartWhoseTurnHadNotComeWhileItWasWritten()
    {
        // Parts 0 and 1 are written at the same time: 1 is offered from memory before 0 is hashed, and is not on disk
        // yet when 0's hash looks for it; once 1 is on disk, the catch-up after its write reads it back.
        using var prefix = new PrefixHash();
        var onDisk = new HashSet<int>();
        byte[]? ReadBack(int part) => onDisk.Contains(part) ? Parts[part] : null;

        prefix.Add(1, Parts[1], ReadBack);
        prefix.Add(0, Parts[0], ReadBack);
        onDisk.Add(0);
        prefix.CatchUp(ReadBack);
        prefix.Result(Parts.Length).Should().BeNull();

        onDisk.Add(1);
        prefix.CatchUp(ReadBack);
        foreach (var part in new[] { 2, 3 })
        {
            prefix.Add(part, Parts[part], ReadBack);
        }

        prefix.Result(Parts.Length).Should().Be(Whole);
    }

    [Fact]
    public void Add_BeforeItsTurn_HoldsThePartInMemoryWhileTheOnesBeforeItAreOnTheirWay()
    {
        // A stream hashes its parts on several threads: part 1 may come before part 0, which is expected. It waits in
        // memory (its task still running, its buffer still needed) instead of being read back from disk.
        using var prefix = new PrefixHash();
        var lookedFor = new List<int>();
        byte[]? NoReadBack(int part)
        {
            // Nothing is on disk yet: the catch-up after a hash only looks for the part after the prefix.
            lookedFor.Add(part);
            return null;
        }

        prefix.Expect(0);
        prefix.Expect(1);
        var second = prefix.Add(1, Parts[1], NoReadBack);
        second.IsCompleted.Should().BeFalse();

        prefix.Add(0, Parts[0], NoReadBack).IsCompleted.Should().BeTrue();
        second.IsCompleted.Should().BeTrue();
        prefix.Add(2, Parts[2], NoReadBack).IsCompleted.Should().BeTrue();
        prefix.Add(3, Parts[3], NoReadBack).IsCompleted.Should().BeTrue();
        prefix.Result(Parts.Length).Should().Be(Whole);
        lookedFor.Should().NotContain(1);
    }

    [Fact]
    public void Add_BeforeItsTurn_IsNotHeldWhenAPartBeforeItIsNotOnItsWay()
    {
        // Part 1 was never offered (its save was refused, or it comes in a later stream): part 2 cannot wait for it,
        // and is read back from disk once the gap closes.
        using var prefix = new PrefixHash();
        var onDisk = new HashSet<int> { 2 };
        byte[]? ReadBack(int part) => onDisk.Contains(part) ? Parts[part] : null;

        prefix.Add(0, Parts[0], ReadBack).IsCompleted.Should().BeTrue();
        prefix.Add(2, Parts[2], ReadBack).IsCompleted.Should().BeTrue();
        onDisk.Add(1);
        prefix.Add(1, Parts[1], ReadBack);
        prefix.Add(3, Parts[3], ReadBack);
        prefix.Result(Parts.Length).Should().Be(Whole);
    }

    [Fact]
    public void Spoil_ReleasesTheHeldParts()
    {
        using var prefix = new PrefixHash();
        prefix.Expect(0);
        var held = prefix.Add(1, Parts[1], _ => null);
        held.IsCompleted.Should().BeFalse();

        prefix.Spoil();
        held.IsCompleted.Should().BeTrue();
        prefix.Add(0, Parts[0], _ => null);
        prefix.Result(Parts.Length).Should().BeNull();
    }

    [Fact]
    public void Spoil_MakesTheResultUnknown()
    {
        using var prefix = new PrefixHash();
        prefix.Add(0, Parts[0], _ => null);
        prefix.Spoil();
        for (var i = 1; i < Parts.Length; i++)
        {
            prefix.Add(i, Parts[i], _ => null);
        }

        prefix.Result(Parts.Length).Should().BeNull();
    }
}
