using System.Collections.Concurrent;

namespace Messenger.Media.Downloads;

/// <summary>
/// What <see cref="MediaAccess"/> last found about a user and a media file carried by messages: the message they saw it
/// in (asked about again each time, so a deletion, a hiding or a chat left counts at once), or that they saw it in none
/// of the messages up to the newest walked (trusted for <see cref="NotSeenSeconds"/>: a user who joins a chat holding an
/// older copy in those seconds waits them out; a denial never becomes a wrong grant). At most <see cref="Limit"/> entries,
/// emptied when it would hold more, as the chat resolver's memories are.
/// </summary>
internal sealed class MediaAccessMemory
{
    /// <summary>How long a walk that found no visible message is trusted (copies newer than it are still looked at).</summary>
    public const int NotSeenSeconds = 10;

    private const int Limit = 100_000;

    private readonly ConcurrentDictionary<(long User, long Media), Decision> _decisions = new();
    private int _added;
    private long _queries;

    /// <summary>Messages asked about per bus query while walking a file's messages.</summary>
    internal int MessagesPerQuery { get; set; } = 500;

    /// <summary>Bus queries asked so far about messages' visibility (tests).</summary>
    internal long Queries => Interlocked.Read(ref _queries);

    public Decision? Recall(long userId, long mediaId) => _decisions.GetValueOrDefault((userId, mediaId));

    public void Remember(long userId, long mediaId, Decision decision)
    {
        if (Interlocked.Increment(ref _added) > Limit)
        {
            _decisions.Clear();
            Interlocked.Exchange(ref _added, 1);
        }

        _decisions[(userId, mediaId)] = decision;
    }

    public void CountQuery() => Interlocked.Increment(ref _queries);

    internal abstract record Decision;

    /// <summary>The user saw the file in this message.</summary>
    internal sealed record Seen(long MessageId) : Decision;

    /// <summary>The user saw the file in none of its messages up to <paramref name="NewestWalked"/>, as of a walk
    /// trusted until <paramref name="Until"/>.</summary>
    internal sealed record NotSeen(long NewestWalked, DateTimeOffset Until) : Decision;
}
