using System.Buffers.Binary;
using System.Collections.Concurrent;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Media.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace Messenger.Media.Uploads;

/// <summary>
/// Uploads in progress. Each is three files in <c>tmp/uploads/</c>: <c>.data</c> (every part but the last, written at
/// its offset: nothing is buffered, whatever the file size), <c>.last</c> (the last part, which may be smaller and may
/// come before the part size is known) and <c>.parts</c> (a header with total_parts, then one (part, length) record
/// appended after each part's bytes are written), from which an upload is resumed after a restart.
/// A user has at most <see cref="MediaOptions.UploadsInProgressPerUser"/> uploads open, each reserving the smallest size
/// its file can have against the quota: a call with one byte of data must not make the server hold files, memory or a
/// claim on the disk for a day without limit. A client that gives an upload up frees all of that at once
/// (<see cref="CancelAsync"/>) rather than leaving it to expire.
/// </summary>
internal sealed class UploadStore(BlobStore blobs, IOptions<MediaOptions> options, TimeProvider clock)
{
    public const int MaxPartBytes = 512 * 1024;
    private const int MinPartBytes = 1024;
    private readonly ConcurrentDictionary<(long User, long File), Upload> _uploads = new();
    private readonly ConcurrentDictionary<long, UserUploads> _byUser = new();
    private readonly object _loadGate = new();

    // Deleted accounts: none of them starts an upload again (a part already past the sign-in check when the account
    // went). One entry per deleted account (the clean-up runs again for each at every start): a few bytes each.
    private readonly ConcurrentDictionary<long, byte> _closedUsers = new();

    public long MaxFileBytes => options.Value.MaxFileBytes;

    private int MaxParts => (int)Math.Min(int.MaxValue, (MaxFileBytes + MinPartBytes - 1) / MinPartBytes);

