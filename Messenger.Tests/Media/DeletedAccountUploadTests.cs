using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Media.Uploads;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Media;

/// <summary>A deleted account's uploads in progress are cancelled with it: their parts leave the temp directory and the
/// upload store holds nothing for the user, rather than both waiting a day to expire.</summary>
public sealed class DeletedAccountUploadTests
{
    private const int KiB = 1024;

    [Fact]
    public async Task DeleteAccount_WithUploadsInProgress_DeletesTheirPartsAndLeavesOthersUploads()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var admin = await host.SignUpAsync("the_admin");
        await using var alice = await host.SignUpAsync("alice_du", startEvents: false);
        var uploads = host.Services.GetRequiredService<UploadStore>();
        await alice.Client.CallAsync(new SaveFilePartCall(1, 0, 2, new byte[KiB]));
        await alice.Client.CallAsync(new SaveFilePartCall(1, 1, 2, new byte[10]));
        await alice.Client.CallAsync(new SaveFilePartCall(2, 0, 3, new byte[KiB]));
        await admin.Client.CallAsync(new SaveFilePartCall(1, 0, 2, new byte[KiB]));
        host.UploadFiles().Should().Contain(f => Path.GetFileName(f).StartsWith($"{alice.UserId}-", StringComparison.Ordinal));

        await alice.Client.DeleteAccountAsync(SessionTestKit.Password);

        host.UploadFiles().Should().NotContain(f => Path.GetFileName(f).StartsWith($"{alice.UserId}-", StringComparison.Ordinal));
        uploads.FileIdsOf(alice.UserId).Should().BeEmpty();
        uploads.Parts(alice.UserId, 1).TotalParts.Should().Be(0);
        uploads.UsersHeld.Should().Be(1, "only the admin has an upload open");
        (await admin.Client.CallAsync(new GetUploadedPartsCall(1))).Parts.Should().Equal([0], "another user's upload of the same file id stays");
    }

    [Fact]
    public async Task DeleteAccount_WithAnUploadOfAPreviousRunNotResumed_DeletesItsFiles()
    {
        using var directory = new TempDirectory();
        await using (var before = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path))
        {
            await using var admin = await before.SignUpAsync("the_admin");
            await using var alice = await before.SignUpAsync("alice_dr", startEvents: false);
            await alice.Client.CallAsync(new SaveFilePartCall(7, 0, 2, new byte[KiB]));
        }

        await using var after = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path);
        await using var again = await after.SignInAnotherDeviceAsync("alice_dr", startEvents: false);
        var files = after.UploadFiles();
        files.Should().Contain(f => Path.GetFileName(f).StartsWith($"{again.UserId}-", StringComparison.Ordinal), "the upload's files outlive the restart");

        await again.Client.DeleteAccountAsync(SessionTestKit.Password);

        after.UploadFiles().Should().BeEmpty();
        after.Services.GetRequiredService<UploadStore>().UsersHeld.Should().Be(0);
    }

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

        await DeleteWhileSendingPartsAsync(host, alice, alice.Client, 100);

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

        await DeleteWhileSendingPartsAsync(host, alice, other.Client, 200);
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

    /// <summary><paramref name="sender"/> (a device of <paramref name="account"/>) keeps sending parts while the account
    /// deletes itself; then none of its uploads is left in the temporary directory.</summary>
    private static async Task DeleteWhileSendingPartsAsync(TestHost host, Device account, MessengerClient sender, long firstFileId)
    {
        var ofAccount = (string f) => Path.GetFileName(f).StartsWith($"{account.UserId}-", StringComparison.Ordinal);
        using var stop = new CancellationTokenSource();
        var loops = KeepSendingParts(sender, firstFileId, stop.Token);
        while (!host.UploadFiles().Any(ofAccount))
        {
            await Task.Delay(10);
        }

        await account.Client.DeleteAccountAsync(SessionTestKit.Password);
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        host.UploadFiles().Where(ofAccount).Should().BeEmpty("a deleted account's uploads leave the temporary directory at once (docs/session.md)");
    }

    /// <summary>Four uploads' first parts sent again and again until <paramref name="stop"/>, or until the account is gone
    /// (AUTH_KEY_UNREGISTERED, the connection closed); a part the deletion's cancel met goes on, as a client's next would.</summary>
    private static Task[] KeepSendingParts(MessengerClient client, long firstFileId, CancellationToken stop) =>
        [.. Enumerable.Range(1, 4).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await client.CallAsync(new SaveFilePartCall(firstFileId + i, 0, 2, new byte[KiB]));
                }
                catch (RpcException e) when (e.Name == "UPLOAD_CANCELLED")
                {
                }
                catch (Exception)
                {
                    return;
                }
            }
        }))];
}
