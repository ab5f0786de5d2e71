using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Groups;
using Messenger.Message.Sending;

namespace Messenger.Message.Topics;

/// <summary>
/// Turns a group's topics on or off (admins; small and large groups, not channels, whose members never post). The
/// service message <c>toggle_forum</c> tells the members, whose clients read the chat again. Turned off, the topics
/// and their messages' topic stay as they are and come back when it is turned on again.
/// </summary>
internal sealed class ToggleForumHandler(GroupChanges changes, LoggedWriter writer, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<ToggleForumCall, ChatChanged>
{
    public async ValueTask<ChatChanged> Handle(ToggleForumCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var changed = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var (kind, role) = changes.RequireMember(scope, call.ChatId, me);
            GroupChanges.RequireAdmin(role);
            if (kind == ChatKind.Channel)
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatTypeInvalid);
            }

            if (scope.Scalar("SELECT forum FROM message_chats WHERE id = @chat", ("@chat", call.ChatId)) is 1L == call.Enabled)
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatNotModified);
            }

            scope.Execute("UPDATE message_chats SET forum = @forum WHERE id = @chat", ("@forum", call.Enabled), ("@chat", call.ChatId));
            return changes.Record(scope, call.ChatId, me, new ServiceAction(ServiceActions.ToggleForum, [], Period: call.Enabled ? 1 : 0),
                clock.GetUtcNow().ToUnixTimeSeconds(), appends, joined: [], left: []);
        }, cancellationToken);
        return changed;
    }
}
