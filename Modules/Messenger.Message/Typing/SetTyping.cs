using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Groups;
using Messenger.Message.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Messenger.Message.Typing;

internal sealed class SetTypingValidator : AbstractValidator<SetTypingCall>
{
    public SetTypingValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Action).Must(TypingActions.IsKnown).WithErrorCode(MessageErrorNames.TypingActionInvalid);
    }
}

/// <summary>Remembers, per chat, when a typing notice was last forwarded (entries expire when the notice does).</summary>
internal sealed class TypingThrottle(TimeProvider clock) : IDisposable
{
    public const int ValidSeconds = 6;
    public const int Burst = 3;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Shown = TimeSpan.FromSeconds(ValidSeconds);

    // An entry outlives its notice and the refill of its allowance: one that expired would have been full again.
    private static readonly MemoryCacheEntryOptions Kept = new()
    {
        Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromTicks(Math.Max(Shown.Ticks, Window.Ticks * Burst)),
    };

    private readonly MemoryCache _forwarded = new(new MemoryCacheOptions { SizeLimit = 1_000_000 });
    private readonly Lock _gate = new();

    /// <summary>
    /// Whether to forward: a notice not within <see cref="Window"/> of the last one (unless that one was cancelled), and
    /// only while the (user, chat) has one of its <see cref="Burst"/> notices left, which come back one per
    /// <see cref="Window"/>; a cancel once after each notice still shown. So one sends a message (a cancel) and the next
    /// notice goes at once, while typing and cancelling in a loop reach a chat <see cref="Burst"/> times each and then
    /// twice per window: neither can be used to flood it. Calls of one user may come at once (pipelined, or from two
    /// devices): the read and the write are one step.
    /// </summary>
    public bool TryForward(long userId, Peer peer, string action)
    {
        var key = (userId, peer.Kind, peer.Id);
        lock (_gate)
        {
            var now = clock.GetTimestamp();
            var last = _forwarded.Get<Forwarded>(key);
            if (action == TypingActions.Cancel)
            {
                if (last is not { Cancelled: false } || clock.GetElapsedTime(last.At, now) >= Shown)
                {
                    return false;
                }

                _forwarded.Set(key, last with { Cancelled = true }, Kept);
                return true;
            }

            var tokens = last is null ? Burst : Math.Min(Burst, last.Tokens + (clock.GetElapsedTime(last.At, now) / Window));
            if ((last is { Cancelled: false } && clock.GetElapsedTime(last.At, now) < Window) || tokens < 1)
            {
                return false;
            }

            _forwarded.Set(key, new Forwarded(now, Cancelled: false, tokens - 1), Kept);
            return true;
        }
    }

    /// <summary>As <see cref="TryForward"/> for secret chat <paramref name="chatId"/> (keys of their own: a secret chat's id
    /// may equal a group's).</summary>
    public bool TryForwardSecret(long userId, long chatId)
    {
        var key = (userId, "secret", chatId);
        if (_forwarded.TryGetValue(key, out _))
        {
            return false;
        }

        _forwarded.Set(key, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Window });
        return true;
    }

    public void Dispose() => _forwarded.Dispose();

    /// <summary>When the last notice was forwarded (a <see cref="TimeProvider"/> timestamp), whether its cancel was, and
    /// the notices left after it (counted back up from <see cref="At"/>).</summary>
    private sealed record Forwarded(long At, bool Cancelled, double Tokens);
}

/// <summary>
/// Typing is ephemeral: the other side's (or the other members') online devices get it, nothing is stored. In a private
/// chat only a user who has the chat in their chat list is told, and not while either blocked the other, so typing
/// cannot be used to ping arbitrary users (a mute or a draft set on a stranger makes a chat's row, not a chat in their
/// list). In a group typing is what a post would be: a plain member needs the right to send (403
/// <c>CHAT_WRITE_FORBIDDEN</c>), and the right to send media for an upload (403 <c>CHAT_SEND_MEDIA_FORBIDDEN</c>), and
/// a channel's members are refused; its admins' typing is told to nobody (a channel shows who posts, not who types).
/// </summary>
internal sealed class SetTypingHandler(
    Chats.ChatResolver chats, ChatDirectory directory, GroupStore groups, TypingThrottle throttle, MessageStore store, IMediator bus, RpcContext caller)
    : IRequestHandler<SetTypingCall, Done>
{
    public async ValueTask<Done> Handle(SetTypingCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        var chat = target.IsPrivate ? null : directory.Get(target.ChatId);
        if (chat is not null && call.Action != TypingActions.Cancel)
        {
            RequireMayPost(chat, me, call.Action);
        }

        // Nobody to tell (a channel, a group of one, a stranger or a blocked pair): nothing is forwarded, nor counted
        // as forwarded (a later cancel must not reach anyone either).
        var toldSomeone = target.IsPrivate
            ? target.OtherUserId != me && chats.InChatList(target.OtherUserId, me) && !store.EitherBlocked(me, target.OtherUserId)
            : chat is { Kind: not ChatKind.Channel, MemberIds.Length: > 1 };
        if (!toldSomeone || !throttle.TryForward(me, target.ToPeer, call.Action))
        {
            return new Done();
        }

        long[] recipients = target.IsPrivate ? [target.OtherUserId] : [.. chat!.MemberIds.Where(member => member != me)];
        var peer = target.IsPrivate ? Peer.User(me) : target.ToPeer;
        var update = new TypingUpdate(peer, me, call.Action, call.Action == TypingActions.Cancel ? 0 : TypingThrottle.ValidSeconds);
        await bus.Publish(new EphemeralUpdateEvent(recipients, update), CancellationToken.None);
        return new Done();
    }

    private void RequireMayPost(ChatInfo chat, long me, string action)
    {
        if (chat.RoleOf(me) is not MemberRole.Member)
        {
            return;
        }

        ChatRightsRules.RequireChannelPoster(chat.Kind, MemberRole.Member);
        ChatRightsRules.RequireRights(new GroupStore.Poster(MemberRole.Member, groups.MemberRights(chat.Id), 0, 0, false),
            action == TypingActions.Upload ? ChatRights.Media : ChatRights.Text);
    }
}
