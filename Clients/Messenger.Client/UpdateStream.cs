using System.Collections.Concurrent;
using System.Threading.Channels;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using MessagePack;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;

namespace Messenger.Client;

/// <summary>
/// The signed-in user's updates as clean events, in order, each once (Telegram's <c>pts</c> rules). A logged update
/// applies when <c>pts == local + pts_count</c>; one at or below the local position is a duplicate; one beyond it
/// opens a gap that waits <see cref="MessengerClientOptions.UpdateGapWait"/> for the missing pushes, then is filled by
/// <c>updates.getDifference</c>. After a new session or a reconnect it catches up by itself. Nothing is reported
/// before <see cref="StartAsync(long, long?, CancellationToken)"/>. Read <see cref="Reader"/>: events queue up until they are read.
/// Large groups and channels keep a log of their own: the stream tracks a position per chat (<see cref="ChannelPts"/>)
/// and applies their <c>updates.channel</c> pushes by the same rules, filling a gap with
/// <c>updates.getChannelDifference</c>; events from such a log carry <see cref="LoggedEvent.ChannelId"/>.
/// </summary>
public sealed class UpdateStream
{
    private const int RecentMessageIdCapacity = 1024;
    private static readonly TimeSpan FirstRetryDelay = LogSequencer.FirstRetryDelay;
    private static readonly TimeSpan MaxRetryDelay = LogSequencer.MaxRetryDelay;

    // Timers take at most about 49 days; a longer wait simply wakes up and waits again.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    private readonly IUpdateServer _server;
    private readonly MessengerClientOptions _options;
    private readonly Channel<Input> _inputs = Channel.CreateUnbounded<Input>();
    private readonly Channel<MessengerEvent> _events = Channel.CreateUnbounded<MessengerEvent>(new() { SingleWriter = true });
    private readonly CancellationTokenSource _stopped = new();
    private readonly Task _loop;

    // Wakes the loop when a fetch falls due: one timer, re-armed for each wait, puts a wake-up among the inputs.
    private readonly ITimer _wake;

    // Owned by the processing loop: pushes, call results and resync requests reach it through _inputs only.
    private readonly RecentIds _recentMessageIds = new(RecentMessageIdCapacity);

    // Messages deleted for this user (on any of their devices, or revoked), most recent first kept: a large group's
    // shared log still tells everyone of a change to them (an edit, a reaction, a poll's results, a pin), which is
    // dropped here as the server drops it from the member logs of private chats and small groups.
    private readonly RecentIds _deletedMessageIds = new(RecentMessageIdCapacity);
    private readonly List<MessengerEvent> _held = new();

    // Where, among the held events, those after the first secret chat entry not yet on disk begin (null: none such), and
    // when the secret chats' write is tried again after it failed.
    private int? _unsavedFrom;
    private DateTimeOffset? _commitRetryDue;
    private TimeSpan _commitRetryDelay = FirstRetryDelay;

    // Holding back is brief: a store that keeps failing (a full disk, a broken app store) must not silence the
    // messenger nor grow memory. Once the first failed write is this old, or this many events wait, everything is let
    // out (SecretChatStoreFailed says the pts guarantee is off) until a write succeeds.
    internal static readonly TimeSpan HoldForAtMost = TimeSpan.FromSeconds(15);
    private DateTimeOffset? _holdingSince;
    private bool _holdGivenUp;

    // The user's own log; its position is -1 until the start. _apply is Apply as a delegate, made once: the log drains
    // on every push.
    private readonly LogSequencer _log;
    private readonly Action<LogEntry> _apply;
    private long _userId;

    // Large groups' own logs: tracked chats by id; chats the user left (their late pushes are ignored until rejoined).
    private readonly Dictionary<long, LogSequencer> _channels = new();
    private readonly HashSet<long> _leftChannels = new();
    private readonly Dictionary<long, List<LogEntry>> _pushedWhileLeft = new();

    // How many pushes of a chat the user left are kept in case its chat update says they were added back (beyond it the
    // later ones are dropped: the first entry after the kept ones then shows a gap, and the gap is fetched).
    internal const int PushesKeptWhileLeft = 100;
    private readonly ConcurrentDictionary<long, long> _channelPts = new();

    private long _receiptWanted;
    private long _receiptSent;
    private int _receiptRunning;

