namespace Messenger.Contracts.Rpc;

/// <summary>A call safe to run again: it carries its own key the server deduplicates on (a send's <c>random_id</c>:
/// a repeat answers the first run's result), or it changes nothing a second run could double (a read, a read mark, a
/// typing action). A client whose answer to one was let go before it arrived (500 <c>RESULT_DROPPED</c>) may send it
/// again as a new call; the .NET SDK does so once.</summary>
public interface IRepeatableCall;
