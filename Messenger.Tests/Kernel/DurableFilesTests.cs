using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Kernel;

/// <summary>The directory syncs that keep a renamed file's name through a power loss: done on a real directory, and a
/// clear error, never a silent pass, where there is nothing to sync (on Linux: elsewhere a directory is opened without
/// <c>O_DIRECTORY</c>, and Windows has no such sync).</summary>
public sealed class DurableFilesTests
{
    [LinuxFact]
    public void SyncDirectory_OnADirectory_Syncs()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(Path.Combine(directory.Path, "named"), "x");

        DurableFiles.SyncDirectory(directory.Path).Should().BeTrue();
    }

    [LinuxFact]
    public void SyncDirectory_OnAMissingDirectoryOrAFile_FailsNamingIt()
    {
        using var directory = new TempDirectory();
        var missing = Path.Combine(directory.Path, "missing");
        var file = Path.Combine(directory.Path, "a-file");
        File.WriteAllText(file, "not a directory");

        var syncMissing = () => DurableFiles.SyncDirectory(missing);
        var syncFile = () => DurableFiles.SyncDirectory(file);

        syncMissing.Should().Throw<DirectoryNotFoundException>().WithMessage($"*'{missing}'*");
        syncFile.Should().Throw<DirectoryNotFoundException>().WithMessage($"*'{file}'*");
    }

    [Fact]
    public void CreateDirectoryAndMove_PutTheFileInNewDirectories_NeverOverAnother()
    {
        using var directory = new TempDirectory();
        var temporary = Path.Combine(directory.Path, "upload.tmp");
        File.WriteAllText(temporary, "blob");
        var target = Path.Combine(directory.Path, "ab", "cd", "abcd");

        DurableFiles.CreateDirectory(Path.GetDirectoryName(target)!);
        DurableFiles.Move(temporary, target);
        File.WriteAllText(temporary, "another");
        var again = () => DurableFiles.Move(temporary, target);

        File.ReadAllText(target).Should().Be("blob");
        again.Should().Throw<IOException>();
        File.ReadAllText(target).Should().Be("blob", "a stored file never changes");
    }
}