    internal UpdateStream(IUpdateServer server, MessengerClientOptions options)
    {
        _server = server;
        _options = options;
        _log = new LogSequencer(-1, options.Clock, options.UpdateGapWait);
        _apply = Apply;
        _wake = options.Clock.CreateTimer(
            static stream => ((UpdateStream)stream!)._inputs.Writer.TryWrite(WakeInput.Instance), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>At most how many events are held back while the secret chats' write fails (see <see cref="Release"/>).</summary>
    internal int HeldAtMost { get; set; } = 1000;

    /// <summary>How many events wait to be let out (tests).</summary>
    internal int HeldCount => Volatile.Read(ref _heldCount);

    private int _heldCount;

    /// <summary>Where secret chats' entries go (decrypted into events); null in the stream's own tests.</summary>
    internal SecretChatEngine? Secret { get; set; }

    /// <summary>The events, in the order they happened; completes when the client is disposed.</summary>
    public ChannelReader<MessengerEvent> Reader => _events.Reader;

    /// <summary>The local position in the user's update log (null before <see cref="StartAsync(long, long?, CancellationToken)"/>); it may be ahead of
    /// the events not yet read, so persist <see cref="LoggedEvent.Pts"/> of handled events instead.</summary>
    public long? Pts => _log.Pts is var pts and >= 0 ? pts : null;

    /// <summary>The local position in each tracked large group's own log, by chat id (persist the
    /// <see cref="LoggedEvent.Pts"/> of handled events with a <see cref="LoggedEvent.ChannelId"/> instead, as for
    /// <see cref="Pts"/>).</summary>
    public IReadOnlyDictionary<long, long> ChannelPts => _channelPts;

    /// <summary>
    /// Starts reporting the updates of <paramref name="userId"/> (the signed-in user; decides
    /// <see cref="MessageReceived.IsOutgoing"/>). Without <paramref name="pts"/> it starts from the log's current
    /// position (a fresh device replays no history; its large groups are followed from their positions then, which
    /// <c>updates.getState</c> lists with it); with the <c>pts</c> the app persisted it first reports what was missed
    /// since. Calling it again starts over.
    /// </summary>
    public Task StartAsync(long userId, long? pts = null, CancellationToken cancellationToken = default) =>
        StartAsync(userId, pts, channelPts: null, cancellationToken);

    /// <summary>
    /// Like <see cref="StartAsync(long, long?, CancellationToken)"/>, with the positions the app persisted in its large
    /// groups' own logs (<paramref name="channelPts"/>, by chat id): after the catch-up of the user's log, each of them
    /// that is behind reports what was missed in it. A large group without a persisted position starts from the
    /// chat's current position: what was posted in it while the app was closed is not reported, and a
    /// <see cref="ChatResynced"/> for it (after the user log's catch-up) tells the app to refetch that chat's history.
    /// </summary>
    public Task StartAsync(long userId, long? pts, IReadOnlyDictionary<long, long>? channelPts, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pts ?? 0, nameof(pts));
        var start = new StartInput(
            userId, pts, channelPts is null ? [] : new Dictionary<long, long>(channelPts),
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_inputs.Writer.TryWrite(start))
        {
            throw new ObjectDisposedException(nameof(MessengerClient));
        }

        return start.Started.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Takes the pushes this stream handles; false for other kinds (they stay on the raw updates channel).</summary>
    internal bool TryAccept(UpdatesBody body)
    {
        if (body.Kind is not (UpdateKinds.Logged or UpdateKinds.Ephemeral or UpdateKinds.Channel))
        {
            return false;
        }

        _inputs.Writer.TryWrite(new PushInput(body));
        return true;
    }

    /// <summary>Pushes may have been lost (new session, reconnect): ask the server what changed.</summary>
    internal void RequestDifference() => _inputs.Writer.TryWrite(new ResyncInput());

    /// <summary>The caller's own send or edit: the same change as the logged update with its <c>pts</c> (in the large
    /// group's own log when <see cref="SentMessage.Channel"/> is set); a send with the <paramref name="randomId"/> it went
    /// with, as the user's own log entry carries it. An answer that took no position (a resend answered with the first
    /// message) only tells where that log stands: a position ahead of this device's is a gap, filled by the difference
    /// (the first run's push skipped the calling connection).</summary>
    internal void Observe(SentMessage sent, bool edited, long? randomId = null) =>
        _inputs.Writer.TryWrite(new OwnResultInput(
            new LogEntry(
                sent.Pts,
                sent.PtsCount,
                sent.PtsCount == 0 ? null : edited ? new EditMessageUpdate(sent.Message) : new NewMessageUpdate(sent.Message) { RandomId = randomId }),
            sent.Channel ? sent.Message.ToPeer.Id : null));

    /// <summary>The caller's own forward into <paramref name="toPeer"/>: each copy the same change as its logged update, a
    /// new message with the <paramref name="randomIds"/> entry it went with (in the large group's own log when
    /// <see cref="ForwardedMessages.Channel"/> is set), so the forwarding device reports its copies as it reports a send —
    /// the log's push skips the connection that called. Copies answered again (a resend) take no position, and an answer
    /// whose positions are not one a copy only moves the position.</summary>
    internal void Observe(ForwardedMessages forwarded, Peer toPeer, long[] randomIds)
    {
        long? channelId = forwarded.Channel && toPeer.Kind == PeerKind.Chat ? toPeer.Id : null;
        if (forwarded.PtsCount == 0 || forwarded.PtsCount != forwarded.Messages.Length || randomIds.Length != forwarded.Messages.Length)
        {
            _inputs.Writer.TryWrite(new OwnResultInput(new LogEntry(forwarded.Pts, forwarded.PtsCount, null), channelId));
            return;
        }

        var before = forwarded.Pts - forwarded.PtsCount;
        for (var i = 0; i < forwarded.Messages.Length; i++)
        {
            _inputs.Writer.TryWrite(new OwnResultInput(
                new LogEntry(before + i + 1, 1, new NewMessageUpdate(forwarded.Messages[i]) { RandomId = randomIds[i] }), channelId));
        }
    }

    /// <summary>The caller's own change without a payload: it only moves the position (of the large group
    /// <paramref name="peer"/> when <see cref="AffectedMessages.Channel"/> is set).</summary>
    internal void Observe(AffectedMessages affected, Peer? peer = null) =>
        _inputs.Writer.TryWrite(new OwnResultInput(
            new LogEntry(affected.Pts, affected.PtsCount, null),
            affected.Channel && peer is { Kind: PeerKind.Chat } ? peer.Id : null));

    /// <summary>The caller's own deletion of <paramref name="ids"/> (for everyone or for themselves): later changes to
    /// them in a large group's log are not reported (see <see cref="Report(LogEntry, long?)"/>).</summary>
    internal void ObserveDeleted(long[] ids) => _inputs.Writer.TryWrite(new DeletedHereInput(ids));

    /// <summary>The caller's own group change: moves the position of the log it refers to (the service message is
    /// reported when it is in the large group's log) and starts or stops tracking the chat.</summary>
    internal void Observe(ChatChanged changed, bool isMember) =>
        _inputs.Writer.TryWrite(new OwnChatResultInput(changed, isMember));

    /// <summary>The connection is gone for good: the app's reader ends with <paramref name="error"/>.</summary>
    internal void Fail(Exception error) => _events.Writer.TryComplete(error);

    /// <summary>Stops the stream, once (a second call answers the first's task).</summary>
    internal Task StopAsync()
    {
        lock (_stopGate)
        {
            return _stop ??= StopOnceAsync();
        }
    }

    private readonly Lock _stopGate = new();
    private Task? _stop;

    private async Task StopOnceAsync()
    {
        // Completed first, so a loop waiting for input ends without an exception; the cancel then stops a fetch in flight.
        _inputs.Writer.TryComplete();
        await _stopped.CancelAsync();
        try
        {
            await _loop;
            Release();
            DroppedHeld = _held.Count > 0;
            await _wake.DisposeAsync();
            while (_inputs.Reader.TryRead(out var input))
            {
                (input as StartInput)?.Started.TrySetCanceled();
                (input as InOrderInput)?.Done.TrySetCanceled();
                if (input is ReportInput report && !DroppedHeld)
                {
                    // Raised before the stop (a sync's result, messages that self-destructed): the app still hears of it.
                    _events.Writer.TryWrite(report.Event);
                }
            }
        }
        finally
        {
            // Whatever failed above, the app's reader ends.
            _events.Writer.TryComplete();
        }
    }

    private async Task RunAsync()
    {
        var token = _stopped.Token;
        try
        {
            while (true)
            {
                var (due, channelId) = NextDue();
                if (due is { } when && when <= _options.Clock.GetUtcNow())
                {
                    if (channelId is { } chatId)
                    {
                        await FetchChannelDifferenceAsync(chatId, token);
                    }
                    else
                    {
                        await FetchDifferenceAsync(token);
                    }

                    Release();
                    continue;
                }

                var wake = _commitRetryDue is { } retry && (due is null || retry < due) ? retry : due;
                if (!await WaitForInputAsync(wake, token))
                {
                    return;
                }

                while (_inputs.Reader.TryRead(out var input))
                {
                    await ProcessAsync(input, token);
                }

                Release();
            }
        }
        // Once stopped, a call in flight may fail any way (the client disposed under it): that ends the loop quietly,
        // or disposing the client would throw.
        catch (Exception) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A fault the loop cannot go past: the app's reader ends with it (ReadAllAsync throws it) instead of waiting
            // for events that will never come.
            _events.Writer.TryComplete(e);
        }
    }

    // The earliest fetch that is due: the user's log first, then the large groups' logs.
    private (DateTimeOffset? Due, long? ChannelId) NextDue()
    {
        (DateTimeOffset? Due, long? ChannelId) next = (_log.Due, null);
        foreach (var (chatId, channel) in _channels)
        {
            if (channel.Due is { } due && (next.Due is null || due < next.Due))
            {
                next = (due, chatId);
            }
        }

        return next;
    }

    // False once no more input can come; true when there is input or the deadline passed. The deadline arms the one
    // wake-up timer (a gap opens with most pushes that overtake the caller's own result, so a timer and two token
    // sources per wait cost ≈ 4 % of a busy client's CPU); a wake-up left over from an earlier deadline only makes the
    // loop look at the time again.
    private async ValueTask<bool> WaitForInputAsync(DateTimeOffset? due, CancellationToken token)
    {
        if (due is not null)
        {
            var remaining = due.Value - _options.Clock.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return true;
            }

            _wake.Change(remaining < LongestWait ? remaining : LongestWait, Timeout.InfiniteTimeSpan);
        }

        return await _inputs.Reader.WaitToReadAsync(token);
    }

