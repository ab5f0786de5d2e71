using Messenger.Contracts.Calls;

namespace Messenger.Client;

/// <summary>
/// The voice chat this client is in, joined again by itself after a reconnect: the server keeps a participant whose
/// connection dropped for its grace (<c>ReconnectGraceSeconds</c>) and takes them out unless their app joins again (the
/// media between the apps need not stop meanwhile). A join from another device of the user moves the place there, and
/// the server tells this one it is out: then there is nothing to join again. A join the app gave up on (cancelled, timed
/// out) that the server ran anyway is undone with a leave when its answer comes (<see cref="JoinedLate"/>).
/// </summary>
internal sealed class VoiceChatPresence(MessengerClient client)
{
    private readonly Dictionary<long, int> _joining = [];
    private GroupCall? _call;

    public GroupCall? Current => Volatile.Read(ref _call);

    /// <summary>Joined: recorded after the pushes received before the join's answer are handled, so an older
    /// <c>group_call</c> (one from before this user was in it) cannot count as being taken out.</summary>
    public Task JoinedAsync(GroupCall call) => client.Events.InOrderAsync(() => Volatile.Write(ref _call, call));

    /// <summary>A join of <paramref name="chatId"/> on its way, until disposed (after <see cref="JoinedAsync"/>).</summary>
    public IDisposable Joining(long chatId)
    {
        lock (_joining)
        {
            _joining[chatId] = _joining.GetValueOrDefault(chatId) + 1;
        }

        return new JoinOnItsWay(this, chatId);
    }

    /// <summary>The answer to a join the app gave up on: the server put this device in the voice chat, the app did not
    /// (it has no media for it, and its user saw the join fail or called it off). Left, so others do not see the user in
    /// a voice chat they are not in — unless this device holds that call already (a join again changes nothing) or
    /// another join of the chat is on its way (whose answer makes the device's place the app's).</summary>
    public void JoinedLate(GroupCall call)
    {
        bool joining;
        lock (_joining)
        {
            joining = _joining.ContainsKey(call.ChatId);
        }

        if (joining || Current?.Id == call.Id)
        {
            return;
        }

        _ = LeaveLateAsync(call.Id);
    }

    private async Task LeaveLateAsync(long callId)
    {
        try
        {
            await client.CallAsync(new LeaveGroupCallCall(callId));
        }
        catch (Exception e) when (e is RpcException or MessengerConnectionException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            // Out already (CALL_ID_INVALID), or the connection went: a place not joined again after a reconnect is taken
            // away when the server's grace ends.
        }
    }

    public void Left(long callId)
    {
        if (Current is { } call && call.Id == callId)
        {
            Interlocked.CompareExchange(ref _call, null, call);
        }
    }

    /// <summary>A <c>group_call</c> update reached this connection: out of it (ended, or taken out), nothing to rejoin.</summary>
    public void Seen(GroupCall call, long userId)
    {
        if (call.Ended || !call.Participants.Contains(userId))
        {
            Left(call.Id);
        }
    }

    /// <summary>After a reconnect: takes back this device's place in the voice chat (a rejoin: the server never starts a
    /// call for it, nor takes the place from another device), or, when the place is gone, says so.</summary>
    public async Task RejoinAsync()
    {
        if (Current is not { } call)
        {
            return;
        }

        try
        {
            var joined = await client.CallAsync(new JoinGroupCallCall(call.ChatId, Rejoin: true));
            await JoinedAsync(joined);
            client.Events.Report(new GroupCallRejoined(joined));
            return;
        }
        catch (RpcException)
        {
            // The place is gone (the call ended, the grace ran out, another device took it), or the user left the group.
        }
        catch (Exception e) when (e is MessengerConnectionException or TimeoutException or OperationCanceledException)
        {
            return; // dropped again (or closing): the next reconnect tries again
        }

        Left(call.Id);
        client.Events.Report(new GroupCallDropped(call.Id, call.ChatId));
    }

    private sealed class JoinOnItsWay(VoiceChatPresence presence, long chatId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            lock (presence._joining)
            {
                if (--presence._joining[chatId] == 0)
                {
                    presence._joining.Remove(chatId);
                }
            }
        }
    }
}
