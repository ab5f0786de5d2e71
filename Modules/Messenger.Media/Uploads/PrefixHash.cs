using System.Security.Cryptography;

namespace Messenger.Media.Uploads;

/// <summary>
/// SHA-256 of an upload's leading parts, taken as they arrive in order from the bytes in hand (while they are written),
/// so that attaching a large file does not read it all back to hash it. A part that comes early is read back once the
/// gap before it closes.
/// A part offered before its turn is held in memory while every part before it is on its way (see <see cref="Expect"/>),
/// so a stream's parts, hashed on several threads, are not read back from disk.
/// A second write to any part (a resend, or two writers at once) spoils it, and attaching hashes the file as before;
/// so does a restart, which starts without one.
/// </summary>
internal sealed class PrefixHash : IDisposable
{
    // How far ahead of the prefix a part may be held in memory (a stream has far fewer parts in flight).
    private const int MaxHeldAhead = 64;

    private readonly object _gate = new();
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly HashSet<int> _expected = [];
    private readonly Dictionary<int, (ReadOnlyMemory<byte> Bytes, TaskCompletionSource Hashed)> _held = [];
    private int _hashedParts;
    private bool _spoiled;

    public void Spoil()
    {
        lock (_gate)
        {
            _spoiled = true;
            ReleaseHeldLocked();
        }
    }

    /// <summary>Part <paramref name="part"/>'s bytes are on their way to <see cref="Add"/>: a later part may wait for them in memory.</summary>
    public void Expect(int part)
    {
        lock (_gate)
        {
            _expected.Add(part);
        }
    }

    /// <summary>
    /// Part <paramref name="part"/> has <paramref name="bytes"/> (being written, or on disk): hashes it if it is next,
    /// then the held parts and every part after it that is already on disk (<paramref name="readBack"/> gives a
    /// part's bytes, or null if it is not there). A part that is not next is held when every part between the prefix
    /// and it is expected or held; the task ends when its bytes are no longer needed (hashed, or left for the
    /// read-back), and the caller keeps them unchanged until then.
    /// </summary>
    public Task Add(int part, ReadOnlyMemory<byte> bytes, Func<int, byte[]?> readBack)
    {
        lock (_gate)
        {
            _expected.Remove(part);
            if (_spoiled || part < _hashedParts)
            {
                return Task.CompletedTask;
            }

            if (part > _hashedParts)
            {
                if (!OnTheirWayLocked(_hashedParts, part))
                {
                    return Task.CompletedTask;
                }

                var hashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _held[part] = (bytes, hashed);
                return hashed.Task;
            }

            _sha.AppendData(bytes.Span);
            _hashedParts++;
            CatchUpLocked(readBack);
            return Task.CompletedTask;
        }
    }

    /// <summary>Every part in [<paramref name="from"/>, <paramref name="to"/>) is expected or held.</summary>
    private bool OnTheirWayLocked(int from, int to)
    {
        if (to - from > MaxHeldAhead)
        {
            return false;
        }

        for (var part = from; part < to; part++)
        {
            if (!_expected.Contains(part) && !_held.ContainsKey(part))
            {
                return false;
            }
        }

        return true;
    }

    private void ReleaseHeldLocked()
    {
        foreach (var (_, held) in _held)
        {
            held.Hashed.TrySetResult();
        }

        _held.Clear();
        _expected.Clear();
    }

    /// <summary>Hashes the parts after the prefix that are already on disk: a part that was hashed from memory before
    /// the one ahead of it arrived is picked up here once that one is on disk.</summary>
    public void CatchUp(Func<int, byte[]?> readBack)
    {
        lock (_gate)
        {
            CatchUpLocked(readBack);
        }
    }

    private void CatchUpLocked(Func<int, byte[]?> readBack)
    {
        while (!_spoiled)
        {
            if (_held.Remove(_hashedParts, out var held))
            {
                _sha.AppendData(held.Bytes.Span);
                held.Hashed.TrySetResult();
            }
            else if (readBack(_hashedParts) is { } next)
            {
                _sha.AppendData(next);
            }
            else
            {
                return;
            }

            _hashedParts++;
        }
    }

    /// <summary>The hash of the whole file, if all <paramref name="totalParts"/> went through in one piece.</summary>
    public string? Result(int totalParts)
    {
        lock (_gate)
        {
            return !_spoiled && _hashedParts == totalParts ? Convert.ToHexStringLower(_sha.GetCurrentHash()) : null;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _spoiled = true;
            ReleaseHeldLocked();
            _sha.Dispose();
        }
    }
}
