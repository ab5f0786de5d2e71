using System.Globalization;
using FluentValidation;
using MessagePack;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Kernel.Text;

namespace Messenger.Message.ChatList;

internal sealed class UpdateDialogFilterValidator : AbstractValidator<UpdateDialogFilterCall>
{
    public UpdateDialogFilterValidator()
    {
        RuleFor(c => c.Id).InclusiveBetween(DialogFolderLimits.MinId, DialogFolderLimits.MaxId).WithErrorCode(DialogFolderErrorNames.FilterIdInvalid);
        When(c => c.Filter is not null, () =>
        {
            RuleFor(c => c.Filter!.Id).Equal(c => c.Id).WithErrorCode(DialogFolderErrorNames.FilterIdInvalid);
            RuleFor(c => c.Filter!.Title).Must(DialogFolders.TitleFits).WithErrorCode(DialogFolderErrorNames.FilterTitleInvalid);
            RuleFor(c => c.Filter!).Must(f => f.PrivateChats || f.Bots || f.Groups || f.Channels || f.IncludePeers is { Length: > 0 })
                .WithErrorCode(DialogFolderErrorNames.FilterIncludeEmpty);
            RuleForEach(c => c.Filter!.IncludePeers).ValidPeer();
            RuleForEach(c => c.Filter!.ExcludePeers).ValidPeer();
            RuleFor(c => c.Filter!).Must(DialogFolders.PeersFit).WithErrorCode(DialogFolderErrorNames.FilterPeersInvalid);
        });
    }
}

internal sealed class UpdateDialogFiltersOrderValidator : AbstractValidator<UpdateDialogFiltersOrderCall>
{
    public UpdateDialogFiltersOrderValidator() =>
        RuleFor(c => c.Order).Must(o => o is { Length: <= DialogFolderLimits.MaxFolders } && o.Distinct().Count() == o.Length)
            .WithErrorCode(DialogFolderErrorNames.FilterOrderInvalid);
}

