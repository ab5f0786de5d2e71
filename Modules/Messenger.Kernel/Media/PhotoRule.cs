using Messenger.Contracts.Auth;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;

namespace Messenger.Kernel.Media;

/// <summary>What a profile or group photo must be: an image the Media module could size, at most <see cref="MaxBytes"/>.</summary>
public static class PhotoRule
{
    public const long MaxBytes = 10L * 1024 * 1024;

    /// <summary>Throws 400 <c>PHOTO_INVALID</c> or <c>PHOTO_TOO_BIG</c> unless <paramref name="prepared"/> may be a photo.</summary>
    public static void Require(PreparedMedia prepared)
    {
        if (prepared.Kind != MediaKinds.Photo || prepared.Width is null || prepared.Height is null)
        {
            throw MessengerError.BadRequest(SessionErrorNames.PhotoInvalid);
        }

        if (prepared.Size > MaxBytes)
        {
            throw MessengerError.BadRequest(SessionErrorNames.PhotoTooBig);
        }
    }
}
