using System.Security.Cryptography;
using Messenger.Contracts.Media;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Messenger.Media.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Media.Thumbnails;

/// <summary>A blob's thumbnail state as recorded in <c>media_blobs</c>: the displayed size of the image, the thumbnail
/// and the preview (all null when it has none).</summary>
internal sealed record BlobThumbnail(int? Width, int? Height, MediaThumb? Thumb, byte[]? Preview)
{
    public static readonly BlobThumbnail None = new(null, null, null, null);
}

/// <summary>
/// Thumbnails per blob (keyed by its SHA-256, so content sent many times is thumbnailed once): the file
/// <c>media/thumbs/ab/cd/&lt;hash&gt;.jpg</c> beside the blobs, and in the blob's row the state (<c>thumb_state</c>:
/// null not tried, 1 made, 2 none, 3 being tried), the thumbnail's size, the inline preview and the displayed image
/// size. Made outside every writer unit (decoding is CPU work; the unit only records the result), one image at a time
/// and at most one of each user's in the decoder or waiting for it, within the pixel and file-size budgets; a failure
/// means no thumbnail, logged as one line without content.
/// </summary>
/// <summary>A thumbnail file as <see cref="ThumbnailStore.AllFiles"/> finds it.</summary>
internal sealed record ThumbnailFile(string Hash, string? Key, string Path, DateTime WrittenUtc);

internal sealed class ThumbnailStore
{
    public const int Made = 1;
    public const int NoThumbnail = 2;

    /// <summary>Recorded (durably) before a blob's first decode and replaced by its result: found under the decoder's
    /// turn, it is what a decode the process did not survive left (a file that crashes the native decoder), and the
    /// blob is recorded as having none instead of being decoded again — not at every start by the background pass, nor
    /// at every send of it.</summary>
    public const int BeingTried = 3;

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>The users one of whose images is in the decoder or waiting for it.</summary>
    private readonly HashSet<long> _usersAtTheDecoder = [];
    private readonly BlobStore _blobs;
    private readonly StorageWriter _writer;
    private readonly SqliteDatabase _database;
    private readonly IOptions<MediaOptions> _options;
    private readonly ILogger<ThumbnailStore> _logger;

    public ThumbnailStore(
        IOptions<MessengerOptions> messenger, BlobStore blobs, StorageWriter writer, SqliteDatabase database, IOptions<MediaOptions> options,
        ILogger<ThumbnailStore> logger)
    {
        Root = RootIn(messenger.Value.DataDirectoryFullPath);
        TempDirectory = Path.Combine(messenger.Value.DataDirectoryFullPath, "tmp", "thumbs");
        _blobs = blobs;
        _writer = writer;
        _database = database;
        _options = options;
        _logger = logger;
    }

    public string Root { get; }

    /// <summary>Where a thumbnail is written before its rename into <see cref="Root"/> (same file system, left out of backups).</summary>
    public string TempDirectory { get; }

    /// <summary>How many images had their pixels decoded since start (dedup and the budgets show here).</summary>
    public int Decoded => _decoded;

    /// <summary>Called with a blob's hash as its pixels are about to be decoded (tests: what a crash then would leave).</summary>
    internal Action<string>? Decoding { get; set; }

    private int _decoded;
    private int _leftUntried;

    /// <summary>Whether a send left an image untried since the last call (the decoder was busy, or its file could not be
    /// stored): the background pass has something to do.</summary>
    public bool TakeLeftUntried() => Interlocked.Exchange(ref _leftUntried, 0) == 1;

    /// <summary>Has the background pass run at its next tick (its last run failed part-way).</summary>
    public void MarkLeftUntried() => Interlocked.Exchange(ref _leftUntried, 1);

    /// <summary>False when <c>ThumbnailMaxPixels</c> is 0: nothing is made, nor recorded as tried.</summary>
    public bool Enabled => _options.Value.ThumbnailMaxPixels > 0;

    /// <summary>The largest thumbnail image a client may send with its media (<see cref="MakeOfClientImageAsync"/>).</summary>
    public const int ClientImageMaxBytes = 200 * 1024;

    public string PathOf(string hash) => PathIn(Root, hash);

    /// <summary>The thumbnails' folder in a data directory (also read offline: <c>Messenger.Host check</c>).</summary>
    public static string RootIn(string dataDirectory) => Path.Combine(dataDirectory, "media", "thumbs");

    /// <summary>Where the thumbnail of blob <paramref name="hash"/> lives under <paramref name="root"/>, beside the blob's
    /// place in its own store.</summary>
    public static string PathIn(string root, string hash) => Path.Combine(root, hash[..2], hash[2..4], hash + ".jpg");