/// <summary>
/// A user's chat folders (<c>message_dialog_folders</c>): kept as the client wrote them, told to all the user's devices
/// through the user's own log (<c>dialog_filter</c>, <c>dialog_filter_order</c>), so a device that was offline catches up
/// with <c>getDifference</c> as with any other change. The server checks what it can vouch for — the chats named exist
/// and the caller may use them, the limits — and leaves deciding which chats a folder holds to the clients, which have
/// the dialogs at hand. Decided: a chat named earlier that the caller can no longer use (a group left, an account
/// deleted) stays named until the caller edits it out; only chats newly named are checked. A group deleted goes from its
/// members' folders and from those of former members whose folders named it when they left
/// (<see cref="DialogFolders.RememberFormerMember"/>, <see cref="DialogFolders.Forget"/>, from <c>GroupDeletion</c>): it
/// never comes back. A deleted group that path missed (a departure from before <c>message_former_members</c>) is left
/// out when the folders are read and dropped when the folder naming it is saved (before the limits are counted); a
/// folder that then holds nothing is deleted and told deleted, as <c>Forget</c> does.
/// </summary>
internal sealed class DialogFoldersHandler(
    Chats.ChatResolver chats, OwnChatSettings settings, SqliteDatabase database, LoggedWriter writer, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<GetDialogFiltersCall, DialogFilters>, IRequestHandler<UpdateDialogFilterCall, AffectedMessages>,
        IRequestHandler<UpdateDialogFiltersOrderCall, AffectedMessages>
{
    public async ValueTask<DialogFilters> Handle(GetDialogFiltersCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        List<DialogFilter> filters;
        HashSet<long> gone;
        using (var connection = database.Open())
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT body FROM message_dialog_folders WHERE user_id = @user ORDER BY position";
            command.Parameters.AddWithValue("@user", me);
            filters = [];
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    filters.Add(DialogFolders.Read((byte[])reader[0]));
                }
            }

            gone = DialogFolders.GoneChats(connection, filters);
        }

        var shown = filters.Select(f => DialogFolders.Without(f, gone)).ToList();
        if (shown.Any(f => !DialogFolders.HoldsAnything(f)))
        {
            // A folder whose named chats were all deleted: deleted as groups.delete deletes it, and told deleted.
            await writer.WriteAsync(bus, (scope, appends) =>
            {
                var emptied = new List<int>();
                var query = scope.Command("SELECT body FROM message_dialog_folders WHERE user_id = @user");
                query.Parameters.AddWithValue("@user", me);
                var stored = new List<DialogFilter>();
                using (var reader = query.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        stored.Add(DialogFolders.Read((byte[])reader[0]));
                    }
                }

                var goneNow = DialogFolders.GoneChats(scope.Command, stored);
                var now = clock.GetUtcNow().ToUnixTimeSeconds();
                foreach (var filter in stored.Where(f => !DialogFolders.HoldsAnything(DialogFolders.Without(f, goneNow))))
                {
                    scope.Execute("DELETE FROM message_dialog_folders WHERE user_id = @user AND folder_id = @id", ("@user", me), ("@id", filter.Id));
                    appends.Append(me, new DialogFilterUpdate(filter.Id, null), now);
                }
            }, cancellationToken);
            shown.RemoveAll(f => !DialogFolders.HoldsAnything(f));
        }

        return new DialogFilters([.. shown]);
    }

    public async ValueTask<AffectedMessages> Handle(UpdateDialogFilterCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var filter = call.Filter is null ? null : DialogFolders.Normalize(call.Filter);
        if (filter is not null)
        {
            var named = DialogFolders.Stored(database, me, call.Id) is { } stored ? DialogFolders.PeersOf(stored).ToHashSet() : [];
            using (var connection = database.Open())
            {
                // Only chats the folder named already: naming a deleted chat anew is refused as any chat the caller is not in.
                var namedBefore = filter with
                {
                    IncludePeers = [.. filter.IncludePeers!.Where(named.Contains)], ExcludePeers = [.. filter.ExcludePeers!.Where(named.Contains)],
                };
                filter = DialogFolders.Without(filter, DialogFolders.GoneChats(connection, [namedBefore]));
            }

            if (filter.IncludePeers!.Length > DialogFolderLimits.MaxPeers || filter.ExcludePeers!.Length > DialogFolderLimits.MaxPeers)
            {
                throw MessengerError.BadRequest(DialogFolderErrorNames.FilterPeersInvalid, $"at most {DialogFolderLimits.MaxPeers} chats a list");
            }

            foreach (var peer in DialogFolders.PeersOf(filter).Where(p => !named.Contains(p)))
            {
                await chats.ResolveAsync(me, peer, bus, cancellationToken);
            }
        }

        return await settings.ChangeOwnAsync((scope, _) =>
        {
            if (filter is null || !DialogFolders.HoldsAnything(filter))
            {
                return scope.Execute("DELETE FROM message_dialog_folders WHERE user_id = @user AND folder_id = @id", ("@user", me), ("@id", call.Id)) > 0
                    ? new DialogFilterUpdate(call.Id, null)
                    : null;
            }

            var body = MessagePackSerializer.Serialize(filter, WireSerializer.Options);
            if (scope.Execute("UPDATE message_dialog_folders SET body = @body WHERE user_id = @user AND folder_id = @id",
                    ("@body", body), ("@user", me), ("@id", call.Id)) == 0)
            {
                var count = Convert.ToInt32(scope.Scalar("SELECT count(*) FROM message_dialog_folders WHERE user_id = @user", ("@user", me)));
                if (count >= DialogFolderLimits.MaxFolders)
                {
                    throw MessengerError.BadRequest(DialogFolderErrorNames.FiltersTooMuch);
                }

                scope.Execute(
                    "INSERT INTO message_dialog_folders (user_id, folder_id, position, body) " +
                    "VALUES (@user, @id, (SELECT coalesce(max(position), -1) + 1 FROM message_dialog_folders WHERE user_id = @user), @body)",
                    ("@user", me), ("@id", call.Id), ("@body", body));
            }

            return new DialogFilterUpdate(call.Id, filter);
        }, cancellationToken);
    }

    public async ValueTask<AffectedMessages> Handle(UpdateDialogFiltersOrderCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        return await settings.ChangeOwnAsync((scope, _) =>
        {
            var query = scope.Command("SELECT folder_id, position FROM message_dialog_folders WHERE user_id = @user ORDER BY position");
            query.Parameters.AddWithValue("@user", me);
            var current = new List<int>();
            using (var reader = query.ExecuteReader())
            {
                while (reader.Read())
                {
                    current.Add(reader.GetInt32(0));
                }
            }

            if (call.Order.Length != current.Count || !call.Order.All(current.Contains))
            {
                throw MessengerError.BadRequest(DialogFolderErrorNames.FilterOrderInvalid, "name each of the caller's folders once");
            }

            if (current.SequenceEqual(call.Order))
            {
                return null;
            }

            for (var position = 0; position < call.Order.Length; position++)
            {
                scope.Execute("UPDATE message_dialog_folders SET position = @position WHERE user_id = @user AND folder_id = @id",
                    ("@position", position), ("@user", me), ("@id", call.Order[position]));
            }

            return new DialogFilterOrderUpdate(call.Order);
        }, cancellationToken);
    }
}