    /// <summary>
    /// Writes one part. <paramref name="checkQuota"/> gets the smallest size the file can have when the upload starts, or
    /// when a part shows it is larger than thought, and the bytes the user's other open uploads reserve.
    /// With <paramref name="writeAfter"/> (a stream's previous part), the part is checked and hashed at once but written
    /// only once that task is done, so a stream's writes reach the disk one at a time and in order; if it failed, this
    /// part is not written either (and fails the same way). A part of an upload being cancelled waits until it is gone and
    /// starts a new one, unless <paramref name="cancellationToken"/> (a stream's, revoked with the upload) is cancelled by
    /// then; one that was being written when it was cancelled fails with <c>UPLOAD_CANCELLED</c>.
    /// </summary>
    public async Task SaveAsync(
        long userId, long fileId, int part, int totalParts, ReadOnlyMemory<byte> bytes, Action<long, long> checkQuota, CancellationToken cancellationToken, Task? writeAfter = null)
    {
        if (totalParts > MaxParts)
        {
            throw MessengerError.BadRequest(MediaErrorNames.FileTooBig);
        }

        if (totalParts <= 0 || part < 0 || part >= totalParts)
        {
            throw MessengerError.BadRequest(MediaErrorNames.FilePartsInvalid);
        }

        var isLast = part == totalParts - 1;
        if (bytes.Length == 0 || bytes.Length > MaxPartBytes || (!isLast && !IsValidPartSize(bytes.Length)))
        {
            throw MessengerError.BadRequest(MediaErrorNames.FilePartSizeInvalid);
        }

        // The smallest file these parts can make: more than the limit is refused before a byte is written.
        var smallest = isLast ? (totalParts - 1L) * MinPartBytes + bytes.Length : (totalParts - 1L) * bytes.Length + 1;
        if (smallest > MaxFileBytes)
        {
            throw MessengerError.BadRequest(MediaErrorNames.FileTooBig);
        }

        var upload = Find(userId, fileId);
        while (upload is not null && GoneOf(upload) is { } gone)
        {
            await gone.WaitAsync(cancellationToken);
            upload = Find(userId, fileId);
        }

        if (upload is null)
        {
            upload = Start(userId, fileId, totalParts, smallest, checkQuota, cancellationToken);
        }
        else if (upload.TotalParts == totalParts)
        {
            Reserve(userId, upload, smallest, checkQuota);
        }

        bool rewrite;
        lock (upload.Gate)
        {
            if (upload.Gone is not null)
            {
                throw MessengerError.BadRequest(MediaErrorNames.UploadCancelled);
            }

            if (upload.TotalParts != totalParts || upload.Completed)
            {
                throw MessengerError.BadRequest(MediaErrorNames.FilePartsInvalid);
            }

            if (!isLast)
            {
                if (upload.PartSize == 0)
                {
                    upload.PartSize = bytes.Length;
                }
                else if (upload.PartSize != bytes.Length)
                {
                    throw MessengerError.BadRequest(MediaErrorNames.FilePartSizeInvalid);
                }
            }
            else if (upload.PartSize != 0 && bytes.Length > upload.PartSize)
            {
                throw MessengerError.BadRequest(MediaErrorNames.FilePartSizeInvalid);
            }

            rewrite = !upload.Written.Add(part);
            upload.Writers++;
        }

        // Outside the upload's gate: the prefix takes it to read parts back (one lock order, prefix then upload).
        // Nothing can take the prefix's result in between: that waits for this writer.
        if (rewrite)
        {
            upload.Prefix?.Spoil();
        }
        else
        {
            upload.Prefix?.Expect(part);
        }

        // The prefix hash takes the part's bytes while the disk takes them: hashed after the write, it was a third of
        // the time a stream's next part waited (parts alone 350-380 MB/s with it in line, 420-500 without). A part
        // hashed and then not written (the write failed) is written again later, and that second write spoils the
        // prefix, so an attached file is never named by bytes it does not hold.
        var hashing = upload.Prefix is { } prefix
            ? Task.Run(() => prefix.Add(part, bytes, next => ReadBack(upload, next)), CancellationToken.None)
            : Task.CompletedTask;
        try
        {
            if (writeAfter is not null)
            {
                await writeAfter;
            }

            if (GoneOf(upload) is not null)
            {
                throw MessengerError.BadRequest(MediaErrorNames.UploadCancelled);
            }

            if (isLast)
            {
                await File.WriteAllBytesAsync(upload.BasePath + ".last", bytes, cancellationToken);
            }
            else
            {
                using var handle = File.OpenHandle(
                    upload.BasePath + ".data", FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, FileOptions.Asynchronous);
                await DirectIo.WritePartAsync(handle, bytes, (long)part * bytes.Length, cancellationToken);
            }
        }
        finally
        {
            // The caller's buffer is the hash's input until it is done.
            await hashing;
            bool last;
            lock (upload.Gate)
            {
                upload.Writers--;
                last = upload.Writers == 0 && upload.Gone is not null;
            }

            // The last writer of a cancelled upload deletes its files: no write can recreate them after that.
            if (last)
            {
                Finish(userId, fileId, upload);
            }
        }

        lock (upload.Gate)
        {
            if (upload.Gone is not null)
            {
                throw MessengerError.BadRequest(MediaErrorNames.UploadCancelled);
            }

            upload.Touched = clock.GetUtcNow();
            if (upload.Received.Contains(part))
            {
                if (isLast)
                {
                    upload.LastLength = bytes.Length;
                }

                return;
            }

            // The record is appended only after the bytes are written (neither is fsynced: after a restart, Load counts a
            // record only if the files still hold its part).
            Span<byte> record = stackalloc byte[8];
            BinaryPrimitives.WriteInt32LittleEndian(record, part);
            BinaryPrimitives.WriteInt32LittleEndian(record[4..], bytes.Length);
            using (var sidecar = new FileStream(upload.BasePath + ".parts", FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                sidecar.Write(record);
            }

            upload.Received.Add(part);
            if (isLast)
            {
                upload.LastLength = bytes.Length;
            }
        }

        // What the prefix could not take from memory is read back now that this part is on disk: this part, when its
        // turn had not come while it was written, and parts that came early and waited for it.
        upload.Prefix?.CatchUp(next => ReadBack(upload, next));
    }

    /// <summary>A part that is on disk, read back for the prefix hash; null if it is not there (yet).</summary>
    private static byte[]? ReadBack(Upload upload, int part)
    {
        int length;
        lock (upload.Gate)
        {
            if (part >= upload.TotalParts || !upload.Received.Contains(part))
            {
                return null;
            }

            length = part == upload.TotalParts - 1 ? upload.LastLength : upload.PartSize;
        }

        try
        {
            if (part == upload.TotalParts - 1)
            {
                return File.ReadAllBytes(upload.BasePath + ".last");
            }

            var bytes = new byte[length];
            using var handle = File.OpenHandle(upload.BasePath + ".data", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return RandomAccess.Read(handle, bytes, (long)part * length) == length ? bytes : null;
        }
        catch (IOException)
        {
            // Completed or expired under us: the prefix stops here and attaching hashes the file itself.
            return null;
        }
    }

    public UploadedParts Parts(long userId, long fileId)
    {
        if (Find(userId, fileId) is not { } upload)
        {
            return new UploadedParts([], 0);
        }

        lock (upload.Gate)
        {
            return upload.Gone is null ? new UploadedParts(upload.Received.ToArray(), upload.TotalParts) : new UploadedParts([], 0);
        }
    }

    /// <summary>
    /// Checks the upload is whole and returns its content as one file, its size and, when the parts went through
    /// <see cref="PrefixHash"/> in one piece, its SHA-256. The upload is done with: a later call finds it completed,
    /// until it is removed or reopened (<see cref="Reopen"/>). On a missing part nothing changes (the client resumes and
    /// tries again); when its files are gone it is removed (<c>FILE_PARTS_INVALID</c>).
    /// </summary>
    public async Task<(string Path, long Size, string? Hash)> CompleteAsync(long userId, long fileId, int totalParts, CancellationToken cancellationToken)
    {
        if (Find(userId, fileId) is not { } upload)
        {
            throw MessengerError.BadRequest(MediaErrorNames.FilePartsInvalid);
        }

        lock (upload.Gate)
        {
            if (upload.TotalParts != totalParts || upload.Completed || upload.Gone is not null)
            {
                throw MessengerError.BadRequest(MediaErrorNames.FilePartsInvalid);
            }

            if (upload.Received.Count < upload.TotalParts || upload.Writers > 0)
            {
                throw MessengerError.BadRequest(MediaErrorNames.FilePartMissing);
            }

            if (upload.TotalParts > 1 && upload.LastLength > upload.PartSize)
            {
                throw MessengerError.BadRequest(MediaErrorNames.FilePartSizeInvalid);
            }

            upload.Completed = true;
        }

        try
        {
            var last = upload.BasePath + ".last";
            if (upload.TotalParts == 1)
            {
                return File.Exists(last)
                    ? (last, upload.LastLength, upload.Prefix?.Result(upload.TotalParts))
                    : throw new FileNotFoundException("The upload's only part is gone", last);
            }

            var offset = (long)(upload.TotalParts - 1) * upload.PartSize;
            var bytes = await File.ReadAllBytesAsync(last, cancellationToken);
            // Open, never create: a .data that is gone holds none of the parts, and a new one would be zeros up to the last part.
            using (var handle = File.OpenHandle(upload.BasePath + ".data", FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                await RandomAccess.WriteAsync(handle, bytes, offset, cancellationToken);
                RandomAccess.SetLength(handle, offset + bytes.Length);
            }

            // .last stays until the upload is removed: a completion whose content could not be stored is reopened and
            // completed again from the same files, in this run or after a restart.
            return (upload.BasePath + ".data", offset + bytes.Length, upload.Prefix?.Result(upload.TotalParts));
        }
        catch (FileNotFoundException)
        {
            // Its files are gone from under it (deleted on disk, or moved into the store by an earlier completion): it
            // cannot be completed, now or later, and is sent again from the start.
            Remove(userId, fileId);
            throw MessengerError.BadRequest(MediaErrorNames.FilePartsInvalid);
        }
        catch
        {
            lock (upload.Gate)
            {
                upload.Completed = false;
            }

            throw;
        }
    }

    /// <summary>A completed upload whose content could not be stored (no room for its row, a shutdown) can be completed
    /// again: its files are whole and unchanged. One whose content file is gone (moved into the store after all) cannot,
    /// and is removed: completing it again answers <c>FILE_PARTS_INVALID</c>, never a file of whatever is left.</summary>
    public void Reopen(long userId, long fileId)
    {
        if (!_uploads.TryGetValue((userId, fileId), out var upload))
        {
            return;
        }

        if (!File.Exists(upload.BasePath + (upload.TotalParts == 1 ? ".last" : ".data")))
        {
            Remove(userId, fileId);
            return;
        }

        lock (upload.Gate)
        {
            upload.Completed = false;
        }
    }

    /// <summary>Forgets a completed upload (its content has been stored or discarded).</summary>
    public void Remove(long userId, long fileId)
    {
        if (TryForget(userId, fileId, null) is { } upload)
        {
            upload.Prefix?.Dispose();
            DeleteFiles(upload.BasePath);
        }
    }

    /// <summary>
    /// Gives up the user's upload in progress <paramref name="fileId"/> (<c>upload.cancelUpload</c>): its place and its
    /// reservation are freed at once; its files are deleted once the parts being written for it have stopped (they
    /// fail with <c>UPLOAD_CANCELLED</c>), which the task waits for, so no write can recreate a file after it ends. A
    /// part sent meanwhile waits for that and starts a new upload. An upload of a previous run not resumed yet has only
    /// its files, deleted here. One being completed (a send attaching it) is left to that send; unknown ones are no error.
    /// </summary>
    public async Task CancelAsync(long userId, long fileId)
    {
        Upload? upload;
        bool finish;
        lock (_loadGate)
        {
            if (!_uploads.TryGetValue((userId, fileId), out upload))
            {
                if (Directory.Exists(blobs.UploadsDirectory))
                {
                    DeleteFiles(BasePath(userId, fileId));
                }

                return;
            }

            lock (upload.Gate)
            {
                if (upload.Completed)
                {
                    return;
                }

                finish = upload.Gone is null && upload.Writers == 0;
                upload.Gone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        // Held parts waiting for a gap to close are let go: their writers end now.
        upload.Prefix?.Spoil();
        Release(userId, upload);
        if (finish)
        {
            Finish(userId, fileId, upload);
        }

        await GoneOf(upload)!;
    }

    /// <summary>A deleted account starts no upload from now on (<c>UPLOAD_CANCELLED</c>); one started before is among
    /// <see cref="FileIdsOf"/> once this returns (a start holds the same gate).</summary>
    public void Close(long userId)
    {
        lock (_loadGate)
        {
            _closedUsers[userId] = 0;
        }
    }

    /// <summary>The ids of the user's uploads in progress: those of this run and, from their files, those of a previous
    /// run not resumed yet.</summary>
    public IReadOnlyCollection<long> FileIdsOf(long userId)
    {
        var ids = _uploads.Keys.Where(key => key.User == userId).Select(key => key.File).ToHashSet();
        if (Directory.Exists(blobs.UploadsDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(blobs.UploadsDirectory, $"{userId}-*"))
            {
                if (TryParseKey(Path.GetFileNameWithoutExtension(file)) is { } key && key.Item1 == userId)
                {
                    ids.Add(key.Item2);
                }
            }
        }

        return ids;
    }

    /// <summary>
    /// Refuses a new upload that would pass the user's limit of uploads in progress or their quota (an upload stream asks
    /// before its first part is sent); an upload that is open already is not asked again.
    /// </summary>
    public void CheckCanStart(long userId, long fileId, long fileBytes, Action<long, long> checkQuota)
    {
        if (Find(userId, fileId) is { } open && GoneOf(open) is null)
        {
            return;
        }

        using (var held = Hold(userId))
        {
            var user = held.User;
            CheckCanStartLocked(user, fileBytes, checkQuota);
        }
    }

    /// <summary>What the part sets of an upload hold in memory (null when there is no such upload): for tests.</summary>
    internal long? FootprintBytes(long userId, long fileId)
    {
        if (!_uploads.TryGetValue((userId, fileId), out var upload))
        {
            return null;
        }

        lock (upload.Gate)
        {
            return upload.Received.FootprintBytes + upload.Written.FootprintBytes;
        }
    }

    private void CheckCanStartLocked(UserUploads user, long smallest, Action<long, long> checkQuota)
    {
        if (user.Open.Count >= options.Value.UploadsInProgressPerUser)
        {
            // The least recently touched one is the first to expire; the collector's next pass deletes it.
            var oldest = user.Open.Values.Min(TouchedOf);
            var frees = oldest + TimeSpan.FromHours(options.Value.UploadExpiryHours) + TimeSpan.FromMinutes(options.Value.CollectionIntervalMinutes);
            var seconds = (int)Math.Ceiling(Math.Max(1, (frees - clock.GetUtcNow()).TotalSeconds));
            throw new MessengerError(MediaErrorNames.UploadsTooMany, 420, seconds);
        }

        checkQuota(smallest, user.Reserved);
    }

    /// <summary>The task that ends when a cancelled upload is gone; null while it is not cancelled.</summary>
    private static Task? GoneOf(Upload upload)
    {
        lock (upload.Gate)
        {
            return upload.Gone?.Task;
        }
    }

    /// <summary>Takes a cancelled upload out of its user's count and reservation (if it is still the one counted).</summary>
    private void Release(long userId, Upload upload)
    {
        using (var held = Hold(userId))
        {
            var user = held.User;
            if (user.Open.TryGetValue(upload.FileId, out var open) && open == upload)
            {
                user.Open.Remove(upload.FileId);
                user.Reserved -= upload.Reserved;
            }
        }
    }

    /// <summary>The end of a cancelled upload, once nothing writes to it: out of the store, and its files deleted under
    /// the load gate, so a new upload of the same id (which starts under it) never has its files deleted.</summary>
    private void Finish(long userId, long fileId, Upload upload)
    {
        try
        {
            lock (_loadGate)
            {
                if (_uploads.TryRemove(KeyValuePair.Create((userId, fileId), upload)))
                {
                    upload.Prefix?.Dispose();
                    DeleteFiles(upload.BasePath);
                }
            }
        }
        finally
        {
            upload.Gone!.TrySetResult();
        }
    }

    private static DateTimeOffset TouchedOf(Upload upload)
    {
        lock (upload.Gate)
        {
            return upload.Touched;
        }
    }

    /// <summary>Raises what <paramref name="upload"/> reserves when a part shows its file is larger than thought (its
    /// parts' size is known only from the first part that is not the last), within the quota.</summary>
    private void Reserve(long userId, Upload upload, long smallest, Action<long, long> checkQuota)
    {
        if (smallest <= upload.Reserved)
        {
            return;
        }

        using (var held = Hold(userId))
        {
            var user = held.User;
            if (smallest <= upload.Reserved || !user.Open.TryGetValue(upload.FileId, out var open) || open != upload)
            {
                return;
            }

            checkQuota(smallest, user.Reserved - upload.Reserved);
            user.Reserved += smallest - upload.Reserved;
            upload.Reserved = smallest;
        }
    }

    /// <summary>Takes the upload out of the store and out of its user's count; with <paramref name="only"/>, only if it
    /// is that one.</summary>
    private Upload? TryForget(long userId, long fileId, Upload? only)
    {
        using (var held = Hold(userId))
        {
            var user = held.User;
            Upload? upload;
            var removed = only is null
                ? _uploads.TryRemove((userId, fileId), out upload)
                : _uploads.TryRemove(KeyValuePair.Create((userId, fileId), upload = only));
            if (!removed)
            {
                return null;
            }

            if (user.Open.Remove(fileId, out var counted))
            {
                user.Reserved -= counted.Reserved;
            }

            return upload;
        }
    }

    /// <summary>Deletes uploads untouched since <paramref name="cutoff"/>, in memory and on disk (also those of a previous run).</summary>
    public int Expire(DateTimeOffset cutoff)
    {
        var expired = 0;
        foreach (var (key, upload) in _uploads)
        {
            bool stale;
            lock (upload.Gate)
            {
                // A cancelled one is its canceller's (or its last writer's) to delete.
                stale = upload.Touched < cutoff && upload.Writers == 0 && !upload.Completed && upload.Gone is null;
            }

            if (stale && TryForget(key.User, key.File, upload) is not null)
            {
                upload.Prefix?.Dispose();
                DeleteFiles(upload.BasePath);
                expired++;
            }
        }

        if (!Directory.Exists(blobs.UploadsDirectory))
        {
            return expired;
        }

        foreach (var group in Directory.EnumerateFiles(blobs.UploadsDirectory).GroupBy(f => Path.Combine(Path.GetDirectoryName(f)!, Path.GetFileNameWithoutExtension(f))))
        {
            if (TryParseKey(Path.GetFileName(group.Key)) is { } key && _uploads.ContainsKey(key))
            {
                continue;
            }

            if (group.All(f => new DateTimeOffset(File.GetLastWriteTimeUtc(f), TimeSpan.Zero) < cutoff))
            {
                DeleteFiles(group.Key);
                expired++;
            }
        }

        return expired;
    }

    private static bool IsValidPartSize(int length) => length % MinPartBytes == 0 && MaxPartBytes % length == 0;

    private Upload? Find(long userId, long fileId)
    {
        if (_uploads.TryGetValue((userId, fileId), out var upload))
        {
            return upload;
        }

        lock (_loadGate)
        {
            if (_uploads.TryGetValue((userId, fileId), out upload))
            {
                return upload;
            }

            upload = Load(BasePath(userId, fileId), fileId);
            if (upload is not null)
            {
                // An upload of a previous run counts from when it is resumed (it was within the limits when it started).
                using (var held = Hold(userId))
                {
                    var user = held.User;
                    _uploads[(userId, fileId)] = upload;
                    user.Open[fileId] = upload;
                    user.Reserved += upload.Reserved;
                }
            }

            return upload;
        }
    }

    private Upload Start(long userId, long fileId, int totalParts, long smallest, Action<long, long> checkQuota, CancellationToken cancellationToken)
    {
        lock (_loadGate)
        {
            using (var held = Hold(userId))
            {
                var user = held.User;
                if (_uploads.TryGetValue((userId, fileId), out var existing))
                {
                    return existing;
                }

                // Checked under the gate a cancel takes: a stream revoked by a cancel that has ended cannot start the
                // upload again after it, nor a part of a deleted account (Close).
                cancellationToken.ThrowIfCancellationRequested();
                if (_closedUsers.ContainsKey(userId))
                {
                    throw MessengerError.BadRequest(MediaErrorNames.UploadCancelled);
                }

                CheckCanStartLocked(user, smallest, checkQuota);
                Directory.CreateDirectory(blobs.UploadsDirectory);
                var basePath = BasePath(userId, fileId);
                var header = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(header, totalParts);
                File.WriteAllBytes(basePath + ".parts", header);
                var upload = new Upload(basePath, fileId, totalParts) { Touched = clock.GetUtcNow(), Prefix = new PrefixHash(), Reserved = smallest };
                _uploads[(userId, fileId)] = upload;
                user.Open[fileId] = upload;
                user.Reserved += smallest;
                return upload;
            }
        }
    }

    /// <summary>
    /// An upload of a previous run, from its <c>.parts</c> records, with only the parts its files still hold. No part is
    /// fsynced as it arrives (that would cost the upload rate; the file is fsynced once, when attached), so after a power
    /// loss a record can outlive its part's bytes; trusted, the part would be attached as whatever the file holds there,
    /// under a hash that matches it. A record counts only if its part lies inside its file with no hole
    /// (<see cref="DirectIo.HoldsData"/>); the others are left out of <c>upload.getUploadedParts</c>, so the client sends
    /// them again (completing meanwhile answers <c>FILE_PART_MISSING</c>). Covered: a file cut short (its new size not
    /// recorded yet), page-cache writes never written back (<c>.last</c>, file systems without <c>O_DIRECT</c>), and
    /// <c>O_DIRECT</c> writes into blocks not yet recorded as written — all read as zeros and are holes or beyond the end —
    /// as long as the lost part has its blocks to itself. Not covered: parts smaller than a file-system block (1 and 2 KiB
    /// parts on 4 KiB blocks, larger ones on file systems with larger blocks or records; the SDK sends 512 KiB) share a
    /// block with their neighbours, and a block that reached the disk with one of them reads as data, so a neighbour the
    /// power loss took is accepted as the zeros it reads as; and blocks a file system recorded as written before their
    /// bytes reached the disk (a disk that ignores cache flushes, a mount without write barriers), which hold stale bytes,
    /// not a hole. Only an fsync per part would rule those out. A file system that stores zero blocks as holes (ZFS with
    /// compression) makes a part with a zero block look missing: it is sent again, nothing worse.
    /// </summary>
    private Upload? Load(string basePath, long fileId)
    {
        var sidecar = basePath + ".parts";
        if (!File.Exists(sidecar))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(sidecar);
        if (bytes.Length < 4)
        {
            return null;
        }

        // A header this run would refuse (a smaller MaxFileMegabytes, a damaged file) is no upload.
        var totalParts = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (totalParts <= 0 || totalParts > MaxParts)
        {
            return null;
        }

        var upload = new Upload(basePath, fileId, totalParts) { Touched = clock.GetUtcNow() };
        using var data = OpenIfPresent(basePath + ".data");
        using var last = OpenIfPresent(basePath + ".last");
        // A record cut short by a crash is ignored: its part is simply sent again.
        for (var offset = 4; offset + 8 <= bytes.Length; offset += 8)
        {
            var part = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 4));
            if (part < 0 || part >= upload.TotalParts || upload.Received.Contains(part) || length is <= 0 or > MaxPartBytes)
            {
                continue;
            }

            var isLast = part == upload.TotalParts - 1;
            var held = isLast
                ? last is not null && RandomAccess.GetLength(last) == length && DirectIo.HoldsData(last, 0, length)
                : data is not null && DirectIo.HoldsData(data, (long)part * length, length);
            if (!held)
            {
                continue;
            }

            upload.Received.Add(part);
            if (isLast)
            {
                upload.LastLength = length;
            }
            else
            {
                upload.PartSize = length;
            }
        }

        upload.Reserved = upload.PartSize > 0
            ? (totalParts - 1L) * upload.PartSize + Math.Max(1, upload.LastLength)
            : (totalParts - 1L) * MinPartBytes + Math.Max(1, upload.LastLength);
        return upload;
    }

    private static SafeFileHandle? OpenIfPresent(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private string BasePath(long userId, long fileId) => Path.Combine(blobs.UploadsDirectory, $"{userId}-{(ulong)fileId:x16}");

    private static (long, long)? TryParseKey(string name)
    {
        var dash = name.IndexOf('-');
        return dash > 0 && long.TryParse(name[..dash], out var user) && ulong.TryParse(name[(dash + 1)..], System.Globalization.NumberStyles.HexNumber, null, out var file)
            ? (user, (long)file)
            : null;
    }

    private static void DeleteFiles(string basePath)
    {
        foreach (var extension in new[] { ".data", ".last", ".parts" })
        {
            File.Delete(basePath + extension);
        }
    }

    /// <summary>
    /// The user's entry, locked until the holder is disposed. One with no upload open leaves the map then, so a user who
    /// ever uploaded (or was deleted since) leaves nothing behind; it is marked, and one who found it before takes a new one.
    /// </summary>
    private HeldUser Hold(long userId)
    {
        while (true)
        {
            var user = _byUser.GetOrAdd(userId, _ => new UserUploads());
            Monitor.Enter(user);
            if (!user.Removed)
            {
                return new HeldUser(this, userId, user);
            }

            Monitor.Exit(user);
        }
    }

    /// <summary>Users with an entry (tests).</summary>
    internal int UsersHeld => _byUser.Count;

    private readonly struct HeldUser(UploadStore store, long userId, UserUploads user) : IDisposable
    {
        public UserUploads User => user;

        public void Dispose()
        {
            if (user.Open.Count == 0)
            {
                user.Removed = true;
                store._byUser.TryRemove(KeyValuePair.Create(userId, user));
            }

            Monitor.Exit(user);
        }
    }

    /// <summary>A user's open uploads (locked on itself, through <see cref="Hold"/>; then, if need be, an upload's gate).</summary>
    private sealed class UserUploads
    {
        public Dictionary<long, Upload> Open { get; } = [];

        /// <summary>Taken out of the map (no upload open): a holder that found it before takes a new one.</summary>
        public bool Removed { get; set; }

        /// <summary>The sum of the open uploads' <see cref="Upload.Reserved"/>.</summary>
        public long Reserved { get; set; }
    }

    private sealed class Upload(string basePath, long fileId, int totalParts)
    {
        public object Gate { get; } = new();

        public string BasePath { get; } = basePath;

        public long FileId { get; } = fileId;

        public int TotalParts { get; } = totalParts;

        public PartSet Received { get; } = new();

        /// <summary>Parts a write has started on (a second write to one spoils <see cref="Prefix"/>).</summary>
        public PartSet Written { get; } = new();

        /// <summary>The smallest size its file can have, as far as its parts tell: counted against the quota while it is
        /// open. Changed under its user's lock.</summary>
        public long Reserved { get; set; }

        /// <summary>The hash of the leading parts, for uploads started in this run.</summary>
        public PrefixHash? Prefix { get; init; }

        /// <summary>The size of every part but the last; 0 until one of them arrives.</summary>
        public int PartSize { get; set; }

        public int LastLength { get; set; }

        public int Writers { get; set; }

        public bool Completed { get; set; }

        /// <summary>Set when the upload is cancelled; ends once its writers have stopped and its files are deleted.</summary>
        public TaskCompletionSource? Gone { get; set; }

        public DateTimeOffset Touched { get; set; }
    }
}
