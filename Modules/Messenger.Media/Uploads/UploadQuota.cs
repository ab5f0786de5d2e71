using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Media.Attachments;
using Microsoft.Extensions.Options;

namespace Messenger.Media.Uploads;

/// <summary>
/// The early, coarse quota check of an upload: the content (and so whether it is already counted for the caller) is
/// known only when the upload is attached, where the exact check runs. Here: refuse a file that cannot fit any quota,
/// or a full quota.
/// </summary>
internal sealed class UploadQuota(MediaAttachments media, IOptions<MediaOptions> options)
{
    public void Check(long userId, long smallestFileBytes)
    {
        var quota = options.Value.UserQuotaBytes;
        if (quota > 0 && (smallestFileBytes > quota || media.StoredBytes(userId) >= quota))
        {
            throw MessengerError.BadRequest(MediaErrorNames.QuotaExceeded);
        }
    }
}
