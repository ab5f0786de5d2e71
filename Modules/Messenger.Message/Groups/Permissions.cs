using FluentValidation;
using Messenger.Contracts.Groups;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Message.Storage;

namespace Messenger.Message.Groups;

/// <summary>
/// What a group's plain members may do, as stored (<c>message_chats.member_rights</c>); admins and the creator may do all
/// of it. A post needs <see cref="SendMessages"/> and, for a file or a poll, its own right as well.
/// </summary>
[Flags]
internal enum ChatRights
{
    None = 0,
    SendMessages = 1,
    SendMedia = 2,
    SendPolls = 4,
    AddMembers = 8,
    PinMessages = 16,
    ChangeInfo = 32,

    /// <summary>Creating topics in a forum; off by default, as Telegram's.</summary>
    ManageTopics = 64,

    /// <summary>A post of text (forwards of text too).</summary>
    Text = SendMessages,

    /// <summary>A post with a file.</summary>
    Media = SendMessages | SendMedia,

    /// <summary>A poll.</summary>
    Poll = SendMessages | SendPolls,
}

internal static class ChatRightsRules
{
    /// <summary>The slow mode's choices, in seconds (0: off).</summary>
    public static readonly int[] SlowModes = [0, 10, 30, 60, 300, 900, 3600];

    /// <summary>What a new chat's members may do: what they could before rights were stored (the migration gave
    /// existing chats the same). A small group growing large loses <see cref="ChatRights.AddMembers"/> and
    /// <see cref="ChatRights.PinMessages"/>, as it did then.</summary>
    public static ChatRights DefaultFor(ChatKind kind) => kind switch
    {
        ChatKind.Group => ChatRights.SendMessages | ChatRights.SendMedia | ChatRights.SendPolls | ChatRights.AddMembers | ChatRights.PinMessages,
        ChatKind.LargeGroup => ChatRights.SendMessages | ChatRights.SendMedia | ChatRights.SendPolls,
        _ => ChatRights.None,
    };

    public const ChatRights LostWhenLarge = ChatRights.AddMembers | ChatRights.PinMessages;

    public static ChatPermissions ToPermissions(ChatRights rights) => new(
        rights.HasFlag(ChatRights.SendMessages), rights.HasFlag(ChatRights.Media), rights.HasFlag(ChatRights.Poll),
        rights.HasFlag(ChatRights.AddMembers), rights.HasFlag(ChatRights.PinMessages), rights.HasFlag(ChatRights.ChangeInfo),
        rights.HasFlag(ChatRights.ManageTopics));

    /// <summary>The rights <paramref name="permissions"/> asks for; files and polls without posting are not kept, and
    /// <see cref="ChatPermissions.ManageTopics"/> left out (null) is <paramref name="current"/>'s.</summary>
    public static ChatRights FromPermissions(ChatPermissions permissions, ChatRights current)
    {
        var manageTopics = permissions.ManageTopics ?? current.HasFlag(ChatRights.ManageTopics);
        var rights = ChatRights.None;
        if (permissions.SendMessages)
        {
            rights |= ChatRights.SendMessages | (permissions.SendMedia ? ChatRights.SendMedia : 0) | (permissions.SendPolls ? ChatRights.SendPolls : 0);
        }

        return rights | (permissions.AddMembers ? ChatRights.AddMembers : 0) | (permissions.PinMessages ? ChatRights.PinMessages : 0)
            | (permissions.ChangeInfo ? ChatRights.ChangeInfo : 0) | (manageTopics ? ChatRights.ManageTopics : 0);
    }

    /// <summary>
    /// Inside a unit, before a plain member posts <paramref name="needed"/> into a group: 403 for a right the admins took
    /// away, 420 <c>SLOWMODE_WAIT</c> (with the seconds left) when they posted less than the slow mode ago; else the post
    /// is counted for the slow mode. Admins and the creator pass; so does anything that is not a post (<see cref="ChatRights.None"/>).
    /// </summary>
    public static void RequirePost(WriteScope scope, long chatId, long me, GroupStore.Poster poster, ChatRights needed, long now)
    {
        if (poster.Role != MemberRole.Member || needed == ChatRights.None)
        {
            return;
        }

        RequireRights(poster, needed);
        if (poster.SlowMode > 0)
        {
            var wait = poster.LastPostAt + poster.SlowMode - now;
            if (wait > 0)
            {
                throw new MessengerError(GroupErrorNames.SlowModeWait, 420, (int)wait);
            }

            scope.Execute("UPDATE message_members SET last_post_at = @now WHERE chat_id = @chat AND user_id = @user",
                ("@now", now), ("@chat", chatId), ("@user", me));
        }
    }

    /// <summary>
    /// Inside a unit, before an author changes what their message says in a group (its text, its caption, where a live
    /// location is): what a send of text checks, now — 404 <c>CHAT_NOT_FOUND</c> for a former member, 403
    /// <c>CHAT_WRITE_FORBIDDEN</c> for a channel admin made a subscriber again, or a member the admins took writing from.
    /// The slow mode aside: an edit is no new post.
    /// </summary>
    public static void RequireEditor(WriteScope scope, Chats.ChatTarget target, long me)
    {
        if (target.IsPrivate)
        {
            return;
        }

        var poster = GroupStore.PosterOf(scope, target.ChatId, me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
        RequireChannelPoster(target.GroupKind, poster.Role);
        RequireRights(poster, ChatRights.Text);
    }

    /// <summary>403 <c>CHAT_WRITE_FORBIDDEN</c> for a plain member of a channel: only its admins post.</summary>
    public static void RequireChannelPoster(ChatKind? kind, MemberRole role)
    {
        if (kind == ChatKind.Channel && role == MemberRole.Member)
        {
            throw MessengerError.Forbidden(GroupErrorNames.ChatWriteForbidden);
        }
    }

    /// <summary>403 when <paramref name="poster"/> is a plain member without a right <paramref name="needed"/> takes
    /// (the slow mode aside: a scheduled message is checked when it is written, and waits for its turn when due).</summary>
    public static void RequireRights(GroupStore.Poster poster, ChatRights needed)
    {
        var missing = poster.Role == MemberRole.Member ? needed & ~poster.Rights : ChatRights.None;
        if (missing != ChatRights.None)
        {
            throw MessengerError.Forbidden(missing.HasFlag(ChatRights.SendMessages) ? GroupErrorNames.ChatWriteForbidden
                : missing.HasFlag(ChatRights.SendMedia) ? GroupErrorNames.ChatSendMediaForbidden
                : GroupErrorNames.ChatSendPollForbidden);
        }
    }
}

internal sealed class EditPermissionsValidator : AbstractValidator<EditPermissionsCall>
{
    public EditPermissionsValidator()
    {
        RuleFor(c => c.Permissions).NotNull().WithErrorCode(GroupErrorNames.PermissionsInvalid);
        RuleFor(c => c.SlowMode).Must(s => ChatRightsRules.SlowModes.Contains(s)).WithErrorCode(GroupErrorNames.SlowModeInvalid);
    }
}
