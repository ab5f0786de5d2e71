using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Media.Attachments;
using Microsoft.Extensions.Options;

namespace Messenger.Media.Uploads;

/// <summary>
/// The early, coarse quota check of an upload: the content (and so whether it is already counted for the caller) is
/// known only when the upload is attached, where the exact check runs. Here: refuse a file that cannot fit the quota, a
/// quota that what is stored and the uploads in progress fill, or an upload that with the others in progress would
/// reserve more than the quota. What is stored is not added to the new upload: it may be content the user stores already,
/// which costs nothing (so what is stored and open together can pass the quota by one upload, never more).
/// </summary>
internal sealed class UploadQuota(MediaAttachments media, IOptions<MediaOptions> options)
{
    /// <param name="userId">The uploader.</param>
    /// <param name="smallestFileBytes">The smallest size the new upload's file can have.</param>
    /// <param name="openUploadBytes">What the user's other uploads in progress reserve.</param>
    public void Check(long userId, long smallestFileBytes, long openUploadBytes)
    {
        var quota = options.Value.UserQuotaBytes;
        if (quota > 0 && (openUploadBytes + smallestFileBytes > quota || media.StoredBytes(userId) + openUploadBytes >= quota))
        {
            throw MessengerError.BadRequest(MediaErrorNames.QuotaExceeded);
        }
    }
}