    private async Task ProcessAsync(Input input, CancellationToken token)
    {
        var started = _log.Pts >= 0;
        switch (input)
        {
            case StartInput start:
                await StartFromAsync(start, token);
                break;

            // Before the start, pushes are left out: the start position (from getState, or the app's pts followed by a
            // difference) already covers everything pushed until then.
            case PushInput push when started:
                Accept(push.Body);
                break;
            case OwnResultInput { ChannelId: { } chatId, Entry: { Update: null, PtsCount: 0 } } when started && !_channels.ContainsKey(chatId):
                // Only a position (a resend's answer) in a large group not followed yet: where to start following it is
                // for the user's log to say (the join or conversion not applied yet); started here, it would skip the
                // posts up to this position.
                _log.RequestNow();
                break;
            case OwnResultInput { ChannelId: { } chatId } own when started:
                if (ChannelFor(chatId, own.Entry) is { } channel)
                {
                    channel.Hold(own.Entry);
                    DrainChannel(chatId, channel);
                }

                break;
            case OwnResultInput own when started:
                _log.Hold(own.Entry);
                _log.Drain(_apply);
                break;
            case OwnChatResultInput own when started:
                ObserveChatResult(own.Changed, own.IsMember);
                break;
            case InOrderInput step:
                // The events of the pushes before it go out first: what the step's caller reports then (a voice chat
                // rejoined) cannot overtake them.
                Release();
                step.Run();
                step.Done.TrySetResult();
                break;
            case ReportInput report:
                Emit(report.Event);
                break;
            case DeletedHereInput deleted:
                RememberDeleted(deleted.Ids);
                break;
            case ResyncInput when started:
                _log.RequestNow();
                break;
        }
    }

    private async Task StartFromAsync(StartInput start, CancellationToken token)
    {
        try
        {
            var state = start.Pts is null ? await _server.GetStateAsync(token) : null;
            _userId = start.UserId;
            _channels.Clear();
            _leftChannels.Clear();
            _pushedWhileLeft.Clear();
            _channelPts.Clear();
            _channelsOnlyPushed.Clear();
            foreach (var (chatId, channelPts) in start.ChannelPts)
            {
                Track(chatId, channelPts);
            }

            _recentMessageIds.Clear();
            _resumedWithoutChannelPositions = start.Pts is not null;
            // A fresh start follows the user's large groups from their positions in getState's answer, read with its
            // pts: a post after it is above them, pushed or not (one known only from its first push would skip what is
            // posted in it during an early connection drop; one listed by a later read would drop a post pushed
            // before that read).
            SyncChannels(state?.Channels);
            _log.Restart(start.Pts ?? state!.Pts, fetch: start.Pts is not null);
            Secret?.Started(start.UserId);
            if (start.Pts is null)
            {
                // Nothing missed to read first.
                Secret?.CaughtUp();
            }

            start.Started.TrySetResult();
        }
        catch (Exception e)
        {
            if (token.IsCancellationRequested)
            {
                start.Started.TrySetCanceled();
                throw;
            }

            start.Started.TrySetException(e);
        }
    }

