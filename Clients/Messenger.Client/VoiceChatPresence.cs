using Messenger.Contracts.Calls;

namespace Messenger.Client;

/// <summary>
/// The voice chat this client is in, joined again by itself after a reconnect: the server keeps a participant whose
/// connection dropped for its grace (<c>ReconnectGraceSeconds</c>) and takes them out unless their app joins again (the
/// media between the apps need not stop meanwhile). A join from another device of the user moves the place there, and
/// the server tells this one it is out: then there is nothing to join again.
/// </summary>
internal sealed class VoiceChatPresence(MessengerClient client)
{
    private GroupCall? _call;

    public GroupCall? Current => Volatile.Read(ref _call);

    /// <summary>Joined: recorded after the pushes received before the join's answer are handled, so an older
    /// <c>group_call</c> (one from before this user was in it) cannot count as being taken out.</summary>
    public Task JoinedAsync(GroupCall call) => client.Events.InOrderAsync(() => Volatile.Write(ref _call, call));

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
}
