using System.Runtime.InteropServices;

namespace Messenger.Client;

/// <summary>
/// Puts a finished file in place under a name only if nothing is there yet, atomically among processes: of two at
/// once, exactly one wins and the other learns it. <see cref="File.Move(string, string, bool)"/> without overwrite is not
/// that on Unix: it checks for the destination and then renames, and a rename replaces, so both could "win" and the
/// first be left holding a key the file no longer has. A hard link is made instead (<c>link(2)</c> fails with EEXIST
/// when the name exists), then the temporary name is removed.
/// </summary>
internal static class ExclusiveFiles
{
    private const int Eexist = 17; // Linux and macOS alike.

    /// <summary>Moves <paramref name="temporary"/> to <paramref name="destination"/>; false (and the temporary file
    /// deleted) when the destination exists already.</summary>
    public static bool TryPlace(string temporary, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING fails when the name exists: atomic already.
            return MoveUnlessTaken(temporary, destination);
        }

        if (link(temporary, destination) == 0)
        {
            File.Delete(temporary);
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error == Eexist)
        {
            File.Delete(temporary);
            return false;
        }

        // A file system without hard links (EPERM, ENOTSUP…): the plain move, with its small window.
        return MoveUnlessTaken(temporary, destination);
    }

    private static bool MoveUnlessTaken(string temporary, string destination)
    {
        try
        {
            File.Move(temporary, destination, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(destination))
        {
            File.Delete(temporary);
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);
}