    private void Accept(UpdatesBody body)
    {
        try
        {
            if (body.Kind == UpdateKinds.Ephemeral)
            {
                EmitEphemeral(WireSerializer.Deserialize<Update>(body.Payload));
                return;
            }

            if (body.Kind == UpdateKinds.Channel)
            {
                var pushed = WireSerializer.Deserialize<ChannelUpdates>(body.Payload);
                if (pushed.Updates.Length > 0 && ChannelFor(pushed.ChatId, Earliest(pushed.Updates)) is { } channel)
                {
                    foreach (var update in pushed.Updates)
                    {
                        OfferChannel(pushed.ChatId, channel, new LogEntry(update.Pts, update.PtsCount, update.Update));
                    }

                    DrainChannel(pushed.ChatId, channel);
                }
                else if (_leftChannels.Contains(pushed.ChatId))
                {
                    KeepWhileLeft(pushed.ChatId, pushed.Updates);
                }

                return;
            }

            foreach (var update in WireSerializer.Deserialize<LoggedUpdates>(body.Payload).Updates)
            {
                Offer(new LogEntry(update.Pts, update.PtsCount, update.Update));
            }
        }
        catch (MessagePackSerializationException)
        {
            // An unreadable push is as good as a lost one: the next push shows the gap and getDifference fills it.
            return;
        }

        _log.Drain(_apply);
    }

    private static LogEntry Earliest(LoggedUpdate[] updates)
    {
        var earliest = updates[0];
        foreach (var update in updates)
        {
            earliest = update.Pts < earliest.Pts ? update : earliest;
        }

        return new LogEntry(earliest.Pts, earliest.PtsCount, earliest.Update);
    }

    // The common case, the next entry with nothing held back, is applied at once; anything else waits for the gap.
    private void Offer(LogEntry entry)
    {
        if (_log.Follows(entry))
        {
            Apply(entry);
            return;
        }

        _log.Hold(entry);
    }

    private async Task FetchDifferenceAsync(CancellationToken token)
    {
        try
        {
            await CatchUpAsync(token);
        }
        // 401: the device was signed out (another device reset its authorization, or the account is gone). Retrying
        // cannot help, so it ends the loop and the app's reader with it instead of leaving the app waiting quietly.
        catch (Exception e) when (!token.IsCancellationRequested && e is not RpcException { Code: 401 })
        {
            _log.FetchFailed();
            return;
        }

        _log.FetchSucceeded(_apply);
        Secret?.CaughtUp();
    }

    private async Task CatchUpAsync(CancellationToken token)
    {
        try
        {
            Difference difference;
            do
            {
                difference = await _server.GetDifferenceAsync(_log.Pts, token);
                if (difference.TooLong)
                {
                    Resync(difference.State.Pts);
                    SyncChannels(difference.Channels);
                    return;
                }

                foreach (var update in difference.Updates.Where(u => u.Pts > _log.Pts).OrderBy(u => u.Pts))
                {
                    Apply(new LogEntry(update.Pts, update.PtsCount, update.Update));
                }

                Release();

                if (difference.State.Pts > _log.Pts)
                {
                    _log.Pts = difference.State.Pts;
                }
            }
            while (difference.Slice);

            SyncChannels(difference.Channels);
        }
        catch (RpcException e) when (e.Name == UpdateErrorNames.PtsInvalid)
        {
            // The local pts is ahead of the log (a wrong persisted pts, or the server lost its log): start over.
            var state = await _server.GetStateAsync(token);
            Resync(state.Pts);
            SyncChannels(state.Channels);
        }
    }

    private void Resync(long pts)
    {
        // Resynced already tells the app to refetch everything, its large groups' history with it.
        _resumedWithoutChannelPositions = false;
        _channelsOnlyPushed.Clear();
        _log.Pts = pts;
        Emit(new Resynced(pts));
        Secret?.Resynced();
    }

    private void Apply(LogEntry entry)
    {
        _log.Pts = entry.Pts;
        Report(entry, channelId: null);
    }

    private void RememberDeleted(long[] ids)
    {
        foreach (var id in ids)
        {
            _deletedMessageIds.Add(id);
        }
    }

