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
internal sealed class TypingThrottle : IDisposable
{
    public const int ValidSeconds = 6;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Shown = TimeSpan.FromSeconds(ValidSeconds);

    private readonly MemoryCache _forwarded = new(new MemoryCacheOptions { SizeLimit = 1_000_000 });

    /// <summary>True at most once per <see cref="Window"/> per (user, chat); a cancel passes once after each notice still
    /// shown (so cancels cannot be used to flood a chat either) and re-opens the window.</summary>
    public bool TryForward(long userId, Peer peer, string action)
    {
        var key = (userId, peer.Kind, peer.Id);
        if (action == TypingActions.Cancel)
        {
            if (!_forwarded.TryGetValue(key, out _))
            {
                return false;
            }

            _forwarded.Remove(key);
            return true;
        }

        var now = Environment.TickCount64;
        if (_forwarded.TryGetValue(key, out long forwardedAt) && now - forwardedAt < Window.TotalMilliseconds)
        {
            return false;
        }

        _forwarded.Set(key, now, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Shown });
        return true;
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
    Chats.Chats chats, ChatDirectory directory, GroupStore groups, TypingThrottle throttle, MessageStore store, IMediator bus, RpcContext caller)
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

        if (chat?.Kind == ChatKind.Channel || !throttle.TryForward(me, target.ToPeer, call.Action))
        {
            return new Done();
        }

        long[] recipients = target.IsPrivate
            ? (target.OtherUserId == me || !chats.InChatList(target.OtherUserId, me) || store.EitherBlocked(me, target.OtherUserId) ? [] : [target.OtherUserId])
            : [.. (chat?.MemberIds ?? []).Where(member => member != me)];
        if (recipients.Length > 0)
        {
            var peer = target.IsPrivate ? Peer.User(me) : target.ToPeer;
            var update = new TypingUpdate(peer, me, call.Action, call.Action == TypingActions.Cancel ? 0 : TypingThrottle.ValidSeconds);
            await bus.Publish(new EphemeralUpdateEvent(recipients, update), CancellationToken.None);
        }

        return new Done();
    }

    private void RequireMayPost(ChatInfo chat, long me, string action)
    {
        if (chat.RoleOf(me) is not MemberRole.Member)
        {
            return;
        }

        if (chat.Kind == ChatKind.Channel)
        {
            throw MessengerError.Forbidden(GroupErrorNames.ChatWriteForbidden);
        }

        ChatRightsRules.RequireRights(new GroupStore.Poster(MemberRole.Member, groups.MemberRights(chat.Id), 0, 0, false),
            action == TypingActions.Upload ? ChatRights.Media : ChatRights.Text);
    }
}
