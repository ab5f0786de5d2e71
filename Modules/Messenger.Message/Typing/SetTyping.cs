using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
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

/// <summary>Remembers, per chat, when a typing notice was last forwarded (entries expire with the window).</summary>
internal sealed class TypingThrottle : IDisposable
{
    public const int ValidSeconds = 6;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    private readonly MemoryCache _forwarded = new(new MemoryCacheOptions { SizeLimit = 1_000_000 });

    /// <summary>True at most once per <see cref="Window"/> per (user, chat); a cancel always passes and re-opens it.</summary>
    public bool TryForward(long userId, Peer peer, string action)
    {
        var key = (userId, peer.Kind, peer.Id);
        if (action == TypingActions.Cancel)
        {
            _forwarded.Remove(key);
            return true;
        }

        if (_forwarded.TryGetValue(key, out _))
        {
            return false;
        }

        _forwarded.Set(key, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Window });
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

/// <summary>Typing is ephemeral: the other side's (or the other members') online devices get it, nothing is stored. A
/// stranger (no chat yet) or a blocked pair gets nothing, so typing cannot be used to ping arbitrary users.</summary>
internal sealed class SetTypingHandler(
    Chats.Chats chats, ChatDirectory directory, TypingThrottle throttle, MessageStore store, IMediator bus, RpcContext caller)
    : IRequestHandler<SetTypingCall, Done>
{
    public async ValueTask<Done> Handle(SetTypingCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (!throttle.TryForward(me, target.ToPeer, call.Action))
        {
            return new Done();
        }

        // No chat yet (no message ever exchanged), a blocked pair or yourself: nobody is told.
        long[] recipients = target.IsPrivate
            ? (target.ChatId == 0 || target.OtherUserId == me || store.EitherBlocked(me, target.OtherUserId) ? [] : [target.OtherUserId])
            : [.. (directory.Get(target.ChatId)?.MemberIds ?? []).Where(member => member != me)];
        if (recipients.Length > 0)
        {
            var peer = target.IsPrivate ? Peer.User(me) : target.ToPeer;
            var update = new TypingUpdate(peer, me, call.Action, call.Action == TypingActions.Cancel ? 0 : TypingThrottle.ValidSeconds);
            await bus.Publish(new EphemeralUpdateEvent(recipients, update), CancellationToken.None);
        }

        return new Done();
    }
}
