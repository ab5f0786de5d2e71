using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Text;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Chats;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Groups;

internal sealed class EditTitleValidator : AbstractValidator<EditTitleCall>
{
    public EditTitleValidator() => RuleFor(c => c.Title).Must(CreateGroupValidator.IsValidTitle).WithErrorCode(GroupErrorNames.ChatTitleInvalid);
}

internal sealed class EditAboutValidator : AbstractValidator<EditAboutCall>
{
    public const int MaxLength = 255;

    public EditAboutValidator()
    {
        RuleFor(c => c.About).Must(a => a is null || a.Trim().Length <= MaxLength).WithErrorCode(GroupErrorNames.ChatAboutTooLong);
        RuleFor(c => c.About).Must(TextRules.IsCleanText).WithErrorCode(GroupErrorNames.ChatAboutInvalid);
    }
}

/// <summary>Admins rename the chat and set its description and photo (members too, when the chat lets them change its
/// info) and set what members may do; the creator makes members admins and back, or hands the chat over.</summary>
internal sealed class EditGroupHandler(
    GroupChanges changes, LoggedWriter writer, IMediaAttachments media, Chats.ChatDirectory directory, IMediator bus, RpcContext caller, TimeProvider clock,
    Thumbnails.ChatPhotoThumbnails thumbnails, PostLimiter limiter, IBotAccounts botAccounts)
    : IRequestHandler<EditTitleCall, ChatChanged>, IRequestHandler<EditAboutCall, ChatChanged>, IRequestHandler<EditPhotoCall, ChatChanged>, IRequestHandler<SetAdminCall, ChatChanged>,
        IRequestHandler<TransferOwnershipCall, ChatChanged>, IRequestHandler<EditPermissionsCall, ChatChanged>
{
    public async ValueTask<ChatChanged> Handle(EditTitleCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var title = call.Title.Trim();
        return await ChangeAsync(scope =>
        {
            RequireChangeInfo(scope, call.ChatId, me);
            if (GroupStore.Chat(scope, call.ChatId)!.Value.Title == title)
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatNotModified);
            }

            scope.Execute("UPDATE message_chats SET title = @title WHERE id = @chat", ("@title", title), ("@chat", call.ChatId));
            return (call.ChatId, new ServiceAction(ServiceActions.EditTitle, [], title));
        }, me, cancellationToken);
    }

    public async ValueTask<ChatChanged> Handle(EditAboutCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var about = call.About?.Trim() ?? "";
        return await ChangeAsync(scope =>
        {
            RequireChangeInfo(scope, call.ChatId, me);
            if (GroupStore.About(scope, call.ChatId) == about)
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatNotModified);
            }

            scope.Execute("UPDATE message_chats SET about = @about WHERE id = @chat", ("@about", about), ("@chat", call.ChatId));
            return (call.ChatId, new ServiceAction(ServiceActions.EditAbout, []));
        }, me, cancellationToken);
    }

    /// <summary>The photo is held by the group (<see cref="MediaHolders.ChatPhotoOf"/>), not by the service message, so
    /// it stays readable to members who deleted that message. The file work is done before the unit, and only for a
    /// caller who is a member now; the unit checks the rights again and swaps the references and the row together. The
    /// photo the group has already (a resend whose answer was lost, with the same upload) changes nothing and posts no
    /// second <c>edit_photo</c>: the answer carries no message.</summary>
    public async ValueTask<ChatChanged> Handle(EditPhotoCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        if (directory.Get(call.ChatId)?.RoleOf(me) is null)
        {
            throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
        }

        using var prepared = call.Media is null ? null : await media.PrepareAsync(me, call.Media, cancellationToken);
        if (prepared is not null)
        {
            PhotoRule.Require(prepared);
        }

        MessageMedia? photo = null;
        var changed = await ChangeAsync(scope =>
        {
            RequireChangeInfo(scope, call.ChatId, me);
            if (prepared is null && GroupStore.Photo(scope, call.ChatId) is null)
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatNotModified);
            }

            if (prepared is not null && media.Carries(scope, MediaHolders.ChatPhotoOf(call.ChatId), prepared))
            {
                return (call.ChatId, null);
            }

            photo = GroupStore.SetPhoto(scope, media, call.ChatId, prepared, me);
            return (call.ChatId, new ServiceAction(prepared is null ? ServiceActions.DeletePhoto : ServiceActions.EditPhoto, []));
        }, me, cancellationToken);
        if (DescriptorThumbnailPass.LacksThumbnail(photo))
        {
            thumbnails.Request();
        }

        return changed;
    }

    public async ValueTask<ChatChanged> Handle(SetAdminCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        return await ChangeAsync(scope =>
        {
            RequireCreator(scope, call.ChatId, me);
            var current = GroupStore.RoleOf(scope, call.ChatId, call.UserId) ?? throw MessengerError.BadRequest(GroupErrorNames.UserNotParticipant);
            var wanted = call.IsAdmin ? MemberRole.Admin : MemberRole.Member;
            if (current == MemberRole.Creator || current == wanted)
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatNotModified);
            }

            scope.Execute("UPDATE message_members SET role = @role WHERE chat_id = @chat AND user_id = @user",
                ("@role", (int)wanted), ("@chat", call.ChatId), ("@user", call.UserId));
            return (call.ChatId, new ServiceAction(call.IsAdmin ? ServiceActions.SetAdmin : ServiceActions.UnsetAdmin, [call.UserId]));
        }, me, cancellationToken, members: [new MemberChange(call.UserId, call.IsAdmin ? MemberRole.Admin : MemberRole.Member)]);
    }

    public async ValueTask<ChatChanged> Handle(TransferOwnershipCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        return await ChangeAsync(scope =>
        {
            RequireCreator(scope, call.ChatId, me);
            _ = GroupStore.RoleOf(scope, call.ChatId, call.UserId) ?? throw MessengerError.BadRequest(GroupErrorNames.UserNotParticipant);
            if (call.UserId == me)
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatNotModified);
            }

            // Nobody answers for a bot's chat (as in Telegram): it may be an admin, never the owner.
            if (botAccounts.IsBot(call.UserId))
            {
                throw MessengerError.BadRequest(SessionErrorNames.UserIsBot);
            }

            GroupStore.SetCreator(scope, call.ChatId, call.UserId);
            scope.Execute("UPDATE message_members SET role = @admin WHERE chat_id = @chat AND user_id = @me",
                ("@admin", (int)MemberRole.Admin), ("@chat", call.ChatId), ("@me", me));
            return (call.ChatId, new ServiceAction(ServiceActions.TransferOwnership, [call.UserId]));
        }, me, cancellationToken);
    }

    /// <summary>What plain members may do and the slow mode: a service message tells the members, whose clients read
    /// the chat again. Posting or media without posting is not kept (<see cref="ChatRightsRules.FromPermissions"/>).</summary>
    public async ValueTask<ChatChanged> Handle(EditPermissionsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        return await ChangeAsync(scope =>
        {
            var (kind, role) = changes.RequireMember(scope, call.ChatId, me);
            GroupChanges.RequireAdmin(role);
            if (kind == ChatKind.Channel)
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatTypeInvalid);
            }

            var stored = GroupStore.Rights(scope, call.ChatId);
            var rights = ChatRightsRules.FromPermissions(call.Permissions!, stored.Rights);
            if (stored == (rights, call.SlowMode))
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatNotModified);
            }

            scope.Execute("UPDATE message_chats SET member_rights = @rights, slow_mode = @slow WHERE id = @chat",
                ("@rights", (int)rights), ("@slow", call.SlowMode), ("@chat", call.ChatId));
            return (call.ChatId, new ServiceAction(ServiceActions.EditPermissions, [], Period: call.SlowMode));
        }, me, cancellationToken);
    }

    private void RequireChangeInfo(WriteScope scope, long chatId, long me) =>
        GroupChanges.RequireRight(scope, chatId, changes.RequireMember(scope, chatId, me).Role, ChatRights.ChangeInfo);

    private void RequireCreator(WriteScope scope, long chatId, long me)
    {
        if (changes.RequireMember(scope, chatId, me).Role != MemberRole.Creator)
        {
            throw MessengerError.Forbidden(GroupErrorNames.ChatCreatorRequired);
        }
    }

    /// <summary>Runs <paramref name="change"/> and records its service action; no action: nothing changed. With
    /// <paramref name="members"/>, the change is only those roles (the cached chat is changed, not dropped).</summary>
    private async Task<ChatChanged> ChangeAsync(
        Func<WriteScope, (long ChatId, ServiceAction? Action)> change, long me, CancellationToken cancellationToken, IReadOnlyList<MemberChange>? members = null)
    {
        var changed = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var (chatId, action) = change(scope);
            return action is null
                ? changes.Unchanged(scope, chatId, me)
                : changes.Record(scope, chatId, me, action, clock.GetUtcNow().ToUnixTimeSeconds(), appends, joined: [], left: [], members);
        }, cancellationToken);
        return changed;
    }
}

