using Messenger.Contracts.Wire;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Messenger.Protocol.Keys;
using Microsoft.Extensions.Options;

namespace Messenger.Host.Commands;

/// <summary>
/// <c>Messenger.Host new-server-key</c>: the way on for a server whose <c>server.key</c> is lost with no copy left.
/// Such a server does not start, since a key made silently would lock out every client that pinned the old one; this
/// makes the new key on purpose, and the accounts, messages and media stay. Every client that pinned the old key fails
/// its handshake until it forgets it (the web client reads the key from the page it loads and follows by itself).
/// </summary>
internal static class NewServerKeyCommand
{
    /// <summary>0 with the new key's fingerprint printed; 2 when the data directory has a key (it is never replaced), no
    /// database, or a server running on it (it holds the directory's lock).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (MessengerApp.MissingDatabase(args) is { } missing)
        {
            error.WriteLine($"New key refused: no database at {missing}: is Messenger:DataDirectory right?");
            return 2;
        }

        using var app = MessengerApp.Build(args);
        var messenger = app.Services.GetRequiredService<IOptions<MessengerOptions>>().Value;
        var directory = messenger.DataDirectoryFullPath;

        try
        {
            // Held until the app is disposed: no server starts on the directory while the key is written, and none runs
            // there now (it would go on with the key it has, and its clients would meet the new one only at its restart).
            app.Services.GetRequiredService<DataDirectoryLock>().Acquire();
        }
        catch (StartupException e)
        {
            error.WriteLine($"New key refused: {e.Message}");
            return 2;
        }

        if (ServerKeyStore.CreateNew(directory) is not { } created)
        {
            error.WriteLine($"New key refused: {Path.Combine(directory, ServerKeyStore.PrivateFileName)} exists, and a server's key is never replaced");
            return 2;
        }

        output.WriteLine(
            $"New server key in {directory}, fingerprint {ServerKeyFingerprint.Of(created.PublicKey)}. " +
            "Clients that pinned the old key must forget it to connect again.");
        return 0;
    }
}
