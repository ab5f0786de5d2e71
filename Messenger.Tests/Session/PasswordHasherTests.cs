using Messenger.Kernel.Errors;
using Messenger.Session;
using Messenger.Session.Passwords;
using Microsoft.Extensions.Options;

namespace Messenger.Tests.Session;

public sealed class PasswordHasherTests
{
    private static PasswordHasher Hasher(int iterations = 3, int memoryKiB = 1024, int maxConcurrent = 2, int maxQueued = 1000) =>
        new(Options.Create(new SessionOptions
        {
            PasswordHash = new PasswordHashOptions { Iterations = iterations, MemoryKiB = memoryKiB, MaxConcurrent = maxConcurrent, MaxQueued = maxQueued },
        }));

    [Fact]
    public async Task Hash_WithConfiguredCost_IsTheStandardArgon2idEncodingOfThatCost()
    {
        var hash = await Hasher(iterations: 4, memoryKiB: 2048).HashAsync("correct horse", CancellationToken.None);

        hash.Should().StartWith("$argon2id$v=19$m=2048,t=4,p=1$");
        hash.Should().NotContain("\0");
    }

    [Fact]
    public async Task Hash_OfTheSamePasswordTwice_IsSaltedDifferently()
    {
        var hasher = Hasher();

        var first = await hasher.HashAsync("correct horse", CancellationToken.None);
        var second = await hasher.HashAsync("correct horse", CancellationToken.None);

        first.Should().NotBe(second);
    }

    [Theory]
    [InlineData("correct horse", true)]
    [InlineData("correct horsE", false)]
    [InlineData("", false)]
    public async Task Verify_AgainstAStoredHash_AcceptsOnlyThePassword(string attempt, bool expected)
    {
        var hasher = Hasher();
        var hash = await hasher.HashAsync("correct horse", CancellationToken.None);

        (await hasher.VerifyAsync(hash, attempt, CancellationToken.None)).Should().Be(expected);
    }

    [Fact]
    public async Task Verify_WhenThereIsNoUser_IsFalseAfterTheSameWork()
    {
        var hasher = Hasher();

        (await hasher.VerifyAsync(null, "correct horse", CancellationToken.None)).Should().BeFalse();
    }

    [Fact]
    public async Task DecoyHash_IsAWellFormedHashOfTheConfiguredCostThatNoPasswordMatches()
    {
        var hasher = Hasher(iterations: 3, memoryKiB: 2048);
        var real = await hasher.HashAsync("correct horse", CancellationToken.None);

        hasher.DecoyHash.Should().MatchRegex(@"^\$argon2id\$v=19\$m=2048,t=3,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$");
        hasher.DecoyHash.Length.Should().Be(real.Length);
        hasher.NeedsRehash(hasher.DecoyHash).Should().BeFalse("libsodium parses it as a hash of exactly this cost");
        Hasher(iterations: 4, memoryKiB: 2048).NeedsRehash(hasher.DecoyHash).Should().BeTrue();
        (await hasher.VerifyAsync(hasher.DecoyHash, "correct horse", CancellationToken.None)).Should().BeFalse();
    }

    [Fact]
    public async Task NeedsRehash_WhenTheConfiguredCostChanged_IsTrue()
    {
        var hash = await Hasher(iterations: 3).HashAsync("correct horse", CancellationToken.None);

        Hasher(iterations: 3).NeedsRehash(hash).Should().BeFalse();
        Hasher(iterations: 4).NeedsRehash(hash).Should().BeTrue();
    }

    [Fact]
    public async Task Hash_WhenMoreAreWaitingThanAllowed_FailsFloodWaitInsteadOfQueueing()
    {
        var hasher = Hasher(iterations: 4, memoryKiB: 16 * 1024, maxConcurrent: 1, maxQueued: 0);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await hasher.HashAsync("correct horse", CancellationToken.None);
                return null;
            }
            catch (MessengerError e)
            {
                return e;
            }
        }));

        results.Should().Contain(e => e == null, "the first hash has a free slot");
        results.Should().Contain(e => e != null && e.Name == "FLOOD_WAIT" && e.Code == 420 && e.RetryAfterSeconds > 0);
    }
}