/// <summary>The rules of a folder's content, shared by the validator and the handler.</summary>
internal static class DialogFolders
{
    /// <summary>1–12 text elements (an emoji is one), and at most 64 UTF-16 units: one element can otherwise be a letter
    /// with thousands of combining marks.</summary>
    public static bool TitleFits(string? title) =>
        title?.Trim() is { Length: > 0 and <= DialogFolderLimits.MaxTitleUnits } trimmed
        && new StringInfo(trimmed).LengthInTextElements <= DialogFolderLimits.MaxTitleLength && TextRules.IsName(trimmed, DialogFolderLimits.MaxTitleUnits);

    /// <summary>What a list may name as sent: its limit counted without the deleted groups the folder named already,
    /// which the handler drops first (a device saving the folder as it last saw it names at most
    /// <see cref="DialogFolderLimits.MaxPeers"/> of them besides the chats it adds).</summary>
    public const int MaxPeersSent = 2 * DialogFolderLimits.MaxPeers;

    /// <summary>No chat named twice or in both lists, and each list within <see cref="MaxPeersSent"/> (the handler checks
    /// <see cref="DialogFolderLimits.MaxPeers"/> once the deleted groups are out).</summary>
    public static bool PeersFit(DialogFilter filter)
    {
        var include = filter.IncludePeers ?? [];
        var exclude = filter.ExcludePeers ?? [];
        return include.Length <= MaxPeersSent && exclude.Length <= MaxPeersSent
            && include.Concat(exclude).Distinct().Count() == include.Length + exclude.Length;
    }

    /// <summary>Whether the folder takes a kind of chat or names one to include (what <c>updateDialogFilter</c> asks of
    /// a folder): one that does not, once deleted groups are out of it, is deleted.</summary>
    public static bool HoldsAnything(DialogFilter filter) =>
        filter.PrivateChats || filter.Bots || filter.Groups || filter.Channels || filter.IncludePeers is { Length: > 0 };

    /// <summary>The groups and channels named in <paramref name="filters"/> that are deleted (<c>message_chats.deleted</c>
    /// 1, being purged, or 2, purged: either way gone for everyone), looked up by the primary key with
    /// <paramref name="prepare"/> (a unit's <see cref="WriteScope.Command"/>, or a command of the caller's connection).</summary>
    public static HashSet<long> GoneChats(Func<string, Microsoft.Data.Sqlite.SqliteCommand> prepare, IEnumerable<DialogFilter> filters)
    {
        long[] ids = [.. filters.SelectMany(PeersOf).Where(p => p.Kind == PeerKind.Chat).Select(p => p.Id).Distinct()];
        if (ids.Length == 0)
        {
            return [];
        }

        var command = prepare("SELECT id FROM message_chats WHERE id IN (SELECT value FROM json_each(@ids)) AND deleted <> 0");
        command.Parameters.AddWithValue("@ids", System.Text.Json.JsonSerializer.Serialize(ids));
        return [.. command.ReadInt64Column()];
    }

    /// <inheritdoc cref="GoneChats(Func{string, Microsoft.Data.Sqlite.SqliteCommand}, IEnumerable{DialogFilter})"/>
    public static HashSet<long> GoneChats(Microsoft.Data.Sqlite.SqliteConnection connection, IEnumerable<DialogFilter> filters)
    {
        using var command = connection.CreateCommand();
        return GoneChats(sql =>
        {
            command.CommandText = sql;
            return command;
        }, filters);
    }

    /// <summary><paramref name="filter"/> without the chats of <paramref name="gone"/>.</summary>
    public static DialogFilter Without(DialogFilter filter, HashSet<long> gone) => gone.Count == 0
        ? filter
        : filter with
        {
            IncludePeers = [.. (filter.IncludePeers ?? []).Where(p => !(p.Kind == PeerKind.Chat && gone.Contains(p.Id)))],
            ExcludePeers = [.. (filter.ExcludePeers ?? []).Where(p => !(p.Kind == PeerKind.Chat && gone.Contains(p.Id)))],
        };

