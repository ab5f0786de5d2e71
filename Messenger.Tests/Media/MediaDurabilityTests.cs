using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Media.Collection;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

/// <summary>What a sent file survives: the start-up sweep running beside sends, and a restart between a send and its
/// resend.</summary>
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

    [Fact]
    public async Task Send_ResentWithItsRandomIdAfterARestart_AnswersTheStoredMessage_AndSendsNoSecond()
    {
        using var data = new TempDirectory();
        Device alice;
        Device bob;
        InputMedia input;
        SentMessage first;
        var bytes = RandomBytes(700_000, 22);
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            alice = await host.SignUpAsync("alice_rsn");
            bob = await host.SignUpAsync("bob_rsn");
            await using (alice)
            await using (bob)
            {
                input = await alice.Client.UploadAsync(bytes);
                first = await alice.Client.SendMediaAsync(bob.Peer, input, "once", randomId: 4_242);
            }
        }

        // The answer was lost (the server was killed after COMMIT): the SDK sends the same call again once it is back.
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var aliceAgain = await host.ReconnectAsync(alice);
            await using var bobAgain = await host.ReconnectAsync(bob);
            var again = await aliceAgain.Client.SendMediaAsync(bob.Peer, input, "once", randomId: 4_242);

            again.Message.Should().Be(first.Message);
            (await bobAgain.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle().Which.Id.Should().Be(first.Message.Id);
            Sha256(await bobAgain.Client.DownloadAsync(again.Message.Media!)).Should().Be(Sha256(bytes));
        }
    }

    [Fact]
    public async Task Schedule_ResentWithItsRandomIdAfterARestart_AnswersTheStoredSchedule_AndKeepsNoSecond()
    {
        using var data = new TempDirectory();
        Device alice;
        Device bob;
        InputMedia input;
        ScheduledMessage first;
        var date = DateTimeOffset.UtcNow.AddHours(1);
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            alice = await host.SignUpAsync("alice_rsc");
            bob = await host.SignUpAsync("bob_rsc");
            await using (alice)
            await using (bob)
            {
                input = await alice.Client.UploadAsync(RandomBytes(100_000, 23), "report.pdf", "application/pdf");
                first = await alice.Client.ScheduleMessageAsync(bob.Peer, "later", date, randomId: 4_343, media: input);
            }
        }

        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var aliceAgain = await host.ReconnectAsync(alice);
            var again = await aliceAgain.Client.ScheduleMessageAsync(bob.Peer, "later", date, randomId: 4_343, media: input);

            again.Should().Be(first);
            (await aliceAgain.Client.GetScheduledAsync(bob.Peer)).Should().ContainSingle().Which.Id.Should().Be(first.Id);
        }
    }
}
