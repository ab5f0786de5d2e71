using System.Collections.Concurrent;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Account;

/// <summary>
/// The accounts' privacy settings in memory: presence asks on each announcement and each status lookup, groups on each
/// add. Only accounts that changed a default have a row, and all rows are read at first use, so a lookup never reads
/// the database and ids nobody has (a status lookup may name any) leave nothing behind.
/// </summary>
internal sealed class PrivacyBook(SessionStore store)
{
    private readonly Lazy<ConcurrentDictionary<long, PrivacySettings>> _settings = new(() => new(store.AllPrivacy()));

    /// <summary>Accounts with settings of their own (tests).</summary>
    internal int Held => _settings.Value.Count;

    public PrivacySettings Of(long userId) => _settings.Value.TryGetValue(userId, out var settings) ? settings : Defaults;

    public async Task SetAsync(long userId, PrivacySettings settings)
    {
        await store.SetPrivacyAsync(userId, settings);
        _settings.Value[userId] = settings;
    }

    /// <summary>The account was deleted (its row went with it, <see cref="SessionStore.DeleteAccountAsync"/>): called once
    /// the other modules have handled <c>AccountDeletedEvent</c>, since presence announces the account offline as its
    /// settings allow.</summary>
    public void Forget(long userId) => _settings.Value.TryRemove(userId, out _);

    private static readonly PrivacySettings Defaults = new();
}

internal sealed class SetPrivacyValidator : AbstractValidator<SetPrivacyCall>
{
    public SetPrivacyValidator() =>
        RuleFor(c => c.Settings)
            .Must(s => s is not null && Enum.IsDefined(s.LastSeen) && Enum.IsDefined(s.GroupInvites) && Enum.IsDefined(s.Calls))
            .WithErrorCode(SessionErrorNames.PrivacyValueInvalid);
}

internal sealed class PrivacyHandlers(PrivacyBook book, IMediator bus, RpcContext caller)
    : IRequestHandler<GetPrivacyCall, PrivacySettings>, IRequestHandler<SetPrivacyCall, PrivacySettings>, IRequestHandler<GetPrivacyQuery, PrivacySettings>
{
    public ValueTask<PrivacySettings> Handle(GetPrivacyCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(book.Of(caller.RequireUserId()));

    public async ValueTask<PrivacySettings> Handle(SetPrivacyCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var settings = call.Settings!;
        if (book.Of(me) != settings)
        {
            await book.SetAsync(me, settings);
            await bus.Publish(new PrivacyChangedEvent(me, settings), CancellationToken.None);
        }

        return settings;
    }

    public ValueTask<PrivacySettings> Handle(GetPrivacyQuery query, CancellationToken cancellationToken) => ValueTask.FromResult(book.Of(query.UserId));
}
