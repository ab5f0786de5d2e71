using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Media.Storage;

/// <summary>
/// The content-addressed files: <c>media/sha256/ab/cd/&lt;hash&gt;</c> under the data directory, and
/// <c>tmp/uploads/</c> for uploads in progress (same file system, so storing a finished upload is one atomic rename).
/// A hash being attached is held: the collector never deletes a held blob, and storing and deleting take one lock, so
/// "the blob exists, discard my copy" can never race with "no one references the blob, delete it".
/// </summary>
internal sealed class BlobStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _holds = new(StringComparer.Ordinal);
    private readonly ILogger<BlobStore> _logger;

    public BlobStore(IOptions<MessengerOptions> messenger, ILogger<BlobStore> logger)
    {
        _logger = logger;
        Root = RootIn(messenger.Value.DataDirectoryFullPath);
        UploadsDirectory = Path.Combine(messenger.Value.DataDirectoryFullPath, "tmp", "uploads");
    }

    public string Root { get; }

    public string UploadsDirectory { get; }

    public string PathOf(string hash) => PathIn(Root, hash);

    /// <summary>The store's folder in a data directory (also read offline: <c>Messenger.Host check</c>).</summary>
    public static string RootIn(string dataDirectory) => Path.Combine(dataDirectory, "media", "sha256");

    /// <summary>Where the blob <paramref name="hash"/> lives under <paramref name="root"/>: two levels of folders by its
    /// first four hex digits.</summary>
    public static string PathIn(string root, string hash) => Path.Combine(root, hash[..2], hash[2..4], hash);

    /// <summary>Moves the finished upload at <paramref name="tempPath"/> into the store, or deletes it when the store
    /// already has that content. The hash stays held until the returned action runs.</summary>
    public Action Store(string tempPath, string hash)
    {
        lock (_gate)
        {
            _holds[hash] = _holds.GetValueOrDefault(hash) + 1;
            try
            {
                var target = PathOf(hash);
                if (File.Exists(target))
                {
                    File.Delete(tempPath);
                }
                else
                {
                    // The new name (and any directory made for it) is synced before the message that refers to the blob
                    // is committed; under the gate, so a store that finds the blob here finds it synced (unless the disk
                    // failed the sync: see SyncStored).
                    var directory = Path.GetDirectoryName(target)!;
                    DurableFiles.CreateDirectory(directory);
                    File.Move(tempPath, target, overwrite: false);
                    SyncStored(directory, hash);
                }
            }
            catch
            {
                Unhold(hash);
                throw;
            }
        }

        return () => Unhold(hash);
    }

    /// <summary>Holds a blob that is already stored; null when it is gone.</summary>
    public Action? Hold(string hash)
    {
        lock (_gate)
        {
            if (!File.Exists(PathOf(hash)))
            {
                return null;
            }

            _holds[hash] = _holds.GetValueOrDefault(hash) + 1;
        }

        return () => Unhold(hash);
    }

    public bool IsHeld(string hash)
    {
        lock (_gate)
        {
            return _holds.ContainsKey(hash);
        }
    }

    /// <summary>Runs <paramref name="delete"/> (which deletes the blob's files or not, and says which) under the store's
    /// lock, unless the hash is held. An attach stores a file under this lock only after its row is committed, so a
    /// <paramref name="delete"/> that first looks for the row cannot miss the row of any file it sees.</summary>
    public bool UnlessHeld(string hash, Func<bool> delete)
    {
        lock (_gate)
        {
            return !_holds.ContainsKey(hash) && delete();
        }
    }

    /// <summary>Every stored blob's hash (a directory walk: start-up only).</summary>
    public IEnumerable<string> AllHashes() =>
        Directory.Exists(Root)
            ? Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(Path.GetFileName).OfType<string>()
            : [];

    /// <summary>
    /// Once renamed, the file is stored: the upload's file is the blob now, so failing here would leave the upload
    /// nothing to be completed again with (and a retry of the send nothing to attach). A failed sync of the name (a disk
    /// error: the rename may not survive a power loss) is logged and the blob kept.
    /// </summary>
    private void SyncStored(string directory, string hash)
    {
        try
        {
            DurableFiles.SyncDirectory(directory);
        }
        catch (IOException e)
        {
            _logger.LogWarning("Blob {Hash} stored, but its directory could not be synced (a power loss may take its name back): {Error}", hash, e.Message);
        }
    }

    private void Unhold(string hash)
    {
        lock (_gate)
        {
            if (_holds.TryGetValue(hash, out var count) && count > 1)
            {
                _holds[hash] = count - 1;
            }
            else
            {
                _holds.Remove(hash);
            }
        }
    }
}
