using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Updates;
using Microsoft.Extensions.Caching.Memory;

namespace Messenger.Message.Typing;

internal sealed class SetTypingValidator : AbstractValidator<SetTypingCall>
{
    public SetTypingValidator()
    {
        RuleFor(c => c.Peer).Must(p => p is { Id: > 0 } && Enum.IsDefined(p.Kind)).WithErrorCode(MessageErrorNames.PeerIdInvalid);
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

    public void Dispose() => _forwarded.Dispose();
}

/// <summary>Typing is ephemeral: the peer's online devices get it, nothing is stored, a blocked pair gets nothing.</summary>
internal sealed class SetTypingHandler(Chats.Chats chats, TypingThrottle throttle, Storage.MessageStore store, IMediator bus, RpcContext caller)
    : IRequestHandler<SetTypingCall, Done>
{
    public async ValueTask<Done> Handle(SetTypingCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var peerId = await chats.RequireUserPeerAsync(call.Peer, bus, cancellationToken);
        if (peerId != me && throttle.TryForward(me, call.Peer, call.Action) && !store.EitherBlocked(me, peerId))
        {
            var update = new TypingUpdate(Peer.User(me), me, call.Action, call.Action == TypingActions.Cancel ? 0 : TypingThrottle.ValidSeconds);
            await bus.Publish(new EphemeralUpdateEvent([peerId], update), CancellationToken.None);
        }

        return new Done();
    }
}
