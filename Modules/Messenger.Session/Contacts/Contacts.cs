using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Contacts;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Contacts;

internal sealed class AddContactValidator : AbstractValidator<AddContactCall>
{
    public AddContactValidator() =>
        RuleFor(c => c.Name).Must(n => Rules.IsName(n, ContactLimits.MaxNameLength)).WithErrorCode(ContactErrorNames.ContactNameInvalid);
}

internal sealed class DeleteContactsValidator : AbstractValidator<DeleteContactsCall>
{
    public DeleteContactsValidator() =>
        RuleFor(c => c.UserIds).Must(ids => ids is { Length: > 0 and <= ContactLimits.MaxIdsPerCall }).WithErrorCode(SessionErrorNames.UserIdsInvalid);
}

/// <summary>
/// The caller's contact list (<c>session_contacts</c>), kept on the server so each of the caller's devices shows the
/// same names: every change goes into the caller's own log (<see cref="ContactUpdate"/>) in the unit that makes it, so
/// a device offline meanwhile catches up with getDifference. The person added is not told; only when they have the
/// caller too does their entry's mutual flag change, and their devices are told that (the flag is theirs to see in
/// <c>contacts.getContacts</c> anyway). Only a change of that flag reaches the other's log, and one user may flip one
/// person's flag at most <see cref="SessionOptions.MutualFlipBurst"/> times at once, then
/// <see cref="SessionOptions.MutualFlipsPerHour"/> (<see cref="MutualFlipLimiter"/>): an add+delete loop cannot fill
/// the other's log. Within a blocked pair (either way) neither learns of the other through contacts: an add or delete
/// answers and lists the flag as false and writes nothing to the other's log. Decided: nothing is pushed when a block
/// is made or lifted (its timing would tell the blocked user); after an unblock, <c>contacts.getContacts</c> shows the
/// true flag again, and a device holding the masked one learns it at its next full read. Decided: bots cannot be
/// contacts — they have no presence to show or hide, and "my contacts" is about people.
/// </summary>
internal sealed class ContactsHandler(
    ContactStore store, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, TimeProvider clock, IOptions<SessionOptions> options,
    MutualFlipLimiter flips)
    : IRequestHandler<GetContactsCall, ContactList>, IRequestHandler<AddContactCall, SavedContact>, IRequestHandler<DeleteContactsCall, AffectedMessages>
{
    public async ValueTask<ContactList> Handle(GetContactsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var contacts = store.ContactsOf(me);
        var mutual = contacts.Where(c => c.Mutual).Select(c => c.UserId).ToList();
        var blocked = mutual.Count == 0 ? [] : (await bus.Send(new GetBlockedAmongQuery(me, mutual), cancellationToken)).ToHashSet();
        return new ContactList([.. contacts
            .Select(c => blocked.Contains(c.UserId) ? c with { Mutual = false } : c)
            .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ThenBy(c => c.UserId)]);
    }

    public async ValueTask<SavedContact> Handle(AddContactCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var name = call.Name.Trim();
        if (call.UserId == me)
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIdInvalid, "one cannot be one's own contact");
        }

        var blocked = await EitherBlockedAsync(me, call.UserId, cancellationToken);
        var (saved, added) = await writer.WriteAsync(bus, (scope, appends) =>
        {
            // In the unit: an account deleted meanwhile is not added after its deletion took it out of every list.
            if (!ContactStore.IsAddable(scope, call.UserId))
            {
                throw MessengerError.BadRequest(SessionErrorNames.UserIdInvalid);
            }

            var current = ContactStore.NameOf(scope, me, call.UserId);
            var theirs = blocked ? null : ContactStore.NameOf(scope, call.UserId, me);
            var contact = new Contact(call.UserId, name, Mutual: theirs is not null);
            if (current == name)
            {
                return (new SavedContact(contact, log.CurrentPts(scope, me), 0), false);
            }

            var now = clock.GetUtcNow();
            if (current is null)
            {
                if (ContactStore.Count(scope, me) >= options.Value.MaxContacts)
                {
                    throw MessengerError.BadRequest(ContactErrorNames.ContactsTooMany);
                }

                ContactStore.Insert(scope, me, call.UserId, name, now.ToUnixTimeMilliseconds());
            }
            else
            {
                ContactStore.Rename(scope, me, call.UserId, name);
            }

            var mine = appends.Append(me, new ContactUpdate(call.UserId, contact), now.ToUnixTimeSeconds());
            if (current is null && theirs is not null)
            {
                flips.Take(me, call.UserId);
                appends.Append(call.UserId, new ContactUpdate(me, new Contact(me, theirs, Mutual: true)), now.ToUnixTimeSeconds());
            }

            return (new SavedContact(contact, mine.Pts, mine.PtsCount), current is null);
        }, cancellationToken, caller.ConnectionId);

        await TellAsync(added ? [new ContactChangedEvent(me, call.UserId, IsContact: true)] : []);
        return saved;
    }

    public async ValueTask<AffectedMessages> Handle(DeleteContactsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var ids = call.UserIds.Distinct().ToList();
        var blocked = (await bus.Send(new GetBlockedAmongQuery(me, ids), cancellationToken)).ToHashSet();
        var (affected, removed) = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var date = clock.GetUtcNow().ToUnixTimeSeconds();
            var gone = new List<long>();
            LoggedUpdate? last = null;
            foreach (var userId in ids)
            {
                if (!ContactStore.Delete(scope, me, userId))
                {
                    continue;
                }

                gone.Add(userId);
                last = appends.Append(me, new ContactUpdate(userId, null), date);
                if (!blocked.Contains(userId) && ContactStore.NameOf(scope, userId, me) is { } theirs)
                {
                    flips.Take(me, userId);
                    appends.Append(userId, new ContactUpdate(me, new Contact(me, theirs, Mutual: false)), date);
                }
            }

            var affected = last is null ? new AffectedMessages(log.CurrentPts(scope, me), 0) : new AffectedMessages(last.Pts, gone.Count);
            return (affected, gone);
        }, cancellationToken, caller.ConnectionId);

        await TellAsync([.. removed.Select(userId => new ContactChangedEvent(me, userId, IsContact: false))]);
        return affected;
    }

    private async Task<bool> EitherBlockedAsync(long me, long userId, CancellationToken cancellationToken) =>
        (await bus.Send(new GetBlockedAmongQuery(me, [userId]), cancellationToken)).Length > 0;

    /// <summary>After the unit's updates (<see cref="LoggedWriter"/>): the modules that follow contact lists.</summary>
    private async Task TellAsync(List<ContactChangedEvent> changes)
    {
        foreach (var change in changes)
        {
            await bus.Publish(change, CancellationToken.None);
        }
    }
}