internal sealed class GetFullChatValidator : AbstractValidator<GetFullChatCall>
{
    public GetFullChatValidator()
    {
        RuleFor(c => c.Offset).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, 1000).WithErrorCode(MessageErrorNames.LimitInvalid);
        RuleFor(c => c.Query)
            .Must(q => string.IsNullOrEmpty(q) || (q.Trim().Length is >= 1 and <= MemberSearch.MaxQueryLength && !q.Any(char.IsControl) && NameKey.IsSearchable(q)))
            .WithErrorCode(SessionErrorNames.SearchQueryInvalid);
    }
}

internal sealed class GetFullChatHandler(
    GroupStore store, Chats.ChatDirectory directory, IUpdateLog log, IMediator bus, RpcContext caller, IOptions<MessageOptions> options)
    : IRequestHandler<GetFullChatCall, ChatFull>
{
    public async ValueTask<ChatFull> Handle(GetFullChatCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        if (directory.Get(call.ChatId) is not { } chat || chat.RoleOf(me) is not { } myRole)
        {
            throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
        }

        // A channel's subscribers do not see one another (as in Telegram): its admins and themselves, and the count.
        long? adminsAnd = chat.Kind == ChatKind.Channel && myRole == MemberRole.Member ? me : null;
        var query = call.Query?.Trim();
        var (info, members) = store.Full(call.ChatId, call.Offset, string.IsNullOrEmpty(query) ? call.Limit : 0, adminsAnd);
        if (!string.IsNullOrEmpty(query))
        {
            List<long>? visible = adminsAnd is null ? null : [.. chat.AdminIds().Append(me)];
            members = visible is null
                ? await MemberSearch.FindAsync(store, bus, call.ChatId, info.MemberCount <= options.Value.MemberSearchScanLimit, query, cancellationToken)
                : await MemberSearch.FindAmongAsync(store, bus, call.ChatId, visible, query, cancellationToken);
            members = [.. members.Skip(call.Offset).Take(call.Limit)];
        }

        var pts = chat.HasOwnLog ? log.CurrentPts(LogOwners.OfChat(call.ChatId)) : 0;
        return new ChatFull(info with { Pts = pts }, [.. members], myRole);
    }
}

