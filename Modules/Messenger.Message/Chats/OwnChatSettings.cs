using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Storage;

namespace Messenger.Message.Chats;

/// <summary>
/// What a user sets on one of their chats for themselves alone — a mute, a draft, a pin, the archive, an unread mark —
/// or on their chat list (folders):
/// one writer unit that changes the row and tells the user's other devices through the user's own log, and nobody else.
/// A private chat without messages yet is created, so the setting holds from its first message.
/// </summary>
internal sealed class OwnChatSettings(ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, TimeProvider clock)
{
    /// <summary>A change inside the unit: given the caller, the chat's id, how the caller addresses it and the time, it
    /// changes the row and returns the update for the caller's log, or null when nothing changed.</summary>
    public delegate Update? Change(WriteScope scope, long me, long chatId, Peer peer, DateTimeOffset now);

    public async ValueTask<AffectedMessages> ChangeAsync(Peer peer, Change change, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, peer, bus, cancellationToken);
        return await ChangeOwnAsync((scope, now) =>
        {
            var chatId = target.ChatId != 0 ? target.ChatId : MessageStore.PrivateChatId(scope, me, target.OtherUserId, now.ToUnixTimeSeconds());
            return change(scope, me, chatId, target.ToPeer, now);
        }, cancellationToken);
    }

    /// <summary>A setting of the caller's own that belongs to no chat (their folders): <paramref name="change"/> changes
    /// the rows inside the unit and returns the update for the caller's log, or null when nothing changed (the caller's
    /// position is answered as it is).</summary>
    public async ValueTask<AffectedMessages> ChangeOwnAsync(Func<WriteScope, DateTimeOffset, Update?> change, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var affected = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow();
            if (change(scope, now) is not { } update)
            {
                return new AffectedMessages(log.CurrentPts(scope, me), 0);
            }

            var appended = log.Append(scope, me, update, now.ToUnixTimeSeconds());
            appends.Add(new LogAppend(me, appended));
            return new AffectedMessages(appended.Pts, appended.PtsCount);
        }, cancellationToken, caller.ConnectionId);

        return affected;
    }

    /// <summary>A yes/no setting kept as the presence of a <c>(user_id, chat_id)</c> row in <paramref name="table"/> (a
    /// constant of the caller's, never input): adds or removes the row, and says so with <paramref name="update"/>
    /// unless it was so already.</summary>
    public ValueTask<AffectedMessages> ToggleAsync(Peer peer, string table, bool on, Func<Peer, Update> update, CancellationToken cancellationToken) =>
        ChangeAsync(peer, (scope, me, chatId, target, _) =>
        {
            var changed = on
                ? scope.Execute($"INSERT OR IGNORE INTO {table} (user_id, chat_id) VALUES (@user, @chat)", ("@user", me), ("@chat", chatId))
                : scope.Execute($"DELETE FROM {table} WHERE user_id = @user AND chat_id = @chat", ("@user", me), ("@chat", chatId));
            return changed > 0 ? update(target) : null;
        }, cancellationToken);
}
