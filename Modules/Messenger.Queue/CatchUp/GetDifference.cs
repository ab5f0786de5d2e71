using FluentValidation;
using Mediator;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Rpc;
using Messenger.Queue.Logs;
using Microsoft.Extensions.Options;

namespace Messenger.Queue.CatchUp;

internal sealed class GetDifferenceValidator : AbstractValidator<GetDifferenceCall>
{
    public const int MaxLimit = 1000;

    public GetDifferenceValidator()
    {
        RuleFor(c => c.Pts).GreaterThanOrEqualTo(0).WithErrorCode(UpdateErrorNames.PtsInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, MaxLimit).WithErrorCode(UpdateErrorNames.LimitInvalid);
    }
}

internal sealed class GetDifferenceHandler(UpdateLog log, RpcContext caller, IOptions<QueueOptions> options, TimeProvider clock)
    : IRequestHandler<GetDifferenceCall, Difference>
{
    public ValueTask<Difference> Handle(GetDifferenceCall call, CancellationToken cancellationToken)
    {
        var owner = caller.RequireUserId();
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var current = log.CurrentPts(owner);
        var state = new UpdatesState(current, now);
        if (call.Pts == current)
        {
            return ValueTask.FromResult(new Difference([], state, Slice: false, TooLong: false));
        }

        // Ahead of the log (a restored database) or too far behind: the client refetches its chats instead.
        if (call.Pts > current || current - call.Pts > options.Value.TooLongAfterUpdates)
        {
            return ValueTask.FromResult(TooLong(state));
        }

        var updates = log.ReadAfter(owner, call.Pts, call.Limit);
        if (updates.Count == 0 || updates[0].Pts - updates[0].PtsCount != call.Pts)
        {
            return ValueTask.FromResult(TooLong(state)); // the start of the gap was compacted away
        }

        var last = updates[^1].Pts;
        return ValueTask.FromResult(new Difference([.. updates], new UpdatesState(last, now), Slice: last < current, TooLong: false));
    }

    private static Difference TooLong(UpdatesState state) => new([], state, Slice: false, TooLong: true);
}

internal sealed class GetStateHandler(UpdateLog log, RpcContext caller, TimeProvider clock) : IRequestHandler<GetStateCall, UpdatesState>
{
    public ValueTask<UpdatesState> Handle(GetStateCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new UpdatesState(log.CurrentPts(caller.RequireUserId()), clock.GetUtcNow().ToUnixTimeSeconds()));
}
