using FluentValidation;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Media.Downloads;
using Messenger.Media.Uploads;

namespace Messenger.Media.Streams;

internal sealed class OpenUploadStreamValidator : AbstractValidator<OpenUploadStreamCall>
{
    public OpenUploadStreamValidator()
    {
        RuleFor(c => c.FileId).NotEqual(0).WithErrorCode(MediaErrorNames.FileIdInvalid);
        RuleFor(c => c.Size).GreaterThan(0).WithErrorCode(MediaErrorNames.FilePartsInvalid);
        RuleFor(c => c.FirstPart).GreaterThanOrEqualTo(0).WithErrorCode(MediaErrorNames.FilePartsInvalid);
        RuleFor(c => c.PartCount).GreaterThan(0).WithErrorCode(MediaErrorNames.FilePartsInvalid);
    }
}

/// <summary>Checks what <c>upload.saveFilePart</c> would check before a byte is sent, then issues the ticket.</summary>
internal sealed class OpenUploadStreamHandler(UploadStore uploads, UploadQuota quota, MediaStreamTickets tickets, RpcContext caller)
    : IRequestHandler<OpenUploadStreamCall, MediaStreamTicket>
{
    public ValueTask<MediaStreamTicket> Handle(OpenUploadStreamCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        if (call.Size > uploads.MaxFileBytes)
        {
            throw MessengerError.BadRequest(MediaErrorNames.FileTooBig);
        }

        if ((long)call.FirstPart + call.PartCount > UploadGrant.PartsIn(call.Size))
        {
            throw MessengerError.BadRequest(MediaErrorNames.FilePartsInvalid);
        }

        uploads.CheckCanStart(me, call.FileId, call.Size, (smallest, open) => quota.Check(me, smallest, open));
        var start = (long)call.FirstPart * UploadStore.MaxPartBytes;
        var end = Math.Min(call.Size, start + (long)call.PartCount * UploadStore.MaxPartBytes);
        return ValueTask.FromResult(tickets.Issue(
            new UploadGrant(me, MediaStreamTickets.NewKey(), end - start, tickets.NewExpiry(), call.FileId, call.Size, call.FirstPart, call.PartCount)));
    }
}

internal sealed class OpenDownloadStreamValidator : AbstractValidator<OpenDownloadStreamCall>
{
    public OpenDownloadStreamValidator()
    {
        RuleFor(c => c.Offset).GreaterThanOrEqualTo(0).WithErrorCode(MediaErrorNames.OffsetInvalid);
        RuleFor(c => c.Length).GreaterThan(0).WithErrorCode(MediaErrorNames.LimitInvalid);
    }
}

internal sealed class OpenDownloadStreamHandler(MediaAccess access, MediaStreamTickets tickets, RpcContext caller)
    : IRequestHandler<OpenDownloadStreamCall, MediaStreamTicket>
{
    public async ValueTask<MediaStreamTicket> Handle(OpenDownloadStreamCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var media = await access.RequireReadableAsync(me, call.MediaId, cancellationToken);
        var length = Math.Clamp(media.Size - call.Offset, 0, call.Length);
        return tickets.Issue(new DownloadGrant(me, MediaStreamTickets.NewKey(), length, tickets.NewExpiry(), media.Hash, call.Offset));
    }
}
