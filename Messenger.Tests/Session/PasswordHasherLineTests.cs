using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Session;
using Messenger.Session.Passwords;
using Microsoft.Extensions.Options;

namespace Messenger.Tests.Session;

/// <summary>The hashing line: one client's share of it counts its hashes as well as its checks.</summary>
public sealed class PasswordHasherLineTests
{
    [Fact]
    public async Task AHashForAClient_HoldsItsShareOfTheLine_UntilItIsDone()
    {
        var options = new SessionOptions();
        options.PasswordHash.Iterations = 3;
        options.PasswordHash.MemoryKiB = 8;
        options.PasswordHash.MaxConcurrent = 1;
        options.PasswordHash.MaxQueuedPerAddress = 1;
        var hasher = new PasswordHasher(Options.Create(options));
        await hasher.Slots.WaitAsync();

        var hash = hasher.HashAsync("a new password", CancellationToken.None, ["addr:203.0.113.7"]);
        var verify = hasher.VerifyAsync(null, "a guess", CancellationToken.None, ["addr:203.0.113.8"]);
        // Refused at once; a check let into the line would wait for the held slot (until the guard gives up).
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        (await FluentActions.Awaiting(() => hasher.TakeSlotAsync(["addr:203.0.113.7"], guard.Token)).Should().ThrowAsync<MessengerError>())
            .Which.Name.Should().Be(ErrorNames.FloodWait);
        (await FluentActions.Awaiting(() => hasher.VerifyAsync(null, "another", guard.Token, ["addr:203.0.113.8"])).Should().ThrowAsync<MessengerError>())
            .Which.Name.Should().Be(ErrorNames.FloodWait);

        hasher.Slots.Release();
        (await hash).Should().StartWith("$argon2id$");
        (await verify).Should().BeFalse();
        using var again = await hasher.TakeSlotAsync(["addr:203.0.113.7"], CancellationToken.None);
    }
}
