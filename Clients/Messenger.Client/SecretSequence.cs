using MessagePack;

namespace Messenger.Client;

/// <summary>What this device received of the other side's numbered bodies in a chat (docs/secret-chats.md, Sequence
/// numbers): kept in the chat's journal, written with the effect of the body that moved it.</summary>
[MessagePackObject]
internal sealed class InboundSequence
{
    /// <summary>A body with a number came: from now on a body without one is refused.</summary>
    [Key(0)]
    public bool Sequenced { get; set; }

    /// <summary>One more than the highest number received (0 before any).</summary>
    [Key(1)]
    public long Next { get; set; }

    /// <summary>Numbers below <see cref="Next"/> not received (yet), oldest first.</summary>
    [Key(2)]
    public List<SequenceGap> Gaps { get; set; } = [];

    /// <summary>How many of the other side's bodies came in order: its <c>in_seq</c> in what this device sends.</summary>
    [IgnoreMember]
    public long InOrder => Gaps.Count > 0 ? Gaps[0].From : Next;

    /// <summary>Numbers whose body its sender no longer held when asked again (answered <c>gone</c>): lost for good.</summary>
    [Key(3)]
    public long Lost { get; set; }

    /// <summary>The numbers missing for longer than <see cref="SecretSequence.Grace"/>, and those lost (reported to the app).</summary>
    [IgnoreMember]
    public long Reported => Gaps.Where(g => g.Reported).Sum(g => g.To - g.From) + Lost;

    public InboundSequence Copy() => new()
    {
        Sequenced = Sequenced, Next = Next, Lost = Lost,
        Gaps = [.. Gaps.Select(g => new SequenceGap { From = g.From, To = g.To, Since = g.Since, Reported = g.Reported, Asked = g.Asked })],
    };
}

/// <summary>Numbers [<see cref="From"/>, <see cref="To"/>) not received, found missing at <see cref="Since"/> (unix
/// seconds); <see cref="Reported"/> once the app was told.</summary>
[MessagePackObject]
internal sealed class SequenceGap
{
    [Key(0)]
    public long From { get; set; }

    [Key(1)]
    public long To { get; set; }

    [Key(2)]
    public long Since { get; set; }

    [Key(3)]
    public bool Reported { get; set; }

    /// <summary>When its sender was asked to send it again (unix seconds; 0: not yet). A gap is asked once.</summary>
    [Key(4)]
    public long Asked { get; set; }
}

/// <summary>What to do with a received body, by its number.</summary>
internal enum SequenceVerdict
{
    /// <summary>The next one, or after a gap (the numbers skipped are kept missing): applied.</summary>
    Apply,

    /// <summary>One of the missing numbers (reordered on the way, or sent again): applied, and no longer missing.</summary>
    Late,

    /// <summary>A number already received: a replay, dropped.</summary>
    Replay,

    /// <summary>No number in a chat that has them, or a number that cannot be read: refused (reported as undecryptable).</summary>
    Refused,
}

/// <summary>The receiving side of sequence numbers, the same in every client (Clients/web/src/protocol/secretSequence.ts):
/// bodies are applied as they come, so nothing waits in memory for a number that may never come; the numbers skipped are
/// kept as gaps, filled by the bodies that come late, and a gap still open <see cref="Grace"/> after it was found is
/// reported to the app.</summary>
internal static class SecretSequence
{
    /// <summary>How long a number may stay missing before the app is told (a body reordered on the way, or sent again
    /// by its sender, usually comes within it).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    /// <summary>How long a gap waits before its sender is asked to send it again (a resend request): bodies merely
    /// reordered on the way have come by then.</summary>
    public static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(5);

    /// <summary>Gaps kept per chat; beyond, the oldest is let go (its bodies, should they still come, are then dropped
    /// as replays). Only a hostile server or peer makes that many.</summary>
    public const int MaxGaps = 256;

    /// <summary>Takes a body's numbers (<paramref name="read"/>: its <c>out_seq</c> null when it has none) into <paramref name="state"/>.</summary>
    public static SequenceVerdict Accept(InboundSequence state, SecretSequenceRead read, long now)
    {
        if (!read.Valid || (read.OutSeq is null && state.Sequenced))
        {
            return SequenceVerdict.Refused;
        }

        if (read.OutSeq is not { } number)
        {
            // A body from before sequence numbers, in a chat that has had none yet.
            return SequenceVerdict.Apply;
        }

        state.Sequenced = true;
        if (number >= state.Next)
        {
            if (number > state.Next)
            {
                state.Gaps.Add(new SequenceGap { From = state.Next, To = number, Since = now });
                if (state.Gaps.Count > MaxGaps)
                {
                    state.Gaps.RemoveAt(0);
                }
            }

            state.Next = number + 1;
            return SequenceVerdict.Apply;
        }

        var at = state.Gaps.FindIndex(g => g.From <= number && number < g.To);
        if (at < 0)
        {
            return SequenceVerdict.Replay;
        }

        var gap = state.Gaps[at];
        state.Gaps.RemoveAt(at);
        var parts = new List<SequenceGap>(2);
        if (gap.From < number)
        {
            parts.Add(new SequenceGap { From = gap.From, To = number, Since = gap.Since, Reported = gap.Reported, Asked = gap.Asked });
        }

        if (number + 1 < gap.To)
        {
            parts.Add(new SequenceGap { From = number + 1, To = gap.To, Since = gap.Since, Reported = gap.Reported, Asked = gap.Asked });
        }

        state.Gaps.InsertRange(at, parts);
        return SequenceVerdict.Late;
    }

    /// <summary>Marks the gaps open for <see cref="Grace"/> or longer as reported; true when one was.</summary>
    public static bool ReportOverdue(InboundSequence state, long now)
    {
        var any = false;
        foreach (var gap in state.Gaps.Where(g => !g.Reported && now - g.Since >= (long)Grace.TotalSeconds))
        {
            gap.Reported = true;
            any = true;
        }

        return any;
    }

    /// <summary>The gaps open for <see cref="ResendAfter"/> or longer and not asked for yet, marked asked at
    /// <paramref name="now"/>: each is asked once, so two peers can never keep asking each other.</summary>
    public static List<SequenceGap> TakeToAsk(InboundSequence state, long now)
    {
        var due = state.Gaps.Where(g => g.Asked == 0 && now - g.Since >= (long)ResendAfter.TotalSeconds).ToList();
        foreach (var gap in due)
        {
            gap.Asked = now;
        }

        return due;
    }

    /// <summary>A number its sender answered <c>gone</c>: taken like any (it left its gap, or moved <see cref="InboundSequence.Next"/>),
    /// and counted lost.</summary>
    public static void Lose(InboundSequence state) => state.Lost++;

    /// <summary>When the next gap not reported (or not asked for) yet is due (unix seconds), or null.</summary>
    public static long? NextDue(InboundSequence state) =>
        state.Gaps.Where(g => g.Asked == 0 || !g.Reported).Select(g => (long?)(g.Since + (long)(g.Asked == 0 ? ResendAfter : Grace).TotalSeconds)).Min();
}
