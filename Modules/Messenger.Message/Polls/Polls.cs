using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Groups;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Messenger.Kernel.Text;

namespace Messenger.Message.Polls;

internal sealed class SendPollValidator : AbstractValidator<SendPollCall>
{
    public SendPollValidator()
    {
        RuleFor(c => c.RandomId).NotEqual(0).WithErrorCode(MessageErrorNames.RandomIdInvalid);
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.ReplyToId).Must(r => r is null or > 0).WithErrorCode(MessageErrorNames.ReplyToInvalid);
        RuleFor(c => c.Quote).Must((c, q) => ReplyQuotes.TextIsValid(q, c.ReplyToId)).WithErrorCode(MessageErrorNames.QuoteTextInvalid);
        RuleFor(c => c.Quote).Must(ReplyQuotes.OffsetIsValid).WithErrorCode(MessageErrorNames.QuoteOffsetInvalid);
        RuleFor(c => c.Poll).NotNull().WithErrorCode(PollErrorNames.PollQuestionInvalid);
        RuleFor(c => c.Poll.Question).Must(q => q?.Trim() is { Length: > 0 and <= PollLimits.MaxQuestionLength } && TextRules.IsCleanText(q))
            .When(c => c.Poll is not null).WithErrorCode(PollErrorNames.PollQuestionInvalid);
        RuleFor(c => c.Poll.Options)
            .Cascade(CascadeMode.Stop)
            .Must(o => o is { Length: >= PollLimits.MinOptions and <= PollLimits.MaxOptions })
            .WithErrorCode(PollErrorNames.PollOptionsInvalid)
            .Must(o => o.All(option => option?.Trim() is { Length: > 0 and <= PollLimits.MaxOptionLength } && TextRules.IsCleanText(option)))
            .WithErrorCode(PollErrorNames.PollOptionInvalid)
            .Must(o => o.Select(option => option.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Count() == o.Length)
            .WithErrorCode(PollErrorNames.PollOptionsInvalid)
            .When(c => c.Poll is not null);
        RuleFor(c => c.Poll.CorrectOption)
            .Must((c, correct) => c.Poll.Quiz ? correct >= 0 && correct < (c.Poll.Options?.Length ?? 0) : correct is null)
            .When(c => c.Poll is not null).WithErrorCode(PollErrorNames.QuizCorrectAnswerInvalid);
        RuleFor(c => c.Poll.MultipleChoice).Equal(false)
            .When(c => c.Poll is { Quiz: true }).WithErrorCode(PollErrorNames.QuizMultipleInvalid);
        RuleFor(c => c.Poll.Solution)
            .Must((c, solution) => string.IsNullOrWhiteSpace(solution) || (c.Poll.Quiz && solution.Trim().Length <= PollLimits.MaxSolutionLength && TextRules.IsCleanText(solution)))
            .When(c => c.Poll is not null).WithErrorCode(PollErrorNames.PollSolutionInvalid);
    }
}

/// <summary>
/// A poll is a message (posted as <c>messages.send</c> posts, idempotent by random_id) whose question and options are
/// stored with it; its votes start empty beside it (<see cref="PollStore"/>). Text and options are kept trimmed.
/// </summary>
internal sealed class SendPollHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<SendPollCall, SentMessage>
{
    public async ValueTask<SentMessage> Handle(SendPollCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        RequireVotersAllowed(target, call.Poll);
        var poll = call.Poll with
        {
            Question = call.Poll.Question.Trim(), Options = [.. call.Poll.Options.Select(o => o.Trim())],
            Solution = string.IsNullOrWhiteSpace(call.Poll.Solution) ? null : call.Poll.Solution.Trim(),
        };
        return await writer.WriteAsync(bus,
            (scope, appends) => Delivery.PostOnce(scope, log, me, target, call.RandomId, call.ReplyToId, clock.GetUtcNow().ToUnixTimeSeconds(), appends,
                ChatRights.Poll,
                (chat, now, kept) => Delivery.Post(scope, log, chat, me, call.RandomId, "", call.ReplyToId, action: null, now, poll: poll, silent: call.Silent,
                    quote: kept),
                call.Quote, topicId: call.TopicId),
            cancellationToken, caller.ConnectionId);
    }

    /// <summary>A channel's subscribers do not see one another (as in Telegram): its polls cannot list their voters.</summary>
    public static void RequireVotersAllowed(ChatTarget target, Poll poll)
    {
        if (poll.PublicVoters && target.GroupKind == ChatKind.Channel)
        {
            throw MessengerError.BadRequest(PollErrorNames.BroadcastPublicVotersForbidden);
        }
    }
}

internal sealed class SendVoteValidator : AbstractValidator<SendVoteCall>
{
    public SendVoteValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Id).GreaterThan(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
        RuleFor(c => c.Options)
            .Must(o => o is not null && o.Length <= PollLimits.MaxOptions && o.All(i => i >= 0) && o.Distinct().Count() == o.Length)
            .WithErrorCode(PollErrorNames.PollOptionInvalid);
    }
}

internal sealed class ClosePollValidator : AbstractValidator<ClosePollCall>
{
    public ClosePollValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Id).GreaterThan(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
    }
}

