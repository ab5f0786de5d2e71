using Mediator;
using Messenger.Kernel.Events;
using Messenger.Media.Streams;

namespace Messenger.Media.Uploads;

/// <summary>
/// A deleted account's uploads in progress go at once, as <c>upload.cancelUpload</c> gives one up (their parts on disk,
/// their reservations, their stream tickets), rather than waiting a day to expire: nobody can resume them. Uploads being
/// attached by a send at that moment are left to it, as a cancel leaves them. Idempotent (run again at every start, see
/// <c>FinishAccountDeletions</c>): nothing left, nothing done.
/// </summary>
internal sealed class CancelUploadsOfDeletedAccount(UploadStore uploads, MediaStreamTickets tickets) : INotificationHandler<AccountDeletedEvent>
{
    public async ValueTask Handle(AccountDeletedEvent deleted, CancellationToken cancellationToken)
    {
        // No new upload first (a part past the sign-in check when the account went), then the streams (one revoked
        // before its upload goes cannot start it again afterwards), then what is open.
        uploads.Close(deleted.UserId);
        tickets.RevokeUploadsOf(deleted.UserId);
        foreach (var fileId in uploads.FileIdsOf(deleted.UserId))
        {
            await uploads.CancelAsync(deleted.UserId, fileId);
        }
    }
}