    // Reports one applied entry of the user's log (channelId null) or of a large group's own log. A large group's log is
    // the same for every member: a change to a message this user deleted (for themselves, here or on another device)
    // is left out, and a pin of one is reported without it, as the member logs of other chats have it from the server.
    private void Report(LogEntry entry, long? channelId)
    {
        switch (entry.Update)
        {
            case EditMessageUpdate { Message.Id: var id } when _deletedMessageIds.Contains(id):
            case MessageReactionsUpdate { MessageId: var reacted } when _deletedMessageIds.Contains(reacted):
            case MessagePollUpdate { MessageId: var polled } when _deletedMessageIds.Contains(polled):
                break;
            case PinnedMessageUpdate { Message.Id: var id } pinned when _deletedMessageIds.Contains(id):
                Report(entry with { Update = pinned with { Message = null } }, channelId);
                break;
            case NewMessageUpdate { Message: var message } added:
                if (!_recentMessageIds.Add(message.Id))
                {
                    break;
                }

                var outgoing = message.FromId == _userId;
                Emit(new MessageReceived(entry.Pts, message, message.PeerFor(_userId), outgoing) { ChannelId = channelId, RandomId = added.RandomId });
                // Receipts (messages.received) are about the user's own log; a large group's messages are not counted.
                if (!outgoing && channelId is null)
                {
                    QueueReceipt(message.Id);
                }

                break;
            case EditMessageUpdate { Message: var message }:
                Emit(new MessageEdited(entry.Pts, message, message.PeerFor(_userId), message.FromId == _userId) { ChannelId = channelId });
                break;
            case DeleteMessagesUpdate deleted:
                RememberDeleted(deleted.Ids);
                Emit(new MessagesDeleted(entry.Pts, deleted.Peer, deleted.Ids) { ChannelId = channelId, UnreadCount = deleted.UnreadCount });
                break;
            case ReadInboxUpdate read:
                Emit(new HistoryRead(entry.Pts, read.Peer, ReadSide.Inbox, read.MaxId, read.StillUnread, read.UnreadMentions) { ChannelId = channelId });
                break;
            case ReadOutboxUpdate read:
                Emit(new HistoryRead(entry.Pts, read.Peer, ReadSide.Outbox, read.MaxId, 0) { ChannelId = channelId });
                break;
            case DeliveredUpdate delivered:
                Emit(new MessagesDelivered(entry.Pts, delivered.Peer, delivered.MaxId) { ChannelId = channelId });
                break;
            case PinnedMessageUpdate pinned:
                // An entry from before the pinned list has no ids (and reads back with count 0): its message was the only pin.
                Emit(new MessagePinned(entry.Pts, pinned.Peer, pinned.Message, pinned.Ids, pinned.Pinned,
                    pinned.Ids is null ? (pinned.Message is null ? 0 : 1) : pinned.Count) { ChannelId = channelId });
                break;
            case MessageReactionsUpdate reactions:
                Emit(new MessageReactionsChanged(entry.Pts, reactions.Peer, reactions.MessageId, reactions.UserId, reactions.Reaction, reactions.Reactions)
                    { ChannelId = channelId });
                break;
            case MessagePollUpdate poll:
                Emit(new PollUpdated(entry.Pts, poll.Peer, poll.MessageId, poll.Counts, poll.Voters, poll.Closed, poll.MyChoices, poll.CorrectOption, poll.Solution)
                    { ChannelId = channelId });
                break;
            case ScheduledMessagesUpdate scheduled:
                Emit(new ScheduledMessagesChanged(entry.Pts, scheduled.Peer, scheduled.Messages) { ChannelId = channelId });
                break;
            case DialogPinnedUpdate pin:
                Emit(new DialogPinChanged(entry.Pts, pin.Peer, pin.Pinned) { ChannelId = channelId });
                break;
            case DialogArchivedUpdate archive:
                Emit(new DialogArchiveChanged(entry.Pts, archive.Peer, archive.Archived) { ChannelId = channelId });
                break;
            case DialogUnreadMarkUpdate mark:
                Emit(new DialogUnreadMarkChanged(entry.Pts, mark.Peer, mark.Unread) { ChannelId = channelId });
                break;
            case ReadThreadUpdate thread:
                Emit(new ThreadRead(entry.Pts, thread.Peer, thread.MessageId, thread.ReadMaxId, thread.Topic) { ChannelId = channelId });
                break;
            case DialogFilterUpdate folder:
                Emit(new DialogFilterChanged(entry.Pts, folder.Id, folder.Filter) { ChannelId = channelId });
                break;
            case DialogFilterOrderUpdate order:
                Emit(new DialogFiltersReordered(entry.Pts, order.Order) { ChannelId = channelId });
                break;
            case PendingJoinRequestsUpdate requests:
                Emit(new PendingJoinRequestsChanged(entry.Pts, requests.ChatId, requests.Count, requests.RecentRequesters) { ChannelId = channelId });
                break;
            case DraftMessageUpdate draft:
                Emit(new DraftChanged(entry.Pts, draft.Peer, draft.Draft) { ChannelId = channelId });
                break;
            case NotifySettingsUpdate notify:
                Emit(new NotifySettingsChanged(entry.Pts, notify.Peer, notify.MuteUntil, notify.TopicId) { ChannelId = channelId });
                break;
            case NewAuthorizationUpdate signedIn:
                Emit(new DeviceSignedIn(entry.Pts, signedIn.AuthorizationId, signedIn.DeviceName, signedIn.Platform, signedIn.ClientAddress,
                    DateTimeOffset.FromUnixTimeSeconds(signedIn.Date)) { ChannelId = channelId });
                break;
            case ContactUpdate contact:
                Emit(new ContactChanged(entry.Pts, contact.UserId, contact.Contact) { ChannelId = channelId });
                break;
            case OpenReportsUpdate reports:
                Emit(new OpenReportsChanged(entry.Pts, reports.Open, reports.Latest) { ChannelId = channelId });
                break;
            case ChatUpdate changed:
                OnChatUpdate(changed.Chat, changed.IsMember);
                Emit(new ChatUpdated(entry.Pts, changed.Chat, changed.IsMember) { ChannelId = channelId });
                break;
            case SecretChatUpdate or NewEncryptedMessageUpdate or EncryptedReadUpdate when Secret is { } secret && channelId is null:
                _unsavedFrom ??= _held.Count;
                foreach (var e in secret.OnLogged(entry.Pts, entry.Update))
                {
                    Emit(e);
                }

                break;
            case { } other:
                EmitEphemeral(other);
                break;
        }
    }

    // Held until the batch that made it ends (Release).
    private void Emit(MessengerEvent e) => _held.Add(e);

