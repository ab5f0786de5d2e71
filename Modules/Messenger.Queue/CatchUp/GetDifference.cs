using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Updates;
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

internal sealed class GetChannelDifferenceValidator : AbstractValidator<GetChannelDifferenceCall>
{
    public GetChannelDifferenceValidator()
    {
        RuleFor(c => c.Pts).GreaterThanOrEqualTo(0).WithErrorCode(UpdateErrorNames.PtsInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, GetDifferenceValidator.MaxLimit).WithErrorCode(UpdateErrorNames.LimitInvalid);
    }
}

/// <summary>One stretch of a log after a client's pts: the updates, where they end, whether there is more, or too long.</summary>
internal readonly record struct LogStretch(List<LoggedUpdate> Updates, long Pts, bool Slice, bool TooLong);

/// <summary>
/// Reads a log after a client's position. Ahead of the log (a restored database) or further behind than the bound, or
/// behind what compaction left: <c>too_long</c> — the client refetches its chats instead of replaying.
/// </summary>
internal sealed class LogReader(UpdateLog log, IOptions<QueueOptions> options)
{
    public LogStretch Read(long owner, long pts, int limit)
    {
        var current = log.CurrentPts(owner);
        if (pts == current)
        {
            return new LogStretch([], current, Slice: false, TooLong: false);
        }

        if (pts > current || current - pts > options.Value.TooLongAfterUpdates)
        {
            return new LogStretch([], current, Slice: false, TooLong: true);
        }

        var updates = log.ReadAfter(owner, pts, limit);
        if (updates.Count == 0 || updates[0].Pts - updates[0].PtsCount != pts)
        {
            return new LogStretch([], current, Slice: false, TooLong: true);
        }

        var last = updates[^1].Pts;
        return new LogStretch(updates, last, Slice: last < current, TooLong: false);
    }
}

/// <summary>The caller's own log; the last answer also lists their large groups' positions.</summary>
internal sealed class GetDifferenceHandler(LogReader reader, UpdateLog log, ISender bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<GetDifferenceCall, Difference>
{
    public async ValueTask<Difference> Handle(GetDifferenceCall call, CancellationToken cancellationToken)
    {
        var owner = caller.RequireUserId();
        for (var attempt = 1; ; attempt++)
        {
            var stretch = reader.Read(owner, call.Pts, call.Limit);
            var state = new UpdatesState(stretch.Pts, clock.GetUtcNow().ToUnixTimeSeconds());
            if (stretch.Slice)
            {
                return new Difference([.. stretch.Updates], state, Slice: true, TooLong: false, Channels: null);
            }

            var channels = await UserChannels.ReadAsync(bus, log, owner, cancellationToken);
            if (log.CurrentPts(owner) == stretch.Pts)
            {
                return new Difference([.. stretch.Updates], state, Slice: false, stretch.TooLong, channels);
            }

            // The user's log grew while the list was read (a join, say): the list may count posts made after entries this
            // answer does not hold. What it holds goes as a slice without the list, and the client asks again from it.
            if (!stretch.TooLong)
            {
                return new Difference([.. stretch.Updates], state, Slice: true, TooLong: false, Channels: null);
            }

            if (attempt == UserChannels.Attempts)
            {
                return new Difference([], state, Slice: false, TooLong: true, channels);
            }
        }
    }
}

/// <summary>The large groups and channels a user is in, each at its own log's current position: the list the last
/// getDifference answer and getState give, read after the user's own position and kept only if that position has not
/// moved meanwhile (a group joined in between would be listed at a position that counts posts made after the join,
/// whose pushes the client would then take for seen).</summary>
internal static class UserChannels
{
    /// <summary>How many times getState (or a too-long answer) reads the position and the list again while the user's log
    /// keeps growing between the two, before it answers with the last pair read.</summary>
    public const int Attempts = 5;

    public static async ValueTask<ChannelState[]> ReadAsync(ISender bus, UpdateLog log, long owner, CancellationToken cancellationToken)
    {
        var chats = await bus.Send(new GetUserChannelsQuery(owner), cancellationToken);
        return [.. chats.Select(chat => new ChannelState(chat, log.CurrentPts(LogOwners.OfChat(chat))))];
    }
}

/// <summary>A large group's own log, for its members only (anyone else: 404, as if the chat did not exist). The log is
/// shared, so it holds nobody's random_id: the caller's own messages in it are given theirs, as their own log would.</summary>
internal sealed class GetChannelDifferenceHandler(LogReader reader, ISender bus, RpcContext caller)
    : IRequestHandler<GetChannelDifferenceCall, ChannelDifference>
{
    public async ValueTask<ChannelDifference> Handle(GetChannelDifferenceCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        if (call.ChatId <= 0 || !await bus.Send(new CanReadChatLogQuery(me, call.ChatId), cancellationToken))
        {
            throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
        }

        var stretch = reader.Read(LogOwners.OfChat(call.ChatId), call.Pts, call.Limit);
        return new ChannelDifference(call.ChatId, [.. await WithOwnRandomIdsAsync(me, call.ChatId, stretch.Updates, cancellationToken)],
            stretch.Pts, stretch.Slice, stretch.TooLong);
    }

    private async ValueTask<List<LoggedUpdate>> WithOwnRandomIdsAsync(long me, long chatId, List<LoggedUpdate> updates, CancellationToken cancellationToken)
    {
        var own = updates.Where(u => u.Update is NewMessageUpdate { RandomId: null } posted && posted.Message.FromId == me && posted.Message.Action is null)
            .Select(u => ((NewMessageUpdate)u.Update).Message.Id).ToList();
        if (own.Count == 0)
        {
            return updates;
        }

        var randomIds = await bus.Send(new GetOwnRandomIdsQuery(me, chatId, own), cancellationToken);
        // Copies: the entries read may be the recent-updates cache's, shared by every reader.
        return [.. updates.Select(u => u.Update is NewMessageUpdate posted && posted.Message.FromId == me && randomIds.TryGetValue(posted.Message.Id, out var randomId)
            ? u with { Update = posted with { RandomId = randomId } }
            : u)];
    }
}

/// <summary>The caller's position with their large groups' positions, read in the same call and order as
/// getDifference's last answer, again while the position moves between the two (<see cref="UserChannels"/>): a client
/// starting fresh follows each group from there, so a post made after the answer (pushed or not) is above the position
/// it keeps, and one counted in it was made before the start.</summary>
internal sealed class GetStateHandler(UpdateLog log, ISender bus, RpcContext caller, TimeProvider clock) : IRequestHandler<GetStateCall, UpdatesState>
{
    public async ValueTask<UpdatesState> Handle(GetStateCall call, CancellationToken cancellationToken)
    {
        var owner = caller.RequireUserId();
        for (var attempt = 1; ; attempt++)
        {
            var pts = log.CurrentPts(owner);
            var channels = await UserChannels.ReadAsync(bus, log, owner, cancellationToken);
            if (log.CurrentPts(owner) == pts || attempt == UserChannels.Attempts)
            {
                return new UpdatesState(pts, clock.GetUtcNow().ToUnixTimeSeconds(), channels);
            }
        }
    }
}