/// <summary>
/// Votes and closing: the poll's new counts go to the chat's audience as <c>message_poll</c> (every member's log, or a
/// large group's own), never who voted; the voter's own log entry carries their choices so their other devices show
/// them (in a large group those devices learn them from the next read).
/// </summary>
internal sealed class PollVoting(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<SendVoteCall, PollChanged>, IRequestHandler<ClosePollCall, PollChanged>
{
    public ValueTask<PollChanged> Handle(SendVoteCall call, CancellationToken cancellationToken) =>
        ChangeAsync(call.Peer, call.Id, isVote: true, (scope, me, message, poll, now) =>
        {
            if (call.Options.Any(o => o >= poll.Options.Length) || (call.Options.Length > 1 && !poll.MultipleChoice))
            {
                throw MessengerError.BadRequest(PollErrorNames.PollOptionInvalid);
            }

            if (PollStore.IsClosed(scope, message.Id))
            {
                throw MessengerError.BadRequest(PollErrorNames.PollClosed);
            }

            if (poll.Quiz && PollStore.Mine(scope, message.Id, me) is { Length: > 0 } answered && !answered.SequenceEqual(call.Options.Order()))
            {
                throw MessengerError.BadRequest(PollErrorNames.RevoteNotAllowed);
            }

            return PollStore.Vote(scope, message.Id, me, call.Options, now);
        }, cancellationToken);

    public ValueTask<PollChanged> Handle(ClosePollCall call, CancellationToken cancellationToken) =>
        ChangeAsync(call.Peer, call.Id, isVote: false, (scope, me, message, _, _) =>
            message.FromId == me ? PollStore.Close(scope, message.Id) : throw MessengerError.Forbidden(MessageErrorNames.MessageAuthorRequired),
            cancellationToken);

    private async ValueTask<PollChanged> ChangeAsync(
        Peer peer, long messageId, bool isVote, Func<WriteScope, long, Contracts.Messages.Message, Poll, long, bool> change, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        if (isVote)
        {
            limiter.Take(me, 1);
        }

        var target = await chats.ResolveForPostingAsync(me, peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var changed = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var chat = Delivery.OpenForResponding(scope, me, target, now);
            if (MessageStore.FindVisible(scope, me, chat.ChatId, messageId) is not { Poll: { } poll } message)
            {
                throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
            }

            var answerOwner = chat.AnswerLog(me);
            var writer = PollStore.WriterOf(message);
            if (!change(scope, me, message, poll, now))
            {
                return new PollChanged(PollStore.Results(scope, messageId, me, writer), log.CurrentPts(scope, answerOwner), 0, chat.HasOwnLog);
            }

            var results = PollStore.Results(scope, messageId, me, writer);
            var quiz = PollStore.Full(scope, messageId, poll);
            // A vote that changed anything changed the voter's choices; closing never does. A quiz's answer goes to its
            // answerer with their answer, to its writer, and to everyone once it is closed.
            foreach (var (owner, chatPeer) in chat.AudienceSeeing(scope, me, messageId))
            {
                var voter = owner == me && isVote;
                var update = new MessagePollUpdate(chatPeer, messageId, results.Counts, results.Voters, results.Closed, voter ? results.MyChoices : null);
                if (quiz.Quiz && (voter || results.Closed || owner == writer))
                {
                    update = update with { CorrectOption = quiz.CorrectOption, Solution = quiz.Solution };
                }

                appends.Append(owner, update, now, messageId);
            }

            var answer = appends.Find(a => a.OwnerId == answerOwner).Update;
            return new PollChanged(results, answer.Pts, answer.PtsCount, chat.HasOwnLog);
        }, cancellationToken, caller.ConnectionId);

        return changed;
    }
}

internal sealed class GetPollVotersValidator : AbstractValidator<GetPollVotersCall>
{
    public GetPollVotersValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Id).GreaterThan(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
        RuleFor(c => c.Option).InclusiveBetween(0, PollLimits.MaxOptions - 1).WithErrorCode(PollErrorNames.PollOptionInvalid);
        RuleFor(c => c.Offset).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, 100).WithErrorCode(MessageErrorNames.LimitInvalid);
    }
}

/// <summary>Who chose an option, for polls whose author made the voters public; anyone who sees the poll may ask, but in
/// a channel only its admins (a public poll there predates the rule that refuses them).</summary>
internal sealed class GetPollVotersHandler(Chats.ChatResolver chats, MessageStore store, IMediator bus, RpcContext caller)
    : IRequestHandler<GetPollVotersCall, PollVoters>
{
    public async ValueTask<PollVoters> Handle(GetPollVotersCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if ((target.ChatId == 0 ? null : store.ReadVisibleMessage(me, target.ChatId, call.Id)) is not { Poll: { } poll })
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        if (!poll.PublicVoters || (target.GroupKind == ChatKind.Channel && target.Role == MemberRole.Member))
        {
            throw MessengerError.Forbidden(PollErrorNames.PollVotersPrivate);
        }

        if (call.Option >= poll.Options.Length)
        {
            throw MessengerError.BadRequest(PollErrorNames.PollOptionInvalid);
        }

        return store.PollVoters(call.Id, call.Option, call.Offset, call.Limit);
    }
}