    /// <summary>The end of a batch (the inputs at hand, a fetch, a slice of getDifference): what it changed in the secret
    /// chats goes to disk, once, and only then are its events let out, in order. An app that persists the pts of the
    /// events it handled thus never moves past an entry whose secret message the device has not kept: when the write
    /// fails, the events from the first secret entry not written on are held (with those of later batches) until a write
    /// succeeds — at the next batch, or when the retry falls due (1 s, doubling up to 30 s). Only briefly: once the first
    /// failed write is <see cref="HoldForAtMost"/> old or more than <see cref="HeldAtMost"/> events wait, every event is
    /// let out (a <see cref="SecretChatStoreFailed"/> first says so) and later ones flow while the writes are retried, so a
    /// store that stays broken does not silence the messenger; an app that persists their pts and stops before a write
    /// succeeds does not see those secret entries again.</summary>
    private void Release()
    {
        var written = Secret?.Commit() ?? true;
        if (!written && _unsavedFrom is not null && !_holdGivenUp)
        {
            var now = _options.Clock.GetUtcNow();
            _holdingSince ??= now;
            // Only what waits for the write counts: the events before the first unwritten entry go out now anyway.
            if (now - _holdingSince.Value >= HoldForAtMost || _held.Count - _unsavedFrom.Value > HeldAtMost)
            {
                _holdGivenUp = true;
                _events.Writer.TryWrite(new SecretChatStoreFailed(
                    "the secret chats still cannot be written: the events held back are let out, and later ones are no longer held " +
                    "until a write succeeds (the pts guarantee for secret chat entries is off: an app that persists the pts of " +
                    "these events and stops before a write succeeds does not see the secret entries among them again)", null));
            }
        }

        var holdBack = !written && !_holdGivenUp;
        var count = holdBack ? _unsavedFrom ?? _held.Count : _held.Count;
        for (var i = 0; i < count; i++)
        {
            _events.Writer.TryWrite(_held[i]);
        }

        _held.RemoveRange(0, count);
        Volatile.Write(ref _heldCount, _held.Count);
        if (written)
        {
            _unsavedFrom = null;
            _commitRetryDue = null;
            _commitRetryDelay = FirstRetryDelay;
            _holdingSince = null;
            _holdGivenUp = false;
        }
        else if (_unsavedFrom is not null || _holdGivenUp)
        {
            // Given up or not, the write is tried again without waiting for traffic.
            _unsavedFrom = holdBack ? 0 : null;
            _commitRetryDue = _options.Clock.GetUtcNow() + _commitRetryDelay;
            if (holdBack && _holdingSince + HoldForAtMost < _commitRetryDue)
            {
                // A retry put off by the doubling must not keep the events held past the bound when no traffic comes.
                _commitRetryDue = _holdingSince + HoldForAtMost;
            }

            _commitRetryDelay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, _commitRetryDelay.Ticks * 2));
        }
    }

    /// <summary>Whether events were still held back when the stream stopped (they are dropped: their entries come again
    /// from the app's pts, so what the secret chats kept of them in memory must not be written now).</summary>
    internal bool DroppedHeld { get; private set; }

    /// <summary>Runs <paramref name="step"/> in order with the pushes received so far (after every one of them is
    /// handled, before any received later); at once when the stream has stopped.</summary>
    internal Task InOrderAsync(Action step)
    {
        var input = new InOrderInput(step, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_inputs.Writer.TryWrite(input))
        {
            step();
            return Task.CompletedTask;
        }

        return input.Done.Task;
    }

    /// <summary>An event the client itself raises (not from the server's updates), from any thread: after those let out
    /// so far.</summary>
    internal void Report(MessengerEvent e) => _events.Writer.TryWrite(e);

    /// <summary>An event about what the log's entries did (a secret chat's state read again with the current pts, messages
    /// that self-destructed), from any thread: it goes out after the events of the batch at hand, and is held back with
    /// them while the secret chats cannot be written, so it never overtakes an event about an earlier change.</summary>
    internal void ReportInOrder(MessengerEvent e)
    {
        if (!_inputs.Writer.TryWrite(new ReportInput(e)))
        {
            _events.Writer.TryWrite(e);
        }
    }

    /// <summary>A voice chat's state reached this connection, with the signed-in user's id.</summary>
    internal event Action<Contracts.Calls.GroupCall, long>? GroupCallSeen;

    // ---- Large groups' own logs ----

    // A ChatUpdate from the user's log: joined (or the chat became large) starts tracking at the chat's position when
    // not tracked yet; left or removed stops it.
    private void OnChatUpdate(Chat chat, bool isMember)
    {
        if (!isMember)
        {
            Untrack(chat.Id, left: true);
        }
        else if (chat.HasOwnLog && !_channels.ContainsKey(chat.Id))
        {
            Track(chat.Id, chat.Pts);
        }
    }

    private void KeepWhileLeft(long chatId, LoggedUpdate[] updates)
    {
        if (!_pushedWhileLeft.TryGetValue(chatId, out var kept))
        {
            _pushedWhileLeft[chatId] = kept = new List<LogEntry>();
        }

        foreach (var update in updates)
        {
            if (kept.Count < PushesKeptWhileLeft)
            {
                kept.Add(new LogEntry(update.Pts, update.PtsCount, update.Update));
            }
        }
    }

    private void ObserveChatResult(ChatChanged changed, bool isMember)
    {
        if (!changed.Channel)
        {
            _log.Hold(new LogEntry(changed.Pts, changed.PtsCount, null));
            _log.Drain(_apply);
            if (!isMember)
            {
                Untrack(changed.Chat.Id, left: true);
            }

            return;
        }

        if (!isMember)
        {
            Untrack(changed.Chat.Id, left: true);
            return;
        }

        _leftChannels.Remove(changed.Chat.Id);
        var entry = new LogEntry(changed.Pts, changed.PtsCount, changed.Message is { } message ? new NewMessageUpdate(message) : null);
        if (ChannelFor(changed.Chat.Id, entry) is { } channel)
        {
            channel.Hold(entry);
            DrainChannel(changed.Chat.Id, channel);
        }
    }

    // The tracked log of the chat; an unknown chat (a push or own result before anything else told of it) starts
    // just before the entry, like getState; a chat the user left stays ignored.
    private LogSequencer? ChannelFor(long chatId, LogEntry first)
    {
        if (_channels.TryGetValue(chatId, out var channel))
        {
            return channel;
        }

        if (_leftChannels.Contains(chatId))
        {
            return null;
        }

        if (_resumedWithoutChannelPositions)
        {
            _channelsOnlyPushed.Add(chatId);
        }

        return Track(chatId, Math.Max(0, first.Pts - first.PtsCount));
    }

    // Added back to a chat the user had left: the pushes that came while it was still "left" (the service message that
    // added them, or a post whose push overtook the chat update or the join's own result) are offered to it now, so none
    // is lost; those at or below the position are dropped as seen, and an entry that never came shows as a gap, fetched as
    // any other.
    private LogSequencer Track(long chatId, long pts)
    {
        _leftChannels.Remove(chatId);
        var channel = new LogSequencer(pts, _options.Clock, _options.UpdateGapWait);
        _channels[chatId] = channel;
        _channelPts[chatId] = pts;
        if (_pushedWhileLeft.Remove(chatId, out var kept))
        {
            foreach (var entry in kept)
            {
                OfferChannel(chatId, channel, entry);
            }

            DrainChannel(chatId, channel);
        }

        return channel;
    }

    private void Untrack(long chatId, bool left)
    {
        _channels.Remove(chatId);
        _channelsOnlyPushed.Remove(chatId);
        _channelPts.TryRemove(chatId, out _);
        _pushedWhileLeft.Remove(chatId);
        if (left)
        {
            _leftChannels.Add(chatId);
        }
    }

    // Set by a start from the app's pts until the first catch-up lists the user's large groups: one listed then with no
    // position (none given in channelPts, none from a join in the catch-up) may have had posts while the app was
    // closed that the stream cannot report, so it says so (ChatResynced) rather than skipping them silently.
    private bool _resumedWithoutChannelPositions;

    // Meanwhile, the large groups first known from a push or the user's own result (the first catch-up failed, and the
    // group's post came before the retry): followed from that entry only, so what came before it while the app was closed
    // is as unknown as for a group first listed, and the catch-up says so for them too.
    private readonly HashSet<long> _channelsOnlyPushed = new();

    // The user's large groups as the last getDifference (or a fresh start's getState) answer lists them: unknown ones are
    // recorded at their position, ones ahead of the local position fetch their difference, ones not listed are no
    // longer the user's.
    private void SyncChannels(ChannelState[]? listed)
    {
        if (listed is null)
        {
            return;
        }

        var resumed = _resumedWithoutChannelPositions;
        _resumedWithoutChannelPositions = false;
        foreach (var state in listed)
        {
            if (!_channels.TryGetValue(state.ChatId, out var channel))
            {
                Track(state.ChatId, state.Pts);
                if (resumed)
                {
                    Emit(new ChatResynced(state.ChatId, state.Pts));
                }

                continue;
            }

            if (resumed && _channelsOnlyPushed.Contains(state.ChatId))
            {
                // Followed on from where the push left it: later posts are still reported, earlier ones cannot be.
                Emit(new ChatResynced(state.ChatId, channel.Pts));
            }

            if (state.Pts > channel.Pts)
            {
                channel.RequestNow();
            }
        }

        _channelsOnlyPushed.Clear();

        foreach (var chatId in _channels.Keys.Except(listed.Select(s => s.ChatId)).ToList())
        {
            Untrack(chatId, left: false);
        }
    }

    private void OfferChannel(long chatId, LogSequencer channel, LogEntry entry)
    {
        if (channel.Follows(entry) && _channels.ContainsKey(chatId))
        {
            ApplyChannel(chatId, channel, entry);
            return;
        }

        channel.Hold(entry);
    }

    // Applying an entry may end the chat's tracking (the user left it): what is held then stays unapplied.
    private void DrainChannel(long chatId, LogSequencer channel) =>
        channel.Drain(entry => ApplyChannel(chatId, channel, entry), () => _channels.ContainsKey(chatId));

    private void ApplyChannel(long chatId, LogSequencer channel, LogEntry entry)
    {
        channel.Pts = entry.Pts;
        _channelPts[chatId] = entry.Pts;
        Report(entry, chatId);
    }

    private async Task FetchChannelDifferenceAsync(long chatId, CancellationToken token)
    {
        var channel = _channels[chatId];
        try
        {
            ChannelDifference difference;
            do
            {
                difference = await _server.GetChannelDifferenceAsync(chatId, channel.Pts, token);
                if (difference.TooLong)
                {
                    channel.Pts = difference.Pts;
                    _channelPts[chatId] = difference.Pts;
                    Emit(new ChatResynced(chatId, difference.Pts));
                    break;
                }

                foreach (var update in difference.Updates.Where(u => u.Pts > channel.Pts).OrderBy(u => u.Pts))
                {
                    ApplyChannel(chatId, channel, new LogEntry(update.Pts, update.PtsCount, update.Update));
                }

                // Each page's events go out as it is read, as the user's log's do: a long catch-up is not held whole.
                Release();

                if (difference.Pts > channel.Pts)
                {
                    channel.Pts = difference.Pts;
                    _channelPts[chatId] = difference.Pts;
                }
            }
            while (difference.Slice);
        }
        catch (RpcException e) when (e.Name == GroupErrorNames.ChatNotFound)
        {
            // No longer a member (or the chat is gone): nothing more to read from it.
            Untrack(chatId, left: true);
            return;
        }
        // 401 ends the stream, as the user log's fetch does (retrying cannot help a device that was signed out).
        catch (Exception e) when (!token.IsCancellationRequested && e is not RpcException { Code: 401 })
        {
            channel.FetchFailed();
            return;
        }

        channel.FetchSucceeded(entry => ApplyChannel(chatId, channel, entry), () => _channels.ContainsKey(chatId));
    }

    private void EmitEphemeral(Update update)
    {
        switch (update)
        {
            case TypingUpdate typing:
                var expiresAt = _options.Clock.GetUtcNow().AddSeconds(typing.ExpiresInSeconds);
                Emit(new UserTyping(typing.Peer, typing.UserId, typing.Action, expiresAt));
                break;
            case UserStatusUpdate status:
                Emit(new UserStatusChanged(status.UserId, status.Online, DateTimeOffset.FromUnixTimeSeconds(status.LastSeen), status.Hidden));
                break;
            case UserUpdate changed:
                Emit(new UserUpdated(changed.User));
                break;
            case PhoneCallUpdate phoneCall:
                Emit(new PhoneCallChanged(phoneCall.Call));
                break;
            case PhoneCallSignalUpdate signal:
                Emit(new PhoneCallSignal(signal.CallId, signal.FromId, signal.Data));
                break;
            case GroupCallUpdate groupCall:
                GroupCallSeen?.Invoke(groupCall.Call, _userId);
                Emit(new GroupCallChanged(groupCall.Call));
                break;
            case GroupCallSignalUpdate signal:
                Emit(new GroupCallSignal(signal.CallId, signal.FromId, signal.Data));
                break;
            case EncryptedTypingUpdate typing when Secret?.OnTyping(typing) is { } secretTyping:
                Emit(secretTyping);
                break;
        }
    }

    /// <summary>Sends the receipt still waiting for <see cref="MessengerClientOptions.ReceiptDelay"/> now, waiting at most
    /// <paramref name="bound"/>: a client disposed right after it got a message still reports it delivered.</summary>
    internal async Task FlushReceiptsAsync(TimeSpan bound)
    {
        var maxId = Interlocked.Read(ref _receiptWanted);
        if (!_options.AutoReceipt || maxId <= _receiptSent)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await _server.ReceivedAsync(maxId, timeout.Token);
            _receiptSent = maxId;
        }
        catch (Exception)
        {
            // Best effort, as the delayed receipt: the next client of the device sends it with its next receipt.
        }
    }

    // One messages.received in flight at a time, for the highest incoming id seen when it goes out.
    private void QueueReceipt(long messageId)
    {
        if (!_options.AutoReceipt)
        {
            return;
        }

        if (messageId > Interlocked.Read(ref _receiptWanted))
        {
            Interlocked.Exchange(ref _receiptWanted, messageId);
        }

        if (Interlocked.Exchange(ref _receiptRunning, 1) == 0)
        {
            _ = SendReceiptsAsync();
        }
    }

    private async Task SendReceiptsAsync()
    {
        var token = _stopped.Token;
        var retryDelay = LogSequencer.FirstRetryDelay;
        do
        {
            try
            {
                while (Interlocked.Read(ref _receiptWanted) > _receiptSent)
                {
                    await Task.Delay(_options.ReceiptDelay, _options.Clock, token);
                    var maxId = Interlocked.Read(ref _receiptWanted);
                    try
                    {
                        await _server.ReceivedAsync(maxId, token);
                    }
                    catch (Exception e) when (!token.IsCancellationRequested && e is TimeoutException or RpcException { Code: 420 or >= 500 })
                    {
                        // Timed out (an outage longer than CallTimeout), the link gone, a flood wait, the server busy:
                        // tried again after a back-off (1 s doubling up to 30 s, or the wait asked for). Nothing else
                        // sends it — a reconnect's difference reports no new message — and until it goes, the sender
                        // never sees the message delivered. A repeat changes nothing on the server.
                        var wait = e is RpcException { RetryAfterSeconds: { } seconds } ? TimeSpan.FromSeconds(seconds) : retryDelay;
                        retryDelay = TimeSpan.FromTicks(Math.Min(LogSequencer.MaxRetryDelay.Ticks, retryDelay.Ticks * 2));
                        await Task.Delay(wait, _options.Clock, token);
                        continue;
                    }

                    retryDelay = LogSequencer.FirstRetryDelay;
                    _receiptSent = maxId;
                }
            }
            catch (Exception)
            {
                // Stopped, refused (signed out) or the client closed for good: an app's next client sends what is still due.
                Volatile.Write(ref _receiptRunning, 0);
                return;
            }

            Volatile.Write(ref _receiptRunning, 0);
        }
        while (Interlocked.Read(ref _receiptWanted) > _receiptSent && Interlocked.Exchange(ref _receiptRunning, 1) == 0);
    }

    private abstract record Input;

    private sealed record PushInput(UpdatesBody Body) : Input;

    private sealed record OwnResultInput(LogEntry Entry, long? ChannelId = null) : Input;

    private sealed record OwnChatResultInput(ChatChanged Changed, bool IsMember) : Input;

    private sealed record ResyncInput : Input;

    private sealed record InOrderInput(Action Run, TaskCompletionSource Done) : Input;

    private sealed record ReportInput(MessengerEvent Event) : Input;

    private sealed record DeletedHereInput(long[] Ids) : Input;

    // A fetch may be due: the loop looks at the time again.
    private sealed record WakeInput : Input
    {
        public static readonly WakeInput Instance = new();
    }

    private sealed record StartInput(long UserId, long? Pts, Dictionary<long, long> ChannelPts, TaskCompletionSource Started) : Input;
}

