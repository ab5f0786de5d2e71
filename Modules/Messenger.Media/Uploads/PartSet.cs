namespace Messenger.Media.Uploads;

/// <summary>
/// A set of part numbers kept as a contiguous prefix (parts 0 .. <see cref="Prefix"/> − 1) and the parts beyond it: an
/// upload's parts mostly arrive in order, a few at a time, so the set stays a few hundred bytes whatever total_parts the
/// client declares. A bit per declared part (2,097,152 parts: 256 KiB a set) let one call with one byte of data make the
/// server hold half a megabyte for a day. Not thread-safe: the upload's gate guards it.
/// </summary>
internal sealed class PartSet
{
    private HashSet<int>? _beyond;

    /// <summary>Parts 0 .. Prefix − 1 are all in the set.</summary>
    public int Prefix { get; private set; }

    public int Count => Prefix + (_beyond?.Count ?? 0);

    public bool Contains(int part) => part < Prefix || (_beyond?.Contains(part) ?? false);

    /// <summary>Adds <paramref name="part"/>; false if it was there already.</summary>
    public bool Add(int part)
    {
        if (part < Prefix)
        {
            return false;
        }

        if (part > Prefix)
        {
            return (_beyond ??= []).Add(part);
        }

        Prefix++;
        while (_beyond is { Count: > 0 } beyond && beyond.Remove(Prefix))
        {
            Prefix++;
        }

        if (_beyond is { Count: 0 })
        {
            // The parts beyond caught up with the prefix: the table (grown for them) goes too.
            _beyond = null;
        }

        return true;
    }

    /// <summary>The parts in ascending order.</summary>
    public int[] ToArray()
    {
        var parts = new int[Count];
        for (var i = 0; i < Prefix; i++)
        {
            parts[i] = i;
        }

        if (_beyond is { } beyond)
        {
            beyond.CopyTo(parts, Prefix);
            Array.Sort(parts, Prefix, beyond.Count);
        }

        return parts;
    }

    /// <summary>About what the set holds in memory: the object, and for the parts beyond the prefix their table's
    /// capacity (an int and a bucket per entry, plus its next and hash: 16 bytes).</summary>
    public long FootprintBytes => 32 + (_beyond is { } beyond ? 64 + 16L * beyond.EnsureCapacity(0) : 0);
}
