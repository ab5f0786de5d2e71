using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Microsoft.Extensions.Options;

namespace Messenger.Host.Commands;

/// <summary>What an offline command (<c>compact</c>, <c>check</c>) does first: the data directory's database must be
/// there, and the directory's lock is taken for the command's length (refused while a server runs there; no server
/// starts meanwhile).</summary>
internal static class OfflineDirectory
{
    /// <summary>The held lock (the caller disposes it) and the directory as configured, or null with a one-line reason
    /// written to <paramref name="error"/>: "<paramref name="verb"/> refused: …" (the command then exits 2).</summary>
    public static (DataDirectoryLock Lock, string Directory)? Hold(string verb, string[] args, TextWriter error)
    {
        if (MessengerApp.MissingDatabase(args) is { } missing)
        {
            error.WriteLine($"{verb} refused: no database at {missing}: is Messenger:DataDirectory right?");
            return null;
        }

        var directory = MessengerApp.DataDirectory(args);
        var held = new DataDirectoryLock(Options.Create(new MessengerOptions { DataDirectory = directory }));
        try
        {
            held.Acquire();
        }
        catch (StartupException e)
        {
            held.Dispose();
            error.WriteLine($"{verb} refused: {e.Message}");
            return null;
        }

        return (held, directory);
    }
}
