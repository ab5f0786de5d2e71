using Messenger.Contracts.Messages;
using Microsoft.Data.Sqlite;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Storage;

/// <summary>A page of messages as a reader gets it (history, search): with the reactions of those that have any and
/// the results of the polls among them, each with the reader's own.</summary>
internal static class MessageListing
{
    public static MessageList Of(SqliteConnection connection, long readerId, List<ChatMessage> messages)
    {
        if (messages.Count == 0)
        {
            return new MessageList([]);
        }

        // Message ids come from the database, never from the caller: written into the statements as numbers.
        var ids = string.Join(", ", messages.Select(m => m.Id));
        var polls = messages.Where(m => m.Poll is not null).Select(m => m.Id).ToArray();
        return new MessageList(
            [.. messages],
            ReactionStore.ForReader(connection, readerId, ids),
            polls.Length == 0 ? null : PollStore.ForReader(connection, readerId, polls));
    }
}
