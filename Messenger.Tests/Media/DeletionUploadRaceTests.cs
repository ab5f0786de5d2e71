using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Media.Uploads;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Media;

/// <summary>A deleted account's uploads leave nothing behind even while its devices keep sending parts.</summary>
public sealed class DeletionUploadRaceTests
{
    private const int KiB = 1024;

    /// <summary>The deleting device's own parts, sent while the deletion's clean-up runs, are refused from its start:
    /// none starts an upload again behind the cancel (found by the session-47 review: the device was still signed in
    /// until every handler had run, and its upload stayed on disk until it expired).</summary>
    [Fact]
    public async Task DeleteAccount_PartsOfTheSameDeviceDuringTheDeletion_LeaveNoUploadBehind()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var admin = await host.SignUpAsync("the_admin");
        await using var alice = await host.SignUpAsync("alice_race", startEvents: false);
        var uploads = host.Services.GetRequiredService<UploadStore>();
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(1, 4).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await alice.Client.CallAsync(new SaveFilePartCall(100 + i, 0, 2, new byte[KiB]));
                }
                catch (RpcException e) when (e.Name == "UPLOAD_CANCELLED")
                {
                    // The deletion's cancel met this part: the next one goes on, as a client's next part would.
                }
                catch (Exception)
                {
                    return; // AUTH_KEY_UNREGISTERED or the connection closed: the account is gone.
                }
            }
        })).ToArray();
        while (!host.UploadFiles().Any(f => Path.GetFileName(f).StartsWith($"{alice.UserId}-", StringComparison.Ordinal)))
        {
            await Task.Delay(10);
        }

        await alice.Client.DeleteAccountAsync(SessionTestKit.Password);
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        host.UploadFiles().Where(f => Path.GetFileName(f).StartsWith($"{alice.UserId}-", StringComparison.Ordinal))
            .Should().BeEmpty("a deleted account's uploads leave the temporary directory at once (docs/session.md)");
        uploads.FileIdsOf(alice.UserId).Should().BeEmpty();
    }

    /// <summary>The same with another device of the account, signed out before the clean-up runs.</summary>
    [Fact]
    public async Task DeleteAccount_PartsOfAnotherDeviceDuringTheDeletion_LeaveNoUploadBehind()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var admin = await host.SignUpAsync("the_admin");
        await using var alice = await host.SignUpAsync("alice_race2", startEvents: false);
        await using var other = await host.SignInAnotherDeviceAsync("alice_race2", startEvents: false);
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(1, 4).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await other.Client.CallAsync(new SaveFilePartCall(200 + i, 0, 2, new byte[KiB]));
                }
                catch (RpcException e) when (e.Name == "UPLOAD_CANCELLED")
                {
                }
                catch (Exception)
                {
                    return;
                }
            }
        })).ToArray();
        while (!host.UploadFiles().Any(f => Path.GetFileName(f).StartsWith($"{alice.UserId}-", StringComparison.Ordinal)))
        {
            await Task.Delay(10);
        }

        await alice.Client.DeleteAccountAsync(SessionTestKit.Password);
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        host.UploadFiles().Where(f => Path.GetFileName(f).StartsWith($"{alice.UserId}-", StringComparison.Ordinal))
            .Should().BeEmpty("a deleted account's uploads leave the temporary directory at once (docs/session.md)");
    }

    /// <summary>A part that passed the sign-in check just before the account went starts no upload after the clean-up.</summary>
    [Fact]
    public async Task SaveFilePart_OfADeletedAccountPastTheSignInCheck_StartsNoUpload()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_closed", startEvents: false);
        await alice.Client.CallAsync(new SaveFilePartCall(1, 0, 2, new byte[KiB]));

        // What the deletion's clean-up does first, with the device still signed in: as if its next part had passed
        // the sign-in check before the account went.
        host.Services.GetRequiredService<UploadStore>().Close(alice.UserId);
        var again = () => alice.Client.CallAsync(new SaveFilePartCall(2, 0, 2, new byte[KiB]));

        (await again.Should().ThrowAsync<RpcException>()).Which.Name.Should().Be("UPLOAD_CANCELLED");
        host.UploadFiles().Where(f => Path.GetFileName(f).StartsWith($"{alice.UserId}-", StringComparison.Ordinal)).Should().OnlyContain(
            f => Path.GetFileName(f).StartsWith($"{alice.UserId}-0000000000000001", StringComparison.Ordinal), "the open upload is the handler's to cancel");
    }
}
