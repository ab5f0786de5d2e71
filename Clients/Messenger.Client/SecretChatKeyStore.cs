using System.Security.Cryptography;

namespace Messenger.Client;

/// <summary>
/// Where a device keeps its secret chats, which exist on this device only (the server has none of it): a small state
/// (for each chat its role, keys, state and read positions; the requests on their way; the chats forgotten lately),
/// replaced whole by <see cref="Save"/> when it changes, and each chat's local history as a journal of its own,
/// appended to in batches (<see cref="AppendHistory"/>) and rewritten now and then (<see cref="ReplaceHistory"/>).
/// The SDK reads them back at start, so a restarted app keeps its chats. A store that implements only
/// <see cref="Load"/> and <see cref="Save"/> keeps the keys; the histories then live as long as the client.
/// </summary>
public interface ISecretChatKeyStore
{
    /// <summary>What was saved last, or null (or empty) when nothing was. The SDK neither changes nor keeps the array (it
    /// zeroes it only when the store is one of its own).</summary>
    byte[]? Load();

    /// <summary>Replaces what was saved, durably (on disk when this returns). The store may keep
    /// <paramref name="state"/>: the SDK neither changes nor reuses it (it zeroes it only when the store is one of its
    /// own, which copy it).</summary>
    void Save(byte[] state);

    /// <summary>The journal of chat <paramref name="chatId"/>'s history as written, or null when there is none (the SDK
    /// neither changes nor keeps the array, as for <see cref="Load"/>).</summary>
    byte[]? LoadHistory(long chatId) => null;

    /// <summary>Adds <paramref name="records"/> at the end of chat <paramref name="chatId"/>'s journal (making it when
    /// there is none), durably.</summary>
    void AppendHistory(long chatId, ReadOnlySpan<byte> records)
    {
    }

    /// <summary>Replaces chat <paramref name="chatId"/>'s journal with <paramref name="records"/> (its history rewritten
    /// shorter), durably and whole: after a crash the journal is the old one or the new one.</summary>
    void ReplaceHistory(long chatId, ReadOnlySpan<byte> records)
    {
    }

    /// <summary>Deletes chat <paramref name="chatId"/>'s journal.</summary>
    void DeleteHistory(long chatId)
    {
    }

    /// <summary>The chats that have a journal (the SDK deletes those of chats it no longer holds).</summary>
    IEnumerable<long> HistoryIds() => [];

    /// <summary>Deletes everything this store keeps (the device signed out).</summary>
    void Erase() => Save([]);

    /// <summary>The saved state could not be read: keeps it aside, so that the next <see cref="Save"/> does not overwrite
    /// it, and answers where it went (null: nowhere).</summary>
    string? SetAside() => null;
}

/// <summary>Secret chats that live as long as the object (tests, throw-away clients).</summary>
public sealed class InMemorySecretChatKeyStore : ISecretChatKeyStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, MemoryStream> _histories = new();
    private byte[]? _state;

    /// <summary>A copy of what was saved (the SDK wipes what it reads).</summary>
    public byte[]? Load()
    {
        // Under the lock: a Save in between would zero the array being copied.
        lock (_gate)
        {
            return (byte[]?)_state?.Clone();
        }
    }

    public void Save(byte[] state)
    {
        var copy = (byte[])state.Clone();
        lock (_gate)
        {
            // The state replaced holds keys the new one may have wiped: it is zeroed, not left to the garbage collector.
            if (_state is { } replaced)
            {
                CryptographicOperations.ZeroMemory(replaced);
            }

            _state = copy;
        }
    }

    public byte[]? LoadHistory(long chatId)
    {
        lock (_gate)
        {
            return _histories.TryGetValue(chatId, out var history) ? history.ToArray() : null;
        }
    }

    public void AppendHistory(long chatId, ReadOnlySpan<byte> records)
    {
        lock (_gate)
        {
            if (!_histories.TryGetValue(chatId, out var history))
            {
                _histories[chatId] = history = new MemoryStream();
            }

            history.Write(records);
        }
    }

    public void ReplaceHistory(long chatId, ReadOnlySpan<byte> records)
    {
        lock (_gate)
        {
            var history = new MemoryStream();
            history.Write(records);
            _histories[chatId] = history;
        }
    }

    public void DeleteHistory(long chatId)
    {
        lock (_gate)
        {
            _histories.Remove(chatId);
        }
    }

    public IEnumerable<long> HistoryIds()
    {
        lock (_gate)
        {
            return [.. _histories.Keys];
        }
    }

    public void Erase()
    {
        lock (_gate)
        {
            _histories.Clear();
            if (Interlocked.Exchange(ref _state, null) is { } erased)
            {
                CryptographicOperations.ZeroMemory(erased);
            }
        }
    }
}

/// <summary>
/// The default for apps whose device key is a <see cref="FileDeviceKeyStore"/>: the state in a file beside it
/// (<c>&lt;key file&gt;.secret-chats</c>, replaced whole on each save: written to a temporary file, flushed to disk,
/// renamed over the old one and the directory flushed, so a crash leaves the old or the new state, never half of one),
/// and each chat's history in <c>&lt;key file&gt;.secret-chats.history/&lt;chat id&gt;.journal</c>, appended to and
/// flushed to disk once per batch. Everything is readable by its owner only (files 0600, the directory 0700).
/// </summary>
public sealed class FileSecretChatKeyStore(string path) : ISecretChatKeyStore
{
    private const string JournalExtension = ".journal";
    private readonly Lock _gate = new();