    /// <summary>Where the thumbnail made of a client's image for one upload of the blob lives: beside the blob's own, so
    /// it goes with the blob and backups link it like the others.</summary>
    public string PathOf(string hash, string key) => Path.Combine(Root, hash[..2], hash[2..4], $"{hash}-{key}.jpg");

    /// <summary>The length of an upload's thumbnail file; null when it is not there.</summary>
    public long? LengthOf(string hash, string key) => new FileInfo(PathOf(hash, key)) is { Exists: true } file ? file.Length : null;

    /// <summary>The thumbnail of an image a client sent with its media (a video's frame, say), decoded like a blob
    /// through the same gate and budgets; <c>Made</c> null with a reason when it is not an image this decodes (the send
    /// is refused), <c>Busy</c> when no turn came within <paramref name="wait"/>, another image of
    /// <paramref name="userId"/>'s has the decoder or waits for it, or thumbnails are off (it goes out without one).</summary>
    public async Task<(MadeThumbnail? Made, string Reason, bool Busy)> MakeOfClientImageAsync(long userId, string path, long size, TimeSpan wait)
    {
        if (!Enabled)
        {
            return (null, "thumbnails are off", true);
        }

        if (size > ClientImageMaxBytes)
        {
            return (null, $"{size} bytes is over the client thumbnail limit", false);
        }

        if (!TryEnter(userId))
        {
            return (null, "another image of the user's was at the decoder", true);
        }

        try
        {
            if (!await _oneAtATime.WaitAsync(wait))
            {
                return (null, "another image was being decoded", true);
            }

            try
            {
                var (made, reason) = ThumbnailMaker.Make(path, _options.Value.ThumbnailMaxPixels, () => Interlocked.Increment(ref _decoded));
                return (made, reason, false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return (null, e.GetType().Name, false);
            }
            finally
            {
                _oneAtATime.Release();
            }
        }
        finally
        {
            Leave(userId);
        }
    }

    /// <summary>Whether one of the user's images is in the decoder or waiting for it (tests).</summary>
    internal bool IsAtTheDecoder(long userId)
    {
        lock (_usersAtTheDecoder)
        {
            return _usersAtTheDecoder.Contains(userId);
        }
    }

    /// <summary>Takes the user's one place at the decoder, in it or waiting for it: one account sending many images at
    /// once (or a few that are slow to decode) waits its turn behind everyone else's instead of taking all of theirs.
    /// False when an image of theirs has it. The background pass (no user) is not counted.</summary>
    private bool TryEnter(long? userId)
    {
        if (userId is not { } id)
        {
            return true;
        }

        lock (_usersAtTheDecoder)
        {
            return _usersAtTheDecoder.Add(id);
        }
    }

    private void Leave(long? userId)
    {
        if (userId is { } id)
        {
            lock (_usersAtTheDecoder)
            {
                _usersAtTheDecoder.Remove(id);
            }
        }
    }

    /// <summary>Stores a thumbnail made of a client's image for an upload of blob <paramref name="hash"/> and returns its
    /// key (a new random name each time: two uploads of the same content may bring different pictures).</summary>
    public (string Key, long Length) StoreOfClientImage(string hash, byte[] bytes)
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        return (key, WriteFile(PathOf(hash, key), bytes));
    }

    /// <summary>The blob's thumbnail, made now if it was never tried and a turn comes within <paramref name="wait"/>
    /// (otherwise none, left untried for the background pass; so too when another image of <paramref name="userId"/>'s,
    /// the sender, is in the decoder or waiting for it). The caller holds the blob (it cannot be collected
    /// meanwhile). Never throws for a bad image; cancellation only stops the wait for a turn. With
    /// <paramref name="decodeEvenIfKnown"/> (a send), content thumbnailed before is decoded again and the result thrown
    /// away: a send of a new image and of one stored already take the same time, so the time does not tell whether the
    /// server has the content (see the README's privacy of dedup).</summary>
    public async Task<BlobThumbnail> EnsureAsync(
        string hash, long size, TimeSpan wait, CancellationToken cancellationToken, long? userId = null, bool decodeEvenIfKnown = false)
    {
        if (!Enabled)
        {
            return BlobThumbnail.None;
        }

        var known = Read(hash);
        if (known is not null && !decodeEvenIfKnown)
        {
            return known;
        }

        if (!TryEnter(userId))
        {
            _logger.LogInformation("No thumbnail for blob {Hash} yet: another image of user {UserId} was at the decoder", hash, userId);
            Interlocked.Exchange(ref _leftUntried, 1);
            return BlobThumbnail.None;
        }

        try
        {
            return await EnsureInTurnAsync(hash, size, wait, known, cancellationToken);
        }
        finally
        {
            Leave(userId);
        }
    }

