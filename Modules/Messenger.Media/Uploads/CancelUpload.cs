using FluentValidation;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Rpc;
using Messenger.Media.Streams;

namespace Messenger.Media.Uploads;

internal sealed class CancelUploadValidator : AbstractValidator<CancelUploadCall>
{
    public CancelUploadValidator() => RuleFor(c => c.FileId).NotEqual(0).WithErrorCode(MediaErrorNames.FileIdInvalid);
}

internal sealed class CancelUploadHandler(UploadStore uploads, MediaStreamTickets tickets, RpcContext caller) : IRequestHandler<CancelUploadCall, Done>
{
    public async ValueTask<Done> Handle(CancelUploadCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        // Streams first: a stream revoked before the upload goes cannot start it again afterwards.
        tickets.RevokeUpload(me, call.FileId);
        await uploads.CancelAsync(me, call.FileId);
        return new Done();
    }
}
