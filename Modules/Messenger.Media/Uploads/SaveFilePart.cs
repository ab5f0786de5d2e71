using FluentValidation;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Rpc;

namespace Messenger.Media.Uploads;

internal sealed class SaveFilePartValidator : AbstractValidator<SaveFilePartCall>
{
    public SaveFilePartValidator()
    {
        RuleFor(c => c.FileId).NotEqual(0).WithErrorCode(MediaErrorNames.FileIdInvalid);
        RuleFor(c => c.Bytes).Must(b => b is { Length: > 0 and <= UploadStore.MaxPartBytes }).WithErrorCode(MediaErrorNames.FilePartSizeInvalid);
    }
}

internal sealed class SaveFilePartHandler(UploadStore uploads, UploadQuota quota, RpcContext caller)
    : IRequestHandler<SaveFilePartCall, Done>
{
    public async ValueTask<Done> Handle(SaveFilePartCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        await uploads.SaveAsync(me, call.FileId, call.Part, call.TotalParts, call.Bytes, (smallest, open) => quota.Check(me, smallest, open), cancellationToken);
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