    private async Task<BlobThumbnail> EnsureInTurnAsync(string hash, long size, TimeSpan wait, BlobThumbnail? known, CancellationToken cancellationToken)
    {
        // One image at a time, and a send waits for its turn only so long: someone sending large images back to back
        // delays everyone's photos by this much at most, and theirs go out without a thumbnail until the next start.
        if (!await _oneAtATime.WaitAsync(wait, cancellationToken))
        {
            _logger.LogInformation("No thumbnail for blob {Hash} yet: another image was being decoded", hash);
            Interlocked.Exchange(ref _leftUntried, 1);
            return BlobThumbnail.None;
        }

        try
        {
            // Under the turn no decode of this process is running: "being tried" is a crashed one's.
            if (StateOf(hash) == BeingTried)
            {
                _logger.LogWarning("No thumbnail for blob {Hash}: its decode was interrupted (the server stopped during it); not tried again", hash);
                await _writer.WriteAsync(scope => Record(scope, hash, NoThumbnail, null), CancellationToken.None);
                return BlobThumbnail.None;
            }

            // Read again under the turn: a decode of the same content may have ended while this one waited.
            var now = Read(hash);
            if (known is not null)
            {
                await RepeatAsync(hash, size, now ?? known);
                return now ?? known;
            }

            // Another send of the same content may have made it while this one waited.
            if (now is not null)
            {
                return now;
            }

            // Durable before the decoder runs: a file that crashes it is then never decoded again (see BeingTried).
            await _writer.WriteAsync(scope => Record(scope, hash, BeingTried, null), CancellationToken.None);
            var made = Make(hash, size);
            if (made is null)
            {
                await _writer.WriteAsync(scope => Record(scope, hash, NoThumbnail, null), CancellationToken.None);
                return BlobThumbnail.None;
            }

            long stored;
            try
            {
                stored = WriteFile(PathOf(hash), made.Thumb);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // No room on the disk, say: left untried, for the background pass after the next start.
                _logger.LogWarning("Thumbnail of blob {Hash} not stored: {Error}", hash, e.Message);
                Interlocked.Exchange(ref _leftUntried, 1);
                await _writer.WriteAsync(scope => Record(scope, hash, null, null), CancellationToken.None);
                return BlobThumbnail.None;
            }

            var result = new BlobThumbnail(made.Width, made.Height, new MediaThumb(made.ThumbWidth, made.ThumbHeight, stored), made.Preview);
            // The file comes first: a recorded thumbnail always has its file (a crash in between leaves the state
            // untried, and the background pass makes it again over the same name).
            await _writer.WriteAsync(scope => Record(scope, hash, Made, result), CancellationToken.None);
            return result;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Takes the decoder's turn until the result is disposed: what a long decode does to the others (tests).</summary>
    internal async Task<IDisposable> OccupyAsync()
    {
        await _oneAtATime.WaitAsync();
        return new Turn(_oneAtATime);
    }

    /// <summary>The blob's <c>thumb_state</c>; null when it was never tried (or the blob has no row).</summary>
    private int? StateOf(string hash)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT thumb_state FROM media_blobs WHERE hash = @hash";
        command.Parameters.AddWithValue("@hash", hash);
        return command.ExecuteScalar() is long state ? (int)state : null;
    }

    /// <summary>The recorded state of the blob; null when it was never tried (or the blob has no row). Being tried reads
    /// as none: after a restart it is what a decode the process did not survive left.</summary>
    public BlobThumbnail? Read(string hash)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT thumb_state, image_width, image_height, thumb_width, thumb_height, thumb_size, preview FROM media_blobs WHERE hash = @hash";
        command.Parameters.AddWithValue("@hash", hash);
        using var reader = command.ExecuteReader();
        if (!reader.Read() || reader.IsDBNull(0))
        {
            return null;
        }

        if (reader.GetInt64(0) != Made)
        {
            return BlobThumbnail.None;
        }

        return new BlobThumbnail(
            reader.GetInt32(1), reader.GetInt32(2), new MediaThumb(reader.GetInt32(3), reader.GetInt32(4), reader.GetInt64(5)),
            reader.IsDBNull(6) ? null : (byte[])reader.GetValue(6));
    }

