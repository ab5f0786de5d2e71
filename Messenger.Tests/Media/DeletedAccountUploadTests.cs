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
}
