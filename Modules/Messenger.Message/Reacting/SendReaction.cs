using System.Globalization;
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
using Messenger.Message.Sending;
using Messenger.Message.Storage;

namespace Messenger.Message.Reacting;

internal sealed class SendReactionValidator : AbstractValidator<SendReactionCall>
{
    public SendReactionValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Id).GreaterThan(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
        RuleFor(c => c.Reaction).Must(r => string.IsNullOrEmpty(r) || IsEmoji(r)).WithErrorCode(MessageErrorNames.ReactionInvalid);
    }

    /// <summary>One grapheme (an emoji with its modifiers and joiners) that is not a letter, digit, space or ASCII
    /// character: no words, and nothing invisible.</summary>
    public static bool IsEmoji(string reaction) =>
        reaction.Length <= ReactionLimits.MaxLength
        && new StringInfo(reaction).LengthInTextElements == 1
        && reaction[0] > 0x7F
        && !char.IsLetterOrDigit(reaction, 0)
        && !char.IsWhiteSpace(reaction, 0)
        && CharUnicodeInfo.GetUnicodeCategory(reaction, 0) is not (UnicodeCategory.Format or UnicodeCategory.Control
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate);
}

/// <summary>
/// One reaction per person per message, replaced or taken back; the chat's audience (every member's log, or a large
/// group's own) gets <c>message_reactions</c> with the totals after the change. The message must be one the caller can
/// see and not a service message; posting rules apply (blocks, a deleted peer, a channel's subscribers may react). In a
/// channel the entry names nobody (user_id 0, no reaction), for its admins too, as in Telegram.
/// </summary>
internal sealed class SendReactionHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<SendReactionCall, ReactionsChanged>
{
    public async ValueTask<ReactionsChanged> Handle(SendReactionCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var reaction = string.IsNullOrEmpty(call.Reaction) ? null : call.Reaction;
        var changed = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            // Reacting is not posting: a channel's subscribers react too. Blocks and membership still hold.
            var chat = Delivery.OpenForResponding(scope, me, target, now);
            if (MessageStore.FindVisible(scope, me, chat.ChatId, call.Id) is not { Action: null })
            {
                throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
            }

            var answerOwner = chat.AnswerLog(me);
            if (!ReactionStore.Set(scope, call.Id, me, reaction, now))
            {
                return new ReactionsChanged(ReactionStore.Of(scope, call.Id), reaction, log.CurrentPts(scope, answerOwner), 0, chat.HasOwnLog);
            }

            var totals = ReactionStore.Of(scope, call.Id);
            if (totals.Length > ReactionLimits.MaxDistinct)
            {
                throw MessengerError.BadRequest(MessageErrorNames.ReactionsTooMany); // the unit rolls back
            }

            // A channel's subscribers do not see one another: its shared log tells the totals, never who reacted (the
            // reactor's devices have their reaction from the answer and the next read).
            var anonymous = target.GroupKind == ChatKind.Channel;
            foreach (var (owner, peer) in chat.AudienceSeeing(scope, me, call.Id))
            {
                var update = anonymous
                    ? new MessageReactionsUpdate(peer, call.Id, 0, null, totals)
                    : new MessageReactionsUpdate(peer, call.Id, me, reaction, totals);
                appends.Append(owner, update, now, call.Id);
            }

            var answer = appends.Find(a => a.OwnerId == answerOwner).Update;
            return new ReactionsChanged(totals, reaction, answer.Pts, answer.PtsCount, chat.HasOwnLog);
        }, cancellationToken, caller.ConnectionId);

        return changed;
    }
}
