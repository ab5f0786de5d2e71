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
/// <c>contacts.getContacts</c> anyway). Decided: bots cannot be contacts — they have no presence to show or hide, and
/// "my contacts" is about people.
/// </summary>
internal sealed class ContactsHandler(
    ContactStore store, StorageWriter writer, IUpdateLog log, IPublisher bus, RpcContext caller, TimeProvider clock, IOptions<SessionOptions> options)
    : IRequestHandler<GetContactsCall, ContactList>, IRequestHandler<AddContactCall, SavedContact>, IRequestHandler<DeleteContactsCall, AffectedMessages>
{
    public ValueTask<ContactList> Handle(GetContactsCall call, CancellationToken cancellationToken)
    {
        var contacts = store.ContactsOf(caller.RequireUserId())
            .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ThenBy(c => c.UserId);
        return ValueTask.FromResult(new ContactList([.. contacts]));
    }

    public async ValueTask<SavedContact> Handle(AddContactCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var name = call.Name.Trim();
        if (call.UserId == me)
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIdInvalid, "one cannot be one's own contact");
        }

        var (saved, appends, added) = await writer.WriteAsync(scope =>
        {
            // In the unit: an account deleted meanwhile is not added after its deletion took it out of every list.
            if (!ContactStore.IsAddable(scope, call.UserId))
            {
                throw MessengerError.BadRequest(SessionErrorNames.UserIdInvalid);
            }

            var current = ContactStore.NameOf(scope, me, call.UserId);
            var theirs = ContactStore.NameOf(scope, call.UserId, me);
            var contact = new Contact(call.UserId, name, Mutual: theirs is not null);
            if (current == name)
            {
                return (new SavedContact(contact, log.CurrentPts(scope, me), 0), new List<LogAppend>(), false);
            }

            var now = clock.GetUtcNow();
            var appended = new List<LogAppend>();
            if (current is null)
            {
                if (ContactStore.Count(scope, me) >= options.Value.MaxContacts)
                {
                    throw MessengerError.BadRequest(ContactErrorNames.ContactsTooMany);
                }

                ContactStore.Insert(scope, me, call.UserId, name, now.ToUnixTimeMilliseconds());
                if (theirs is not null)
                {
                    appended.Add(new LogAppend(call.UserId,
                        log.Append(scope, call.UserId, new ContactUpdate(me, new Contact(me, theirs, Mutual: true)), now.ToUnixTimeSeconds())));
                }
            }
            else
            {
                ContactStore.Rename(scope, me, call.UserId, name);
            }

            var mine = log.Append(scope, me, new ContactUpdate(call.UserId, contact), now.ToUnixTimeSeconds());
            appended.Insert(0, new LogAppend(me, mine));
            return (new SavedContact(contact, mine.Pts, mine.PtsCount), appended, current is null);
        }, cancellationToken);

        await TellAsync(appends, added ? [new ContactChangedEvent(me, call.UserId, IsContact: true)] : []);
        return saved;
    }

    public async ValueTask<AffectedMessages> Handle(DeleteContactsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var ids = call.UserIds.Distinct().ToList();
        var (affected, appends, removed) = await writer.WriteAsync(scope =>
        {
            var date = clock.GetUtcNow().ToUnixTimeSeconds();
            var appended = new List<LogAppend>();
            var gone = new List<long>();
            LoggedUpdate? last = null;
            foreach (var userId in ids)
            {
                if (!ContactStore.Delete(scope, me, userId))
                {
                    continue;
                }

                gone.Add(userId);
                last = log.Append(scope, me, new ContactUpdate(userId, null), date);
                appended.Add(new LogAppend(me, last));
                if (ContactStore.NameOf(scope, userId, me) is { } theirs)
                {
                    appended.Add(new LogAppend(userId, log.Append(scope, userId, new ContactUpdate(me, new Contact(me, theirs, Mutual: false)), date)));
                }
            }

            var affected = last is null ? new AffectedMessages(log.CurrentPts(scope, me), 0) : new AffectedMessages(last.Pts, gone.Count);
            return (affected, appended, gone);
        }, cancellationToken);

        await TellAsync(appends, [.. removed.Select(userId => new ContactChangedEvent(me, userId, IsContact: false))]);
        return affected;
    }

    private async Task TellAsync(List<LogAppend> appends, List<ContactChangedEvent> changes)
    {
        if (appends.Count > 0)
        {
            await bus.Publish(new UpdatesAppendedEvent(appends, caller.ConnectionId), CancellationToken.None);
        }

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
