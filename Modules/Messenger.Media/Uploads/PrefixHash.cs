using System.Security.Cryptography;

namespace Messenger.Media.Uploads;

/// <summary>
/// SHA-256 of an upload's leading parts, taken as they arrive in order from the bytes in hand (while they are written),
/// so that attaching a large file does not read it all back to hash it. A part that comes early is read back once the
/// gap before it closes.
/// A second write to any part (a resend, or two writers at once) spoils it, and attaching hashes the file as before;
/// so does a restart, which starts without one.
/// </summary>
internal sealed class PrefixHash : IDisposable
{
    private readonly object _gate = new();
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _hashedParts;
    private bool _spoiled;

    public void Spoil()
    {
        lock (_gate)
        {
            _spoiled = true;
        }
    }

    /// <summary>
    /// Part <paramref name="part"/> has <paramref name="bytes"/> (being written, or on disk): hashes it if it is next,
    /// then every part after it that is already on disk (<paramref name="readBack"/> gives a part's bytes, or null if it
    /// is not there).
    /// </summary>
    public void Add(int part, ReadOnlySpan<byte> bytes, Func<int, byte[]?> readBack)
    {
        lock (_gate)
        {
            if (_spoiled || part != _hashedParts)
            {
                return;
            }

            _sha.AppendData(bytes);
            _hashedParts++;
            CatchUpLocked(readBack);
        }
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
        while (!_spoiled && readBack(_hashedParts) is { } next)
        {
            _sha.AppendData(next);
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
            _sha.Dispose();
        }
    }
}