    /// <summary>The file beside a device key file.</summary>
    public static string BesideDeviceKey(string deviceKeyPath) => deviceKeyPath + ".secret-chats";

    /// <summary>The state file.</summary>
    public string Path => path;

    /// <summary>The directory of the chats' history journals.</summary>
    public string HistoryDirectory => path + ".history";

    /// <summary>The journal of chat <paramref name="chatId"/>.</summary>
    public string HistoryPath(long chatId) => System.IO.Path.Combine(HistoryDirectory, chatId + JournalExtension);

    public byte[]? Load()
    {
        lock (_gate)
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
    }

    public void Save(byte[] state)
    {
        lock (_gate)
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
            Directory.CreateDirectory(directory);
            ReplaceFile(path, state, directory);
        }
    }

    public byte[]? LoadHistory(long chatId)
    {
        lock (_gate)
        {
            var file = HistoryPath(chatId);
            return File.Exists(file) ? File.ReadAllBytes(file) : null;
        }
    }

    public void AppendHistory(long chatId, ReadOnlySpan<byte> records)
    {
        lock (_gate)
        {
            var created = EnsureHistoryDirectory();
            var file = HistoryPath(chatId);
            created |= !File.Exists(file);
            // Not FileMode.Append: it refuses to truncate what was there before it opened.
            using (var stream = new FileStream(file, Owned(FileMode.OpenOrCreate)))
            {
                var length = stream.Seek(0, SeekOrigin.End);
                try
                {
                    stream.Write(records);
                    stream.Flush(flushToDisk: true);
                }
                catch
                {
                    // A half-written batch would hide every batch appended after it from the reader: cut it off.
                    stream.SetLength(length);
                    throw;
                }
            }

            if (created)
            {
                // The new file's name is durable only once its directory is.
                FlushDirectory(HistoryDirectory);
            }
        }
    }

    public void ReplaceHistory(long chatId, ReadOnlySpan<byte> records)
    {
        lock (_gate)
        {
            EnsureHistoryDirectory();
            ReplaceFile(HistoryPath(chatId), records, HistoryDirectory);
        }
    }

    public void DeleteHistory(long chatId)
    {
        lock (_gate)
        {
            File.Delete(HistoryPath(chatId));
        }
    }

    public IEnumerable<long> HistoryIds()
    {
        lock (_gate)
        {
            if (!Directory.Exists(HistoryDirectory))
            {
                return [];
            }

            return [.. Directory.EnumerateFiles(HistoryDirectory, "*" + JournalExtension)
                .Select(f => long.TryParse(System.IO.Path.GetFileNameWithoutExtension(f), out var id) ? id : 0)
                .Where(id => id != 0)];
        }
    }

    /// <summary>Deletes the state, the journals and any state kept aside (<see cref="SetAside"/>).</summary>
    public void Erase()
    {
        lock (_gate)
        {
            File.Delete(path);
            if (Directory.Exists(HistoryDirectory))
            {
                Directory.Delete(HistoryDirectory, recursive: true);
            }

            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
            if (Directory.Exists(directory))
            {
                foreach (var temporary in Directory.EnumerateFiles(directory, System.IO.Path.GetFileName(path) + ".*.tmp"))
                {
                    File.Delete(temporary); // left by a crash between writing and renaming
                }

                foreach (var aside in Directory.EnumerateFileSystemEntries(directory, System.IO.Path.GetFileName(path) + ".damaged-*"))
                {
                    if (Directory.Exists(aside))
                    {
                        Directory.Delete(aside, recursive: true);
                    }
                    else
                    {
                        File.Delete(aside);
                    }
                }

                FlushDirectory(directory);
            }
        }
    }

    /// <summary>Renames the state file and the journals' directory to <c>…damaged-&lt;unix seconds&gt;-&lt;random&gt;</c> (kept for
    /// whoever wants to look at them; <see cref="Erase"/> deletes them).</summary>
    public string? SetAside()
    {
        lock (_gate)
        {
            if (!File.Exists(path))
            {
                return null;
            }

            // Unique, so an earlier damaged state is never overwritten; the journals first, so that a failure between the two
            // moves leaves the state in place (set aside again at the next start) rather than journals beside a new one.
            var suffix = ".damaged-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds() + "-" + Guid.NewGuid().ToString("N")[..8];
            if (Directory.Exists(HistoryDirectory))
            {
                Directory.Move(HistoryDirectory, path + suffix + ".history");
            }

            File.Move(path, path + suffix);

            return path + suffix;
        }
    }

    private bool EnsureHistoryDirectory()
    {
        if (Directory.Exists(HistoryDirectory))
        {
            return false;
        }

        var parent = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(HistoryDirectory))!;
        Directory.CreateDirectory(parent);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(HistoryDirectory);
        }
        else
        {
            Directory.CreateDirectory(HistoryDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        FlushDirectory(parent);
        return true;
    }

    private static void ReplaceFile(string file, ReadOnlySpan<byte> content, string directory)
    {
        // A name of its own (process and random), so that two processes saving at once (one device key used by two apps,
        // which the SDK does not support) each rename a whole file of their own: the last one wins, neither installs the
        // other's half-written one.
        var temporary = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            ExclusiveFiles.WriteFlushed(temporary, content);
            File.Move(temporary, file, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        // The rename is durable only once the directory that holds the name is.
        FlushDirectory(directory);
    }

    private static FileStreamOptions Owned(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    private static void FlushDirectory(string directory) => ExclusiveFiles.FlushDirectory(directory);
}
