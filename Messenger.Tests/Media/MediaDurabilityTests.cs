using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Media.Collection;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

/// <summary>What a sent file survives: the start-up sweep running beside sends.</summary>
public sealed class MediaDurabilityTests
{
    [Fact]
    public async Task StartupSweep_WhenAFileIsSentAfterItListedTheRows_KeepsTheFile()
    {
        var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var goOn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await SessionTestKit.StartHostAsync(configureServices: services => services.AddSingleton(new StartupSweepPause(async () =>
        {
            listed.TrySetResult();
            await goOn.Task;
        })));
        await listed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await using var alice = await host.SignedInClientAsync("alice_swp");
        await using var bob = await host.SignedInClientAsync("bob_swp");
        var bytes = RandomBytes(300_000, 21);

        // Stored, recorded and sent (its hold let go) while the sweep waits with a list that does not name it.
        var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_swp")), await alice.UploadAsync(bytes));
        goOn.SetResult();
        await host.Services.GetRequiredService<MediaCollector>().CollectAsync(CancellationToken.None); // waits for the sweep

        host.BlobFiles().Should().ContainSingle();
        Sha256(await bob.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
    }
}