    /// <summary>
    /// What making a thumbnail costs, for content that has one: the decode and encode, a file written and synced (then
    /// deleted) and the blob's row written again as it is, in two writer units (as "being tried" and then the result are
    /// for new content) — so a send of an image the server has takes as long as one of an image it has not, and its time
    /// does not tell which.
    /// </summary>
    private async Task RepeatAsync(string hash, long size, BlobThumbnail known)
    {
        var state = known.Thumb is null ? NoThumbnail : Made;
        await _writer.WriteAsync(scope => Record(scope, hash, state, known), CancellationToken.None);
        if (Make(hash, size) is { } made)
        {
            try
            {
                WriteTemporary(hash, made.Thumb, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        await _writer.WriteAsync(scope => Record(scope, hash, state, known), CancellationToken.None);
    }

    /// <summary>Deletes the blob's thumbnail files, if any: its own and those made of clients' images for its uploads
    /// (their rows went with the blob's).</summary>
    public void Delete(string hash)
    {
        try
        {
            File.Delete(PathOf(hash));
            foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(PathOf(hash))!, hash + "-*.jpg"))
            {
                File.Delete(file);
            }
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Every thumbnail file: its blob's hash, the key of a thumbnail made of a client's image
    /// (<c>&lt;hash&gt;-&lt;key&gt;.jpg</c>; null for the blob's own), its path and when it was written (a directory
    /// walk: start-up only).</summary>
    public List<ThumbnailFile> AllFiles() =>
        Directory.Exists(Root)
            ? [.. Directory.EnumerateFiles(Root, "*.jpg", SearchOption.AllDirectories).Select(FileAt)]
            : [];

    private static ThumbnailFile FileAt(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path).Split('-', 2);
        return new ThumbnailFile(name[0], name.Length > 1 ? name[1] : null, path, File.GetLastWriteTimeUtc(path));
    }

    /// <summary>Removes thumbnails a crash left half-written.</summary>
    public void ClearTemporaryFiles()
    {
        // Under the generation lock: a thumbnail being written now is not half-written.
        _oneAtATime.Wait();
        try
        {
            if (Directory.Exists(TempDirectory))
            {
                Directory.Delete(TempDirectory, recursive: true);
            }
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private MadeThumbnail? Make(string hash, long size)
    {
        var options = _options.Value;
        if (size > options.ThumbnailMaxFileBytes)
        {
            _logger.LogInformation("No thumbnail for blob {Hash}: {Size} bytes is over the thumbnail file limit", hash, size);
            return null;
        }

        try
        {
            var (made, reason) = ThumbnailMaker.Make(_blobs.PathOf(hash), options.ThumbnailMaxPixels, () =>
            {
                Interlocked.Increment(ref _decoded);
                Decoding?.Invoke(hash);
            });
            if (made is null)
            {
                _logger.LogInformation("No thumbnail for blob {Hash}: {Reason}", hash, reason);
            }

            return made;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A malformed file may trip anything in the decoder; the message goes out without a thumbnail all the same.
            _logger.LogInformation("No thumbnail for blob {Hash}: {Error}", hash, e.GetType().Name);
            return null;
        }
    }

    /// <summary>Stores the thumbnail file and returns its length. A file already there (made before a crash kept it from
    /// being recorded) stays as it is: a stored file never changes, which backups rely on when they link it.</summary>
    private long WriteFile(string target, byte[] bytes)
    {
        if (new FileInfo(target) is { Exists: true } existing)
        {
            return existing.Length;
        }

        // Synced, name and all, before a row names it.
        var temp = WriteTemporary(Path.GetFileNameWithoutExtension(target), bytes, FileOptions.None);
        DurableFiles.CreateDirectory(Path.GetDirectoryName(target)!);
        DurableFiles.Move(temp, target);
        return bytes.Length;
    }

    /// <summary>Writes <paramref name="bytes"/> to a new file in <see cref="TempDirectory"/> and syncs it; its path.</summary>
    private string WriteTemporary(string name, byte[] bytes, FileOptions options)
    {
        Directory.CreateDirectory(TempDirectory);
        var temp = Path.Combine(TempDirectory, $"{name}-{Guid.NewGuid():N}.jpg");
        using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, options);
        file.Write(bytes);
        file.Flush(flushToDisk: true);
        return temp;
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private static void Record(WriteScope scope, string hash, int? state, BlobThumbnail? made) =>
        scope.Execute(
            "UPDATE media_blobs SET thumb_state = @state, image_width = @width, image_height = @height, thumb_width = @thumbWidth, " +
            "thumb_height = @thumbHeight, thumb_size = @thumbSize, preview = @preview WHERE hash = @hash",
            ("@hash", hash), ("@state", (object?)state ?? DBNull.Value), ("@width", (object?)made?.Width ?? DBNull.Value), ("@height", (object?)made?.Height ?? DBNull.Value),
            ("@thumbWidth", (object?)made?.Thumb?.Width ?? DBNull.Value), ("@thumbHeight", (object?)made?.Thumb?.Height ?? DBNull.Value),
            ("@thumbSize", (object?)made?.Thumb?.Size ?? DBNull.Value), ("@preview", (object?)made?.Preview ?? DBNull.Value));
}