    /// <summary>As stored and told: the title trimmed, empty lists as empty arrays.</summary>
    public static DialogFilter Normalize(DialogFilter filter) =>
        filter with { Title = filter.Title.Trim(), IncludePeers = filter.IncludePeers ?? [], ExcludePeers = filter.ExcludePeers ?? [] };

    public static IEnumerable<Peer> PeersOf(DialogFilter filter) => (filter.IncludePeers ?? []).Concat(filter.ExcludePeers ?? []);

    public static DialogFilter Read(byte[] body) => MessagePackSerializer.Deserialize<DialogFilter>(body, WireSerializer.Options);

    /// <summary>
    /// Takes <paramref name="peer"/> (a deleted group) out of every folder of <paramref name="users"/> that names it, and
    /// tells each changed folder in its owner's log (<c>dialog_filter</c>, as <c>messages.updateDialogFilter</c> does). A
    /// folder left with no kind of chat and no chat named (which <c>updateDialogFilter</c> refuses) is deleted, and told
    /// deleted. Reads the users' folders by the <c>(user_id, folder_id)</c> key: at most
    /// <see cref="DialogFolderLimits.MaxFolders"/> a user.
    /// </summary>
    public static void Forget(WriteScope scope, long[] users, Peer peer, long now, LogAppends appends)
    {
        var query = scope.Command("SELECT user_id, folder_id, body FROM message_dialog_folders WHERE user_id IN (SELECT value FROM json_each(@ids))");
        query.Parameters.AddWithValue("@ids", System.Text.Json.JsonSerializer.Serialize(users));
        var naming = new List<(long User, DialogFilter Filter)>();
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                var filter = Read((byte[])reader[2]);
                if (PeersOf(filter).Contains(peer))
                {
                    naming.Add((reader.GetInt64(0), filter));
                }
            }
        }

        foreach (var (user, filter) in naming)
        {
            var left = filter with
            {
                IncludePeers = [.. (filter.IncludePeers ?? []).Where(p => p != peer)],
                ExcludePeers = [.. (filter.ExcludePeers ?? []).Where(p => p != peer)],
            };
            if (HoldsAnything(left))
            {
                scope.Execute("UPDATE message_dialog_folders SET body = @body WHERE user_id = @user AND folder_id = @id",
                    ("@body", MessagePackSerializer.Serialize(left, WireSerializer.Options)), ("@user", user), ("@id", left.Id));
                appends.Append(user, new DialogFilterUpdate(left.Id, left), now);
            }
            else
            {
                scope.Execute("DELETE FROM message_dialog_folders WHERE user_id = @user AND folder_id = @id", ("@user", user), ("@id", left.Id));
                appends.Append(user, new DialogFilterUpdate(left.Id, null), now);
            }
        }
    }

    /// <summary>
    /// Notes <paramref name="userId"/>, who is leaving the chat (or being removed), in <c>message_former_members</c> when
    /// a folder of theirs names it, so that deleting the chat later takes it out of their folders too
    /// (<see cref="Forget"/>, from <c>GroupDeletion</c>): the folder keeps it meanwhile (they may come back). Reads their
    /// folders by the <c>(user_id, folder_id)</c> key: at most <see cref="DialogFolderLimits.MaxFolders"/>.
    /// </summary>
    public static void RememberFormerMember(WriteScope scope, long chatId, long userId)
    {
        var query = scope.Command("SELECT body FROM message_dialog_folders WHERE user_id = @user");
        query.Parameters.AddWithValue("@user", userId);
        var peer = Peer.Chat(chatId);
        var names = false;
        using (var reader = query.ExecuteReader())
        {
            while (!names && reader.Read())
            {
                names = PeersOf(Read((byte[])reader[0])).Contains(peer);
            }
        }

        if (names)
        {
            scope.Execute("INSERT OR IGNORE INTO message_former_members (chat_id, user_id) VALUES (@chat, @user)", ("@chat", chatId), ("@user", userId));
        }
    }

    /// <summary>The caller's folder <paramref name="id"/> as stored, if there is one.</summary>
    public static DialogFilter? Stored(SqliteDatabase database, long me, int id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM message_dialog_folders WHERE user_id = @user AND folder_id = @id";
        command.Parameters.AddWithValue("@user", me);
        command.Parameters.AddWithValue("@id", id);
        return command.ExecuteScalar() is byte[] body ? Read(body) : null;
    }
}