/// <summary>"My contacts" of the privacy settings, asked by the modules that apply them.</summary>
internal sealed class ContactQueriesHandler(ContactStore store) : IRequestHandler<IsContactQuery, bool>, IRequestHandler<GetContactIdsQuery, long[]>
{
    public ValueTask<bool> Handle(IsContactQuery query, CancellationToken cancellationToken) => ValueTask.FromResult(store.Has(query.OwnerId, query.UserId));

    public ValueTask<long[]> Handle(GetContactIdsQuery query, CancellationToken cancellationToken) => ValueTask.FromResult(store.IdsOf(query.OwnerId).ToArray());
}

/// <summary>
/// How often one user may flip one other person's mutual flag (<see cref="SessionOptions.MutualFlipsPerHour"/>, burst
/// <see cref="SessionOptions.MutualFlipBurst"/>): a token bucket per (user, person), in memory, per node. Taken inside
/// the unit, before the other's entry is appended; a refused add or delete writes nothing.
/// </summary>
internal sealed class MutualFlipLimiter(IOptions<SessionOptions> options, TimeProvider clock)
{
    private readonly TokenBuckets<(long From, long To)> _buckets =
        new(options.Value.MutualFlipsPerHour / 3600.0, options.Value.MutualFlipBurst, clock);

    public void Take(long from, long to) => _buckets.Take((from, to));
}
