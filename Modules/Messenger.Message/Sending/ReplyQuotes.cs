using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Sending;

/// <summary>
/// A reply's quote of part of the replied message (<see cref="ReplyQuote"/>), for every post that takes one: what a
/// validator can tell alone, then, inside the unit, the check against the replied message as it is stored now.
/// </summary>
internal static class ReplyQuotes
{
    /// <summary>Without a reply there is nothing to quote; the text must be 1–1024 characters once trimmed.</summary>
    public static bool TextIsValid(ReplyQuote? quote, long? replyToId) =>
        quote is null || (replyToId is not null && quote.Text is { } text && text.AsSpan().Trim() is { Length: > 0 and <= ReplyQuote.MaxLength });

    public static bool OffsetIsValid(ReplyQuote? quote) => quote is null || quote.Offset >= 0;

    /// <summary>
    /// The quote as the reply keeps it: trimmed of the whitespace a selection drags along at its ends (the offset moves
    /// past what was trimmed at the start), standing in <paramref name="replied"/>'s text at its offset or, when an edit
    /// moved it, at the occurrence nearest to that offset. A poll, a service message or a file without caption has no
    /// text to quote.
    /// </summary>
    public static ReplyQuote Resolve(ReplyQuote quote, ChatMessage replied)
    {
        var raw = quote.Text;
        var text = raw.Trim();
        var offset = (long)quote.Offset + (raw.Length - raw.TrimStart().Length);
        var source = replied.Poll is null && replied.Action is null ? replied.Text : "";
        if (source.Length == 0)
        {
            throw MessengerError.BadRequest(MessageErrorNames.QuoteTextInvalid);
        }

        // An offset past the end is no error: the original may have been edited shorter since the sender selected the
        // quote, so the search starts from the end and finds the nearest occurrence, as for any moved quote.
        var at = (int)Math.Min(offset, source.Length);
        if (at + text.Length <= source.Length && string.CompareOrdinal(source, at, text, 0, text.Length) == 0)
        {
            return new ReplyQuote(text, at);
        }

        var nearest = -1;
        for (var found = source.IndexOf(text, StringComparison.Ordinal); found >= 0; found = source.IndexOf(text, found + 1, StringComparison.Ordinal))
        {
            if (nearest < 0 || Math.Abs(found - at) < Math.Abs(nearest - at))
            {
                nearest = found;
            }
        }

        return nearest >= 0 ? new ReplyQuote(text, nearest) : throw MessengerError.BadRequest(MessageErrorNames.QuoteTextInvalid);
    }
}
