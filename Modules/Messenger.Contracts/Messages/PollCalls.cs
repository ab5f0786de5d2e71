using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Messages;

/// <summary>A poll as its author wrote it: the question, 2–10 options, whether a voter may pick several
/// (<see cref="MultipleChoice"/>), and whether the chat may see who voted for what (<see cref="PublicVoters"/>; otherwise
/// only the counts are told, to everyone, the author included). It never changes; its votes are <see cref="PollResults"/>.
/// A <see cref="Quiz"/> has one right answer (<see cref="CorrectOption"/>, single choice) and may explain it
/// (<see cref="Solution"/>, at most 200 characters): both are set when the author sends it, but a poll the server hands
/// out never carries them (they would give the answer away); each reader's <see cref="PollResults"/> tells them once the
/// reader has answered, the quiz is closed, or the reader wrote it.</summary>
[MessagePackObject]
public sealed record Poll(
    [property: Key("question")] string Question,
    [property: Key("options")] string[] Options,
    [property: Key("multiple_choice")] bool MultipleChoice = false,
    [property: Key("public_voters")] bool PublicVoters = false,
    [property: Key("quiz")] bool Quiz = false,
    [property: Key("correct_option")] int? CorrectOption = null,
    [property: Key("solution")] string? Solution = null)
{
    /// <summary>The poll as readers get it: a quiz without its answer and explanation.</summary>
    public Poll ForReaders() => CorrectOption is null && Solution is null ? this : this with { CorrectOption = null, Solution = null };
}

/// <summary>The votes of poll message <see cref="MessageId"/>: <see cref="Counts"/> per option (in the poll's order),
/// <see cref="Voters"/> (people who voted: with several choices each, fewer than the counts' sum), the reader's own
/// choices (<see cref="MyChoices"/>, empty when they have not voted), and whether its author closed it. For a quiz,
/// <see cref="CorrectOption"/> and <see cref="Solution"/> once the reader may know them (they answered, the quiz is
/// closed, or they wrote it); null before that and for other polls.</summary>
[MessagePackObject]
public sealed record PollResults(
    [property: Key("msg_id")] long MessageId,
    [property: Key("counts")] int[] Counts,
    [property: Key("voters")] int Voters,
    [property: Key("my_choices")] int[] MyChoices,
    [property: Key("closed")] bool Closed,
    [property: Key("correct_option")] int? CorrectOption = null,
    [property: Key("solution")] string? Solution = null);

/// <summary><c>messages.sendPoll</c>: posts a poll to the chat with <see cref="Peer"/>, like <c>messages.send</c>
/// (idempotent by <see cref="RandomId"/>, the same posting rules and limit): the message has empty text and
/// <c>poll</c> set. The question is 1–255 characters, each of the 2–10 options 1–100, all after trimming, and no two
/// options alike. Errors: <c>POLL_QUESTION_INVALID</c>, <c>POLL_OPTIONS_INVALID</c> (fewer than 2, more than 10, or
/// two alike), <c>POLL_OPTION_INVALID</c> (an empty or too long one), <c>QUIZ_CORRECT_ANSWER_INVALID</c> (a quiz without
/// its right answer or with one out of range, or a right answer given for a plain poll), <c>QUIZ_MULTIPLE_INVALID</c> (a
/// quiz with multiple choice), <c>POLL_SOLUTION_INVALID</c> (an explanation longer than 200 characters, or one for a
/// plain poll), <c>BROADCAST_PUBLIC_VOTERS_FORBIDDEN</c> (public voters in a channel, whose subscribers do not see one
/// another), <c>RANDOM_ID_INVALID</c>, <c>PEER_ID_INVALID</c>,
/// <c>REPLY_TO_INVALID</c>, <c>USER_DELETED</c>, 403 <c>USER_IS_BLOCKED</c> / <c>YOU_BLOCKED_USER</c> /
/// <c>CHAT_ADMIN_REQUIRED</c> (a channel), 404 <c>CHAT_NOT_FOUND</c>, 420 <c>FLOOD_WAIT</c>. <see cref="Silent"/> posts it
/// without sound, as for <c>messages.send</c>; <see cref="Quote"/> quotes part of the replied message, as for
/// <c>messages.send</c> (<c>QUOTE_TEXT_INVALID</c>, <c>QUOTE_OFFSET_INVALID</c>); <see cref="TopicId"/>: the forum
/// topic, as for <c>messages.send</c> (<c>TOPIC_ID_INVALID</c>, <c>TOPIC_CLOSED</c>).</summary>
[RpcMethod("messages.sendPoll")]
[MessagePackObject]
public sealed record SendPollCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("random_id")] long RandomId,
    [property: Key("poll")] Poll Poll,
    [property: Key("reply_to_id")] long? ReplyToId = null,
    [property: Key("silent")] bool Silent = false,
    [property: Key("quote")] ReplyQuote? Quote = null,
    [property: Key("topic_id")] long? TopicId = null) : IRpcCall<SentMessage>, IRepeatableCall;

