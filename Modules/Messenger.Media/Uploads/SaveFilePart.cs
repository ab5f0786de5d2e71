using FluentValidation;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Media.Attachments;
using Microsoft.Extensions.Options;

namespace Messenger.Media.Uploads;

internal sealed class SaveFilePartValidator : AbstractValidator<SaveFilePartCall>
{
    public SaveFilePartValidator()
    {
        RuleFor(c => c.FileId).NotEqual(0).WithErrorCode(MediaErrorNames.FileIdInvalid);
        RuleFor(c => c.Bytes).Must(b => b is { Length: > 0 and <= UploadStore.MaxPartBytes }).WithErrorCode(MediaErrorNames.FilePartSizeInvalid);
    }
}

internal sealed class SaveFilePartHandler(UploadStore uploads, MediaAttachments media, IOptions<MediaOptions> options, RpcContext caller)
    : IRequestHandler<SaveFilePartCall, Done>
{
    public async ValueTask<Done> Handle(SaveFilePartCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var quota = options.Value.UserQuotaBytes;
        // Early and coarse: the content (and so whether it is already counted for the caller) is known only when the
        // upload is attached, where the exact check runs. Here: refuse a file that cannot fit any quota, or a full quota.
        await uploads.SaveAsync(me, call.FileId, call.Part, call.TotalParts, call.Bytes, smallest =>
        {
            if (quota > 0 && (smallest > quota || media.StoredBytes(me) >= quota))
            {
                throw MessengerError.BadRequest(MediaErrorNames.QuotaExceeded);
            }
        }, cancellationToken);
        return new Done();
    }
}

internal sealed class GetUploadedPartsValidator : AbstractValidator<GetUploadedPartsCall>
{
    public GetUploadedPartsValidator() => RuleFor(c => c.FileId).NotEqual(0).WithErrorCode(MediaErrorNames.FileIdInvalid);
}

internal sealed class GetUploadedPartsHandler(UploadStore uploads, RpcContext caller) : IRequestHandler<GetUploadedPartsCall, UploadedParts>
{
    public ValueTask<UploadedParts> Handle(GetUploadedPartsCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(uploads.Parts(caller.RequireUserId(), call.FileId));
}