/// <summary>The calls <see cref="UpdateStream"/> makes; a seam so its rules can be tested without a server.</summary>
internal interface IUpdateServer
{
    Task<UpdatesState> GetStateAsync(CancellationToken cancellationToken);

    Task<Difference> GetDifferenceAsync(long pts, CancellationToken cancellationToken);

    Task<ChannelDifference> GetChannelDifferenceAsync(long chatId, long pts, CancellationToken cancellationToken);

    Task ReceivedAsync(long maxId, CancellationToken cancellationToken);
}

internal sealed class ClientUpdateServer(MessengerClient client) : IUpdateServer
{
    public Task<UpdatesState> GetStateAsync(CancellationToken cancellationToken) =>
        client.CallAsync(new GetStateCall(), cancellationToken);

    public Task<Difference> GetDifferenceAsync(long pts, CancellationToken cancellationToken) =>
        client.CallAsync(new GetDifferenceCall(pts), cancellationToken);

    public Task<ChannelDifference> GetChannelDifferenceAsync(long chatId, long pts, CancellationToken cancellationToken) =>
        client.CallAsync(new GetChannelDifferenceCall(chatId, pts), cancellationToken);

    public Task ReceivedAsync(long maxId, CancellationToken cancellationToken) =>
        client.CallAsync(new ReceivedMessagesCall(maxId), cancellationToken);
}

/// <summary>The last few message ids seen, oldest forgotten first.</summary>
internal sealed class RecentIds(int capacity)
{
    private readonly HashSet<long> _ids = new(capacity);
    private readonly Queue<long> _order = new(capacity);

    /// <summary>False when <paramref name="id"/> was seen recently.</summary>
    public bool Add(long id)
    {
        if (!_ids.Add(id))
        {
            return false;
        }

        _order.Enqueue(id);
        if (_order.Count > capacity)
        {
            _ids.Remove(_order.Dequeue());
        }

        return true;
    }

    public bool Contains(long id) => _ids.Contains(id);

    /// <summary>The ids remembered, oldest first.</summary>
    public long[] ToArray() => [.. _order];

    public void Clear()
    {
        _ids.Clear();
        _order.Clear();
    }
}