/// <summary>
/// A group's members by name (<c>groups.getFull</c> with a query): every word of the query starting a word of the
/// display name or the username, accents and case folded (the Session module's <c>NameSearch</c> decides). The names
/// are the Session module's, the members this module's; neither side is read whole for a keystroke. A group of up to
/// <c>MemberSearchScanLimit</c> (2,000) members is read whole (one range of the primary key) and its members' names
/// matched by id, which finds every match. A larger one (up to 200,000) goes the other way: the first
/// <see cref="CandidatesPerName"/> accounts of the server with a name word or a username starting with the query's
/// rarest word, and as many by the username as typed (index ranges), each checked for membership by the primary key —
/// a bounded number of lookups whatever the group's size.
/// </summary>
internal static class MemberSearch
{
    public const int MaxQueryLength = 64;
    public const int CandidatesPerName = 1000;

    public static async Task<List<ChatMember>> FindAsync(
        GroupStore store, IMediator bus, long chatId, bool readWhole, string query, CancellationToken cancellationToken)
    {
        var all = readWhole ? store.MemberIds(chatId) : null;
        return await FindAmongAsync(store, bus, chatId, all, query, cancellationToken);
    }

    /// <summary>The members among <paramref name="userIds"/> (every account when null) whose names the query finds.</summary>
    public static async Task<List<ChatMember>> FindAmongAsync(
        GroupStore store, IMediator bus, long chatId, IReadOnlyList<long>? userIds, string query, CancellationToken cancellationToken)
    {
        var matched = await bus.Send(new MatchUsersByNameQuery(query, userIds, CandidatesPerName), cancellationToken);
        var rows = store.Members(chatId, matched);
        return [.. matched.Where(rows.ContainsKey).Select(id => rows[id])];
    }
}
