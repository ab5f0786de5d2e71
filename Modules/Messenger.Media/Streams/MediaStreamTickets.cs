using System.Security.Cryptography;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Media.Uploads;

namespace Messenger.Media.Streams;

/// <summary>What a media stream ticket lets its bearer do, under the ticket's own key.</summary>
internal abstract record MediaStreamGrant(long UserId, byte[] Key, long Length, DateTimeOffset Expires);

/// <summary>Parts <see cref="FirstPart"/> .. + <see cref="PartCount"/> of an upload of <see cref="Size"/> bytes.</summary>
internal sealed record UploadGrant(long UserId, byte[] Key, long Length, DateTimeOffset Expires, long FileId, long Size, int FirstPart, int PartCount)
    : MediaStreamGrant(UserId, Key, Length, Expires)
{
    public int TotalParts => PartsIn(Size);

    /// <summary>How many 512 KiB parts a file of <paramref name="size"/> bytes has.</summary>
    public static int PartsIn(long size) => (int)((size + UploadStore.MaxPartBytes - 1) / UploadStore.MaxPartBytes);

    public int PartLength(int part) => (int)Math.Min(UploadStore.MaxPartBytes, Size - (long)part * UploadStore.MaxPartBytes);
}

/// <summary><see cref="MediaStreamGrant.Length"/> bytes of the blob <see cref="Hash"/> from <see cref="Offset"/>.</summary>
internal sealed record DownloadGrant(long UserId, byte[] Key, long Length, DateTimeOffset Expires, string Hash, long Offset)
    : MediaStreamGrant(UserId, Key, Length, Expires);

internal static class MediaStreamLimits
{
    public const int TicketsPerUser = 16;
    public static readonly TimeSpan TicketLifetime = TimeSpan.FromSeconds(60);
}

/// <summary>An upload stream under way, from its ticket's use to its end: revoked when its upload is cancelled.</summary>
internal sealed class UploadStreamLease(MediaStreamTickets tickets, UploadGrant grant) : IDisposable
{
    // Never disposed: it has no timer, and a revocation may come after the stream's end.
    private readonly CancellationTokenSource _revoked = new();

    public UploadGrant Grant { get; } = grant;

    /// <summary>Cancelled when <c>upload.cancelUpload</c> gives the stream's upload up.</summary>
    public CancellationToken Revoked => _revoked.Token;

    public void Revoke() => _revoked.Cancel();

    public void Dispose() => tickets.End(this);
}

/// <summary>
/// One-use tickets for media streams, in memory: a ticket is the random path segment of one HTTP request, good for
/// 60 s. A restart forgets them, and the client asks again (its upload resumes from the parts on disk). The upload
/// streams under way are kept beside them, so that cancelling an upload revokes its unused tickets and its streams in
/// one step (<see cref="RevokeUpload"/>): a ticket taken just before is a stream that step finds.
/// </summary>
internal sealed class MediaStreamTickets(TimeProvider clock)
{
    private readonly Dictionary<string, MediaStreamGrant> _grants = new(StringComparer.Ordinal);
    private readonly HashSet<UploadStreamLease> _uploading = [];

    public DateTimeOffset NewExpiry() => clock.GetUtcNow() + MediaStreamLimits.TicketLifetime;

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    /// <summary>Stores <paramref name="grant"/> and returns the ticket that carries it.</summary>
    public MediaStreamTicket Issue(MediaStreamGrant grant)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        lock (_grants)
        {
            var now = clock.GetUtcNow();
            foreach (var (expired, _) in _grants.Where(g => g.Value.Expires <= now).ToList())
            {
                _grants.Remove(expired);
            }

            if (_grants.Values.Count(g => g.UserId == grant.UserId) >= MediaStreamLimits.TicketsPerUser)
            {
                throw new MessengerError(MediaErrorNames.StreamTicketsExhausted, 420, (int)MediaStreamLimits.TicketLifetime.TotalSeconds);
            }

            _grants[id] = grant;
        }

        return new MediaStreamTicket(MediaStreamCipher.PathPrefix + id, grant.Key, grant.Length);
    }

    /// <summary>The upload stream of <paramref name="ticket"/> if it is a live upload ticket (any request uses it up),
    /// until the lease is disposed.</summary>
    public UploadStreamLease? TakeUpload(string ticket)
    {
        lock (_grants)
        {
            if (!_grants.Remove(ticket, out var grant) || grant is not UploadGrant upload || upload.Expires <= clock.GetUtcNow())
            {
                return null;
            }

            var lease = new UploadStreamLease(this, upload);
            _uploading.Add(lease);
            return lease;
        }
    }

    /// <summary>Drops the unused upload tickets of the user's upload <paramref name="fileId"/> and revokes its streams under way.</summary>
    public void RevokeUpload(long userId, long fileId)
    {
        List<UploadStreamLease> running;
        lock (_grants)
        {
            foreach (var (unused, _) in _grants.Where(g => g.Value is UploadGrant u && u.UserId == userId && u.FileId == fileId).ToList())
            {
                _grants.Remove(unused);
            }

            running = _uploading.Where(l => l.Grant.UserId == userId && l.Grant.FileId == fileId).ToList();
        }

        // Outside the lock: a cancellation runs the callbacks registered on it.
        foreach (var lease in running)
        {
            lease.Revoke();
        }
    }

    /// <summary>Drops every unused upload ticket of the user and revokes their upload streams under way (a deleted account).</summary>
    public void RevokeUploadsOf(long userId)
    {
        List<UploadStreamLease> running;
        lock (_grants)
        {
            foreach (var (unused, _) in _grants.Where(g => g.Value is UploadGrant u && u.UserId == userId).ToList())
            {
                _grants.Remove(unused);
            }

            running = _uploading.Where(l => l.Grant.UserId == userId).ToList();
        }

        foreach (var lease in running)
        {
            lease.Revoke();
        }
    }

    internal void End(UploadStreamLease lease)
    {
        lock (_grants)
        {
            _uploading.Remove(lease);
        }
    }

    /// <summary>The grant of <paramref name="ticket"/> if it is live and of the kind asked for; any request uses it up.</summary>
    public T? Take<T>(string ticket) where T : MediaStreamGrant
    {
        lock (_grants)
        {
            return _grants.Remove(ticket, out var grant) && grant is T typed && typed.Expires > clock.GetUtcNow() ? typed : null;
        }
    }
}
