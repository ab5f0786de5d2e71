using FluentValidation;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Groups;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Forwarding;

internal sealed class ForwardMessagesValidator : AbstractValidator<ForwardMessagesCall>
{
    public const int MaxIds = 100;

    public ForwardMessagesValidator()
    {
        RuleFor(c => c.FromPeer).ValidPeer();
        RuleFor(c => c.ToPeer).ValidPeer();
        RuleFor(c => c.Ids).Must(ids => ids is { Length: > 0 and <= MaxIds } && ids.All(id => id > 0) && ids.Distinct().Count() == ids.Length)
            .WithErrorCode(MessageErrorNames.MessageIdsInvalid);
        RuleFor(c => c.RandomIds).Must((c, r) => r is not null && r.Length == c.Ids?.Length && r.All(id => id != 0) && r.Distinct().Count() == r.Length)
            .WithErrorCode(MessageErrorNames.RandomIdInvalid);
    }
}

/// <summary>
/// Copies messages the caller can see into another chat (private or group), in one writer unit: new messages by the
/// caller with the same text and media (one more reference to the media, never a copy of its bytes), posted as
/// <c>messages.send</c> posts. Each random_id makes its copy idempotent; a copy that already exists is returned again.
/// Service messages are not forwarded. A forwarded poll is a new poll with the same question and options, open, with
/// votes of its own (the original's voters and counts stay in their chat); one with public voters is refused into a
/// channel (<c>BROADCAST_PUBLIC_VOTERS_FORBIDDEN</c>, as in Telegram) rather than made anonymous behind the caller's back. A forwarded location is its point as it
/// stands: a live one's copy does not move (as in Telegram).
/// </summary>
internal sealed class ForwardMessagesHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller, PostLimiter limiter,
    TimeProvider clock)
    : IRequestHandler<ForwardMessagesCall, ForwardedMessages>
{
    public async ValueTask<ForwardedMessages> Handle(ForwardMessagesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, call.Ids.Length);
        var from = await chats.ResolveAsync(me, call.FromPeer, bus, cancellationToken);
        var to = await chats.ResolveForPostingAsync(me, call.ToPeer, bus, cancellationToken);
        if (from.ChatId == 0)
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var forwarded = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            // Copies made before (a resend) are answered again; the rest are read first, so the chat is opened once for
            // what they hold: a group's member needs the right to post files or polls if one of them is one.
            var messages = new ChatMessage?[call.Ids.Length];
            var sources = new ChatMessage?[call.Ids.Length];
            var content = ChatRights.Text;
            for (var i = 0; i < call.Ids.Length; i++)
            {
                messages[i] = MessageStore.FindByRandomId(scope, me, call.RandomIds[i]);
                if (messages[i] is null)
                {
                    var source = MessageStore.FindVisible(scope, me, from.ChatId, call.Ids[i]);
                    sources[i] = source is null || source.Action is not null ? throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid) : source;
                    content |= source.Media is not null ? ChatRights.Media : source.Poll is not null ? ChatRights.Poll : ChatRights.Text;

                    // A quiz's copy carries its answer (votes are the copy's own): only one who may know it forwards it.
                    if (source.Poll is { } forwardedPoll)
                    {
                        Polls.SendPollHandler.RequireVotersAllowed(to, forwardedPoll);
                    }

                    if (source.Poll is { Quiz: true } && PollStore.Results(scope, source.Id, me, PollStore.WriterOf(source)).CorrectOption is null)
                    {
                        throw MessengerError.BadRequest(PollErrorNames.QuizAnswerRequired);
                    }
                }
            }

            var target = Delivery.OpenForPosting(scope, me, to, now, sources.Any(s => s is not null) ? content : ChatRights.None);
            target = target with { TopicId = Topics.TopicStore.ForPost(scope, target, call.TopicId, replied: null) };
            var answers = new List<LoggedUpdate>();
            for (var i = 0; i < call.Ids.Length; i++)
            {
                if (sources[i] is not { } source)
                {
                    continue;
                }

                var posted = Delivery.Post(scope, log, target, me, call.RandomIds[i], source.Text, null, action: null, now,
                    attachMedia: source.Media is not { } attached ? null : id =>
                    {
                        media.AddReference(scope, attached.Id, id);
                        return attached;
                    },
                    forwardedFrom: source.FwdFromId ?? source.FromId, poll: source.Poll is { } poll ? PollStore.Full(scope, source.Id, poll) : null,
                    silent: call.Silent, geo: source.Geo?.AsPoint());
                messages[i] = posted.Message;
                appends.AddRange(posted.Appends);
                answers.Add(posted.Answer);
            }

            if (answers.Count == 0)
            {
                // All made before (a resend): where their log stands, as a send's resend is answered (Delivery.Resent).
                var resent = Delivery.Resent(messages[0]!, target, me, log, scope);
                return new ForwardedMessages(messages!, resent.Pts, 0, resent.Channel);
            }

            return new ForwardedMessages(messages!, answers[^1].Pts, answers.Sum(a => a.PtsCount), target.HasOwnLog);
        }, cancellationToken, caller.ConnectionId);

        return forwarded;
    }
}
