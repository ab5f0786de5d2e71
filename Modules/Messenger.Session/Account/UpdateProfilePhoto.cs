using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Media;
using Messenger.Contracts.Users;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Session.Storage;
using Messenger.Session.Users;

namespace Messenger.Session.Account;

/// <summary>
/// The profile photo: a finished upload that is an image (its size read by the Media module), held by the user
/// (<see cref="MediaHolders.ProfilePhotoOf"/>) instead of a message, so anyone signed in may download it. The file work
/// is done before the unit; the unit swaps the references and the row together. The photo the user has already (a resend
/// whose answer was lost, with the same upload) changes nothing.
/// </summary>
internal sealed class UpdateProfilePhotoHandler(
    SessionStore store, StorageWriter writer, IMediaAttachments media, ProfileAnnouncer announcer, ProfilePhotoThumbnails thumbnails,
    RpcContext caller)
    : IRequestHandler<UpdateProfilePhotoCall, User>
{
    public async ValueTask<User> Handle(UpdateProfilePhotoCall call, CancellationToken cancellationToken)
    {
        var userId = caller.RequireUserId();
        using var prepared = call.Media is null ? null : await media.PrepareAsync(userId, call.Media, cancellationToken);
        if (prepared is not null)
        {
            PhotoRule.Require(prepared);
        }

        MessageMedia? photo = null;
        var changed = await writer.WriteAsync(
            scope =>
            {
                if (prepared is not null && media.Carries(scope, MediaHolders.ProfilePhotoOf(userId), prepared))
                {
                    return false;
                }

                photo = SessionStore.SetPhoto(scope, media, userId, prepared);
                return true;
            },
            cancellationToken);
        if (changed && DescriptorThumbnailPass.LacksThumbnail(photo))
        {
            thumbnails.Request();
        }

        // Announced when unchanged too: the first call may have stored the photo and then lost its announcement with
        // its answer (a crash in between), and telling the profile again changes nothing for anyone.
        var user = store.GetUser(userId)!.ToUser();
        await announcer.AnnounceAsync(user, cancellationToken);
        return user;
    }
}
