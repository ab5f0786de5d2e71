namespace Messenger.Client;

/// <summary>
/// Passes reports on to <c>inner</c> one at a time and only when they are above every earlier one. An upload's parts
/// finish on several workers, each reporting the total it just added to: without this the caller could see the bytes
/// go down, and the last report could be short of the whole file.
/// </summary>
internal sealed class RisingProgress(IProgress<long> inner) : IProgress<long>
{
    private readonly Lock _gate = new();
    private long _highest = -1;

    public static IProgress<long>? Wrap(IProgress<long>? inner) => inner is null ? null : new RisingProgress(inner);

    public void Report(long value)
    {
        lock (_gate)
        {
            if (value > _highest)
            {
                _highest = value;
                inner.Report(value);
            }
        }
    }
}
