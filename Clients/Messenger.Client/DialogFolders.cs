using Messenger.Contracts.Messages;

namespace Messenger.Client;

/// <summary>What kind of chat a dialog is, as a folder sorts chats: the app knows it from the user (a bot or not) or
/// the group (a channel or not).</summary>
public enum DialogKind
{
    Person,
    Bot,
    Group,
    Channel,
}

/// <summary>Which chats a folder holds. The server keeps folders; the app decides membership from the dialogs it has,
/// as the web client does (<c>folders.ts</c>), with the same rules.</summary>
public static class DialogFolders
{
    /// <summary>
    /// Whether <paramref name="folder"/> holds <paramref name="dialog"/>: a chat the folder names is in it whatever it
    /// is; one it leaves out is not; otherwise an archived, muted or read chat is not when the folder leaves those out
    /// (read: nothing unread and no unread mark), and the rest are when the folder takes their kind.
    /// <paramref name="now"/> decides whether a mute has run out.
    /// </summary>
    public static bool Contains(this DialogFilter folder, Dialog dialog, DialogKind kind, DateTimeOffset now)
    {
        if (folder.IncludePeers?.Contains(dialog.Peer) == true)
        {
            return true;
        }

        if (folder.ExcludePeers?.Contains(dialog.Peer) == true
            || (folder.ExcludeArchived && dialog.Archived)
            || (folder.ExcludeMuted && NotifySettings.IsMuted(dialog.MuteUntil, now.ToUnixTimeSeconds()))
            || (folder.ExcludeRead && dialog.UnreadCount == 0 && !dialog.UnreadMark))
        {
            return false;
        }

        return kind switch
        {
            DialogKind.Person => folder.PrivateChats,
            DialogKind.Bot => folder.Bots,
            DialogKind.Group => folder.Groups,
            DialogKind.Channel => folder.Channels,
            _ => false,
        };
    }

    /// <summary>The lowest folder id the user's <paramref name="folders"/> do not use, or null when all are taken.</summary>
    public static int? FreeId(IEnumerable<DialogFilter> folders)
    {
        var used = folders.Select(f => f.Id).ToHashSet();
        for (var id = DialogFolderLimits.MinId; id <= DialogFolderLimits.MaxId; id++)
        {
            if (!used.Contains(id))
            {
                return id;
            }
        }

        return null;
    }
}