/// <summary><c>messages.sendVote</c>: the caller's choices in poll message <see cref="Id"/> (option indexes: one, or
/// several in a multiple-choice poll), replacing their earlier vote; none takes the vote back. Anyone who can see the
/// message votes (a channel's subscribers too); the chat's audience gets <c>message_poll</c> with the new counts. The
/// same vote again changes nothing (<c>pts_count</c> 0). A quiz's answer is final: the results answered carry the right
/// answer and its explanation. Counts against the posting limit. Errors:
/// <c>PEER_ID_INVALID</c>, <c>MESSAGE_ID_INVALID</c> (not in the chat, deleted, or not a poll), <c>POLL_OPTION_INVALID</c>
/// (an index out of range, one twice, or several in a single-choice poll), <c>POLL_CLOSED</c>, <c>REVOTE_NOT_ALLOWED</c>
/// (another answer, or none, to a quiz answered already), <c>USER_DELETED</c>,
/// 403 <c>USER_IS_BLOCKED</c> / <c>YOU_BLOCKED_USER</c>, 404 <c>CHAT_NOT_FOUND</c>, 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("messages.sendVote")]
[MessagePackObject]
public sealed record SendVoteCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("id")] long Id,
    [property: Key("options")] int[] Options) : IRpcCall<PollChanged>;

/// <summary><c>messages.closePoll</c>: the poll's author ends the voting for good; the results stay. Closing a closed
/// poll changes nothing (<c>pts_count</c> 0). Errors: <c>PEER_ID_INVALID</c>, <c>MESSAGE_ID_INVALID</c> (not in the
/// chat, deleted, or not a poll), 403 <c>MESSAGE_AUTHOR_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.closePoll")]
[MessagePackObject]
public sealed record ClosePollCall([property: Key("peer")] Peer Peer, [property: Key("id")] long Id) : IRpcCall<PollChanged>;

/// <summary>The poll's results after <c>messages.sendVote</c> or <c>messages.closePoll</c> (with the caller's own
/// choices) and where the caller's log (or, when <see cref="Channel"/> is set, the large group's own log) stands; the
/// caller's device gets no push of it.</summary>
[MessagePackObject]
public sealed record PollChanged(
    [property: Key("results")] PollResults Results,
    [property: Key("pts")] long Pts,
    [property: Key("pts_count")] int PtsCount,
    [property: Key("channel")] bool Channel = false);

/// <summary><c>messages.getPollVoters</c>: who chose option <see cref="Option"/> of a poll with public voters, the
/// latest first, at most <see cref="Limit"/> (1–100) after skipping <see cref="Offset"/>. Errors: <c>PEER_ID_INVALID</c>,
/// <c>MESSAGE_ID_INVALID</c> (not in the chat, deleted, or not a poll), <c>POLL_OPTION_INVALID</c>,
/// 403 <c>POLL_VOTERS_PRIVATE</c> (an anonymous poll; in a channel, to anyone but its admins, for a public poll posted
/// before channels refused them), <c>LIMIT_INVALID</c>, <c>OFFSET_INVALID</c>.</summary>
[RpcMethod("messages.getPollVoters")]
[MessagePackObject]
public sealed record GetPollVotersCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("id")] long Id,
    [property: Key("option")] int Option,
    [property: Key("offset")] int Offset = 0,
    [property: Key("limit")] int Limit = 50) : IRpcCall<PollVoters>;

/// <summary>A page of the users who chose one option of a poll, and how many chose it.</summary>
[MessagePackObject]
public sealed record PollVoters([property: Key("user_ids")] long[] UserIds, [property: Key("total")] int Total);

/// <summary>Limits of polls.</summary>
public static class PollLimits
{
    public const int MaxQuestionLength = 255;
    public const int MinOptions = 2;
    public const int MaxOptions = 10;
    public const int MaxOptionLength = 100;
    public const int MaxSolutionLength = 200;
}

/// <summary>Error names of polls.</summary>
public static class PollErrorNames
{
    public const string PollQuestionInvalid = "POLL_QUESTION_INVALID";
    public const string PollOptionsInvalid = "POLL_OPTIONS_INVALID";
    public const string PollOptionInvalid = "POLL_OPTION_INVALID";
    public const string PollClosed = "POLL_CLOSED";
    public const string QuizCorrectAnswerInvalid = "QUIZ_CORRECT_ANSWER_INVALID";
    public const string QuizMultipleInvalid = "QUIZ_MULTIPLE_INVALID";
    public const string PollSolutionInvalid = "POLL_SOLUTION_INVALID";

    /// <summary>A quiz is forwarded with its answer (a copy with votes of its own), so only by someone who may know it:
    /// who answered it, who wrote it, or anyone once it is closed.</summary>
    public const string QuizAnswerRequired = "QUIZ_ANSWER_REQUIRED";

    /// <summary>A quiz's answer is final: it can be neither changed nor taken back.</summary>
    public const string RevoteNotAllowed = "REVOTE_NOT_ALLOWED";

    /// <summary>A channel's subscribers do not see one another, so a poll in a channel cannot show its voters: sending one
    /// with <see cref="Poll.PublicVoters"/>, or forwarding such a poll into a channel.</summary>
    public const string BroadcastPublicVotersForbidden = "BROADCAST_PUBLIC_VOTERS_FORBIDDEN";

    /// <summary>403: the poll is anonymous; only its counts are told.</summary>
    public const string PollVotersPrivate = "POLL_VOTERS_PRIVATE";

    /// <summary>A poll's question and options never change (<c>messages.edit</c> on one).</summary>
    public const string PollNotEditable = "POLL_NOT_EDITABLE";
}
